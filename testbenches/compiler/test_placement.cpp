//===- test_placement.cpp - cores onto the mesh --------------------------===//
//
// Placements small enough to solve by hand on the tiny architecture (2 x 2
// tiles of 2 cores per chip, two chips side by side). Populations of 16
// neurons fill exactly one core each, so "population X" is "core X".
// Hops: cores of one tile are 0 apart, neighbouring tiles 1, and a step
// from one chip to the next costs 16 (docs/mapping.md).
//
//===----------------------------------------------------------------------===//
#include "MappingTestUtil.h"

#include "neuromesh/compiler/Mapping.h"

#include <catch2/catch.hpp>

#include <set>
#include <tuple>

using namespace neuromesh;
using namespace neuromesh::compiler;
using namespace nmtest;

namespace {

MappingOptions with(PlacementStrategy S, uint64_t Seed = 1) {
  MappingOptions O;
  O.Placement = S;
  O.Seed = Seed;
  return O;
}

bool sameTile(const CoreUsage &A, const CoreUsage &B) {
  return A.Chip == B.Chip && A.X == B.X && A.Y == B.Y;
}

int tileHops(const CoreUsage &A, const CoreUsage &B) {
  return std::abs(int(A.X) - int(B.X)) + std::abs(int(A.Y) - int(B.Y));
}

/// Populations p0..p{N-1} of 16 neurons each (one core each).
HardwareNetwork corePerPopulation(unsigned N) {
  HardwareNetwork Net;
  Net.Name = "placement";
  for (unsigned I = 0; I < N; ++I)
    addPopulation(Net, ifPopulation("p" + std::to_string(I), 16));
  return Net;
}

/// All locations distinct and inside the architecture.
void checkLegal(const MappedNetwork &M, const isa::Architecture &Arch) {
  std::set<std::tuple<int, int, int, int>> Seen;
  for (const CoreUsage &U : M.Report.Cores) {
    CHECK(U.Chip < Arch.Chips.Count);
    CHECK(U.X < Arch.Mesh.Width);
    CHECK(U.Y < Arch.Mesh.Height);
    CHECK(U.Slot < Arch.Mesh.CoresPerTile);
    CHECK(Seen.insert({U.Chip, U.X, U.Y, U.Slot}).second);
  }
}

} // namespace

TEST_CASE("two communicating cores share a tile", "[placement]") {
  // Loihi: 1024 + 1024 neurons, one-to-one: 1024 messages, 0 hops apart.
  HardwareNetwork Net;
  uint32_t A = addPopulation(Net, ifPopulation("a", 1024));
  uint32_t B = addPopulation(Net, ifPopulation("b", 1024));
  connect(Net, false, A, B, oneToOne(1024));
  MappedNetwork M = mapNetwork(Net, preset("loihi"));
  REQUIRE(M.Report.CoresUsed == 2);
  CHECK(sameTile(M.Report.Cores[0], M.Report.Cores[1]));
  CHECK(M.Report.MessagesPerStep == 1024);
  CHECK(M.Report.HopWeightedTraffic == 0);
  CHECK(M.Report.PlacementStrategy == "optimised");
}

TEST_CASE("three cores: the heavy pair shares a tile, the light one is next door",
          "[placement]") {
  // p0 -> p2 one-to-one (16 messages), p1[0] -> p2[0] (1 message). Best:
  // p0 and p2 in one tile, p1 one hop away: cost 1. In order puts p0, p1
  // in tile (0,0) and p2 in tile (1,0): 16 * 1 + 1 * 1 = 17.
  HardwareNetwork Net = corePerPopulation(3);
  connect(Net, false, 0, 2, oneToOne(16));
  connect(Net, false, 1, 2, {Syn{0, 0}});
  auto Arch = preset("tiny");
  MappedNetwork Opt = mapNetwork(Net, Arch);
  MappedNetwork Ord = mapNetwork(Net, Arch, with(PlacementStrategy::InOrder));
  checkLegal(Opt, Arch);
  CHECK(Opt.Report.MessagesPerStep == 17);
  CHECK(Opt.Report.HopWeightedTraffic == 1);
  CHECK(sameTile(Opt.Report.Cores[0], Opt.Report.Cores[2]));
  CHECK(tileHops(Opt.Report.Cores[1], Opt.Report.Cores[2]) == 1);
  CHECK(Ord.Report.HopWeightedTraffic == 17);
  CHECK(Ord.Report.PlacementStrategy == "in_order");
  // In order is partition order, row by row, slot by slot.
  const CoreUsage &C2 = Ord.Report.Cores[2];
  CHECK(std::make_tuple(C2.Chip, C2.X, C2.Y, C2.Slot) == std::make_tuple(0, 1, 0, 0));
}

TEST_CASE("four cores: pairs that talk are paired across partition order", "[placement]") {
  // p0 -> p2 and p1 -> p3 one-to-one (16 each), p0[0] -> p1[0] (1). Best:
  // {p0, p2} and {p1, p3} in neighbouring tiles: cost 1. In order pairs
  // {p0, p1} and {p2, p3}: 16 + 16 = 32.
  HardwareNetwork Net = corePerPopulation(4);
  connect(Net, false, 0, 2, oneToOne(16));
  connect(Net, false, 1, 3, oneToOne(16));
  connect(Net, false, 0, 1, {Syn{0, 0}});
  auto Arch = preset("tiny");
  MappedNetwork Opt = mapNetwork(Net, Arch);
  CHECK(Opt.Report.HopWeightedTraffic == 1);
  CHECK(sameTile(Opt.Report.Cores[0], Opt.Report.Cores[2]));
  CHECK(sameTile(Opt.Report.Cores[1], Opt.Report.Cores[3]));
  CHECK(mapNetwork(Net, Arch, with(PlacementStrategy::InOrder)).Report.HopWeightedTraffic == 32);
}

TEST_CASE("random placement is a seeded, legal baseline", "[placement]") {
  HardwareNetwork Net = corePerPopulation(6);
  for (uint32_t I = 0; I + 1 < 6; ++I)
    connect(Net, false, I, I + 1, oneToOne(16));
  auto Arch = preset("tiny");
  MappedNetwork R1 = mapNetwork(Net, Arch, with(PlacementStrategy::Random, 7));
  MappedNetwork R2 = mapNetwork(Net, Arch, with(PlacementStrategy::Random, 7));
  MappedNetwork R3 = mapNetwork(Net, Arch, with(PlacementStrategy::Random, 8));
  MappedNetwork Opt = mapNetwork(Net, Arch);
  checkLegal(R1, Arch);
  checkLegal(R3, Arch);
  CHECK(R1.Report.PlacementStrategy == "random");
  CHECK(R1.Image == R2.Image);
  CHECK(!(R1.Image.Header == R3.Image.Header));
  // A chain of 6 cores in 3 tiles of a 2 x 2 mesh: 2 tile steps at best.
  CHECK(Opt.Report.HopWeightedTraffic == 32);
  CHECK(R1.Report.HopWeightedTraffic >= 32);
  CHECK(R3.Report.HopWeightedTraffic >= 32);
}

TEST_CASE("more cores than one chip spill onto the next chip", "[placement]") {
  // A chain p0 -> p1 -> ... -> p8 (16 messages per link) needs 9 cores; a
  // tiny chip has 8. In order: cores 0..7 fill chip 0 row by row, core 8
  // is chip 1's first site. Link hops 0,1,0,2,0,1,0 and, from chip 0 tile
  // (1,1) to chip 1 tile (0,0), 2 steps of which one crosses chips:
  // 1 + 16 = 17. Total 16 * 21 = 336.
  // Best: one crossing (>= 16) and, with 2 cores per tile, at least 3
  // more tile steps: 16 * 19 = 304.
  HardwareNetwork Net = corePerPopulation(9);
  for (uint32_t I = 0; I + 1 < 9; ++I)
    connect(Net, false, I, I + 1, oneToOne(16));
  auto Arch = preset("tiny");
  MappedNetwork Ord = mapNetwork(Net, Arch, with(PlacementStrategy::InOrder));
  REQUIRE(Ord.Report.CoresUsed == 9);
  CHECK(Ord.Report.ChipsUsed == 2);
  CHECK(Ord.Report.MessagesPerStep == 128);
  CHECK(Ord.Report.HopWeightedTraffic == 336);
  CHECK(Ord.Report.ChipCrossings == 16);
  const CoreUsage &C8 = Ord.Report.Cores[8];
  CHECK(std::make_tuple(C8.Chip, C8.X, C8.Y, C8.Slot) == std::make_tuple(1, 0, 0, 0));

  MappedNetwork Opt = mapNetwork(Net, Arch);
  checkLegal(Opt, Arch);
  CHECK(Opt.Report.ChipsUsed == 2);
  CHECK(Opt.Report.ChipCrossings == 16);
  CHECK(Opt.Report.HopWeightedTraffic == 304);
}

TEST_CASE("optimised placement is deterministic and never worse than in order",
          "[placement]") {
  // A ring with chords over 12 cores on two chips.
  HardwareNetwork Net = corePerPopulation(12);
  for (uint32_t I = 0; I < 12; ++I) {
    connect(Net, false, I, (I + 1) % 12, oneToOne(16));
    connect(Net, false, I, (I + 5) % 12, oneToOne(3));
  }
  auto Arch = preset("tiny");
  MappedNetwork A = mapNetwork(Net, Arch), B = mapNetwork(Net, Arch);
  CHECK(A.Image == B.Image);
  CHECK(A.Report.HopWeightedTraffic == B.Report.HopWeightedTraffic);
  uint64_t Ord =
      mapNetwork(Net, Arch, with(PlacementStrategy::InOrder)).Report.HopWeightedTraffic;
  CHECK(A.Report.HopWeightedTraffic <= Ord);
  CHECK(A.Report.ChipsUsed == 2);
}
