//===- SpikeGenerator.cpp - what an input port's generator fires ----------===//
//
// The one definition of the generator kinds of Image.h, for the engines and
// the tests: generatorFires answers for one (step, index), generatedSpikes
// lists a whole step the way an engine needs it.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/isa/Image.h"

#include <algorithm>
#include <cassert>

namespace neuromesh::isa {

namespace {
bool regularFires(const SpikeGenerator &G, uint64_t Step) {
  assert(G.Period >= 1 && "a validated regular generator has period >= 1");
  return G.Period >= 1 && Step >= G.Phase && (Step - G.Phase) % G.Period == 0;
}
} // namespace

bool generatorFires(const SpikeGenerator &G, uint64_t Step, uint32_t Index) {
  switch (G.Kind) {
  case GeneratorKind::External:
    return false;
  case GeneratorKind::List:
    // Sorted by (step, index), unique: a binary search decides.
    return std::binary_search(G.Spikes.begin(), G.Spikes.end(),
                              std::make_pair(Step, Index));
  case GeneratorKind::Poisson:
    // randomDraw is 32 bits, so ProbabilityQ32 = 2^32 always fires and 0
    // never does.
    return randomDraw(G.Seed, Step, Index, 0) < G.ProbabilityQ32;
  case GeneratorKind::Regular:
    return regularFires(G, Step);
  }
  return false;
}

void generatedSpikes(const SpikeGenerator &G, uint32_t Size, uint64_t Step,
                     std::vector<uint32_t> &Indices) {
  switch (G.Kind) {
  case GeneratorKind::External:
    return;
  case GeneratorKind::List: {
    auto It = std::lower_bound(G.Spikes.begin(), G.Spikes.end(),
                               std::make_pair(Step, uint32_t(0)));
    for (; It != G.Spikes.end() && It->first == Step; ++It)
      Indices.push_back(It->second);
    return;
  }
  case GeneratorKind::Poisson:
    for (uint32_t I = 0; I < Size; ++I)
      if (randomDraw(G.Seed, Step, I, 0) < G.ProbabilityQ32)
        Indices.push_back(I);
    return;
  case GeneratorKind::Regular:
    if (regularFires(G, Step))
      for (uint32_t I = 0; I < Size; ++I)
        Indices.push_back(I);
    return;
  }
}

} // namespace neuromesh::isa
