//===- test_run_jit.cpp - --jit on runImage and nmesh run -----------------===//
//
// The JIT choice never changes a result: the same spikes, probes and
// counters with --jit on and off, on both engines; auto follows the
// documented size rule (RunOptions JitAutoNeuronUpdates); a bad --jit value
// is a usage error.
//
//===----------------------------------------------------------------------===//
#include "isa/RandomImage.h"
#include "runtime/CliTestUtil.h"

#include "neuromesh/runtime/Run.h"

#include <catch2/catch.hpp>

using namespace neuromesh;
using runtime::JitMode;

namespace {

uint64_t numNeurons(const isa::Image &Img) {
  uint64_t N = 0;
  for (const isa::Core &C : Img.Cores)
    N += C.Neurons.size();
  return N;
}

} // namespace

TEST_CASE("runImage: the JIT on and off give the same spikes, probes and counters on both "
          "engines",
          "[run][jit]") {
  testing::RandomImageOptions Opt;
  Opt.MaxNeurons = 30;
  for (uint64_t Seed = 1; Seed <= 6; ++Seed) {
    const isa::Image Img = testing::makeRandomImage(Seed, Opt);
    for (const char *Engine : {"functional", "systemc"}) {
      INFO("seed " << Seed << ", engine " << Engine);
      runtime::RunOptions O;
      O.Steps = 12;
      O.Engine = Engine;
      testing::detail::Rng R(Seed);
      for (uint64_t T = 0; T < O.Steps; ++T)
        for (uint32_t S = 0; S < Img.Symbols.size(); ++S)
          if (Img.Symbols[S].Kind == isa::SymbolKind::InputPort)
            for (uint32_t I = 0; I < Img.Symbols[S].Size; ++I)
              if (R.chance(30))
                O.Inputs.push_back({T, S, I});
      O.Jit = JitMode::Off;
      const runtime::RunResult Off = runtime::runImage(Img, O);
      O.Jit = JitMode::On;
      const runtime::RunResult On = runtime::runImage(Img, O);
      CHECK_FALSE(Off.Jit);
      CHECK(On.Jit);
      CHECK(On.Spikes == Off.Spikes);
      CHECK(On.Probes == Off.Probes);
      CHECK(On.Counters.Cores == Off.Counters.Cores);
    }
  }
}

TEST_CASE("runImage: --jit auto compiles from JitAutoNeuronUpdates neuron updates", "[run][jit]") {
  const isa::Image Img = testing::makeRandomImage(3);
  const uint64_t Neurons = numNeurons(Img);
  REQUIRE(Neurons > 0);
  // The fewest steps that reach the threshold, and one fewer.
  const uint64_t Enough = (runtime::JitAutoNeuronUpdates + Neurons - 1) / Neurons;
  runtime::RunOptions O;
  O.Jit = JitMode::Auto;
  O.Steps = Enough - 1;
  CHECK_FALSE(runtime::runImage(Img, O).Jit);
  O.Steps = Enough;
  CHECK(runtime::runImage(Img, O).Jit);
}

TEST_CASE("nmesh run --jit: on and off write the same spikes, a bad value is a usage error",
          "[cli][jit]") {
  using namespace neuromesh::testing;
  TempDir T;
  const std::string Asm = std::string(NM_SOURCE_DIR) + "/examples/asm/if_chain.s";
  const std::string In = std::string(NM_SOURCE_DIR) + "/examples/asm/if_chain_input.csv";
  REQUIRE(nmesh(T, "as '" + Asm + "' -o '" + T / "net.nmb" + "'").Exit == 0);
  std::string Spikes[2];
  const char *Modes[2] = {"off", "on"};
  for (int K = 0; K < 2; ++K) {
    Result R = nmesh(T, "run '" + T / "net.nmb" + "' --steps 40 --input '" + In + "' --jit " +
                            Modes[K] + " --spikes '" + T / "out.csv" + "'");
    INFO(R.Err);
    REQUIRE(R.Exit == 0);
    CHECK_THAT(R.Out, Catch::Contains(K ? "neuron programs:       JIT-compiled\n"
                                        : "neuron programs:       interpreted\n"));
    Spikes[K] = readFile(T / "out.csv");
  }
  CHECK(Spikes[0].find('\n') + 1 < Spikes[0].size()); // some spikes
  CHECK(Spikes[1] == Spikes[0]);
  Result Bad = nmesh(T, "run '" + T / "net.nmb" + "' --steps 4 --jit fast");
  CHECK(Bad.Exit == 2);
  CHECK_THAT(Bad.Err, Catch::Contains("--jit must be on, off or auto, got 'fast'"));
}
