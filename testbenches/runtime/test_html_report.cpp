//===- test_html_report.cpp - nmesh report: XHTML with countable SVG marks ===//
//
// The demo image (examples/asm/if_chain.s, its 13 spikes worked out by hand
// in its comments) run for 20 steps on Loihi: the report must parse as XML,
// and its charts must hold one dot per spike, one bar per step and energy
// component, one latency bar per step, one square per core and one line per
// link with traffic (core 0 at tile (0,0) sends every layer1 spike to core 1
// at tile (1,0): 9 messages over one eastward link; layer2 sends nothing).
//
//===----------------------------------------------------------------------===//
#include "CliTestUtil.h"

#include "neuromesh/compiler/Compile.h"
#include "neuromesh/compiler/NetworkYaml.h"
#include "neuromesh/isa/Assembly.h"
#include "neuromesh/runtime/HtmlReport.h"
#include "neuromesh/runtime/Run.h"
#include "neuromesh/runtime/SpikeFile.h"
#include "neuromesh/runtime/Sweep.h"

#include <catch2/catch.hpp>

#include <map>
#include <tuple>

namespace isa = neuromesh::isa;
namespace rt = neuromesh::runtime;
using neuromesh::testing::readFile;
using neuromesh::testing::TempDir;
using neuromesh::testing::writeFile;

namespace {

/// Parses Path with python3's xml.etree (a parse error fails the test) and
/// counts the SVG elements of each class: "tag.class count" lines.
std::map<std::string, int> svgMarks(const TempDir &T, const std::string &Path) {
  const std::string Script = T / "count.py";
  writeFile(Script, "import sys, collections, xml.etree.ElementTree as ET\n"
                    "root = ET.parse(sys.argv[1]).getroot()\n"
                    "c = collections.Counter()\n"
                    "for e in root.iter():\n"
                    "    if e.tag.startswith('{http://www.w3.org/2000/svg}'):\n"
                    "        for k in e.get('class', '').split():\n"
                    "            c[e.tag.split('}')[1] + '.' + k] += 1\n"
                    "for k, v in sorted(c.items()):\n"
                    "    print(k, v)\n");
  const std::string Out = T / "marks.txt";
  const int Status = std::system(
      ("python3 '" + Script + "' '" + Path + "' > '" + Out + "' 2> '" + Out + ".err'").c_str());
  INFO(readFile(Out + ".err"));
  REQUIRE(Status == 0);
  std::map<std::string, int> Marks;
  std::istringstream In(readFile(Out));
  std::string K;
  int V;
  while (In >> K >> V)
    Marks[K] = V;
  return Marks;
}

rt::RunResult demoRun(const isa::Image &Img, const char *Engine = "systemc") {
  const std::string Dir = std::string(NM_SOURCE_DIR) + "/examples/";
  rt::RunOptions O;
  O.Steps = 20;
  O.Engine = Engine;
  O.Inputs = rt::readSpikeFile(Dir + "asm/if_chain_input.csv", Img, isa::SymbolKind::InputPort);
  O.Arch = isa::loadArchitecture(Dir + "arch/loihi.yaml");
  return rt::runImage(Img, O);
}

} // namespace

TEST_CASE("the run report parses as XML and has one mark per spike, step, core and link",
          "[runtime][report]") {
  const std::string Dir = std::string(NM_SOURCE_DIR) + "/examples/asm/";
  const isa::Image Img = isa::parseAssembly(readFile(Dir + "if_chain.s"), "if_chain.s");
  const rt::RunResult R = demoRun(Img);
  REQUIRE(R.Spikes.size() == 13);
  REQUIRE(R.Activity);
  // The activity the report draws, by hand.
  REQUIRE(R.Activity->Cores.size() == 2);
  CHECK(R.Activity->Cores[0].Counters.SpikesOut == 9);
  CHECK(R.Activity->Cores[1].Counters.SpikesOut == 4);
  CHECK(R.Activity->Cores[0].Utilisation == 4.0 / 1024);
  REQUIRE(R.Activity->Links.size() == 1);
  CHECK(R.Activity->Links[0].Link.X == 0);
  CHECK(R.Activity->Links[0].Link.Y == 0);
  CHECK(R.Activity->Links[0].Link.DX == 1);
  CHECK(!R.Activity->Links[0].Link.ChipEdge);
  CHECK(R.Activity->Links[0].Messages == 9);
  // The functional engine counts the same activity.
  const rt::RunResult F = demoRun(Img, "functional");
  REQUIRE(F.Activity);
  REQUIRE(F.Activity->Cores.size() == 2);
  for (size_t K = 0; K < 2; ++K)
    CHECK(F.Activity->Cores[K].Counters == R.Activity->Cores[K].Counters);
  REQUIRE(F.Activity->Links.size() == 1);
  CHECK(F.Activity->Links[0].Messages == 9);

  TempDir T;
  const std::string Json = rt::energyReportJson(R);
  CHECK_THAT(Json, Catch::Contains("\"links\": [\n    {\"x\": 0, \"y\": 0, \"dx\": 1, \"dy\": 0, "
                                   "\"chip_edge\": false, \"messages\": 9}\n  ]"));
  writeFile(T / "run.html", rt::runReportHtml(Json, "run.json"));
  std::map<std::string, int> M = svgMarks(T, T / "run.html");
  CHECK(M["circle.spike"] == 13);
  CHECK(M["rect.bar"] == 20 * int(rt::energyComponents().size()));
  CHECK(M["rect.latency"] == 20);
  CHECK(M["rect.core"] == 2);
  CHECK(M["line.link"] == 1);
  CHECK(M["svg.raster"] == 2); // layer1 and layer2
}

TEST_CASE("the sweep report parses as XML and highlights the Pareto front", "[runtime][report]") {
  TempDir T;
  // Three feasible points, two on the front, and one that did not fit
  // (a message with a comma and quotes, as compiler messages have).
  rt::SweepResult S;
  S.ParameterPaths = {"core.neurons"};
  S.Steps = 10;
  const double E[] = {1e-9, 2e-9, 3e-9}, L[] = {4e-6, 2e-6, 3e-6};
  for (int I = 0; I < 3; ++I) {
    rt::SweepPoint P;
    P.Values = {std::to_string(100 * (I + 1))};
    P.Feasible = true;
    P.EnergyPerStep = E[I];
    P.LatencyPerStep = L[I];
    S.Points.push_back(P);
  }
  rt::SweepPoint Bad;
  Bad.Values = {"50"};
  Bad.Message = "error: population 'a' <needs> 3 cores, \"too many\"";
  S.Points.push_back(Bad);
  rt::markParetoFront(S.Points);
  // Through the CSV and back, as nmesh report reads it.
  writeFile(T / "sweep.html", rt::sweepReportHtml(rt::readSweepCsv(rt::sweepCsv(S), "sweep.csv"),
                                                  "sweep.csv"));
  std::map<std::string, int> M = svgMarks(T, T / "sweep.html");
  CHECK(M["circle.point"] == 3);
  CHECK(M["circle.front"] == 2); // (1 nJ, 4 us) and (2 nJ, 2 us); (3 nJ, 3 us) is beaten
  CHECK(M["polyline.frontline"] == 1);
  CHECK_THAT(readFile(T / "sweep.html"), Catch::Contains("&lt;needs&gt; 3 cores, &quot;too many"));
}

TEST_CASE("nmesh report writes the page and rejects a report without the activity fields",
          "[runtime][report][cli]") {
  TempDir T;
  writeFile(T / "old.json", "{\"engine\": \"systemc\", \"steps\": 3}\n");
  auto R = neuromesh::testing::nmesh(T, "report '" + T / "old.json" + "' -o '" + T / "r.html" + "'");
  CHECK(R.Exit == 1);
  CHECK_THAT(R.Err, Catch::Contains("old.json: error: 'architecture' is missing"));
  CHECK(!neuromesh::testing::exists(T / "r.html"));
  writeFile(T / "bad.csv", "a,b\n1,2\n");
  R = neuromesh::testing::nmesh(T, "report '" + T / "bad.csv" + "' -o '" + T / "r.html" + "'");
  CHECK(R.Exit == 1);
  CHECK_THAT(R.Err, Catch::Contains("bad.csv:1: error: the header is not that of nmesh sweep"));
}

TEST_CASE("the links of an x-then-y route across a chip edge, by hand", "[runtime][report]") {
  // tiny: 2 chips side by side (grid 2 x 1), each a 2 x 2 mesh. From chip 0
  // tile (0,0) to chip 1 tile (1,1): global x 0 -> 3 (hop, chip edge, hop),
  // then y 0 -> 1 at x = 3 (hop).
  const isa::Architecture Arch =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/tiny.yaml");
  isa::CoreLocation From, To;
  To.Chip = 1;
  To.X = 1;
  To.Y = 1;
  std::vector<std::tuple<int64_t, int64_t, int, int, bool>> Links;
  neuromesh::emulator::forEachRouteLink(Arch, From, To, [&](const neuromesh::emulator::MeshLink &L) {
    Links.emplace_back(L.X, L.Y, L.DX, L.DY, L.ChipEdge);
  });
  using T = std::tuple<int64_t, int64_t, int, int, bool>;
  CHECK(Links == std::vector<T>{T{0, 0, 1, 0, false}, T{1, 0, 1, 0, true}, T{2, 0, 1, 0, false},
                                T{3, 0, 0, 1, false}});
  // And back: x 3 -> 0 (hop, edge, hop), then y 1 -> 0 at x = 0.
  Links.clear();
  neuromesh::emulator::forEachRouteLink(Arch, To, From, [&](const neuromesh::emulator::MeshLink &L) {
    Links.emplace_back(L.X, L.Y, L.DX, L.DY, L.ChipEdge);
  });
  CHECK(Links == std::vector<T>{T{3, 1, -1, 0, false}, T{2, 1, -1, 0, true}, T{1, 1, -1, 0, false},
                                T{0, 1, 0, -1, false}});
  const neuromesh::emulator::TrafficCounts C = neuromesh::emulator::routeMessage(Arch, From, To);
  CHECK(C.HopsEastWest == 2);
  CHECK(C.HopsNorthSouth == 1);
  CHECK(C.ChipCrossings == 1);
  CHECK(C.WithinTile == 0);
}

TEST_CASE("a long busy run's report bins its raster and groups its steps", "[runtime][report]") {
  // 2,500 steps of a 100-neuron population firing wherever step + neuron is
  // even: 125,000 spikes, more than a page of dots (100,000), so a density
  // map of 300 x 100 cells, every cell holding 8 or 9 steps and so at least
  // 4 spikes; and 2,500 steps > 1,000 bars, so bars of 3 steps: 834 of them.
  rt::RunResult R;
  R.Engine = "systemc";
  R.Steps = 2500;
  R.Energy.emplace();
  R.Energy->ArchName = "made-up";
  R.Energy->PerStep.resize(2500);
  for (size_t I = 0; I < 2500; ++I) {
    R.Energy->PerStep[I].Energy.SynapticOps = 1e-9 * double(I % 7);
    R.Energy->PerStep[I].Time.Measured = 1e-6;
  }
  R.Activity.emplace();
  R.Activity->TilesX = R.Activity->TilesY = R.Activity->ChipTilesX = R.Activity->ChipTilesY = 1;
  R.Activity->CoresPerTile = 1;
  R.Activity->Populations = {{"p", 1, 100, true}};
  for (uint64_t Step = 0; Step < 2500; ++Step)
    for (uint32_t N = 0; N < 100; ++N)
      if ((Step + N) % 2 == 0)
        R.Spikes.push_back({Step, 1, N});
  TempDir T;
  writeFile(T / "long.html", rt::runReportHtml(rt::energyReportJson(R), "long.json"));
  std::map<std::string, int> M = svgMarks(T, T / "long.html");
  CHECK(M["circle.spike"] == 0);
  CHECK(M["rect.spikebin"] == 300 * 100);
  CHECK(M["rect.bar"] == 834 * int(rt::energyComponents().size()));
  CHECK(M["rect.latency"] == 834);
  CHECK_THAT(readFile(T / "long.html"), Catch::Contains("each bar is the mean of 3 consecutive") &&
                                            Catch::Contains("125000 spikes; more than 100000"));
}

TEST_CASE("per-link traffic adds up to the hops and chip crossings the energy model priced",
          "[runtime][report]") {
  // feedforward on tiny, two chips side by side: east-west, north-south and
  // chip-edge links all carry traffic. Each link count times its cost must
  // give the energy component (tiny: 2 pJ, 3 pJ, 100 pJ a message).
  const std::string Ex = std::string(NM_SOURCE_DIR) + "/examples/";
  const isa::Architecture Arch = isa::loadArchitecture(
      Ex + "arch/tiny.yaml", {{"core.input_axons", "64"}, {"core.neurons", "8"}});
  const isa::Image Img =
      neuromesh::compiler::compileNetwork(
          neuromesh::compiler::loadNetworkYaml(Ex + "networks/feedforward.yaml"), Arch)
          .Mapped.Image;
  rt::RunOptions O;
  O.Steps = 30;
  O.Engine = "systemc";
  O.Arch = Arch;
  const rt::RunResult R = rt::runImage(Img, O);
  REQUIRE(R.Activity);
  uint64_t EastWest = 0, NorthSouth = 0, Edges = 0;
  for (const rt::LinkTraffic &L : R.Activity->Links)
    (L.Link.ChipEdge ? Edges : L.Link.DX != 0 ? EastWest : NorthSouth) += L.Messages;
  REQUIRE(EastWest > 0);
  REQUIRE(NorthSouth > 0);
  REQUIRE(Edges > 0);
  const neuromesh::emulator::EnergyBreakdown &E = R.Energy->Totals.Energy;
  CHECK(double(EastWest) * 2e-12 == Approx(E.HopsEastWest).epsilon(1e-12));
  CHECK(double(NorthSouth) * 3e-12 == Approx(E.HopsNorthSouth).epsilon(1e-12));
  CHECK(double(Edges) * 100e-12 == Approx(E.ChipLinks).epsilon(1e-12));
}
