//===- SweepReport.cpp - a sweep as one HTML page -------------------------===//
//
// Energy against latency per step, one dot per feasible point, the Pareto
// front in red joined by a dashed line, then the whole table.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/runtime/HtmlReport.h"

#include "neuromesh/runtime/Run.h"
#include "neuromesh/runtime/Sweep.h"

#include "Svg.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <vector>

namespace neuromesh::runtime {

namespace {

using svg::escape;

std::string joined(const std::vector<std::string> &Values) {
  std::string S;
  for (const std::string &V : Values)
    S += (S.empty() ? "" : ", ") + V;
  return S;
}

std::string scatter(const std::vector<const SweepPoint *> &Points) {
  double MaxE = 0, MaxL = 0;
  for (const SweepPoint *P : Points) {
    MaxE = std::max(MaxE, P->EnergyPerStep);
    MaxL = std::max(MaxL, P->LatencyPerStep);
  }
  MaxE *= 1.1;
  MaxL *= 1.1;
  svg::Chart C(900, 460);
  C.axes("latency per step", MaxL, "energy per step", MaxE, "J", "s");
  auto PX = [&](double L) { return C.x0() + (MaxL > 0 ? L / MaxL : 0) * C.plotWidth(); };
  auto PY = [&](double E) { return C.y0() - (MaxE > 0 ? E / MaxE : 0) * C.plotHeight(); };

  std::vector<const SweepPoint *> Front;
  for (const SweepPoint *P : Points)
    if (P->Pareto)
      Front.push_back(P);
  std::sort(Front.begin(), Front.end(), [](const SweepPoint *A, const SweepPoint *B) {
    return A->LatencyPerStep < B->LatencyPerStep ||
           (A->LatencyPerStep == B->LatencyPerStep && A->EnergyPerStep < B->EnergyPerStep);
  });
  if (Front.size() > 1) {
    std::string Pts;
    for (const SweepPoint *P : Front)
      Pts += fmt::format("{}{:.1f},{:.1f}", Pts.empty() ? "" : " ", PX(P->LatencyPerStep),
                         PY(P->EnergyPerStep));
    C.add("<polyline class=\"frontline\" points=\"{}\"/>\n", Pts);
  }
  // Label every point with its values; points on the same spot share a label.
  std::map<std::pair<long, long>, std::string> Labels;
  for (const SweepPoint *P : Points) {
    std::string &L = Labels[{std::lround(PX(P->LatencyPerStep)), std::lround(PY(P->EnergyPerStep))}];
    L += (L.empty() ? "" : " | ") + joined(P->Values);
  }
  for (const auto &[XY, Text] : Labels)
    C.add("<text class=\"tick\" x=\"{}\" y=\"{}\">{}</text>\n", XY.first + 7, XY.second - 5,
          escape(Text));
  for (const SweepPoint *P : Points)
    C.add("<circle class=\"point{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\"><title>{}: "
          "{} per step, {} per step{}</title></circle>\n",
          P->Pareto ? " front" : "", PX(P->LatencyPerStep), PY(P->EnergyPerStep),
          P->Pareto ? "#e33" : "#79a", escape(joined(P->Values)),
          escape(formatSI(P->EnergyPerStep, "J")), escape(formatSI(P->LatencyPerStep, "s")),
          P->Pareto ? " (Pareto front)" : "");
  return C.str("pareto");
}

std::string table(const SweepResult &R) {
  std::string Out = "<table>\n<tr>";
  for (const std::string &H : R.ParameterPaths)
    Out += "<th>" + escape(H) + "</th>";
  for (const char *H : {"cores", "chips", "neuron use mean / max", "energy/step", "latency/step",
                        "latency max", "power", "power paced", "spikes", "pareto"})
    Out += fmt::format("<th>{}</th>", H);
  Out += "</tr>\n";
  for (const SweepPoint &P : R.Points) {
    Out += "<tr>";
    for (const std::string &V : P.Values)
      Out += "<td>" + escape(V) + "</td>";
    if (!P.Feasible) {
      Out += fmt::format("<td class=\"text\" colspan=\"10\">{}</td></tr>\n", escape(P.Message));
      continue;
    }
    for (const std::string &Cell :
         {fmt::format("{}", P.CoresUsed), fmt::format("{}", P.ChipsUsed),
          fmt::format("{:.1f} % / {:.1f} %", 100 * P.MeanNeuronUse, 100 * P.MaxNeuronUse),
          formatSI(P.EnergyPerStep, "J"), formatSI(P.LatencyPerStep, "s"),
          formatSI(P.LatencyMax, "s"), formatSI(P.Power, "W"), formatSI(P.PowerPaced, "W"),
          fmt::format("{}", P.Spikes), std::string(P.Pareto ? "yes" : "")})
      Out += "<td>" + escape(Cell) + "</td>";
    Out += "</tr>\n";
  }
  return Out + "</table>\n";
}

} // namespace

std::string sweepReportHtml(const SweepResult &R, const std::string &FileName) {
  std::vector<const SweepPoint *> Feasible;
  size_t OnFront = 0;
  for (const SweepPoint &P : R.Points)
    if (P.Feasible) {
      Feasible.push_back(&P);
      OnFront += P.Pareto;
    }
  const std::string Body =
      fmt::format("<p class=\"note\">{}: {} points, {} feasible, {} on the energy-latency Pareto "
                  "front (red, joined by the dashed line).</p>\n<h2>Energy against latency</h2>\n{}"
                  "<h2>Points</h2>\n{}",
                  escape(FileName), R.Points.size(), Feasible.size(), OnFront, scatter(Feasible),
                  table(R));
  return svg::page("Neuromesh sweep report", Body);
}

} // namespace neuromesh::runtime
