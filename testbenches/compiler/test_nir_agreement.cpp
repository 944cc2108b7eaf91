//===- test_nir_agreement.cpp - compiled NIR vs an independent simulator --===//
//
// Each case compiles a NIR file for the Loihi preset, runs the fixed-point
// network (simulateReference, which every engine matches bit for bit), runs
// testbenches/reference/nir_reference.py (float64 forward Euler written from
// the NIR spec, sharing no code with the importer) on the same input, and
// compares per-neuron spike counts.
//
// Tolerance (docs/nir.md, "Agreement"): the chip holds weights rounded to
// 8-bit mantissas (one shift per projection) and decays to 12 bits; run on
// those parameters the float64 reference matches the chip spike for spike
// (nir_reference.py --quantise loihi, checked on both braille networks), so
// the gap to the exact parameters is the network's response to that fixed
// rounding, bounded by the constants below.
//
//===----------------------------------------------------------------------===//
#include "NirTestUtil.h"

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/Nir.h"
#include "neuromesh/compiler/ReferenceSimulator.h"
#include "neuromesh/isa/Architecture.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

using namespace neuromesh;
using namespace neuromesh::compiler;
using neuromesh::testing::nirFixture;
using neuromesh::testing::TempNir;
using neuromesh::testing::writeNirWithPython;

namespace {

using Counts = std::map<std::pair<std::string, uint32_t>, unsigned>;

/// The tolerance against the exact float64 run (docs/nir.md, "Agreement"):
/// a neuron agrees when its count is within max(2, 10%); at least 95% of a
/// case's neurons agree and each node's total is within 8% + 3 spikes.
/// The chip's arithmetic is exact (the braille case checks it spike for
/// spike against the quantised parameters), so this bounds only how far a
/// trained network moves under its fixed 8-bit weight rounding: the worst
/// measured is 10.4% of one node (7 of 67 spikes) and 95.6% of neurons.
constexpr double NeuronsWithin = 0.95, TotalFraction = 0.08, TotalSlack = 3;
using Train = std::set<std::tuple<uint64_t, std::string, uint32_t>>; ///< step, node, neuron

struct Agreement {
  unsigned Neurons = 0, Exact = 0, Within = 0, MaxDiff = 0;
  bool TotalsOk = true;
  double WorstTotal = 0; ///< largest |chip - reference| / reference over node totals
  std::string Detail;
  Train ChipSpikes;
};

std::vector<InputSpike> randomInput(uint32_t N, uint64_t Steps, double P, unsigned Seed) {
  std::mt19937_64 Rng(Seed);
  std::bernoulli_distribution Fire(P);
  std::vector<InputSpike> In;
  for (uint64_t T = 0; T < Steps; ++T)
    for (uint32_t I = 0; I < N; ++I)
      if (Fire(Rng))
        In.push_back({T, "input", I});
  return In;
}

/// The reference's spikes; QuantiseLoihi runs it on the parameters the chip
/// holds (nir_reference.py --quantise loihi).
Train referenceSpikes(const std::string &Model, double Dt, nir::ResetMode Reset, uint64_t Steps,
                      const std::vector<InputSpike> &In, bool QuantiseLoihi = false) {
  TempNir InCsv, OutCsv;
  {
    std::ofstream Out(InCsv.path());
    Out << "step,population,neuron\n";
    for (const InputSpike &S : In)
      Out << S.Step << "," << S.Source << "," << S.Index << "\n";
  }
  std::ostringstream Cmd;
  Cmd << "/usr/bin/python3 '" << NM_SOURCE_DIR << "/testbenches/reference/nir_reference.py' '"
      << Model << "' --dt " << Dt << " --reset "
      << (Reset == nir::ResetMode::Zero ? "zero" : "subtract") << " --steps " << Steps
      << " --input '" << InCsv.path() << "' --output '" << OutCsv.path() << "'"
      << (QuantiseLoihi ? " --quantise loihi" : "");
  REQUIRE(std::system(Cmd.str().c_str()) == 0);
  std::ifstream F(OutCsv.path());
  std::string Line;
  std::getline(F, Line); // header
  Train Spikes;
  while (std::getline(F, Line)) {
    std::stringstream SS(Line);
    std::string Step, Pop, Idx;
    std::getline(SS, Step, ',');
    std::getline(SS, Pop, ',');
    std::getline(SS, Idx, ',');
    Spikes.insert({std::stoull(Step), Pop, uint32_t(std::stoul(Idx))});
  }
  return Spikes;
}

Counts referenceCounts(const std::string &Model, double Dt, nir::ResetMode Reset, uint64_t Steps,
                       const std::vector<InputSpike> &In) {
  Counts C;
  for (const auto &[Step, Pop, Idx] : referenceSpikes(Model, Dt, Reset, Steps, In))
    ++C[{Pop, Idx}];
  return C;
}

Agreement compare(const std::string &Model, double Dt, uint64_t Steps,
                  const std::vector<InputSpike> &In,
                  nir::ResetMode Reset = nir::ResetMode::Zero) {
  nir::LowerOptions O;
  O.Dt = Dt;
  O.Reset = Reset;
  Network Net = nir::loadNirNetwork(Model, O);
  isa::Architecture Arch =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml", {});
  HardwareNetwork Hw = lowerNetwork(Net, Arch);
  Agreement A;
  Counts Chip;
  for (const PopulationSpike &S : simulateReference(Hw, Steps, In)) {
    ++Chip[{S.Population, S.Index}];
    A.ChipSpikes.insert({S.Step, S.Population, S.Index});
  }
  Counts Ref = referenceCounts(Model, Dt, Reset, Steps, In);
  std::map<std::string, std::pair<unsigned, unsigned>> Totals;
  for (const Population &P : Net.Populations) {
    if (!P.Record)
      continue;
    for (uint32_t I = 0; I < P.Size; ++I) {
      unsigned C = Chip[{P.Name, I}], R = Ref[{P.Name, I}];
      unsigned D = C > R ? C - R : R - C;
      ++A.Neurons;
      A.Exact += D == 0;
      A.Within += D <= std::max(2.0, 0.1 * std::max(C, R));
      A.MaxDiff = std::max(A.MaxDiff, D);
      Totals[P.Name].first += C;
      Totals[P.Name].second += R;
    }
  }
  for (const auto &[Name, T] : Totals) {
    double Diff = std::fabs(double(T.first) - double(T.second));
    A.TotalsOk &= Diff <= TotalFraction * std::max(T.first, T.second) + TotalSlack;
    if (T.second > 0)
      A.WorstTotal = std::max(A.WorstTotal, Diff / T.second);
    A.Detail += " " + Name + ": " + std::to_string(T.first) + " vs " + std::to_string(T.second);
  }
  return A;
}

void report(const std::string &What, const Agreement &A) {
  std::printf("nir agreement %-40s %4u neurons: %5.1f%% exact, %5.1f%% within tolerance, max "
              "diff %u, worst node total %.1f%% off; spikes chip vs reference:%s\n",
              What.c_str(), A.Neurons, 100.0 * A.Exact / A.Neurons, 100.0 * A.Within / A.Neurons,
              A.MaxDiff, 100.0 * A.WorstTotal, A.Detail.c_str());
  INFO(What << A.Detail);
  CHECK(A.Neurons > 0);
  CHECK(A.Within >= NeuronsWithin * A.Neurons);
  CHECK(A.TotalsOk);
}

} // namespace

TEST_CASE("nir agreement: lif_norse and two_lif_neurons") {
  std::vector<InputSpike> Every4;
  for (uint64_t T = 0; T < 400; T += 4)
    Every4.push_back({T, "input", 0});
  Agreement A = compare(nirFixture("lif_norse.nir"), 1e-4, 400, Every4);
  report("lif_norse.nir", A);
  CHECK(A.Detail.find(": 0 vs") == std::string::npos); // it does fire
  Agreement B = compare(nirFixture("two_lif_neurons.nir"), 1e-4, 600, {});
  report("two_lif_neurons.nir", B);
  CHECK(B.Detail.find("lif1: 0 vs") == std::string::npos);
}

TEST_CASE("nir agreement: braille networks") {
  // Each with the reset its name says it was trained with. Against the
  // float64 run of the exact parameters the counts differ within the
  // tolerance; against the float64 run of the parameters the chip holds
  // (nir_reference.py --quantise loihi) every spike is on the same step:
  // the difference is the quantisation and nothing else (not the
  // threshold comparison, rounding direction, bias timing or the delay).
  struct Case {
    const char *File;
    nir::ResetMode Reset;
  };
  for (Case C : {Case{"braille_noDelay_bias_zero.nir", nir::ResetMode::Zero},
                 Case{"braille_noDelay_noBias_subtract.nir", nir::ResetMode::Subtract}}) {
    std::vector<InputSpike> In = randomInput(12, 300, 0.15, 11);
    Agreement A = compare(nirFixture(C.File), 1e-4, 300, In, C.Reset);
    std::string What =
        std::string(C.File) + (C.Reset == nir::ResetMode::Subtract ? " --reset subtract" : "");
    report(What, A);
    Train Quantised = referenceSpikes(nirFixture(C.File), 1e-4, C.Reset, 300, In, true);
    std::printf("nir agreement %-40s chip vs float64 with the chip's quantised parameters: "
                "%zu vs %zu spikes, %s\n",
                What.c_str(), A.ChipSpikes.size(), Quantised.size(),
                A.ChipSpikes == Quantised ? "every spike on the same step" : "DIFFERENT");
    CHECK(A.ChipSpikes.size() > 50);
    CHECK(A.ChipSpikes == Quantised);
  }
}

TEST_CASE("nir agreement: cnn_sinabs") {
  report("cnn_sinabs.nir", compare(nirFixture("cnn_sinabs.nir"), 1.0, 12,
                                   randomInput(2 * 34 * 34, 12, 0.1, 5)));
}

TEST_CASE("nir agreement: random NIR graphs") {
  Agreement All;
  for (unsigned Seed = 1; Seed <= 12; ++Seed) {
    TempNir T;
    std::string Cmd = "/usr/bin/python3 '" + std::string(NM_SOURCE_DIR) +
                      "/testbenches/reference/nir_random.py' " + std::to_string(Seed) + " '" +
                      T.path() + "'";
    REQUIRE(std::system(Cmd.c_str()) == 0);
    nir::Graph G = nir::readNirFile(T.path());
    uint32_t N = uint32_t(G.find("input")->find("shape")->at(0));
    // Odd seeds reset to zero, even ones subtract.
    Agreement A = compare(T.path(), 1e-3, 200, randomInput(N, 200, 0.2, Seed),
                          Seed % 2 ? nir::ResetMode::Zero : nir::ResetMode::Subtract);
    INFO("seed " << Seed << A.Detail);
    CHECK(A.TotalsOk);
    All.WorstTotal = std::max(All.WorstTotal, A.WorstTotal);
    All.Neurons += A.Neurons;
    All.Exact += A.Exact;
    All.Within += A.Within;
    All.MaxDiff = std::max(All.MaxDiff, A.MaxDiff);
  }
  report("12 random graphs (seeds 1-12, both resets)", All);
}

TEST_CASE("nir agreement: IF with integer weights and thresholds runs spike for spike") {
  // The importer holds IF's v at a power-of-two scale, so integer weights
  // (within the 8-bit mantissa) and thresholds are exact on the chip and
  // every spike lands on the float64 reference's step. With the earlier
  // scale 2^16 / v_threshold (here 2^16 / 5) the weights were rounded to
  // mantissa steps and sums like 1+1+1+1+1 crossed the threshold 5.
  TempNir T;
  writeNirWithPython(T.path(), R"PY(
rng = np.random.default_rng(7)
n = graph(f, 'node', [['input', 'fc1'], ['fc1', 'if1'], ['if1', 'fc2'], ['fc2', 'if2'],
                      ['if2', 'rec'], ['rec', 'if2']])
node(n, 'input', 'Input', shape=np.array([8]))
node(n, 'fc1', 'Linear', weight=rng.integers(-3, 5, size=(12, 8)).astype(float))
node(n, 'if1', 'IF', r=np.ones(12), v_threshold=np.full(12, 5.0))
node(n, 'fc2', 'Linear', weight=rng.integers(-2, 4, size=(6, 12)).astype(float))
node(n, 'if2', 'IF', r=np.ones(6), v_threshold=np.full(6, 3.0))
node(n, 'rec', 'Linear', weight=-np.eye(6))
)PY");
  for (nir::ResetMode Reset : {nir::ResetMode::Zero, nir::ResetMode::Subtract}) {
    std::vector<InputSpike> In = randomInput(8, 150, 0.3, 3);
    nir::LowerOptions O;
    O.Dt = 1.0;
    O.Reset = Reset;
    Network Net = nir::loadNirNetwork(T.path(), O);
    isa::Architecture Arch =
        isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml", {});
    Train Chip;
    for (const PopulationSpike &S : simulateReference(lowerNetwork(Net, Arch), 150, In))
      Chip.insert({S.Step, S.Population, S.Index});
    Train Ref = referenceSpikes(T.path(), 1.0, Reset, 150, In);
    std::printf("nir agreement IF integer network, reset %s: %zu chip spikes, %zu reference "
                "spikes\n",
                Reset == nir::ResetMode::Zero ? "zero" : "subtract", Chip.size(), Ref.size());
    CHECK(Ref.size() > 100); // both layers fire
    CHECK(Chip == Ref);
  }
}

TEST_CASE("nir agreement: a one-neuron LIF on a recurrent loop") {
  // (1,) datasets make a one-neuron node; its inhibitory self-connection
  // must act one step after each spike, as in the reference. (Weights that
  // are not small integers: with 3 and -2, v lands exactly on the
  // threshold, where float64 rounding decides, not the model.)
  TempNir T;
  writeNirWithPython(T.path(), R"PY(
n = graph(f, 'node', [['input', 'fc'], ['fc', 'lif'], ['lif', 'rec'], ['rec', 'lif'],
                      ['lif', 'output']])
node(n, 'input', 'Input', shape=np.array([1]))
node(n, 'fc', 'Linear', weight=np.array([[2.7]]))
node(n, 'lif', 'LIF', tau=np.full(1, 1e-2), r=np.full(1, 10.0), v_leak=np.zeros(1),
     v_threshold=np.ones(1))
node(n, 'rec', 'Linear', weight=np.array([[-1.3]]))
node(n, 'output', 'Output', shape=np.array([1]))
)PY");
  std::vector<InputSpike> In = randomInput(1, 300, 0.6, 4);
  Agreement A = compare(T.path(), 1e-3, 300, In);
  report("one-neuron recurrent LIF", A);
  CHECK(A.ChipSpikes.size() > 5);
  CHECK(A.ChipSpikes == referenceSpikes(T.path(), 1e-3, nir::ResetMode::Zero, 300, In, true));
}
