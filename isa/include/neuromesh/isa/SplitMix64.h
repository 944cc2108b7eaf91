//===- neuromesh/isa/SplitMix64.h - a small portable generator --*- C++ -*-===//
//
// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): a 64-bit state advanced by a Weyl constant and
// finalised by a bijective mix. The same seed gives the same sequence on
// every host, which is what the placer, the test generators and the
// benchmarks need; isa::randomDraw uses the same mix, counter-based.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>

namespace neuromesh::isa {

/// SplitMix64's finaliser: a bijective 64-bit mix with good avalanche.
constexpr uint64_t splitMix64Mix(uint64_t Z) {
  Z = (Z ^ (Z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  Z = (Z ^ (Z >> 27)) * 0x94d049bb133111ebULL;
  return Z ^ (Z >> 31);
}

/// The generator: next() returns the mix of a state advanced by the golden
/// ratio's Weyl constant.
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t Seed) : State(Seed) {}
  uint64_t next() { return splitMix64Mix(State += 0x9e3779b97f4a7c15ULL); }

private:
  uint64_t State;
};

} // namespace neuromesh::isa
