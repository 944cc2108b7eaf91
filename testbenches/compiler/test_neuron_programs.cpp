//===- test_neuron_programs.cpp - the neuron library, proved exact --------===//
//
// Each neuron program runs through the reference interpreter and is checked
// against an independent expectation:
// - Loihi CUBA LIF: a second implementation written here from the equations
//   in shared/reference/hardware.md (int64, C++ division for trunc0, %
//   for the wrap; no code shared with the library or the interpreter), over
//   thousands of steps of random input for many random parameter sets; and a
//   numpy reference (testbenches/reference/loihi_cuba_lif.py) mirroring
//   Lava's PyLifModelBitAcc arithmetic; plus hand-worked traces.
// - Adaptive-threshold LIF: a second implementation written here from the
//   equations in NeuronPrograms.h, over thousands of steps of random input
//   for many random parameter sets (the threshold must rise, decay back and
//   block spikes, and refractoriness must occur); hand-worked traces.
// - TrueNorth, IF, LIF, LI: hand-worked traces, the arithmetic in comments.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/NeuronPrograms.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Microcode.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

namespace nc = neuromesh::compiler;
namespace isa = neuromesh::isa;

constexpr int32_t Min32 = std::numeric_limits<int32_t>::min();
constexpr int32_t Max32 = std::numeric_limits<int32_t>::max();

/// What a run of one neuron produced: the state words after every step and
/// the steps it fired in.
struct Trace {
  std::vector<std::vector<int32_t>> States;
  std::vector<int> SpikeSteps;
  /// State word W after every step.
  std::vector<int32_t> word(unsigned W) const {
    std::vector<int32_t> Out;
    for (const auto &S : States)
      Out.push_back(S.at(W));
    return Out;
  }
};

/// Runs a profile for Inputs.size() steps from State (zero-filled to
/// NumStateWords), with the core seed and neuron index given.
Trace runTrace(const isa::NeuronProfile &Profile, unsigned NumStateWords,
               const std::vector<int32_t> &Inputs, std::vector<int32_t> State = {},
               uint64_t Seed = 0, uint32_t Neuron = 0) {
  REQUIRE(isa::validateProgram(Profile.Program, unsigned(Profile.Params.size()), NumStateWords) ==
          "");
  State.resize(NumStateWords, 0);
  Trace T;
  for (size_t Step = 0; Step < Inputs.size(); ++Step) {
    isa::NeuronContext Ctx;
    Ctx.Params = Profile.Params.data();
    Ctx.State = State.data();
    Ctx.Input = Inputs[Step];
    Ctx.Seed = Seed;
    Ctx.Step = Step;
    Ctx.Neuron = Neuron;
    isa::UpdateResult R = isa::interpret(Profile.Program, Ctx);
    if (R.Spiked) {
      CHECK(R.Payload == 1); // every library neuron emits binary spikes
      T.SpikeSteps.push_back(int(Step));
    }
    T.States.push_back(State);
  }
  return T;
}

//===----------------------------------------------------------------------===//
// The second Loihi CUBA LIF, from hardware.md and the brief only.
//===----------------------------------------------------------------------===//

struct RefLifState {
  int64_t U = 0, V = 0, Counter = 0;
};

/// How often each boundary of the model was reached.
struct RefLifStats {
  long UWraps = 0, VSatHigh = 0, VSatLow = 0, Spikes = 0, RefractorySteps = 0;
};

/// One step; returns whether the compartment fired.
bool refLifStep(RefLifState &S, const nc::LoihiCubaLifParams &P, int64_t Input,
                RefLifStats &Stats) {
  const int64_t Half = int64_t(1) << 23, Full = int64_t(1) << 24;
  // u[t] = wrap24(trunc0(u * (4096 - du) / 4096) + input); C++ '/' truncates.
  int64_t U = S.U * (4096 - P.Du) / 4096 + Input;
  if (U > Half || U <= -Half)
    ++Stats.UWraps;
  U %= Full; // now in (-2^24, 2^24)
  if (U > Half)
    U -= Full;
  else if (U <= -Half)
    U += Full;
  S.U = U;
  if (S.Counter > 0) { // refractory: v held, no spike
    --S.Counter;
    ++Stats.RefractorySteps;
    return false;
  }
  int64_t V = S.V * (4096 - P.Dv) / 4096 + S.U + int64_t(P.BiasMant) * (int64_t(1) << P.BiasExp);
  if (V > Half - 1) {
    V = Half - 1;
    ++Stats.VSatHigh;
  } else if (V < -(Half - 1)) {
    V = -(Half - 1);
    ++Stats.VSatLow;
  }
  if (V > int64_t(P.VthMant) * 64) {
    S.V = 0;
    S.Counter = P.Refractory;
    ++Stats.Spikes;
    return true;
  }
  S.V = V;
  return false;
}

/// Random CUBA LIF parameters; the first neurons take the range corners.
nc::LoihiCubaLifParams randomLifParams(std::mt19937_64 &Rng, unsigned Index) {
  auto Uniform = [&](int32_t Lo, int32_t Hi) {
    return std::uniform_int_distribution<int32_t>(Lo, Hi)(Rng);
  };
  nc::LoihiCubaLifParams P;
  P.Du = Uniform(0, 4095);
  P.Dv = Uniform(0, 4095);
  P.BiasMant = Uniform(-4096, 4095);
  P.BiasExp = Uniform(0, 7);
  P.VthMant = Uniform(0, 131071);
  P.Refractory = Uniform(0, 8);
  // Slow decays integrate longer, so they reach the wraps more often.
  if (Index % 3 == 0)
    P.Du = Uniform(0, 64);
  if (Index % 4 == 1)
    P.Dv = Uniform(0, 64);
  switch (Index) {
  case 0:
    P.Du = 0;
    P.Dv = 0;
    P.BiasMant = 4095;
    P.BiasExp = 7;
    P.VthMant = 131071;
    P.Refractory = 64;
    break;
  case 1:
    P.Du = 4095;
    P.Dv = 4095;
    P.BiasMant = -4096;
    P.BiasExp = 7;
    P.VthMant = 0;
    P.Refractory = 0;
    break;
  case 2:
    P.Du = 0;
    P.Dv = 4095;
    P.BiasMant = 0;
    P.BiasExp = 0;
    P.VthMant = 1;
    P.Refractory = 1;
    break;
  case 3:
    P.Du = 4095;
    P.Dv = 0;
    P.BiasMant = -1;
    P.BiasExp = 0;
    P.VthMant = 131071;
    P.Refractory = 3;
    break;
  default:
    break;
  }
  return P;
}

/// Random dendritic input for one neuron, in one of several regimes so that
/// both wraps and both saturations occur. With Huge, some inputs use the
/// full int32 range (the C++ reference only: Lava's single wrap needs
/// |input| < 2^24).
std::vector<int32_t> randomLifInput(std::mt19937_64 &Rng, unsigned Index, size_t Steps, bool Huge) {
  auto Uniform = [&](int32_t Lo, int32_t Hi) {
    return std::uniform_int_distribution<int32_t>(Lo, Hi)(Rng);
  };
  const int32_t Max24 = (1 << 24) - 1;
  std::vector<int32_t> In(Steps);
  const unsigned Regimes = Huge ? 6 : 5;
  const unsigned Regime = Index % Regimes;
  for (size_t T = 0; T < Steps; ++T) {
    switch (Regime) {
    case 0: // a few weights * 2^6
      In[T] = Uniform(-(1 << 14), 1 << 14);
      break;
    case 1:
      In[T] = Uniform(-(1 << 20), 1 << 20);
      break;
    case 2: // one step can wrap u
      In[T] = Uniform(-Max24, Max24);
      break;
    case 3: // rare large events
      In[T] = Uniform(0, 1 << 10) == 0 ? Uniform(-Max24, Max24) : 0;
      break;
    case 4: // drifts up: u wraps
      In[T] = Uniform(-(1 << 18), 1 << 22);
      break;
    case 5: // sometimes anything an int32 accumulator can hold
      In[T] = Uniform(0, 9) == 0 ? Uniform(Min32, Max32) : Uniform(-(1 << 16), 1 << 16);
      break;
    }
    // Stretches without input exercise the pure decay.
    if ((T / 100) % 4 == 3)
      In[T] = 0;
  }
  return In;
}

std::string describe(const nc::LoihiCubaLifParams &P) {
  return "du=" + std::to_string(P.Du) + " dv=" + std::to_string(P.Dv) +
         " bias_mant=" + std::to_string(P.BiasMant) + " bias_exp=" + std::to_string(P.BiasExp) +
         " vth_mant=" + std::to_string(P.VthMant) + " refractory=" + std::to_string(P.Refractory);
}

} // namespace

//===----------------------------------------------------------------------===//
// Loihi CUBA LIF
//===----------------------------------------------------------------------===//

TEST_CASE("neuron programs: every library program is valid and short", "[neuron-programs]") {
  struct Case {
    const char *Name;
    isa::NeuronProfile Profile;
    unsigned StateWords, Params, MaxLength;
  };
  const Case Cases[] = {
      {"cuba lif", nc::loihiCubaLifProfile({}), nc::loihi_cuba_lif::NumStateWords,
       nc::loihi_cuba_lif::NumParams, 32},
      {"adaptive lif", nc::adaptiveLifProfile({}), nc::adaptive_lif::NumStateWords,
       nc::adaptive_lif::NumParams, 40},
      {"if", nc::ifProfile({}), nc::if_neuron::NumStateWords, nc::if_neuron::NumParams, 16},
      {"lif", nc::lifProfile({}), nc::lif::NumStateWords, nc::lif::NumParams, 24},
      {"li", nc::liProfile({}), nc::li::NumStateWords, nc::li::NumParams, 8},
      {"truenorth", nc::trueNorthProfile({}), nc::truenorth::NumStateWords,
       nc::truenorth::NumParams, 64},
  };
  for (const Case &C : Cases) {
    INFO(C.Name);
    CHECK(isa::validateProgram(C.Profile.Program, unsigned(C.Profile.Params.size()),
                               C.StateWords) == "");
    CHECK(C.Profile.Params.size() == C.Params);
    CHECK(C.Profile.Program.size() <= C.MaxLength);
    CHECK(C.Profile.Params.size() <= isa::MaxParams);
    CHECK(C.StateWords <= isa::MaxStateWords);
  }
}

TEST_CASE("neuron programs: cuba lif parameter words", "[neuron-programs][cuba-lif]") {
  namespace L = nc::loihi_cuba_lif;
  nc::LoihiCubaLifParams P;
  P.Du = 100;
  P.Dv = 4095;
  P.BiasMant = -4096;
  P.BiasExp = 7;
  P.VthMant = 131071;
  P.Refractory = 5;
  isa::NeuronProfile Prof = nc::loihiCubaLifProfile(P);
  CHECK(Prof.Params[L::ParamDecayU] == 3996);       // 4096 - 100
  CHECK(Prof.Params[L::ParamDecayV] == 1);          // 4096 - 4095
  CHECK(Prof.Params[L::ParamBias] == -524288);      // -4096 * 2^7
  CHECK(Prof.Params[L::ParamThreshold] == 8388544); // 131071 * 2^6
  CHECK(Prof.Params[L::ParamRefractory] == 5);
}

TEST_CASE("neuron programs: cuba lif rejects out-of-range parameters",
          "[neuron-programs][cuba-lif]") {
  struct Bad {
    nc::LoihiCubaLifParams P;
    const char *Expect;
  };
  auto With = [](auto Set) {
    nc::LoihiCubaLifParams P;
    Set(P);
    return P;
  };
  const Bad Cases[] = {
      {With([](auto &P) { P.Du = 4096; }), "du = 4096 out of range [0, 4095]"},
      {With([](auto &P) { P.Du = -1; }), "du = -1 out of range [0, 4095]"},
      {With([](auto &P) { P.Dv = 5000; }), "dv = 5000 out of range [0, 4095]"},
      {With([](auto &P) { P.BiasMant = 4096; }), "bias_mant = 4096 out of range [-4096, 4095]"},
      {With([](auto &P) { P.BiasMant = -4097; }), "bias_mant = -4097 out of range [-4096, 4095]"},
      {With([](auto &P) { P.BiasExp = 8; }), "bias_exp = 8 out of range [0, 7]"},
      {With([](auto &P) { P.VthMant = 131072; }), "vth_mant = 131072 out of range [0, 131071]"},
      {With([](auto &P) { P.Refractory = -1; }), "refractory = -1 out of range [0, 64]"},
      {With([](auto &P) { P.Refractory = 65; }), "refractory = 65 out of range [0, 64]"},
  };
  for (const Bad &B : Cases) {
    INFO(B.Expect);
    CHECK_THROWS_WITH(nc::loihiCubaLifProfile(B.P),
                      Catch::Contains(B.Expect) && Catch::Contains("loihi cuba lif"));
    CHECK_THROWS_AS(nc::loihiCubaLifProfile(B.P), neuromesh::Error);
  }
}

TEST_CASE("neuron programs: cuba lif hand-worked trace with refractory",
          "[neuron-programs][cuba-lif]") {
  namespace L = nc::loihi_cuba_lif;
  // du = 2048 (u halves), dv = 1024 (v * 3/4), bias = 3 * 2^2 = 12,
  // threshold = 2 * 2^6 = 128, refractory 2.
  nc::LoihiCubaLifParams P;
  P.Du = 2048;
  P.Dv = 1024;
  P.BiasMant = 3;
  P.BiasExp = 2;
  P.VthMant = 2;
  P.Refractory = 2;
  // t0: u = 0 + 128 = 128; v = 0 + 128 + 12 = 140 > 128: spike, v = 0, counter 2
  // t1: u = 128 * 2048/4096 = 64; refractory: v held 0, counter 1
  // t2: u = 32; refractory: counter 0
  // t3: u = 16; v = 0 + 16 + 12 = 28
  // t4: u = 8;  v = trunc0(28 * 3072/4096 = 21) + 8 + 12 = 41
  // t5: u = 4;  v = trunc0(30.75) + 4 + 12 = 46
  // t6: u = 2;  v = trunc0(34.5) + 2 + 12 = 48
  Trace T = runTrace(nc::loihiCubaLifProfile(P), L::NumStateWords, {128, 0, 0, 0, 0, 0, 0});
  CHECK(T.word(L::StateU) == std::vector<int32_t>{128, 64, 32, 16, 8, 4, 2});
  CHECK(T.word(L::StateV) == std::vector<int32_t>{0, 0, 0, 28, 41, 46, 48});
  CHECK(T.word(L::StateRefractory) == std::vector<int32_t>{2, 1, 0, 0, 0, 0, 0});
  CHECK(T.SpikeSteps == std::vector<int>{0});

  // Negative values truncate toward zero: u = -129 -> trunc0(-64.5) = -64.
  // t0: u = -129; v = -129 + 12 = -117
  // t1: u = -64;  v = trunc0(-117 * 0.75 = -87.75) = -87; -87 - 64 + 12 = -139
  // t2: u = -32;  v = trunc0(-104.25) = -104; -104 - 32 + 12 = -124
  Trace N = runTrace(nc::loihiCubaLifProfile(P), L::NumStateWords, {-129, 0, 0});
  CHECK(N.word(L::StateU) == std::vector<int32_t>{-129, -64, -32});
  CHECK(N.word(L::StateV) == std::vector<int32_t>{-117, -139, -124});
  CHECK(N.SpikeSteps.empty());
}

TEST_CASE("neuron programs: cuba lif wrap and saturation boundaries by hand",
          "[neuron-programs][cuba-lif]") {
  namespace L = nc::loihi_cuba_lif;
  // du = dv = 0 (no decay), no bias, the largest threshold 131071 * 64 = 8388544.
  nc::LoihiCubaLifParams P;
  P.VthMant = 131071;
  // t0: u = 2^23 (stays: the range is (-2^23, 2^23]); v = sat(2^23) = 2^23 - 1
  //     = 8388607 > 8388544: spike, v = 0
  // t1: u = 2^23; again v saturates and fires
  // t2: u = 2^23 - 2^24 = -2^23 -> wraps to +2^23; fires
  // t3: u = 2^23 + 1 -> -2^23 + 1 = -8388607; v = -8388607 (the lower clamp exactly)
  // t4: u = -8388607 - 1 = -2^23 -> +2^23; v = -8388607 + 8388608 = 1
  // t5: u = 2^23 + wrap24(INT32_MAX = 2^31 - 1 -> -1) = 8388607; v = 1 + 8388607 -> 8388607
  //     fires (the program wraps a huge input first: exact modulo 2^24)
  // t6: u = 8388607 + wrap24(INT32_MIN -> 0) = 8388607; v = 0 + 8388607: fires
  // t7: u = 8388607 + wrap24(-2^24 -> 0) = 8388607 (= -8388609 + 2^24); fires
  Trace T = runTrace(nc::loihiCubaLifProfile(P), L::NumStateWords,
                     {8388608, 0, -16777216, 1, -1, Max32, Min32, -16777216});
  CHECK(T.word(L::StateU) == std::vector<int32_t>{8388608, 8388608, 8388608, -8388607, 8388608,
                                                  8388607, 8388607, 8388607});
  CHECK(T.word(L::StateV) == std::vector<int32_t>{0, 0, 0, -8388607, 1, 0, 0, 0});
  CHECK(T.SpikeSteps == std::vector<int>{0, 1, 2, 5, 6, 7});

  // The lower clamp: u = -2^23 + 1 each step, v = sat(v + u) sticks at -(2^23 - 1).
  // t0: u = -8388607, v = -8388607; t1: u = -8388607 (du = 0), v = sat(-16777214) = -8388607
  Trace Low = runTrace(nc::loihiCubaLifProfile(P), L::NumStateWords, {-8388607, 0, 0});
  CHECK(Low.word(L::StateV) == std::vector<int32_t>{-8388607, -8388607, -8388607});
  CHECK(Low.SpikeSteps.empty());
}

TEST_CASE("neuron programs: cuba lif equals a second implementation bit for bit",
          "[neuron-programs][cuba-lif]") {
  namespace L = nc::loihi_cuba_lif;
  constexpr unsigned Neurons = 120;
  constexpr size_t Steps = 2000;
  std::mt19937_64 Rng(20240611);
  RefLifStats Stats;
  long Compared = 0;
  for (unsigned N = 0; N < Neurons; ++N) {
    nc::LoihiCubaLifParams P = randomLifParams(Rng, N);
    if (N >= 4 && N % 2 == 0) // half the neurons are refractory for a while
      P.Refractory = std::uniform_int_distribution<int32_t>(1, 64)(Rng);
    std::vector<int32_t> Input = randomLifInput(Rng, N, Steps, /*Huge=*/true);
    const isa::NeuronProfile Prof = nc::loihiCubaLifProfile(P);
    REQUIRE(isa::validateProgram(Prof.Program, unsigned(Prof.Params.size()), L::NumStateWords) ==
            "");
    std::vector<int32_t> State(L::NumStateWords, 0);
    RefLifState Ref;
    for (size_t T = 0; T < Steps; ++T) {
      isa::NeuronContext Ctx;
      Ctx.Params = Prof.Params.data();
      Ctx.State = State.data();
      Ctx.Input = Input[T];
      Ctx.Step = T;
      Ctx.Neuron = N;
      const bool Spiked = isa::interpret(Prof.Program, Ctx).Spiked;
      const bool RefSpiked = refLifStep(Ref, P, Input[T], Stats);
      if (State[L::StateU] != Ref.U || State[L::StateV] != Ref.V ||
          State[L::StateRefractory] != Ref.Counter || Spiked != RefSpiked) {
        FAIL("neuron " << N << " (" << describe(P) << ") step " << T << " input " << Input[T]
                       << ": program u=" << State[L::StateU] << " v=" << State[L::StateV]
                       << " counter=" << State[L::StateRefractory] << " spike=" << Spiked
                       << "; reference u=" << Ref.U << " v=" << Ref.V << " counter=" << Ref.Counter
                       << " spike=" << RefSpiked);
      }
      ++Compared;
    }
  }
  CHECK(Compared == long(Neurons) * long(Steps));
  // The run must have reached every boundary it claims to check.
  INFO("u wraps " << Stats.UWraps << ", v saturations high " << Stats.VSatHigh << " low "
                  << Stats.VSatLow << ", spikes " << Stats.Spikes << ", refractory steps "
                  << Stats.RefractorySteps);
  CHECK(Stats.UWraps > 100);
  CHECK(Stats.VSatHigh > 100);
  CHECK(Stats.VSatLow > 100);
  CHECK(Stats.Spikes > 1000);
  CHECK(Stats.RefractorySteps > 1000);
}

TEST_CASE("neuron programs: cuba lif equals the numpy reference (Lava arithmetic)",
          "[neuron-programs][cuba-lif][python]") {
  namespace L = nc::loihi_cuba_lif;
  const std::string Script =
      std::string(NM_SOURCE_DIR) + "/testbenches/reference/loihi_cuba_lif.py";
  if (std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") != 0) {
    WARN("skipped: /usr/bin/python3 with numpy is not available, so the CUBA LIF program was "
         "NOT compared with the numpy reference; install python3-numpy");
    return;
  }
  constexpr unsigned Neurons = 48;
  constexpr size_t Steps = 1500;
  std::mt19937_64 Rng(777);
  std::vector<nc::LoihiCubaLifParams> Params;
  std::vector<std::vector<int32_t>> Inputs;
  for (unsigned N = 0; N < Neurons; ++N) {
    Params.push_back(randomLifParams(Rng, N));
    if (N >= 4 && N % 2 == 1)
      Params.back().Refractory = std::uniform_int_distribution<int32_t>(1, 64)(Rng);
    Inputs.push_back(randomLifInput(Rng, N, Steps, /*Huge=*/false));
  }

  const std::filesystem::path Dir = std::filesystem::temp_directory_path();
  const std::string Tag = "nm_cuba_lif_" + std::to_string(::getpid());
  const std::filesystem::path InPath = Dir / (Tag + "_in.txt"), OutPath = Dir / (Tag + "_out.txt");
  {
    std::ofstream In(InPath);
    REQUIRE(In);
    In << Neurons << ' ' << Steps << '\n';
    for (const auto &P : Params)
      In << P.Du << ' ' << P.Dv << ' ' << P.BiasMant << ' ' << P.BiasExp << ' ' << P.VthMant << ' '
         << P.Refractory << '\n';
    for (size_t T = 0; T < Steps; ++T) {
      for (unsigned N = 0; N < Neurons; ++N)
        In << Inputs[N][T] << ' ';
      In << '\n';
    }
  }
  const std::string Cmd =
      "/usr/bin/python3 '" + Script + "' '" + InPath.string() + "' '" + OutPath.string() + "'";
  const int Rc = std::system(Cmd.c_str());
  std::filesystem::remove(InPath);
  INFO("command: " << Cmd);
  REQUIRE(Rc == 0);
  std::vector<int64_t> Words;
  {
    std::ifstream Out(OutPath);
    REQUIRE(Out);
    int64_t W;
    while (Out >> W)
      Words.push_back(W);
  }
  std::filesystem::remove(OutPath);
  REQUIRE(Words.size() == Steps * Neurons * 4);

  // Evidence that the run reached the boundaries, recomputed from the
  // program's own previous state: the sum before the u wrap and before the
  // v clamp.
  long Spikes = 0, Wraps = 0, SatHigh = 0, SatLow = 0;
  for (unsigned N = 0; N < Neurons; ++N) {
    const nc::LoihiCubaLifParams &P = Params[N];
    const isa::NeuronProfile Prof = nc::loihiCubaLifProfile(P);
    std::vector<int32_t> State(L::NumStateWords, 0);
    for (size_t T = 0; T < Steps; ++T) {
      const std::vector<int32_t> Prev = State;
      isa::NeuronContext Ctx;
      Ctx.Params = Prof.Params.data();
      Ctx.State = State.data();
      Ctx.Input = Inputs[N][T];
      Ctx.Step = T;
      Ctx.Neuron = N;
      const bool Spiked = isa::interpret(Prof.Program, Ctx).Spiked;
      const int64_t *Row = &Words[(T * Neurons + N) * 4];
      if (State[L::StateU] != Row[0] || State[L::StateV] != Row[1] ||
          State[L::StateRefractory] != Row[2] || int64_t(Spiked) != Row[3]) {
        FAIL("neuron " << N << " (" << describe(P) << ") step " << T << " input " << Inputs[N][T]
                       << ": program u=" << State[L::StateU] << " v=" << State[L::StateV]
                       << " counter=" << State[L::StateRefractory] << " spike=" << Spiked
                       << "; numpy u=" << Row[0] << " v=" << Row[1] << " counter=" << Row[2]
                       << " spike=" << Row[3]);
      }
      const int64_t Limit = (int64_t(1) << 23) - 1;
      const int64_t USum = int64_t(Prev[L::StateU]) * (4096 - P.Du) / 4096 + Inputs[N][T];
      Wraps += USum > Limit + 1 || USum <= -(Limit + 1);
      if (Prev[L::StateRefractory] == 0) {
        const int64_t VSum = int64_t(Prev[L::StateV]) * (4096 - P.Dv) / 4096 + State[L::StateU] +
                             int64_t(P.BiasMant) * (int64_t(1) << P.BiasExp);
        SatHigh += VSum > Limit;
        SatLow += VSum < -Limit;
      }
      Spikes += Spiked;
    }
  }
  INFO("u wraps " << Wraps << ", v clamped high " << SatHigh << " low " << SatLow << ", spikes "
                  << Spikes);
  CHECK(Wraps > 100);
  CHECK(SatHigh > 100);
  CHECK(SatLow > 100);
  CHECK(Spikes > 500);
}

//===----------------------------------------------------------------------===//
// Adaptive-threshold LIF
//===----------------------------------------------------------------------===//

namespace {

/// The second adaptive LIF, written from the equations only.
struct RefAlifState {
  int64_t U = 0, V = 0, Counter = 0, Theta = 0;
};

/// How often each feature of the model was exercised.
struct RefAlifStats {
  long Spikes = 0, RefractorySteps = 0, ThetaRises = 0, ThetaDecays = 0, ThetaSaturations = 0;
  /// Steps where v beat the base threshold but not the adapted one.
  long BlockedByTheta = 0;
  long UWraps = 0, VSaturations = 0;
};

/// One step; returns whether the neuron fired.
bool refAlifStep(RefAlifState &S, const nc::AdaptiveLifParams &P, int64_t Input,
                 RefAlifStats &Stats) {
  const int64_t Half = int64_t(1) << 23, Full = int64_t(1) << 24, Max = Half - 1;
  // u = wrap24(trunc0(u * (4096 - du) / 4096) + input): the residue of the
  // exact sum modulo 2^24, in (-2^23, 2^23].
  int64_t U = S.U * (4096 - P.Du) / 4096 + Input;
  if (U > Half || U <= -Half)
    ++Stats.UWraps;
  U = ((U % Full) + Full) % Full; // [0, 2^24)
  if (U > Half)
    U -= Full;
  S.U = U;
  // theta = trunc0(theta * (4096 - dth) / 4096), every step.
  int64_t Theta = S.Theta * (4096 - P.Dth) / 4096;
  Stats.ThetaDecays += Theta < S.Theta;
  S.Theta = Theta;
  if (S.Counter > 0) {
    --S.Counter;
    ++Stats.RefractorySteps;
    return false;
  }
  int64_t V = S.V * (4096 - P.Dv) / 4096 + U + int64_t(P.BiasMant) * (int64_t(1) << P.BiasExp);
  if (V > Max || V < -Max) {
    ++Stats.VSaturations;
    V = V > Max ? Max : -Max;
  }
  const int64_t Base = int64_t(P.VthMant) * 64;
  if (V > Base + Theta) {
    S.V = 0;
    S.Counter = P.Refractory;
    int64_t Raised = Theta + P.ThStep;
    if (Raised > Max) {
      Raised = Max;
      ++Stats.ThetaSaturations;
    }
    Stats.ThetaRises += Raised > Theta;
    S.Theta = Raised;
    ++Stats.Spikes;
    return true;
  }
  Stats.BlockedByTheta += V > Base;
  S.V = V;
  return false;
}

/// Random adaptive LIF parameters: the CUBA LIF's, then an adaptation
/// from weak to strong, slow to fast; the first neurons take corners.
nc::AdaptiveLifParams randomAlifParams(std::mt19937_64 &Rng, unsigned Index) {
  auto Uniform = [&](int32_t Lo, int32_t Hi) {
    return std::uniform_int_distribution<int32_t>(Lo, Hi)(Rng);
  };
  const nc::LoihiCubaLifParams L = randomLifParams(Rng, Index);
  nc::AdaptiveLifParams P;
  P.Du = L.Du;
  P.Dv = L.Dv;
  P.BiasMant = L.BiasMant;
  P.BiasExp = L.BiasExp;
  P.VthMant = L.VthMant;
  P.Refractory = L.Refractory;
  // Thresholds low enough that inputs cross them often, so theta matters.
  if (Index % 2 == 0)
    P.VthMant = Uniform(0, 2048);
  P.Dth = Index % 3 == 0 ? Uniform(0, 64) : Uniform(0, 4095);
  switch (Index % 4) {
  case 0:
    P.ThStep = Uniform(0, 1 << 12);
    break;
  case 1:
    P.ThStep = Uniform(0, 1 << 18);
    break;
  case 2:
    P.ThStep = Uniform(0, nc::adaptive_lif::MaxThetaStep);
    break;
  default:
    P.ThStep = Uniform(1 << 20, 1 << 22);
    break;
  }
  switch (Index) {
  case 0: // every field at its top: theta saturates and never decays
    P.Dth = 0;
    P.ThStep = nc::adaptive_lif::MaxThetaStep;
    break;
  case 1:
    P.Dth = 4095;
    P.ThStep = 0;
    break;
  case 2:
    P.Dth = 1;
    P.ThStep = 1;
    break;
  case 3:
    P.Dth = 4095;
    P.ThStep = nc::adaptive_lif::MaxThetaStep;
    break;
  default:
    break;
  }
  return P;
}

std::string describe(const nc::AdaptiveLifParams &P) {
  return "du=" + std::to_string(P.Du) + " dv=" + std::to_string(P.Dv) +
         " bias_mant=" + std::to_string(P.BiasMant) + " bias_exp=" + std::to_string(P.BiasExp) +
         " vth_mant=" + std::to_string(P.VthMant) + " refractory=" + std::to_string(P.Refractory) +
         " dth=" + std::to_string(P.Dth) + " th_step=" + std::to_string(P.ThStep);
}

Trace alifRun(const nc::AdaptiveLifParams &P, const std::vector<int32_t> &Inputs,
              std::vector<int32_t> State = {}) {
  return runTrace(nc::adaptiveLifProfile(P), nc::adaptive_lif::NumStateWords, Inputs, State);
}

} // namespace

TEST_CASE("neuron programs: adaptive lif parameter words", "[neuron-programs][adaptive-lif]") {
  namespace L = nc::adaptive_lif;
  nc::AdaptiveLifParams P;
  P.Du = 100;
  P.Dv = 4095;
  P.BiasMant = -4096;
  P.BiasExp = 7;
  P.VthMant = 131071;
  P.Refractory = 64;
  P.Dth = 96;
  P.ThStep = 8388607;
  isa::NeuronProfile Prof = nc::adaptiveLifProfile(P);
  CHECK(Prof.Params ==
        std::vector<int32_t>{3996, 1, -524288, 8388544, 64, 4000, 8388607}); // 4096 - 96 = 4000
  CHECK(Prof.Params.size() == L::NumParams);
  CHECK(Prof.Params[L::ParamDecayTheta] == 4000);
  CHECK(Prof.Params[L::ParamThetaStep] == 8388607);
  // The shared words have the CUBA LIF layout.
  CHECK(L::StateU == nc::loihi_cuba_lif::StateU);
  CHECK(L::StateV == nc::loihi_cuba_lif::StateV);
  CHECK(L::StateRefractory == nc::loihi_cuba_lif::StateRefractory);
}

TEST_CASE("neuron programs: adaptive lif rejects out-of-range parameters",
          "[neuron-programs][adaptive-lif]") {
  auto Throws = [](auto Set, const char *Expect) {
    nc::AdaptiveLifParams P;
    Set(P);
    INFO(Expect);
    CHECK_THROWS_WITH(nc::adaptiveLifProfile(P),
                      Catch::Contains(Expect) && Catch::Contains("adaptive lif parameters"));
    CHECK_THROWS_AS(nc::adaptiveLifProfile(P), neuromesh::Error);
  };
  Throws([](auto &P) { P.Du = 4096; }, "du = 4096 out of range [0, 4095]");
  Throws([](auto &P) { P.Dv = -1; }, "dv = -1 out of range [0, 4095]");
  Throws([](auto &P) { P.BiasMant = 4096; }, "bias_mant = 4096 out of range [-4096, 4095]");
  Throws([](auto &P) { P.BiasExp = 8; }, "bias_exp = 8 out of range [0, 7]");
  Throws([](auto &P) { P.VthMant = -1; }, "vth_mant = -1 out of range [0, 131071]");
  Throws([](auto &P) { P.Refractory = 65; }, "refractory = 65 out of range [0, 64]");
  Throws([](auto &P) { P.Dth = 4096; }, "dth = 4096 out of range [0, 4095]");
  Throws([](auto &P) { P.Dth = -1; }, "dth = -1 out of range [0, 4095]");
  Throws([](auto &P) { P.ThStep = -1; }, "th_step = -1 out of range [0, 8388607]");
  Throws([](auto &P) { P.ThStep = 1 << 23; }, "th_step = 8388608 out of range [0, 8388607]");
  CHECK_THROWS_WITH(nc::adaptiveLifProfile([] {
                      nc::AdaptiveLifParams P;
                      P.ThStep = -5;
                      return P;
                    }()),
                    Catch::Contains("in v units, as vth_mant * 2^6"));
}

TEST_CASE("neuron programs: adaptive lif hand-worked trace", "[neuron-programs][adaptive-lif]") {
  namespace L = nc::adaptive_lif;
  // du = 4095: u keeps 1/4096, so with input 80 every step u = trunc0(80/4096) + 80 = 80.
  // dv = 2048 (v halves), no bias, threshold 1 * 2^6 = 64, refractory 1,
  // dth = 2048 (theta halves), th_step = 100.
  nc::AdaptiveLifParams P;
  P.Du = 4095;
  P.Dv = 2048;
  P.VthMant = 1;
  P.Refractory = 1;
  P.Dth = 2048;
  P.ThStep = 100;
  // t0: theta 0;  v = 0 + 80 = 80 > 64 + 0: spike, v = 0, counter 1, theta = 0 + 100
  // t1: theta 50; refractory: counter 0, v held
  // t2: theta 25; v = 0 + 80 = 80, not > 64 + 25 = 89
  // t3: theta 12; v = 40 + 80 = 120 > 76: spike, theta = 12 + 100 = 112
  // t4: theta 56; refractory
  // t5: theta 28; v = 80, not > 92
  // t6: theta 14; v = 120 > 78: spike, theta = 114
  // t7: theta 57; refractory
  // t8: theta 28 (trunc0(28.5)); v = 80, not > 92
  // t9: theta 14; v = 120: spike, theta 114
  const std::vector<int32_t> In(10, 80);
  Trace T = alifRun(P, In);
  CHECK(T.word(L::StateU) == std::vector<int32_t>(10, 80));
  CHECK(T.word(L::StateTheta) == std::vector<int32_t>{100, 50, 25, 112, 56, 28, 114, 57, 28, 114});
  CHECK(T.word(L::StateV) == std::vector<int32_t>{0, 0, 80, 0, 0, 80, 0, 0, 80, 0});
  CHECK(T.word(L::StateRefractory) == std::vector<int32_t>{1, 0, 0, 1, 0, 0, 1, 0, 0, 1});
  CHECK(T.SpikeSteps == std::vector<int>{0, 3, 6, 9});

  // The same neuron without adaptation fires every other step: v = 80 > 64
  // right after each refractory step; theta stays 0.
  P.ThStep = 0;
  Trace Plain = alifRun(P, In);
  CHECK(Plain.SpikeSteps == std::vector<int>{0, 2, 4, 6, 8});
  CHECK(Plain.word(L::StateTheta) == std::vector<int32_t>(10, 0));

  // Negative theta words (never produced by the model) still decay toward 0
  // by trunc0; dth = 1024: theta * 3/4. -9 -> trunc0(-6.75) = -6 -> -4 (-4.5).
  P.ThStep = 100;
  P.Dth = 1024;
  Trace Neg = alifRun(P, {0, 0}, {0, 0, 0, -9});
  CHECK(Neg.word(L::StateTheta) == std::vector<int32_t>{-6, -4});
}

TEST_CASE("neuron programs: adaptive lif theta saturates at 24 bits",
          "[neuron-programs][adaptive-lif]") {
  namespace L = nc::adaptive_lif;
  // du = 4095, dv = 0 (v keeps everything), threshold 0, dth = 0 (theta never
  // decays), th_step 5000. Start at v = theta = 8388000.
  nc::AdaptiveLifParams P;
  P.Du = 4095;
  P.Dth = 0;
  P.ThStep = 5000;
  // t0: u = 1000; v = sat24(8388000 + 1000) = 8388607 > 0 + 8388000: spike,
  //     v = 0, theta = sat24(8388000 + 5000 = 8393000) = 8388607
  // t1: u = trunc0(1000/4096) + 8388607 = 8388607; v = 8388607, not > 8388607
  // t2: u = trunc0(8388607/4096 = 2047.99) = 2047; v = sat24(8388607 + 2047) =
  //     8388607: still no spike, ever (theta cannot decay with dth = 0)
  Trace T = alifRun(P, {1000, 8388607, 0}, {0, 8388000, 0, 8388000});
  CHECK(T.word(L::StateU) == std::vector<int32_t>{1000, 8388607, 2047});
  CHECK(T.word(L::StateV) == std::vector<int32_t>{0, 8388607, 8388607});
  CHECK(T.word(L::StateTheta) == std::vector<int32_t>{8388607, 8388607, 8388607});
  CHECK(T.SpikeSteps == std::vector<int>{0});
}

TEST_CASE("neuron programs: adaptive lif equals a second implementation bit for bit",
          "[neuron-programs][adaptive-lif]") {
  namespace L = nc::adaptive_lif;
  constexpr unsigned Neurons = 120;
  constexpr size_t Steps = 2000;
  std::mt19937_64 Rng(20261128);
  RefAlifStats Stats;
  long Compared = 0, AdaptedAndRecovered = 0;
  for (unsigned N = 0; N < Neurons; ++N) {
    nc::AdaptiveLifParams P = randomAlifParams(Rng, N);
    if (N >= 4 && N % 2 == 1) // half the neurons are refractory for a while
      P.Refractory = std::uniform_int_distribution<int32_t>(1, 64)(Rng);
    std::vector<int32_t> Input = randomLifInput(Rng, N, Steps, /*Huge=*/true);
    const isa::NeuronProfile Prof = nc::adaptiveLifProfile(P);
    REQUIRE(isa::validateProgram(Prof.Program, unsigned(Prof.Params.size()), L::NumStateWords) ==
            "");
    std::vector<int32_t> State(L::NumStateWords, 0);
    RefAlifState Ref;
    int32_t PeakTheta = 0;
    bool Recovered = false;
    for (size_t T = 0; T < Steps; ++T) {
      isa::NeuronContext Ctx;
      Ctx.Params = Prof.Params.data();
      Ctx.State = State.data();
      Ctx.Input = Input[T];
      Ctx.Step = T;
      Ctx.Neuron = N;
      const bool Spiked = isa::interpret(Prof.Program, Ctx).Spiked;
      const bool RefSpiked = refAlifStep(Ref, P, Input[T], Stats);
      if (State[L::StateU] != Ref.U || State[L::StateV] != Ref.V ||
          State[L::StateRefractory] != Ref.Counter || State[L::StateTheta] != Ref.Theta ||
          Spiked != RefSpiked) {
        FAIL("neuron " << N << " (" << describe(P) << ") step " << T << " input " << Input[T]
                       << ": program u=" << State[L::StateU] << " v=" << State[L::StateV]
                       << " counter=" << State[L::StateRefractory]
                       << " theta=" << State[L::StateTheta] << " spike=" << Spiked
                       << "; reference u=" << Ref.U << " v=" << Ref.V << " counter=" << Ref.Counter
                       << " theta=" << Ref.Theta << " spike=" << RefSpiked);
      }
      CHECK(State[L::StateTheta] >= 0);
      PeakTheta = std::max(PeakTheta, State[L::StateTheta]);
      // Adapted, then decayed back below half the peak.
      Recovered |= PeakTheta > 0 && State[L::StateTheta] < PeakTheta / 2;
      ++Compared;
    }
    AdaptedAndRecovered += Recovered;
  }
  CHECK(Compared == long(Neurons) * long(Steps));
  INFO("spikes " << Stats.Spikes << ", refractory steps " << Stats.RefractorySteps
                 << ", theta rises " << Stats.ThetaRises << " decays " << Stats.ThetaDecays
                 << " saturations " << Stats.ThetaSaturations << ", spikes blocked by theta "
                 << Stats.BlockedByTheta << ", u wraps " << Stats.UWraps << ", v saturations "
                 << Stats.VSaturations << ", neurons adapted and recovered "
                 << AdaptedAndRecovered);
  CHECK(Stats.Spikes > 1000);
  CHECK(Stats.RefractorySteps > 1000);
  CHECK(Stats.ThetaRises > 1000);
  CHECK(Stats.ThetaDecays > 1000);
  CHECK(Stats.ThetaSaturations > 10);
  CHECK(Stats.BlockedByTheta > 1000);
  CHECK(Stats.UWraps > 100);
  CHECK(Stats.VSaturations > 100);
  CHECK(AdaptedAndRecovered > long(Neurons) / 2);
}

//===----------------------------------------------------------------------===//
// TrueNorth
//===----------------------------------------------------------------------===//

namespace {

// The draws every TrueNorth trace below uses: seed 0x1234, neuron 3.
constexpr uint64_t TnSeed = 0x1234;
constexpr uint32_t TnNeuron = 3;
// randomDraw(0x1234, t, 3, 0) & 0xff, printed once: rho1 (the leak draw).
constexpr int Rho1[12] = {255, 196, 76, 229, 200, 213, 159, 92, 173, 195, 35, 183};
// randomDraw(0x1234, t, 3, 1) & 0xff: rho2 (the threshold mask draw).
constexpr int Rho2[12] = {91, 143, 196, 36, 52, 252, 67, 107, 251, 218, 107, 82};

nc::TrueNorthParams tnParams() {
  nc::TrueNorthParams P;
  P.Alpha = 1000;
  P.Beta = 1000;
  P.Kappa = 1;
  return P;
}

Trace tnRun(const nc::TrueNorthParams &P, const std::vector<int32_t> &Inputs, int32_t V0 = 0) {
  return runTrace(nc::trueNorthProfile(P), nc::truenorth::NumStateWords, Inputs, {V0}, TnSeed,
                  TnNeuron);
}

} // namespace

TEST_CASE("neuron programs: the hard-coded TrueNorth draws are isa::randomDraw's",
          "[neuron-programs][truenorth]") {
  // If this fails, randomDraw changed: redo the stochastic traces below.
  for (uint64_t T = 0; T < 12; ++T) {
    CHECK(int(isa::randomDraw(TnSeed, T, TnNeuron, nc::truenorth::LeakDrawCounter) & 0xff) ==
          Rho1[T]);
    CHECK(int(isa::randomDraw(TnSeed, T, TnNeuron, nc::truenorth::MaskDrawCounter) & 0xff) ==
          Rho2[T]);
  }
}

TEST_CASE("neuron programs: truenorth draws only what its parameters use",
          "[neuron-programs][truenorth]") {
  // c = 1 needs rho1 (the first draw), M != 0 needs rho2 (the second
  // draw, so rho1 is drawn before it even when c = 0); a deterministic
  // profile draws nothing. The traces of this section check the values.
  auto Draws = [](int32_t C, int32_t M) {
    nc::TrueNorthParams P = tnParams();
    P.C = C;
    P.M = M;
    const isa::NeuronProfile Prof = nc::trueNorthProfile(P);
    return std::count_if(Prof.Program.begin(), Prof.Program.end(),
                         [](const isa::Instruction &I) { return I.Op == isa::Opcode::Rand; });
  };
  CHECK(Draws(0, 0) == 0);
  CHECK(Draws(1, 0) == 1);
  CHECK(Draws(0, 15) == 2);
  CHECK(Draws(1, 1) == 2);
}

TEST_CASE("neuron programs: truenorth deterministic leak and positive reset with kappa = 1",
          "[neuron-programs][truenorth]") {
  nc::TrueNorthParams P = tnParams();
  P.Lambda = -2;
  P.Alpha = 10;
  P.Beta = 5;
  P.Kappa = 1;
  P.Gamma = 0;
  P.R = 1;
  // V += input, then V += lambda (Omega = 1 since eps = 0):
  // t0: 0+5=5 -> 3     t1: 3+5=8 -> 6     t2: 6+5=11 -> 9 (< 10)   t3: 9+0 -> 7
  // t4: 7+6=13 -> 11 >= 10: spike, V = R = 1
  // t5: 1-20=-19 -> -21 < -5: kappa = 1, V = -beta = -5
  // t6: -5-3=-8 -> -10 -> -5    t7: -5 -> -7 -> -5    t8: -5+10=5 -> 3
  Trace T = tnRun(P, {5, 5, 5, 0, 6, -20, -3, 0, 10});
  CHECK(T.word(0) == std::vector<int32_t>{3, 6, 9, 7, 1, -5, -5, -5, 3});
  CHECK(T.SpikeSteps == std::vector<int>{4});

  // A positive leak with eps = 0 is a constant drive: lambda = 3, alpha = 10.
  // 3, 6, 9, 12 -> spike, R = 1; 4, 7, 10 -> spike, 1
  P.Lambda = 3;
  Trace Drive = tnRun(P, {0, 0, 0, 0, 0, 0, 0});
  CHECK(Drive.word(0) == std::vector<int32_t>{3, 6, 9, 1, 4, 7, 1});
  CHECK(Drive.SpikeSteps == std::vector<int>{3, 6});
}

TEST_CASE("neuron programs: truenorth leak reversal (eps = 1)", "[neuron-programs][truenorth]") {
  nc::TrueNorthParams P = tnParams();
  P.Eps = 1;
  P.Lambda = -3;
  P.Gamma = 2;
  // Omega = sgn(V after integration): the leak pulls V toward 0.
  // t0: V=10 -> 10-3 = 7   t1: 4   t2: 1   t3: 1 -> 1-3 = -2 (Omega from V = 1)
  // t4: -2-10 = -12, Omega = -1: -12+3 = -9   t5: -6   t6: -3   t7: 0
  // t8: V = 0, Omega = 0: stays 0
  Trace T = tnRun(P, {0, 0, 0, 0, -10, 0, 0, 0, 0}, 10);
  CHECK(T.word(0) == std::vector<int32_t>{7, 4, 1, -2, -9, -6, -3, 0, 0});
  CHECK(T.SpikeSteps.empty());

  // lambda = +2 with eps = 1 pushes V away from 0 on both sides.
  // t0: -5, Omega -1: -5-2 = -7   t1: -9   t2: -9+10 = 1, Omega 1: 3   t3: 5
  P.Lambda = 2;
  Trace Away = tnRun(P, {0, 0, 10, 0}, -5);
  CHECK(Away.word(0) == std::vector<int32_t>{-7, -9, 3, 5});
}

TEST_CASE("neuron programs: truenorth stochastic leak (c = 1)", "[neuron-programs][truenorth]") {
  nc::TrueNorthParams P = tnParams();
  P.C = 1;
  P.Lambda = -160;
  // leak = sgn(lambda) * [|lambda| >= rho1] = -1 where 160 >= rho1:
  // rho1 = 255 196 76 229 200 213 159 92 173 195 35 183
  // leak =  0   0  -1  0   0   0  -1  -1  0   0  -1  0
  // V from 100: 100 100 99 99 99 99 98 97 97 97 96 96
  Trace T = tnRun(P, std::vector<int32_t>(12, 0), 100);
  CHECK(T.word(0) == std::vector<int32_t>{100, 100, 99, 99, 99, 99, 98, 97, 97, 97, 96, 96});

  // |lambda| == rho counts (>=): lambda = 76 leaks +1 at t2 (rho1 = 76) and t10 (35).
  P.Lambda = 76;
  Trace Eq = tnRun(P, std::vector<int32_t>(12, 0));
  CHECK(Eq.word(0) == std::vector<int32_t>{0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2});

  // Stochastic and reversed: lambda = -160, eps = 1, V = -50 < 0 so Omega = -1
  // and the leak is +1 at t2, t6, t7, t10.
  P.Lambda = -160;
  P.Eps = 1;
  Trace Rev = tnRun(P, std::vector<int32_t>(12, 0), -50);
  CHECK(Rev.word(0) ==
        std::vector<int32_t>{-50, -50, -49, -49, -49, -49, -48, -47, -47, -47, -46, -46});
}

TEST_CASE("neuron programs: truenorth positive reset modes (gamma)",
          "[neuron-programs][truenorth]") {
  nc::TrueNorthParams P = tnParams();
  P.Alpha = 10;
  P.R = 2;
  const std::vector<int32_t> In(6, 4);
  // gamma 0: 4, 8, 12 -> spike, V = R = 2; 6; 10 -> spike, 2; 6
  P.Gamma = 0;
  Trace G0 = tnRun(P, In);
  CHECK(G0.word(0) == std::vector<int32_t>{4, 8, 2, 6, 2, 6});
  CHECK(G0.SpikeSteps == std::vector<int>{2, 4});
  // gamma 1 (linear): 4, 8, 12 -> 12-10 = 2; 6; 10 -> 0; 4
  P.Gamma = 1;
  Trace G1 = tnRun(P, In);
  CHECK(G1.word(0) == std::vector<int32_t>{4, 8, 2, 6, 0, 4});
  CHECK(G1.SpikeSteps == std::vector<int>{2, 4});
  // gamma 2 (none): V keeps rising and fires every step from 12 on
  P.Gamma = 2;
  Trace G2 = tnRun(P, In);
  CHECK(G2.word(0) == std::vector<int32_t>{4, 8, 12, 16, 20, 24});
  CHECK(G2.SpikeSteps == std::vector<int>{2, 3, 4, 5});
}

TEST_CASE("neuron programs: truenorth negative threshold by kappa and gamma",
          "[neuron-programs][truenorth]") {
  nc::TrueNorthParams P = tnParams();
  P.Beta = 10;
  P.R = 3;
  const std::vector<int32_t> In(6, -4);
  // kappa = 1: saturate at -beta: -4, -8, -12 -> -10, -14 -> -10, ...
  P.Kappa = 1;
  Trace K1 = tnRun(P, In);
  CHECK(K1.word(0) == std::vector<int32_t>{-4, -8, -10, -10, -10, -10});
  // kappa = 0, gamma 0: V < -10 resets to -R = -3: -4, -8, -12 -> -3, -7, -11 -> -3, -7
  P.Kappa = 0;
  P.Gamma = 0;
  Trace K0G0 = tnRun(P, In);
  CHECK(K0G0.word(0) == std::vector<int32_t>{-4, -8, -3, -7, -3, -7});
  // gamma 1: V += beta: -4, -8, -12 -> -2, -6, -10 (not < -10: kept), -14 -> -4
  P.Gamma = 1;
  Trace K0G1 = tnRun(P, In);
  CHECK(K0G1.word(0) == std::vector<int32_t>{-4, -8, -2, -6, -10, -4});
  // gamma 2: no reset
  P.Gamma = 2;
  Trace K0G2 = tnRun(P, In);
  CHECK(K0G2.word(0) == std::vector<int32_t>{-4, -8, -12, -16, -20, -24});
  CHECK(K1.SpikeSteps.empty());
  CHECK(K0G0.SpikeSteps.empty());
  CHECK(K0G1.SpikeSteps.empty());
  CHECK(K0G2.SpikeSteps.empty());
}

TEST_CASE("neuron programs: truenorth threshold mask noise", "[neuron-programs][truenorth]") {
  nc::TrueNorthParams P = tnParams();
  P.M = 0x0f;
  // eta = rho2 & 15: rho2 = 91 143 196 36 52 252 67 107 251 218 107 82
  //                  eta  = 11  15   4  4  4  12  3  11  11  10  11  2
  // Positive side: alpha = 20, gamma 1, input 8, kappa = 1 and beta = 0 keep V >= 0.
  P.Alpha = 20;
  P.Beta = 0;
  P.Gamma = 1;
  // t0: 8 < 31   t1: 16 < 35   t2: 24 >= 24: spike, V = 24-24 = 0   t3: 8 < 24
  // t4: 16 < 24  t5: 24 < 32   t6: 32 >= 23: spike, 32-23 = 9        t7: 17 < 31
  // t8: 25 < 31  t9: 33 >= 30: spike, 3                               t10: 11 < 31
  // t11: 19 < 22
  Trace Pos = tnRun(P, std::vector<int32_t>(12, 8));
  CHECK(Pos.word(0) == std::vector<int32_t>{8, 16, 0, 8, 16, 24, 9, 17, 25, 3, 11, 19});
  CHECK(Pos.SpikeSteps == std::vector<int>{2, 6, 9});

  // Negative side, kappa = 0, gamma 1: reset when V < -(beta + eta), V += beta + eta.
  // beta = 10, alpha = 1000, input -6:
  // t0: -6 vs -21   t1: -12 vs -25   t2: -18 < -14: -18+14 = -4   t3: -10 vs -14
  // t4: -16 < -14: -2   t5: -8 vs -22   t6: -14 < -13: -1   t7: -7 vs -21
  // t8: -13 vs -21  t9: -19 vs -20  t10: -25 < -21: -4   t11: -10 vs -12
  P.Alpha = 1000;
  P.Beta = 10;
  P.Kappa = 0;
  Trace Neg = tnRun(P, std::vector<int32_t>(12, -6));
  CHECK(Neg.word(0) == std::vector<int32_t>{-6, -12, -4, -10, -2, -8, -1, -7, -13, -19, -4, -10});
  CHECK(Neg.SpikeSteps.empty());

  // kappa = 1 ignores eta on the negative side: V < -beta = -10 saturates.
  // -6, -12 -> -10, -16 -> -10, ...
  P.Kappa = 1;
  Trace Sat = tnRun(P, std::vector<int32_t>(4, -6));
  CHECK(Sat.word(0) == std::vector<int32_t>{-6, -10, -10, -10});
}

TEST_CASE("neuron programs: truenorth saturates V at 20 bits", "[neuron-programs][truenorth]") {
  nc::TrueNorthParams P = tnParams();
  P.Alpha = (1 << 18) - 1;
  P.Beta = (1 << 18) - 1;
  P.Kappa = 0;
  P.Gamma = 2;
  // t0: 2^20 -> 524287 >= alpha: spike (no reset)   t1: 524287 + 5 -> 524287: spike
  // t2: 524287 - 2^21 -> -524287 < -262143: gamma 2 keeps it   t3: -524292 -> -524287
  // t4: INT32_MIN -> -524287   t5: INT32_MAX: -524287 + 2^31 - 1 = 2146959360 -> 524287
  Trace T = tnRun(P, {1 << 20, 5, -(1 << 21), -5, Min32, Max32});
  CHECK(T.word(0) == std::vector<int32_t>{524287, 524287, -524287, -524287, -524287, 524287});
  CHECK(T.SpikeSteps == std::vector<int>{0, 1, 5});
  // The leak saturates too: V = 524287 with lambda = 255 stays.
  P.Lambda = 255;
  Trace L = tnRun(P, {0}, 524287);
  CHECK(L.word(0) == std::vector<int32_t>{524287});
}

TEST_CASE("neuron programs: truenorth rejects out-of-range parameters",
          "[neuron-programs][truenorth]") {
  auto Throws = [](auto Set, const char *Expect) {
    nc::TrueNorthParams P;
    Set(P);
    INFO(Expect);
    CHECK_THROWS_WITH(nc::trueNorthProfile(P),
                      Catch::Contains(Expect) && Catch::Contains("truenorth"));
  };
  Throws([](auto &P) { P.Lambda = 256; }, "lambda = 256 out of range [-256, 255]");
  Throws([](auto &P) { P.Eps = 2; }, "eps = 2 out of range [0, 1]");
  Throws([](auto &P) { P.C = -1; }, "c = -1 out of range [0, 1]");
  Throws([](auto &P) { P.Alpha = 1 << 18; }, "alpha = 262144 out of range [0, 262143]");
  Throws([](auto &P) { P.Beta = -1; }, "beta = -1 out of range [0, 262143]");
  Throws([](auto &P) { P.Kappa = 2; }, "kappa = 2 out of range [0, 1]");
  Throws([](auto &P) { P.Gamma = 3; }, "gamma = 3 out of range [0, 2]");
  Throws([](auto &P) { P.R = 1 << 18; }, "R = 262144 out of range [-262144, 262143]");
  Throws([](auto &P) { P.M = 256; }, "M = 256 out of range [0, 255]");
}

//===----------------------------------------------------------------------===//
// IF, LIF, LI
//===----------------------------------------------------------------------===//

TEST_CASE("neuron programs: if integrates and fires", "[neuron-programs][if]") {
  nc::IfParams P;
  P.Bias = 1;
  P.Threshold = 10;
  const std::vector<int32_t> In = {3, 3, 3, 0, -5, 20, 0};
  // Reset to 0: 0+3+1 = 4, 8, 12 >= 10 -> 0, 1, 1-5+1 = -3, -3+20+1 = 18 -> 0, 1
  P.Reset = nc::ResetMode::ToValue;
  Trace R = runTrace(nc::ifProfile(P), nc::if_neuron::NumStateWords, In);
  CHECK(R.word(0) == std::vector<int32_t>{4, 8, 0, 1, -3, 0, 1});
  CHECK(R.SpikeSteps == std::vector<int>{2, 5});
  // Subtract: 4, 8, 12 -> 2, 3, -1, 20 -> 10, 11 -> 1
  P.Reset = nc::ResetMode::Subtract;
  Trace S = runTrace(nc::ifProfile(P), nc::if_neuron::NumStateWords, In);
  CHECK(S.word(0) == std::vector<int32_t>{4, 8, 2, 3, -1, 10, 1});
  CHECK(S.SpikeSteps == std::vector<int>{2, 5, 6});
  // Reset to a value: 12 -> -7
  P.Reset = nc::ResetMode::ToValue;
  P.ResetValue = -7;
  Trace V = runTrace(nc::ifProfile(P), nc::if_neuron::NumStateWords, {3, 3, 3});
  CHECK(V.word(0) == std::vector<int32_t>{4, 8, -7});
}

TEST_CASE("neuron programs: if saturates at 32 bits", "[neuron-programs][if]") {
  nc::IfParams P;
  P.Threshold = Max32;
  // 2^30, then 2^31 -> INT32_MAX >= threshold: spike, 0; then 2^30
  Trace T = runTrace(nc::ifProfile(P), 1, {1 << 30, 1 << 30, 1 << 30});
  CHECK(T.word(0) == std::vector<int32_t>{1 << 30, 0, 1 << 30});
  CHECK(T.SpikeSteps == std::vector<int>{1});
  // Negative saturation: INT32_MIN, then INT32_MIN - 1 -> INT32_MIN.
  Trace N = runTrace(nc::ifProfile(P), 1, {Min32, -1});
  CHECK(N.word(0) == std::vector<int32_t>{Min32, Min32});
  // Two saturating adds: v = sat(sat(v + input) + bias).
  // v = INT32_MAX - 5, input 100: sat -> INT32_MAX; + (-10) = INT32_MAX - 10, no spike
  P.Bias = -10;
  Trace Order = runTrace(nc::ifProfile(P), 1, {100}, {Max32 - 5});
  CHECK(Order.word(0) == std::vector<int32_t>{Max32 - 10});
  CHECK(Order.SpikeSteps.empty());
  CHECK_THROWS_WITH(nc::ifProfile([] {
                      nc::IfParams Bad;
                      Bad.Reset = static_cast<nc::ResetMode>(2);
                      return Bad;
                    }()),
                    Catch::Contains("reset mode = 2 out of range [0, 1]"));
}

TEST_CASE("neuron programs: lif leaks by multiply-shift", "[neuron-programs][lif]") {
  nc::LifParams P;
  P.Dv = 2048; // v halves
  P.Threshold = 100;
  // To value 0: 80; 40+80 = 120 >= 100 -> 0; 0; 200 -> 0
  Trace R = runTrace(nc::lifProfile(P), nc::lif::NumStateWords, {80, 80, 0, 200, 0});
  CHECK(R.word(0) == std::vector<int32_t>{80, 0, 0, 0, 0});
  CHECK(R.SpikeSteps == std::vector<int>{1, 3});
  // Subtract: 80; 120 -> 20; 10; 5+200 = 205 -> 105; trunc0(52.5) = 52
  P.Reset = nc::ResetMode::Subtract;
  Trace S = runTrace(nc::lifProfile(P), nc::lif::NumStateWords, {80, 80, 0, 200, 0});
  CHECK(S.word(0) == std::vector<int32_t>{80, 20, 10, 105, 52});
  CHECK(S.SpikeSteps == std::vector<int>{1, 3});
  // Negative values truncate toward zero, bias adds every step:
  // bias -1: -7-1 = -8; trunc0(-4) - 1 = -5; trunc0(-2.5) = -2, -3; trunc0(-1.5) = -1, -2
  P.Bias = -1;
  Trace N = runTrace(nc::lifProfile(P), nc::lif::NumStateWords, {-7, 0, 0, 0});
  CHECK(N.word(0) == std::vector<int32_t>{-8, -5, -3, -2});
  // 24-bit saturation of the exact sum: INT32_MAX input -> 2^23 - 1 >= threshold
  // (a 2^23 - 1 threshold), subtract -> 0.
  P.Bias = 0;
  P.Threshold = (1 << 23) - 1;
  Trace Sat = runTrace(nc::lifProfile(P), nc::lif::NumStateWords, {Max32, Min32});
  CHECK(Sat.word(0) == std::vector<int32_t>{0, -((1 << 23) - 1)});
  CHECK(Sat.SpikeSteps == std::vector<int>{0});
  CHECK_THROWS_WITH(nc::lifProfile([] {
                      nc::LifParams Bad;
                      Bad.Dv = 4097;
                      return Bad;
                    }()),
                    Catch::Contains("dv = 4097 out of range [0, 4096]"));
}

TEST_CASE("neuron programs: li integrates and never fires", "[neuron-programs][li]") {
  nc::LiParams P;
  P.Dv = 1024; // v * 3072/4096 = v * 3/4
  // 1000; 750; trunc0(562.5) = 562; trunc0(421.5) - 1000 = -579; trunc0(-434.25) = -434
  Trace T = runTrace(nc::liProfile(P), nc::li::NumStateWords, {1000, 0, 0, -1000, 0});
  CHECK(T.word(0) == std::vector<int32_t>{1000, 750, 562, -579, -434});
  // Saturation at +-(2^23 - 1), never a spike even when huge.
  Trace S = runTrace(nc::liProfile(P), nc::li::NumStateWords, {1 << 23, Max32, Min32, Min32});
  CHECK(S.word(0) == std::vector<int32_t>{8388607, 8388607, -8388607, -8388607});
  CHECK(T.SpikeSteps.empty());
  CHECK(S.SpikeSteps.empty());
  // dv = 0: a pure integrator; dv = 4096: v is this step's input.
  P.Dv = 0;
  CHECK(runTrace(nc::liProfile(P), 1, {5, 6, -20}).word(0) == std::vector<int32_t>{5, 11, -9});
  P.Dv = 4096;
  CHECK(runTrace(nc::liProfile(P), 1, {5, 6, -20}).word(0) == std::vector<int32_t>{5, 6, -20});
}
