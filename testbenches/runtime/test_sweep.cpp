//===- test_sweep.cpp - nmesh sweep: points, infeasible rows, Pareto -------===//
//
// A sweep point must be exactly the standalone compile + systemc run of its
// architecture (spikes, energy, latency, the whole report.json), whatever
// the number of workers; a point that does not fit carries the compiler's
// own message; the Pareto marking is checked on a table worked by hand; a
// bad --set path or value names the field and its range.
//
//===----------------------------------------------------------------------===//
#include "CliTestUtil.h"

#include "neuromesh/compiler/Compile.h"
#include "neuromesh/compiler/NetworkYaml.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/runtime/Run.h"
#include "neuromesh/runtime/Sweep.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>

namespace isa = neuromesh::isa;
namespace rt = neuromesh::runtime;
namespace cc = neuromesh::compiler;
using neuromesh::testing::nmesh;
using neuromesh::testing::readFile;
using neuromesh::testing::TempDir;

namespace {

const std::string Examples = std::string(NM_SOURCE_DIR) + "/examples/";
const std::string Net = Examples + "networks/feedforward.yaml";
const std::string Tiny = Examples + "arch/tiny.yaml";

rt::CompileFunction compileFor(const cc::Network &N) {
  return [&N](const isa::Architecture &Arch) {
    cc::CompileResult C = cc::compileNetwork(N, Arch);
    rt::CompiledPoint P;
    P.CoresUsed = C.Mapped.Report.CoresUsed;
    P.ChipsUsed = C.Mapped.Report.ChipsUsed;
    P.MeanNeuronUse = C.Mapped.Report.MeanNeuronUse;
    P.MaxNeuronUse = C.Mapped.Report.MaxNeuronUse;
    P.Image = std::move(C.Mapped.Image);
    return P;
  };
}

/// Two feasible points of feedforward on tiny (wider input axons so the
/// hidden->out fan-in fits): one chip-wide mesh and a two-chip one.
rt::SweepOptions twoPoints(unsigned Jobs) {
  rt::SweepOptions O;
  O.ArchPath = Tiny;
  O.Fixed = {{"core.input_axons", "64"}};
  O.Parameters = {rt::parseSweepParameter("mesh.width=1,2")};
  O.Steps = 12;
  O.Jobs = Jobs;
  return O;
}

} // namespace

TEST_CASE("a sweep point equals the standalone compile and systemc run of its architecture",
          "[runtime][sweep]") {
  const cc::Network N = cc::loadNetworkYaml(Net);
  const rt::SweepResult S = rt::runSweep(twoPoints(2), compileFor(N));
  REQUIRE(S.Points.size() == 2);
  for (const char *Width : {"1", "2"}) {
    const size_t I = Width[0] == '1' ? 0 : 1;
    const rt::SweepPoint &P = S.Points[I];
    REQUIRE(P.Feasible);
    CHECK(P.Values == std::vector<std::string>{Width});
    // The same architecture by the --set machinery, compiled and run alone.
    const isa::Architecture Arch =
        isa::loadArchitecture(Tiny, {{"core.input_axons", "64"}, {"mesh.width", Width}});
    const cc::CompileResult C = cc::compileNetwork(N, Arch);
    rt::RunOptions O;
    O.Steps = 12;
    O.Engine = "systemc";
    O.Arch = Arch;
    const rt::RunResult R = rt::runImage(C.Mapped.Image, O);
    REQUIRE(!R.Spikes.empty());
    CHECK(P.Recorded == R.Spikes);
    CHECK(P.Spikes == R.Counters.Cores.SpikesOut);
    CHECK(P.EnergyPerStep == R.Energy->Totals.Energy.total() / 12);
    CHECK(P.LatencyPerStep == R.Energy->Totals.meanLatency());
    CHECK(P.LatencyMax == R.Energy->Totals.LatencyMax);
    CHECK(P.Power == R.Energy->Totals.unthrottledPower(R.Energy->StaticPower));
    CHECK(P.CoresUsed == C.Mapped.Report.CoresUsed);
    CHECK(P.ChipsUsed == C.Mapped.Report.ChipsUsed);
    CHECK(P.ReportJson == rt::energyReportJson(R));
  }
  // The two meshes place differently: the sweep really changed the architecture.
  CHECK(S.Points[0].ChipsUsed != S.Points[1].ChipsUsed);
}

TEST_CASE("a sweep over mesh.model runs each point on its mesh model, with the same spikes and "
          "traffic energy",
          "[runtime][sweep]") {
  const cc::Network N = cc::loadNetworkYaml(Net);
  rt::SweepOptions O = twoPoints(2);
  O.Parameters = {rt::parseSweepParameter("mesh.model=cycle,transaction")};
  const rt::SweepResult S = rt::runSweep(O, compileFor(N));
  REQUIRE(S.Points.size() == 2);
  std::vector<rt::RunResult> Runs;
  for (size_t I = 0; I < 2; ++I) {
    const rt::SweepPoint &P = S.Points[I];
    REQUIRE(P.Feasible);
    // The point is the standalone run of the architecture with --set
    // mesh.model (its report to the byte).
    const isa::Architecture Arch =
        isa::loadArchitecture(Tiny, {{"core.input_axons", "64"}, {"mesh.model", P.Values[0]}});
    rt::RunOptions R;
    R.Steps = 12;
    R.Arch = Arch;
    Runs.push_back(rt::runImage(cc::compileNetwork(N, Arch).Mapped.Image, R));
    CHECK(P.ReportJson == rt::energyReportJson(Runs.back()));
    CHECK(P.Recorded == Runs.back().Spikes);
    CHECK(Runs.back().MeshModel == P.Values[0]);
    // The report says which model timed it.
    CHECK(P.ReportJson.find("\"mesh_model\": \"" + P.Values[0] + "\"") != std::string::npos);
  }
  CHECK(S.Points[0].Values == std::vector<std::string>{"cycle"});
  CHECK(S.Points[0].Recorded == S.Points[1].Recorded);
  // The routes, so the hop and link energy, are the same under both models.
  const auto &A = Runs[0].Energy->Totals.Energy, &B = Runs[1].Energy->Totals.Energy;
  CHECK(A.HopsEastWest == B.HopsEastWest);
  CHECK(A.HopsNorthSouth == B.HopsNorthSouth);
  CHECK(A.WithinTile == B.WithinTile);
  CHECK(A.ChipLinks == B.ChipLinks);
  // On tiny's two-message buffers the two arbitrations time this network
  // differently: the setting reached the engine.
  CHECK(S.Points[0].LatencyPerStep != S.Points[1].LatencyPerStep);
}

TEST_CASE("sweep results do not depend on the number of worker processes", "[runtime][sweep]") {
  const cc::Network N = cc::loadNetworkYaml(Net);
  const rt::SweepResult One = rt::runSweep(twoPoints(1), compileFor(N));
  const rt::SweepResult Four = rt::runSweep(twoPoints(4), compileFor(N));
  CHECK(rt::sweepCsv(One) == rt::sweepCsv(Four));
  for (size_t I = 0; I < One.Points.size(); ++I)
    CHECK(One.Points[I].ReportJson == Four.Points[I].ReportJson);
}

TEST_CASE("a sweep point that does not fit carries the compiler's message", "[runtime][sweep]") {
  const cc::Network N = cc::loadNetworkYaml(Net);
  rt::SweepOptions O = twoPoints(2);
  O.Parameters = {rt::parseSweepParameter("core.neurons=4,16"),
                  rt::parseSweepParameter("mesh.width=1")};
  const rt::SweepResult S = rt::runSweep(O, compileFor(N));
  REQUIRE(S.Points.size() == 2);
  // What the compiler says about 4-neuron cores, asked directly.
  std::string Expected;
  try {
    cc::compileNetwork(N, isa::loadArchitecture(Tiny, {{"core.input_axons", "64"},
                                                       {"core.neurons", "4"},
                                                       {"mesh.width", "1"}}));
  } catch (const neuromesh::Error &E) {
    Expected = E.what();
  }
  REQUIRE(!Expected.empty());
  CHECK(!S.Points[0].Feasible);
  CHECK(S.Points[0].Message == Expected);
  CHECK(S.Points[0].Stage == rt::SweepPoint::Failure::Compile);
  CHECK_THAT(rt::formatSweepTable(S), Catch::Contains("does not fit (note 1)"));
  CHECK(!S.Points[0].Pareto);
  CHECK(S.Points[1].Feasible);
  CHECK(S.Points[1].Pareto); // the only feasible point
  const std::string Csv = rt::sweepCsv(S);
  CHECK_THAT(Csv, Catch::Contains("4,1,0,,,,,,,,,,,0,"));
  CHECK_THAT(rt::formatSweepTable(S), Catch::Contains(Expected));
}

TEST_CASE("the Pareto front of a hand-made table", "[runtime][sweep]") {
  // (energy per step, latency per step): A, B and C trade one for the
  // other; D is beaten by B on both; E ties B exactly (both stay); F has
  // A's energy but a longer latency; G is infeasible (zeros, never on it).
  struct Row {
    const char *Name;
    double E, L;
    bool Feasible, Front;
  };
  const Row Rows[] = {{"A", 1, 4, true, true},  {"B", 2, 2, true, true},
                      {"C", 4, 1, true, true},  {"D", 3, 3, true, false},
                      {"E", 2, 2, true, true},  {"F", 1, 5, true, false},
                      {"G", 0, 0, false, false}};
  std::vector<rt::SweepPoint> Points;
  for (const Row &R : Rows) {
    rt::SweepPoint P;
    P.EnergyPerStep = R.E;
    P.LatencyPerStep = R.L;
    P.Feasible = R.Feasible;
    Points.push_back(P);
  }
  rt::markParetoFront(Points);
  for (size_t I = 0; I < Points.size(); ++I) {
    INFO("point " << Rows[I].Name);
    CHECK(Points[I].Pareto == Rows[I].Front);
  }
}

TEST_CASE("sweep grid and zip orders", "[runtime][sweep]") {
  const std::vector<rt::SweepParameter> P = {rt::parseSweepParameter("a=1,2"),
                                             rt::parseSweepParameter("b=x,y,z")};
  const auto Grid = rt::sweepPoints(P, false);
  REQUIRE(Grid.size() == 6);
  CHECK(Grid[1] == std::vector<isa::ArchOverride>{{"a", "1"}, {"b", "y"}});
  CHECK(Grid[3] == std::vector<isa::ArchOverride>{{"a", "2"}, {"b", "x"}});
  CHECK_THROWS_WITH(rt::sweepPoints(P, true), Catch::Contains("b has 3 values and a has 2"));
  const auto Zip = rt::sweepPoints(
      {P[0], rt::parseSweepParameter("d=9"), rt::parseSweepParameter("c=5,6")}, true);
  REQUIRE(Zip.size() == 2);
  CHECK(Zip[1] == std::vector<isa::ArchOverride>{{"a", "2"}, {"d", "9"}, {"c", "6"}});
}

TEST_CASE("nmesh sweep: a bad --set path or value names the field and its range",
          "[runtime][sweep][cli]") {
  TempDir T;
  const std::string Base = "sweep '" + Net + "' --arch '" + Tiny + "' --steps 2 ";
  auto R = nmesh(T, Base + "--set core.nerons=8,16");
  CHECK(R.Exit == 1);
  CHECK_THAT(R.Err, Catch::Contains("--set core.nerons: no such field") &&
                        Catch::Contains("core.neurons"));
  R = nmesh(T, Base + "--set core.neurons=16,0 --csv '" + T / "s.csv" + "'");
  CHECK(R.Exit == 1);
  CHECK_THAT(R.Err, Catch::Contains("core.neurons must be in [1, 65535], got 0"));
  CHECK(!neuromesh::testing::exists(T / "s.csv")); // nothing ran, nothing written
  R = nmesh(T, Base + "--set core.neurons=16,,32");
  CHECK(R.Exit == 1);
  CHECK_THAT(R.Err, Catch::Contains("empty value"));
}

TEST_CASE("nmesh sweep: the CSV and per-point reports match nmesh compile and nmesh run",
          "[runtime][sweep][cli]") {
  TempDir T;
  auto R = nmesh(T, "sweep '" + Net + "' --arch '" + Tiny +
                        "' --set core.input_axons=64 --set mesh.width=1,2 --steps 6 --jobs 2 "
                        "--csv '" + T / "s.csv" + "' --reports '" + T.operator/("") + "'");
  REQUIRE(R.Exit == 0);
  CHECK_THAT(R.Out, Catch::Contains("pareto"));
  const std::string Csv = readFile(T / "s.csv");
  CHECK_THAT(Csv, Catch::StartsWith("core.input_axons,mesh.width,feasible,cores,chips,"));
  // Point 1 (mesh.width=2) by hand: compile with the same --set, run on systemc.
  const std::string Sets = " --set core.input_axons=64 --set mesh.width=2";
  REQUIRE(nmesh(T, "compile '" + Net + "' --arch '" + Tiny + "'" + Sets + " -o '" + T / "p.nmb" +
                       "'")
              .Exit == 0);
  REQUIRE(nmesh(T, "run '" + T / "p.nmb" + "' --engine systemc --steps 6 --arch '" + Tiny + "'" +
                       Sets + " --report '" + T / "p.json" + "'")
              .Exit == 0);
  CHECK(readFile(T / "point-1.json") == readFile(T / "p.json"));
}

TEST_CASE("nmesh sweep --placement/--seed place every point as nmesh compile does",
          "[runtime][sweep][cli]") {
  TempDir T;
  const std::string Sets = " --set core.input_axons=64 --set mesh.width=4";
  const std::string Sweep = "sweep '" + Net + "' --arch '" + Tiny + "'" + Sets + " --steps 6 ";
  std::filesystem::create_directories(T / "random");
  std::filesystem::create_directories(T / "optimised");
  REQUIRE(nmesh(T, Sweep + "--placement random --seed 7 --reports '" + T / "random" + "'").Exit ==
          0);
  REQUIRE(nmesh(T, Sweep + "--reports '" + T / "optimised" + "'").Exit == 0);
  REQUIRE(nmesh(T, "compile '" + Net + "' --arch '" + Tiny + "'" + Sets +
                       " --placement random --seed 7 -o '" + T / "p.nmb" + "'")
              .Exit == 0);
  REQUIRE(nmesh(T, "run '" + T / "p.nmb" + "' --engine systemc --steps 6 --arch '" + Tiny + "'" +
                       Sets + " --report '" + T / "p.json" + "'")
              .Exit == 0);
  const std::string Random = readFile(T / "random/point-0.json");
  CHECK(Random == readFile(T / "p.json"));
  // The option reached the compiler: on a 4 x 2 mesh the random layout
  // is not the optimised one, so the per-link traffic differs.
  CHECK(Random != readFile(T / "optimised/point-0.json"));
  CHECK(nmesh(T, Sweep + "--placement diagonal").Exit == 2);
}

TEST_CASE("a sweep point whose worker dies is a row saying so; the others complete",
          "[runtime][sweep]") {
  const cc::Network N = cc::loadNetworkYaml(Net);
  rt::SweepOptions O = twoPoints(2);
  std::vector<size_t> Progress;
  O.Progress = [&](size_t Done, size_t Total) {
    CHECK(Total == 2);
    Progress.push_back(Done);
  };
  const rt::CompileFunction Compile = compileFor(N);
  // The worker of the one-tile-wide mesh is killed, as a crash would.
  const rt::SweepResult S = rt::runSweep(O, [&](const isa::Architecture &Arch) {
    if (Arch.Mesh.Width == 1)
      ::raise(SIGKILL);
    return Compile(Arch);
  });
  REQUIRE(S.Points.size() == 2);
  CHECK(!S.Points[0].Feasible);
  CHECK_THAT(S.Points[0].Message, Catch::Contains("died with signal 9"));
  CHECK(S.Points[0].Stage == rt::SweepPoint::Failure::Run);
  CHECK_THAT(rt::formatSweepTable(S), Catch::Contains("run failed (note 1)"));
  CHECK(S.Points[1].Feasible);
  CHECK(S.Points[1].Pareto);
  CHECK(Progress == std::vector<size_t>{1, 2});
}

TEST_CASE("the sweep CSV reads back bit for bit", "[runtime][sweep]") {
  rt::SweepResult S;
  S.ParameterPaths = {"core.neurons", "costs.model"};
  rt::SweepPoint A;
  A.Values = {"64", "silicon"};
  A.Feasible = true;
  A.CoresUsed = 16;
  A.ChipsUsed = 1;
  A.MeanNeuronUse = 0.9765625;
  A.MaxNeuronUse = 1;
  A.EnergyPerStep = 5.057300965e-07;
  A.LatencyPerStep = 1.0 / 3 * 1e-5;
  A.LatencyMax = 7.539e-06;
  A.Power = 0.1 + 0.2; // not a short decimal
  A.PowerPaced = 0.09167066441415925;
  A.Spikes = 20983;
  A.Pareto = true;
  rt::SweepPoint B;
  B.Values = {"8", "davies2018"};
  B.Message = "net.yaml:3:1: error: population 'a, b' needs \"more\"\ncores";
  S.Points = {A, B};
  const rt::SweepResult R = rt::readSweepCsv(rt::sweepCsv(S), "s.csv");
  CHECK(R.ParameterPaths == S.ParameterPaths);
  REQUIRE(R.Points.size() == 2);
  const rt::SweepPoint &P = R.Points[0];
  CHECK(P.Values == A.Values);
  CHECK(P.Feasible);
  CHECK(P.CoresUsed == 16);
  CHECK(P.ChipsUsed == 1);
  CHECK(P.MeanNeuronUse == A.MeanNeuronUse);
  CHECK(P.EnergyPerStep == A.EnergyPerStep);
  CHECK(P.LatencyPerStep == A.LatencyPerStep);
  CHECK(P.LatencyMax == A.LatencyMax);
  CHECK(P.Power == A.Power);
  CHECK(P.PowerPaced == A.PowerPaced);
  CHECK(P.Spikes == 20983);
  CHECK(P.Pareto);
  CHECK(!R.Points[1].Feasible);
  CHECK(R.Points[1].Message == B.Message);
  CHECK_THROWS_WITH(rt::readSweepCsv("a,feasible\n", "x.csv"),
                    Catch::Contains("x.csv:1: error: the header is not that of nmesh sweep"));
  std::string Bad = rt::sweepCsv(S);
  Bad.replace(Bad.find("5.057300965e-07"), 15, "lots");
  CHECK_THROWS_WITH(rt::readSweepCsv(Bad, "x.csv"),
                    Catch::Contains("x.csv:2: error: column 'energy_per_step_j': 'lots' is not a "
                                    "number"));
}

TEST_CASE("nmesh sweep --input: the spikes reach every point; a bad file is an error, not rows",
          "[runtime][sweep][cli]") {
  TempDir T;
  neuromesh::testing::writeFile(
      T / "ext.yaml", "name: ext\ndt: 1e-3\nsources:\n  ext: {size: 2, external: true}\n"
                      "populations:\n  a: {size: 4, model: if, params: {threshold: 20, reset: 0, "
                      "reset_value: 0}}\nprojections:\n  - {from: ext, to: a, connector: "
                      "all_to_all, weight: 10, delay: 1}\n");
  // ext[0] and ext[1] at step 0 give every neuron of a 20 at step 1: 4
  // spikes; ext[0] alone at step 3 gives 10, below threshold.
  neuromesh::testing::writeFile(T / "in.csv", "step,population,neuron\n0,ext,0\n0,ext,1\n3,ext,0\n");
  const std::string Base =
      "sweep '" + T / "ext.yaml" + "' --arch '" + Tiny + "' --set core.neurons=2,4 --steps 6 ";
  auto R = nmesh(T, Base + "--input '" + T / "in.csv" + "' --csv '" + T / "s.csv" + "'");
  REQUIRE(R.Exit == 0);
  const rt::SweepResult S = rt::readSweepCsv(readFile(T / "s.csv"), "s.csv");
  REQUIRE(S.Points.size() == 2);
  for (const rt::SweepPoint &P : S.Points) {
    CHECK(P.Feasible);
    CHECK(P.Spikes == 4);
  }
  CHECK(S.Points[0].CoresUsed == 2);
  CHECK(S.Points[1].CoresUsed == 1);
  neuromesh::testing::writeFile(T / "bad.csv", "step,population,neuron\n0,nope,0\n");
  R = nmesh(T, Base + "--input '" + T / "bad.csv" + "'");
  CHECK(R.Exit == 1);
  CHECK_THAT(R.Err, Catch::Contains("bad.csv:2: error: unknown input port 'nope'"));
  CHECK_THAT(R.Out, !Catch::Contains("does not fit"));
}
