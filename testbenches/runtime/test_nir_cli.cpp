//===- test_nir_cli.cpp - nmesh compile model.nir, end to end --------------===//
#include "CliTestUtil.h"
#include "compiler/NpyTestUtil.h"

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/Nir.h"
#include "neuromesh/compiler/ReferenceSimulator.h"
#include "neuromesh/isa/Architecture.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>
#include <set>
#include <sstream>

using neuromesh::testing::exists;
using neuromesh::testing::nmesh;
using neuromesh::testing::readFile;
using neuromesh::testing::TempDir;
using neuromesh::testing::writeFile;

namespace {

std::string fixture(const std::string &Name) {
  return std::string(NM_NIR_FIXTURES) + "/" + Name;
}

std::string loihi() { return std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml"; }

/// Random input spikes for Input node `input` of N neurons: each fires with
/// probability P per step.
std::string randomInput(uint32_t N, unsigned Steps, double P, unsigned Seed) {
  std::mt19937_64 Rng(Seed);
  std::bernoulli_distribution Fire(P);
  std::ostringstream SS;
  SS << "step,population,neuron\n";
  for (unsigned T = 0; T < Steps; ++T)
    for (uint32_t I = 0; I < N; ++I)
      if (Fire(Rng))
        SS << T << ",input," << I << "\n";
  return SS.str();
}

} // namespace

TEST_CASE("nmesh compile cnn_sinabs.nir runs on the SystemC engine with an energy report") {
  TempDir T;
  auto C = nmesh(T, "compile '" + fixture("cnn_sinabs.nir") + "' --dt 1 --arch '" + loihi() +
                        "' -o '" + T / "cnn.nmb" + "'");
  INFO(C.Out << C.Err);
  REQUIRE(C.Exit == 0);
  CHECK(C.Out.find("dt 1 s (forward Euler), reset zero") != std::string::npos);
  CHECK(C.Out.find("7+8+9") != std::string::npos); // pool, flatten, affine: one projection
  writeFile(T / "in.csv", randomInput(2 * 34 * 34, 12, 0.1, 5));
  auto S = nmesh(T, "run '" + T / "cnn.nmb" + "' --steps 12 --input '" + T / "in.csv" +
                        "' --engine systemc --arch '" + loihi() + "' --report '" + T / "r.json" +
                        "' --spikes '" + T / "sc.csv" + "'");
  INFO(S.Out << S.Err);
  REQUIRE(S.Exit == 0);
  std::string Report = readFile(T / "r.json");
  CHECK(Report.find("\"engine\": \"systemc\"") != std::string::npos);
  CHECK(Report.find("\"energy_j\"") != std::string::npos);
  // Spikes are recorded under the NIR node names, and the functional engine
  // gives the same ones bit for bit.
  std::string Spikes = readFile(T / "sc.csv");
  CHECK(Spikes.find(",1,") != std::string::npos);
  auto F = nmesh(T, "run '" + T / "cnn.nmb" + "' --steps 12 --input '" + T / "in.csv" +
                        "' --spikes '" + T / "fn.csv" + "'");
  REQUIRE(F.Exit == 0);
  CHECK(readFile(T / "fn.csv") == Spikes);
}

TEST_CASE("nmesh compile refuses a NIR file whose nested-graph edges dangle, naming the edge") {
  TempDir T;
  auto C = nmesh(T, "compile '" + fixture("braille_noDelay_noBias_subtract_subgraph.nir") +
                        "' --arch '" + loihi() + "' -o '" + T / "b.nmb" + "'");
  CHECK(C.Exit == 1);
  CHECK(C.Err.find("edge 'input' -> 'lif' of nested graph 'lif1' names node 'lif'") !=
        std::string::npos);
  CHECK_FALSE(exists(T / "b.nmb"));
}

TEST_CASE("nmesh compile checks --dt and --reset") {
  TempDir T;
  std::string Base = "compile '" + fixture("lif_norse.nir") + "' --arch '" + loihi() + "' -o '" +
                     T / "l.nmb" + "'";
  auto Bad = nmesh(T, Base + " --reset halfway");
  CHECK(Bad.Exit == 2);
  CHECK(Bad.Err.find("unknown --reset 'halfway'; use zero or subtract") != std::string::npos);
  auto BadDt = nmesh(T, Base + " --dt -1");
  CHECK(BadDt.Exit == 2);
  auto Ok = nmesh(T, Base + " --dt 100us");
  INFO(Ok.Err);
  CHECK(Ok.Exit == 0);
  CHECK(Ok.Out.find("dt 0.0001 s") != std::string::npos);
  auto Yaml = nmesh(T, "compile '" + std::string(NM_SOURCE_DIR) +
                           "/examples/networks/feedforward.yaml' --dt 1e-3 --arch '" + loihi() +
                           "' -o '" + T / "y.nmb" + "'");
  CHECK(Yaml.Exit == 1);
  CHECK(Yaml.Err.find("--dt and --reset apply to NIR files only") != std::string::npos);
}

TEST_CASE("nmesh run of a NIR network with --reset subtract matches the reference simulator") {
  // The subtract variant of the CUBA LIF program (microcode, run by the
  // engines) against the network-level equations of simulateReference.
  TempDir T;
  const std::string Model = fixture("braille_noDelay_noBias_subtract.nir");
  auto C = nmesh(T, "compile '" + Model + "' --reset subtract --arch '" + loihi() + "' -o '" +
                        T / "b.nmb" + "'");
  INFO(C.Err);
  REQUIRE(C.Exit == 0);
  const std::string Input = randomInput(12, 200, 0.15, 3);
  writeFile(T / "in.csv", Input);
  auto R = nmesh(T, "run '" + T / "b.nmb" + "' --steps 200 --input '" + T / "in.csv" +
                        "' --spikes '" + T / "out.csv" + "'");
  REQUIRE(R.Exit == 0);
  std::set<std::string> Engine;
  std::istringstream Out(readFile(T / "out.csv"));
  std::string Line;
  std::getline(Out, Line);
  while (std::getline(Out, Line))
    Engine.insert(Line);

  neuromesh::compiler::nir::LowerOptions O;
  O.Reset = neuromesh::compiler::nir::ResetMode::Subtract;
  neuromesh::compiler::HardwareNetwork Hw = neuromesh::compiler::lowerNetwork(
      neuromesh::compiler::nir::loadNirNetwork(Model, O),
      neuromesh::isa::loadArchitecture(loihi(), {}));
  std::vector<neuromesh::compiler::InputSpike> In;
  std::istringstream InText(Input);
  std::getline(InText, Line);
  while (std::getline(InText, Line)) {
    size_t A = Line.find(','), B = Line.rfind(',');
    In.push_back({std::stoull(Line.substr(0, A)), "input", uint32_t(std::stoul(Line.substr(B + 1)))});
  }
  std::set<std::string> Reference;
  for (const auto &S : neuromesh::compiler::simulateReference(Hw, 200, In))
    Reference.insert(std::to_string(S.Step) + "," + S.Population + "," + std::to_string(S.Index));
  CHECK(Engine.size() > 20);
  CHECK(Engine == Reference);
}

TEST_CASE("nmesh run --input takes a dense .npy [steps, *shape] for the one Input node") {
  TempDir T;
  auto C = nmesh(T, "compile '" + fixture("lif_norse.nir") + "' --arch '" + loihi() + "' -o '" +
                        T / "l.nmb" + "'");
  REQUIRE(C.Exit == 0);
  std::vector<double> Dense(60, 0.0);
  std::string Csv = "step,population,neuron\n";
  for (unsigned S = 0; S < 60; S += 3) {
    Dense[S] = 1;
    Csv += std::to_string(S) + ",input,0\n";
  }
  nm_test::writeFile(T / "in.npy", nm_test::npyF8({60, 1}, Dense));
  writeFile(T / "in.csv", Csv);
  auto N = nmesh(T, "run '" + T / "l.nmb" + "' --steps 60 --input '" + T / "in.npy" +
                        "' --spikes '" + T / "n.csv" + "'");
  INFO(N.Err);
  REQUIRE(N.Exit == 0);
  auto K = nmesh(T, "run '" + T / "l.nmb" + "' --steps 60 --input '" + T / "in.csv" +
                        "' --spikes '" + T / "k.csv" + "'");
  REQUIRE(K.Exit == 0);
  CHECK(readFile(T / "n.csv").size() > 40); // the neuron fires
  CHECK(readFile(T / "n.csv") == readFile(T / "k.csv"));

  Dense[6] = 2;
  nm_test::writeFile(T / "bad.npy", nm_test::npyF8({60, 1}, Dense));
  auto Bad = nmesh(T, "run '" + T / "l.nmb" + "' --steps 60 --input '" + T / "bad.npy" + "'");
  CHECK(Bad.Exit == 1);
  CHECK(Bad.Err.find("element [6, 0] is 2") != std::string::npos);
  nm_test::writeFile(T / "shape.npy", nm_test::npyF8({30, 2}, Dense));
  auto Shape = nmesh(T, "run '" + T / "l.nmb" + "' --steps 60 --input '" + T / "shape.npy" + "'");
  CHECK(Shape.Exit == 1);
  CHECK(Shape.Err.find("the 1 neurons of input port 'input'; got shape (30, 2)") !=
        std::string::npos);
}

TEST_CASE("nmesh sweep takes a NIR file: a point equals nmesh compile --dt plus nmesh run") {
  TempDir T;
  const std::string Net = fixture("two_lif_neurons.nir");
  auto R = nmesh(T, "sweep '" + Net + "' --dt 1e-4 --reset subtract --arch '" + loihi() +
                        "' --set core.neurons=1,2 --steps 40 --jobs 1 --csv '" + T / "s.csv" +
                        "' --reports '" + T.operator/("") + "'");
  INFO(R.Out << R.Err);
  REQUIRE(R.Exit == 0);
  // Point 1 (two neurons a core) by hand, read with the same --dt and --reset.
  const std::string Sets = " --set core.neurons=2";
  REQUIRE(nmesh(T, "compile '" + Net + "' --dt 1e-4 --reset subtract --arch '" + loihi() + "'" +
                       Sets + " -o '" + T / "p.nmb" + "'")
              .Exit == 0);
  REQUIRE(nmesh(T, "run '" + T / "p.nmb" + "' --steps 40 --arch '" + loihi() + "'" + Sets +
                       " --report '" + T / "p.json" + "'")
              .Exit == 0);
  CHECK(readFile(T / "point-1.json") == readFile(T / "p.json"));
  CHECK(readFile(T / "p.json").find("\"spike_records\"") != std::string::npos);
  // --dt is checked as nmesh compile checks it.
  auto Bad = nmesh(T, "sweep '" + Net + "' --dt -1 --arch '" + loihi() +
                          "' --set core.neurons=2 --steps 4");
  CHECK(Bad.Exit == 2);
  CHECK(Bad.Err.find("--dt must be a time > 0") != std::string::npos);
}
