//===- test_spike_generator.cpp - what an input port's generator fires ----===//
//
// generatorFires against the definitions of docs/isa.md worked by hand
// (list membership, period and phase, probability 0 and 1, the Poisson rate),
// and generatedSpikes against generatorFires.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/isa/Image.h"
#include "neuromesh/isa/Microcode.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace neuromesh::isa;

TEST_CASE("generatorFires and generatedSpikes follow the definitions",
          "[spike-generator]") {
  auto Fired = [](const SpikeGenerator &G, uint32_t Size, uint64_t Step) {
    std::vector<uint32_t> Out;
    generatedSpikes(G, Size, Step, Out);
    return Out;
  };
  using V = std::vector<uint32_t>;

  SpikeGenerator External;
  CHECK_FALSE(generatorFires(External, 0, 0));
  CHECK(Fired(External, 4, 0).empty());

  SpikeGenerator List;
  List.Kind = GeneratorKind::List;
  List.Spikes = {{0, 1}, {5, 0}, {5, 3}, {9, 2}};
  CHECK(generatorFires(List, 0, 1));
  CHECK_FALSE(generatorFires(List, 0, 0));
  CHECK_FALSE(generatorFires(List, 1, 1));
  CHECK(generatorFires(List, 5, 3));
  CHECK(Fired(List, 4, 0) == V{1});
  CHECK(Fired(List, 4, 4).empty());
  CHECK(Fired(List, 4, 5) == V{0, 3});
  CHECK(Fired(List, 4, 9) == V{2});
  CHECK(Fired(List, 4, 10).empty());

  // Period 3 from phase 2: steps 2, 5, 8, ...
  SpikeGenerator Regular;
  Regular.Kind = GeneratorKind::Regular;
  Regular.Period = 3;
  Regular.Phase = 2;
  for (uint64_t T = 0; T < 12; ++T) {
    INFO("step " << T);
    bool Want = T == 2 || T == 5 || T == 8 || T == 11;
    CHECK(generatorFires(Regular, T, 1) == Want);
    CHECK(Fired(Regular, 3, T) == (Want ? V{0, 1, 2} : V{}));
  }
  // A phase near 2^64 and period 1: no wrap-around before the phase.
  Regular.Period = 1;
  Regular.Phase = ~uint64_t(0) - 1;
  CHECK_FALSE(generatorFires(Regular, 0, 0));
  CHECK_FALSE(generatorFires(Regular, ~uint64_t(0) - 2, 0));
  CHECK(generatorFires(Regular, ~uint64_t(0) - 1, 0));
  CHECK(generatorFires(Regular, ~uint64_t(0), 0));

  // Poisson: never at 0, always at 2^32; in between, the draw decides and
  // the rate is the probability.
  SpikeGenerator Poisson;
  Poisson.Kind = GeneratorKind::Poisson;
  Poisson.Seed = 0x1234;
  size_t Count = 0, Total = 0;
  for (uint64_t T = 0; T < 200; ++T)
    for (uint32_t I = 0; I < 50; ++I) {
      Poisson.ProbabilityQ32 = 0;
      REQUIRE_FALSE(generatorFires(Poisson, T, I));
      Poisson.ProbabilityQ32 = ProbabilityOne;
      REQUIRE(generatorFires(Poisson, T, I));
      Poisson.ProbabilityQ32 = 858993459; // 0.2
      bool F = generatorFires(Poisson, T, I);
      REQUIRE(F == (randomDraw(0x1234, T, I, 0) < 858993459u));
      Count += F;
      ++Total;
    }
  // 10000 Bernoulli(0.2) draws: mean 2000, sd 40; allow 5 sd.
  CHECK(Count > 1800);
  CHECK(Count < 2200);
  Poisson.ProbabilityQ32 = 858993459;
  for (uint64_t T = 0; T < 20; ++T) {
    V Want;
    for (uint32_t I = 0; I < 50; ++I)
      if (generatorFires(Poisson, T, I))
        Want.push_back(I);
    CHECK(Fired(Poisson, 50, T) == Want);
  }
  // generatedSpikes appends.
  V Out = {7};
  generatedSpikes(List, 4, 5, Out);
  CHECK(Out == V{7, 0, 3});
}
