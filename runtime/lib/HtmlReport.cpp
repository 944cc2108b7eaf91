//===- HtmlReport.cpp - the visual report: XHTML with inline SVG ----------===//
//
// Every chart is plain SVG text written with fmt: nothing runs in the
// browser, so the file renders the same anywhere and stays checkable as XML.
// Marks carry a class naming what they count (docs/formats.md).
//
//===----------------------------------------------------------------------===//
#include "neuromesh/runtime/HtmlReport.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/runtime/Run.h"

#include "Svg.h"

#include <llvm/Support/JSON.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <vector>

namespace neuromesh::runtime {

namespace {

using svg::Chart;
using svg::escape;

/// Components' colours, in energyComponents() order (static last, grey).
const char *componentColour(size_t I) {
  static const char *Palette[] = {"#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78",
                                  "#2ca02c", "#98df8a", "#d62728", "#ff9896",
                                  "#9467bd", "#c5b0d5", "#8c564b", "#9a9a9a"};
  return Palette[I % (sizeof Palette / sizeof *Palette)];
}

/// Reads report.json's fields, naming the file and the key on error.
class ReportJson {
public:
  ReportJson(const std::string &Text, const std::string &File) : File(File) {
    llvm::Expected<llvm::json::Value> V = llvm::json::parse(Text);
    if (!V)
      throw Error(fmt::format("{}: error: not valid JSON: {}; pass a report written by nmesh run "
                              "--report",
                              File, llvm::toString(V.takeError())));
    Root = std::move(*V);
    if (!Root.getAsObject())
      throw Error(fmt::format("{}: error: expected a JSON object (a report written by nmesh run "
                              "--report)",
                              File));
  }
  const llvm::json::Object &root() const { return *Root.getAsObject(); }
  [[noreturn]] void missing(const std::string &Key, const char *What) const {
    throw Error(fmt::format("{}: error: '{}' is missing or not {}; the visual report needs a "
                            "report.json from this version of nmesh run --report (--arch given)",
                            File, Key, What));
  }
  double number(const llvm::json::Object &O, const char *Key) const {
    if (auto N = O.getNumber(Key))
      return *N;
    missing(Key, "a number");
  }
  std::string string(const llvm::json::Object &O, const char *Key) const {
    if (auto S = O.getString(Key))
      return S->str();
    missing(Key, "a string");
  }
  const llvm::json::Array &array(const llvm::json::Object &O, const char *Key) const {
    if (const llvm::json::Array *A = O.getArray(Key))
      return *A;
    missing(Key, "an array");
  }
  const llvm::json::Object &object(const llvm::json::Value &V, const char *Where) const {
    if (const llvm::json::Object *O = V.getAsObject())
      return *O;
    missing(Where, "an object");
  }
  std::string File;

private:
  llvm::json::Value Root = nullptr;
};

/// ", mesh <model>" for a systemc report that names its mesh model (reports
/// written before the field existed do not).
std::string meshModelNote(const llvm::json::Object &Root) {
  const auto Model = Root.getString("mesh_model");
  return Model && !Model->empty() ? ", mesh " + Model->str() : std::string();
}

std::string summaryTable(const std::vector<std::pair<std::string, std::string>> &Rows) {
  std::string Out = "<table>\n";
  for (const auto &[K, V] : Rows)
    Out += fmt::format("<tr><th>{}</th><td class=\"text\">{}</td></tr>\n", escape(K), escape(V));
  return Out + "</table>\n";
}

struct Population {
  std::string Name;
  int64_t Symbol = 0, Size = 0;
  bool Recorded = true;
};

/// Beyond this many spikes a population's raster is a density map (a page
/// of a million dots would not open), and beyond MaxBars steps the per-step
/// charts show groups of steps.
constexpr size_t MaxRasterDots = 100000;
constexpr int64_t RasterBins = 300;
constexpr size_t MaxBars = 1000;

std::string rasterSection(const ReportJson &J, int64_t Steps) {
  const llvm::json::Object &Root = J.root();
  std::vector<Population> Pops;
  for (const llvm::json::Value &V : J.array(Root, "populations")) {
    const llvm::json::Object &O = J.object(V, "populations[]");
    Population P{J.string(O, "name"), int64_t(J.number(O, "symbol")), int64_t(J.number(O, "size")),
                 O.getBoolean("recorded").getValueOr(true)};
    Pops.push_back(P);
  }
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> BySymbol; // step, neuron
  for (const llvm::json::Value &V : J.array(Root, "spike_records")) {
    const llvm::json::Array *A = V.getAsArray();
    if (!A || A->size() != 3 || !(*A)[0].getAsNumber() || !(*A)[1].getAsNumber() ||
        !(*A)[2].getAsNumber())
      J.missing("spike_records[]", "a [step, symbol, neuron] triple");
    BySymbol[int64_t(*(*A)[1].getAsNumber())].push_back(
        {int64_t(*(*A)[0].getAsNumber()), int64_t(*(*A)[2].getAsNumber())});
  }
  std::string Out = "<h2>Spike raster</h2>\n";
  for (const Population &P : Pops) {
    if (!P.Recorded) {
      Out += fmt::format("<p class=\"note\">population {} ({} neurons): spikes not recorded</p>\n",
                         escape(P.Name), P.Size);
      continue;
    }
    const std::vector<std::pair<int64_t, int64_t>> &S = BySymbol[P.Symbol];
    const double H = std::clamp(double(P.Size) * 3, 80.0, 260.0) + 48;
    Chart C(900, H);
    C.axes("timestep", double(Steps), "neuron", double(P.Size), "");
    const double DX = C.plotWidth() / double(std::max<int64_t>(Steps, 1));
    const double DY = C.plotHeight() / double(std::max<int64_t>(P.Size, 1));
    const double R = std::clamp(std::min(DX, DY) / 2, 0.6, 3.0);
    std::string Binned;
    if (S.size() <= MaxRasterDots) {
      for (const auto &[Step, Neuron] : S)
        C.add("<circle class=\"spike\" cx=\"{:.2f}\" cy=\"{:.2f}\" r=\"{:.2f}\"/>\n",
              C.x0() + (double(Step) + 0.5) * DX, C.y0() - (double(Neuron) + 0.5) * DY, R);
    } else {
      // Too many dots for a page: a density map, every spike counted in
      // its cell of RasterBins x RasterBins (steps x neurons).
      const int64_t BX = std::min<int64_t>(Steps, RasterBins), BY = std::min<int64_t>(P.Size, RasterBins);
      std::vector<uint64_t> Count(size_t(BX * BY), 0);
      uint64_t Max = 0;
      for (const auto &[Step, Neuron] : S) {
        uint64_t &N = Count[size_t((Neuron * BY / P.Size) * BX + Step * BX / Steps)];
        Max = std::max(Max, ++N);
      }
      const double W = C.plotWidth() / double(BX), Hh = C.plotHeight() / double(BY);
      for (int64_t Y = 0; Y < BY; ++Y)
        for (int64_t X = 0; X < BX; ++X)
          if (const uint64_t N = Count[size_t(Y * BX + X)])
            C.add("<rect class=\"spikebin\" x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" "
                  "height=\"{:.2f}\" fill=\"#1f4e9c\" fill-opacity=\"{:.3f}\"/>\n",
                  C.x0() + double(X) * W, C.y0() - double(Y + 1) * Hh, W, Hh,
                  0.1 + 0.9 * double(N) / double(Max));
      Binned = fmt::format("; more than {} spikes: drawn as a density map of {} x {} cells, the "
                           "darkest holding {} spikes",
                           MaxRasterDots, BX, BY, Max);
    }
    Out += fmt::format("<h3>{} ({} neurons, {} spikes{})</h3>\n", escape(P.Name), P.Size, S.size(),
                       Binned);
    Out += C.str("raster");
  }
  return Out;
}

std::string perStepSection(const ReportJson &J) {
  const llvm::json::Object &Root = J.root();
  std::vector<std::string> Names;
  for (const llvm::json::Value &V : J.array(Root, "components")) {
    if (!V.getAsString())
      J.missing("components[]", "a string");
    Names.push_back(V.getAsString()->str());
  }
  struct Step {
    double Latency;
    std::vector<double> Parts;
    size_t First = 0, Last = 0; ///< the steps a bar stands for
  };
  std::vector<Step> Steps;
  for (const llvm::json::Value &V : J.array(Root, "per_step")) {
    const llvm::json::Object &O = J.object(V, "per_step[]");
    Step S{J.number(O, "latency_s"), {}, Steps.size(), Steps.size()};
    for (const llvm::json::Value &P : J.array(O, "by_component_j"))
      S.Parts.push_back(P.getAsNumber().getValueOr(0));
    if (S.Parts.size() != Names.size())
      J.missing("per_step[].by_component_j", "an array with one value per component");
    Steps.push_back(S);
  }
  // A long run: one bar per group of Group consecutive steps, their mean.
  const size_t Group = (Steps.size() + MaxBars - 1) / MaxBars;
  std::string GroupNote;
  if (Group > 1) {
    std::vector<Step> Groups;
    for (size_t I = 0; I < Steps.size(); I += Group) {
      const size_t End = std::min(Steps.size(), I + Group);
      Step G{0, std::vector<double>(Names.size(), 0), I, End - 1};
      for (size_t K = I; K < End; ++K) {
        G.Latency += Steps[K].Latency / double(End - I);
        for (size_t C = 0; C < Names.size(); ++C)
          G.Parts[C] += Steps[K].Parts[C] / double(End - I);
      }
      Groups.push_back(G);
    }
    Steps = std::move(Groups);
    GroupNote = fmt::format("<p class=\"note\">{} steps: each bar is the mean of {} consecutive "
                            "steps.</p>\n",
                            Steps.back().Last + 1, Group);
  }
  double MaxEnergy = 0, MaxLatency = 0;
  for (const Step &S : Steps) {
    double Sum = 0;
    for (double P : S.Parts)
      Sum += P;
    MaxEnergy = std::max(MaxEnergy, Sum);
    MaxLatency = std::max(MaxLatency, S.Latency);
  }
  auto StepName = [](const Step &S) {
    return S.First == S.Last ? fmt::format("step {}", S.First)
                             : fmt::format("steps {}-{} (mean)", S.First, S.Last);
  };
  const double N = double(std::max<size_t>(Steps.size(), 1));
  const double Span = Steps.empty() ? 1 : double(Steps.back().Last + 1);
  Chart E(900, 300);
  E.axes("timestep", Span, "energy per step", MaxEnergy, "J");
  const double BW = E.plotWidth() / N;
  const double EScale = MaxEnergy > 0 ? E.plotHeight() / MaxEnergy : 0;
  for (size_t I = 0; I < Steps.size(); ++I) {
    double Y = E.y0();
    for (size_t C = 0; C < Names.size(); ++C) {
      const double Hgt = Steps[I].Parts[C] * EScale;
      Y -= Hgt;
      E.add("<rect class=\"bar\" x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" "
            "fill=\"{}\"><title>{}: {} {}</title></rect>\n",
            E.x0() + double(I) * BW, Y, std::max(BW * 0.9, 0.3), Hgt, componentColour(C),
            StepName(Steps[I]),
            escape(Names[C]), escape(formatSI(Steps[I].Parts[C], "J")));
    }
  }
  std::string Legend = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"legend\" width=\"900\" "
                       "height=\"40\" viewBox=\"0 0 900 40\">\n";
  for (size_t C = 0; C < Names.size(); ++C) {
    const double X = double(C % 6) * 150, Y = double(C / 6) * 18 + 4;
    Legend += fmt::format("<rect class=\"legendkey\" x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" "
                          "fill=\"{}\"/><text class=\"legendtext\" x=\"{}\" y=\"{}\">{}</text>\n",
                          X, Y, componentColour(C), X + 14, Y + 9, escape(Names[C]));
  }
  Legend += "</svg>\n";

  Chart L(900, 220);
  L.axes("timestep", Span, "step latency", MaxLatency, "s");
  const double LScale = MaxLatency > 0 ? L.plotHeight() / MaxLatency : 0;
  for (size_t I = 0; I < Steps.size(); ++I)
    L.add("<rect class=\"latency\" x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\">"
          "<title>{}: {}</title></rect>\n",
          L.x0() + double(I) * BW, L.y0() - Steps[I].Latency * LScale, std::max(BW * 0.9, 0.3),
          Steps[I].Latency * LScale, StepName(Steps[I]), escape(formatSI(Steps[I].Latency, "s")));
  return "<h2>Energy per step, by component</h2>\n" + GroupNote + E.str("energy") + Legend +
         "<h2>Latency per step</h2>\n" + L.str("latency");
}

/// White to blue for utilisation 0..1.
std::string utilisationColour(double U) {
  U = std::clamp(U, 0.0, 1.0);
  return fmt::format("rgb({},{},{})", int(255 - 215 * U), int(255 - 160 * U), 255 - int(60 * U));
}

std::string meshSection(const ReportJson &J) {
  const llvm::json::Object &Root = J.root();
  const llvm::json::Object *Mesh = Root.getObject("mesh");
  if (!Mesh)
    J.missing("mesh", "an object");
  const int64_t TX = int64_t(J.number(*Mesh, "tiles_x")), TY = int64_t(J.number(*Mesh, "tiles_y"));
  const int64_t CX = int64_t(J.number(*Mesh, "chip_tiles_x"));
  const int64_t CY = int64_t(J.number(*Mesh, "chip_tiles_y"));
  const int64_t PerTile = std::max<int64_t>(1, int64_t(J.number(*Mesh, "cores_per_tile")));
  if (TX < 1 || TY < 1 || CX < 1 || CY < 1)
    J.missing("mesh.tiles_x", "a positive mesh size");
  const double Cell = std::clamp(860.0 / double(std::max(TX, TY)), 6.0, 90.0);
  const double Pad = 20;
  const double W = Pad * 2 + Cell * double(TX), H = Pad * 2 + Cell * double(TY);
  fmt::memory_buffer B;
  auto Add = [&](const std::string &S) { fmt::format_to(std::back_inserter(B), "{}", S); };
  // y grows downwards on screen as tile y does.
  auto TileX = [&](double X) { return Pad + X * Cell; };
  auto TileY = [&](double Y) { return Pad + Y * Cell; };
  for (int64_t Y = 0; Y < TY; ++Y)
    for (int64_t X = 0; X < TX; ++X)
      Add(fmt::format("<rect class=\"tile\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
                      "height=\"{:.1f}\"/>\n",
                      TileX(double(X)), TileY(double(Y)), Cell, Cell));
  for (int64_t Y = 0; Y < TY; Y += CY)
    for (int64_t X = 0; X < TX; X += CX)
      Add(fmt::format("<rect class=\"chipedge\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
                      "height=\"{:.1f}\"/>\n",
                      TileX(double(X)), TileY(double(Y)), Cell * double(CX), Cell * double(CY)));
  // Cores: a small grid of squares inside their tile, coloured by utilisation.
  const int64_t Side = int64_t(std::ceil(std::sqrt(double(PerTile))));
  const double Sub = Cell * 0.7 / double(Side);
  size_t Cores = 0;
  for (const llvm::json::Value &V : J.array(Root, "cores")) {
    const llvm::json::Object &O = J.object(V, "cores[]");
    const int64_t Chip = int64_t(J.number(O, "chip"));
    const int64_t GX = (Chip % std::max<int64_t>(1, TX / CX)) * CX + int64_t(J.number(O, "x"));
    const int64_t GY = (Chip / std::max<int64_t>(1, TX / CX)) * CY + int64_t(J.number(O, "y"));
    const int64_t Slot = int64_t(J.number(O, "slot"));
    const double U = J.number(O, "utilisation");
    const double X = TileX(double(GX)) + Cell * 0.15 + double(Slot % Side) * Sub;
    const double Y = TileY(double(GY)) + Cell * 0.15 + double(Slot / Side) * Sub;
    Add(fmt::format("<rect class=\"core\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
                    "height=\"{:.1f}\" fill=\"{}\" stroke=\"#555\" stroke-width=\"0.5\"><title>core "
                    "{}: {} neurons ({:.1f} %), {} spikes, {} synaptic events</title></rect>\n",
                    X, Y, Sub * 0.92, Sub * 0.92, utilisationColour(U), Cores,
                    int64_t(J.number(O, "neurons")), 100 * U, int64_t(J.number(O, "spikes_out")),
                    int64_t(J.number(O, "synaptic_events"))));
    ++Cores;
  }
  // Links: one line per direction, offset to its side so both show.
  double MaxMessages = 0;
  const llvm::json::Array &Links = J.array(Root, "links");
  for (const llvm::json::Value &V : Links)
    MaxMessages = std::max(MaxMessages, J.number(J.object(V, "links[]"), "messages"));
  for (const llvm::json::Value &V : Links) {
    const llvm::json::Object &O = J.object(V, "links[]");
    const double X = J.number(O, "x"), Y = J.number(O, "y");
    const double DX = J.number(O, "dx"), DY = J.number(O, "dy"), M = J.number(O, "messages");
    const double F = MaxMessages > 0 ? M / MaxMessages : 0;
    const double Off = Cell * 0.12 * (DX + DY > 0 ? 1 : -1);
    const double X1 = TileX(X + 0.5) + (DY != 0 ? Off : 0), Y1 = TileY(Y + 0.5) + (DX != 0 ? Off : 0);
    Add(fmt::format("<line class=\"link\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
                    "stroke=\"rgb({},{},{})\" stroke-width=\"{:.1f}\"><title>({}, {}) to ({}, {}): "
                    "{} messages{}</title></line>\n",
                    X1, Y1, X1 + DX * Cell, Y1 + DY * Cell, int(120 + 135 * F), int(120 - 100 * F),
                    int(120 - 100 * F), 1 + 5 * F, X, Y, X + DX, Y + DY, M,
                    O.getBoolean("chip_edge").getValueOr(false) ? " (chip-to-chip link)" : ""));
  }
  return fmt::format(
      "<h2>Mesh: core utilisation and link traffic</h2>\n<p class=\"note\">{} x {} tiles "
      "(chips of {} x {} outlined), {} cores per tile; a core's blue is its neuron "
      "utilisation, a link's red and width its messages (max {}), drawn on the side of its "
      "direction.</p>\n<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"mesh\" width=\"{}\" "
      "height=\"{}\" viewBox=\"0 0 {} {}\">\n{}</svg>\n",
      TX, TY, CX, CY, PerTile, MaxMessages, W, H, W, H, fmt::to_string(B));
}

} // namespace

std::string runReportHtml(const std::string &JsonText, const std::string &FileName) {
  ReportJson J(JsonText, FileName);
  const llvm::json::Object &Root = J.root();
  const int64_t Steps = int64_t(J.number(Root, "steps"));
  const std::string Arch = J.string(Root, "architecture");
  std::string Body = summaryTable({
      {"report", FileName},
      {"architecture", Arch + (J.string(Root, "cost_model").empty()
                                   ? std::string()
                                   : " (costs " + J.string(Root, "cost_model") + ")")},
      {"engine", J.string(Root, "engine") + " (latency " + J.string(Root, "latency_source") +
                     meshModelNote(Root) + ")"},
      {"steps", fmt::format("{}", Steps)},
      {"spikes", fmt::format("{}", int64_t(J.number(Root, "spikes")))},
      {"synaptic events", fmt::format("{}", int64_t(J.number(Root, "synaptic_events")))},
      {"energy", formatSI(J.number(Root, "energy_j"), "J")},
      {"energy per step", formatSI(Steps ? J.number(Root, "energy_j") / double(Steps) : 0, "J")},
      {"step latency mean / max", formatSI(J.number(Root, "latency_mean_s"), "s") + " / " +
                                      formatSI(J.number(Root, "latency_max_s"), "s")},
      {"power unthrottled", formatSI(J.number(Root, "power_unthrottled_w"), "W")},
      {"power paced", formatSI(J.number(Root, "power_paced_w"), "W")},
  });
  Body += rasterSection(J, Steps);
  Body += perStepSection(J);
  Body += meshSection(J);
  return svg::page("Neuromesh run report: " + Arch, Body);
}

} // namespace neuromesh::runtime
