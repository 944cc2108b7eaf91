// The transaction-level mesh (TransactionMesh.h) on its own: hand-worked
// cycles for the cases the cycle model's router testbench covers, and
// random traffic checked against the rules it must keep. The rules
// (docs/systemc.md, "The two mesh models"), with S = ceil(B / W) and H the
// hop latency:
//   a message leaves a buffer at max(arrival, the previous message of that
//   buffer left + S, the output link free, a slot free downstream) and is
//   entirely in the next buffer S - 1 + H cycles later;
//   a slot is free again the cycle after its message left (or was taken
//   from an eject buffer);
//   the source queue puts a message in the local input buffer at its cycle,
//   after the one before it, when a slot is free.
// So an uncontended message entering at t and crossing h links between
// routers is in its eject buffer at t + (h+1)(S-1+H): the cycle model's
// figure (test_router.cpp asserts it there).
#include "neuromesh/emulator/systemc/TransactionMesh.h"

#include "neuromesh/isa/Error.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <tuple>
#include <vector>

using namespace neuromesh::emulator::systemc;

namespace {

MeshConfig meshOf(uint16_t W, uint16_t H, uint32_t Depth, uint32_t Eject, uint32_t LinkBits,
                  uint32_t Hop) {
  MeshConfig C;
  C.Width = W;
  C.Height = H;
  C.Router.BufferDepth = Depth;
  C.Router.LinkBitsPerCycle = LinkBits;
  C.Router.HopLatencyCycles = Hop;
  C.EjectDepth = Eject;
  return C;
}

Message to(uint16_t X, uint16_t Y, uint64_t Id) {
  Message M;
  M.X = X;
  M.Y = Y;
  M.Id = Id;
  M.Bits = 32;
  return M;
}

/// Routes M and has it taken as soon as it arrives.
uint64_t deliver(TransactionMesh &Mesh, uint16_t SrcX, uint16_t SrcY, const Message &M,
                 uint64_t Cycle) {
  const uint64_t Arrived = Mesh.route(SrcX, SrcY, M, Cycle);
  Mesh.taken(Arrived);
  return Arrived;
}

} // namespace

TEST_CASE("transaction mesh: a single message over k hops takes the cycle model's cycles",
          "[systemc][transaction]") {
  // 4 x 3 mesh, 32-bit messages on 8-bit links: S = 4; H = 3; so every
  // traversal takes S - 1 + H = 6 cycles.
  TransactionMesh Mesh(meshOf(4, 3, 4, 4, 8, 3));
  // (0,0) -> (3,2): 3 hops east, 2 north, h = 5: 5 + 6 x 6 = 41.
  CHECK(deliver(Mesh, 0, 0, to(3, 2, 1), 5) == 41);
  // (2,1) -> (0,0) from 100 on (the mesh idle again): h = 3: 100 + 4 x 6.
  CHECK(deliver(Mesh, 2, 1, to(0, 0, 2), 100) == 124);
  // To its own tile: one traversal.
  CHECK(deliver(Mesh, 1, 1, to(1, 1, 3), 200) == 206);
  // x first, then y: the first message went east at (0,0), (1,0), (2,0)
  // and north at (3,0), (3,1).
  CHECK(Mesh.stats(0, 0).Forwarded[int(Dir::East)] == 1);
  CHECK(Mesh.stats(2, 0).Forwarded[int(Dir::East)] == 1);
  CHECK(Mesh.stats(3, 0).Forwarded[int(Dir::North)] == 1);
  CHECK(Mesh.stats(3, 1).Forwarded[int(Dir::North)] == 1);
  CHECK(Mesh.stats(3, 2).Forwarded[int(Dir::Local)] == 1);
  CHECK(Mesh.stats(2, 1).Forwarded[int(Dir::West)] == 1);
  CHECK(Mesh.stats(0, 1).Forwarded[int(Dir::South)] == 1);
  CHECK(Mesh.stats(1, 1).Forwarded[int(Dir::Local)] == 1);
  CHECK(Mesh.stats(1, 0).totalStallCycles() == 0);
}

TEST_CASE("transaction mesh: messages sharing one output are serialised, oldest first",
          "[systemc][transaction]") {
  // 3 x 1 mesh, 32-bit messages on 11-bit links: S = 3; H = 1: a
  // traversal takes 3 cycles, a link is held 3 cycles per message.
  TransactionMesh Mesh(meshOf(3, 1, 4, 0, 11, 1));
  // Three messages from (0,0) to (1,0), all in the source queue at 0:
  //  1st leaves (0,0) at 0, is at (1,0) at 3, leaves it at 3, ejected 6;
  //  2nd leaves (0,0) at 3 (link busy until 3), at (1,0) at 6, ejected 9;
  //  3rd leaves at 6, ejected 12: S cycles apart.
  CHECK(deliver(Mesh, 0, 0, to(1, 0, 1), 0) == 6);
  CHECK(deliver(Mesh, 0, 0, to(1, 0, 2), 0) == 9);
  CHECK(deliver(Mesh, 0, 0, to(1, 0, 3), 0) == 12);
  // Two inputs, one output: from (2,0) at 10 and (0,0) at 10 to (1,0).
  // Both reach (1,0) at 13; the one routed first (tile 0 before tile 2 at
  // one cycle) takes the local output at 13 (ejected 16), the other at 16
  // (ejected 19): no round-robin, the older transaction wins.
  CHECK(deliver(Mesh, 0, 0, to(1, 0, 4), 10) == 16);
  CHECK(deliver(Mesh, 2, 0, to(1, 0, 5), 10) == 19);
  CHECK(Mesh.stats(1, 0).Forwarded[int(Dir::Local)] == 5);
  CHECK(Mesh.stats(0, 0).Forwarded[int(Dir::East)] == 4);
  CHECK(Mesh.stats(2, 0).Forwarded[int(Dir::West)] == 1);
  // Waiting for a busy link is not a stall (no slot was missing).
  CHECK(Mesh.stats(1, 0).totalStallCycles() == 0);
  // (0,0)'s local input held the three messages at once at cycle 0.
  CHECK(Mesh.stats(0, 0).MaxOccupancy[int(Dir::Local)] == 3);
}

TEST_CASE("transaction mesh: a full buffer and a slow ejector back-pressure the chain",
          "[systemc][transaction]") {
  // 2 x 1 mesh, one-message input and eject buffers, S = 1, H = 1. Tile
  // (1,0)'s ejector takes a message 10 cycles after the one before (the
  // first when it arrives). Three messages from (0,0), all due at 0.
  TransactionMesh Mesh(meshOf(2, 1, 1, 1, 32, 1));
  std::vector<uint64_t> Arrived, Taken;
  for (uint64_t K = 0; K < 3; ++K) {
    Arrived.push_back(Mesh.route(0, 0, to(1, 0, K), 0));
    Taken.push_back(Taken.empty() ? Arrived.back() : std::max(Arrived.back(), Taken.back() + 10));
    Mesh.taken(Taken.back());
  }
  // 1st: into (0,0)'s local buffer at 0, leaves east at 0, in (1,0)'s west
  //      buffer at 1, leaves at 1, in the eject buffer at 2, taken at 2.
  // 2nd: the local buffer's one slot is free at 1 (1st left at 0): in at 1
  //      (1 inject-stall cycle). The west buffer of (1,0) is free at 2 (1st
  //      left at 1): leaves (0,0) at 2 (1 stall cycle at a free link), at
  //      (1,0) at 3; the eject slot is free at 3 (1st taken at 2): leaves
  //      at 3, ejected 4, taken at 2 + 10 = 12.
  // 3rd: due at 1 (after the 2nd), the local slot free at 3 (2nd left at
  //      2): in at 3 (2 more inject-stall cycles); west buffer free at 4
  //      (2nd left (1,0) at 3): leaves at 4 (1 stall), at (1,0) at 5; the
  //      eject slot free only at 13 (2nd taken at 12): 8 stall cycles,
  //      leaves at 13, ejected 14, taken at 22.
  CHECK(Arrived == std::vector<uint64_t>{2, 4, 14});
  CHECK(Taken == std::vector<uint64_t>{2, 12, 22});
  CHECK(Mesh.stats(0, 0).InjectStallCycles == 3);
  CHECK(Mesh.stats(0, 0).StallCycles[int(Dir::East)] == 2);
  CHECK(Mesh.stats(1, 0).StallCycles[int(Dir::Local)] == 8);
  CHECK(Mesh.stats(0, 0).MaxOccupancy[int(Dir::Local)] == 1);
  CHECK(Mesh.stats(1, 0).MaxOccupancy[int(Dir::West)] == 1);
}

TEST_CASE("transaction mesh: head-of-line blocking in one input FIFO", "[systemc][transaction]") {
  // 3 x 1 mesh, input buffers of 4, one-message eject buffers, S = 1,
  // H = 1. Tile (1,0) ejects slowly (10 cycles after the one before, the
  // first at arrival); tile (2,0) at once. From (0,0), all due at 0: three
  // messages to (1,0), then one to (2,0).
  TransactionMesh Mesh(meshOf(3, 1, 4, 1, 32, 1));
  uint64_t LastTaken = 0;
  auto ToSlowTile = [&](uint64_t Id) {
    const uint64_t A = Mesh.route(0, 0, to(1, 0, Id), 0);
    LastTaken = Id == 0 ? A : std::max(A, LastTaken + 10);
    Mesh.taken(LastTaken);
    return A;
  };
  // 1st: leaves (0,0) at 0, (1,0) at 1, ejected 2, taken 2.
  // 2nd: leaves (0,0) at 1, at (1,0) at 2; the eject slot is free at 3:
  //      leaves at 3 (1 stall), ejected 4, taken 12.
  // 3rd: leaves (0,0) at 2, at (1,0) at 3; behind the 2nd until 4, then
  //      waits for the eject slot free at 13 (9 stall cycles): ejected 14.
  CHECK(ToSlowTile(0) == 2);
  CHECK(ToSlowTile(1) == 4);
  CHECK(ToSlowTile(2) == 14);
  // 4th, to (2,0): leaves (0,0) at 3, is in (1,0)'s west buffer at 4,
  // behind the 3rd, which leaves at 13 and streams until 14: though the
  // east link is free, the 4th leaves (1,0) only at 14, is at (2,0) at 15
  // and ejected at 16; alone it would be ejected at 0 + 3 x 1 = 3.
  CHECK(deliver(Mesh, 0, 0, to(2, 0, 3), 0) == 16);
  CHECK(Mesh.stats(1, 0).StallCycles[int(Dir::Local)] == 10);
  // Blocked behind a message is not a stall of the east output.
  CHECK(Mesh.stats(1, 0).StallCycles[int(Dir::East)] == 0);
  // (1,0)'s west buffer held at most two: the 2nd and 3rd at 3 (the 2nd
  // leaving), the 3rd and 4th from 4 to 13.
  CHECK(Mesh.stats(1, 0).MaxOccupancy[int(Dir::West)] == 2);
}

TEST_CASE("transaction mesh: 20000 random messages are all delivered once, under the buffer "
          "and link rules",
          "[systemc][transaction]") {
  std::mt19937_64 Rng(42);
  auto Pick = [&](uint64_t Lo, uint64_t Hi) {
    return std::uniform_int_distribution<uint64_t>(Lo, Hi)(Rng);
  };
  uint64_t Total = 0, Stalled = 0;
  for (int Round = 0; Round < 4; ++Round) {
    const uint16_t W = 4, H = 4;
    const uint32_t Depth = uint32_t(Pick(1, 4)), Eject = uint32_t(Pick(0, 3));
    const uint32_t LinkBits = uint32_t(Pick(11, 32)), Hop = uint32_t(Pick(1, 3));
    MeshConfig Config = meshOf(W, H, Depth, Eject, LinkBits, Hop);
    TransactionMesh Mesh(Config);
    std::vector<LinkActivity> Spans;
    Mesh.recordInto(&Spans, 0);
    const uint64_t S = Config.Router.serialisationCycles(32);
    // 5000 messages entering in cycle order (ties by tile), from random
    // tiles to random tiles; each tile's ejector takes one per 0-7 cycles.
    struct Sent {
      uint64_t Cycle;
      uint16_t SrcX, SrcY, X, Y;
    };
    std::vector<Sent> In;
    for (int K = 0; K < 5000; ++K)
      In.push_back({Pick(0, 4000), uint16_t(Pick(0, W - 1)), uint16_t(Pick(0, H - 1)),
                    uint16_t(Pick(0, W - 1)), uint16_t(Pick(0, H - 1))});
    std::sort(In.begin(), In.end(), [](const Sent &A, const Sent &B) {
      return std::tie(A.Cycle, A.SrcY, A.SrcX) < std::tie(B.Cycle, B.SrcY, B.SrcX);
    });
    std::map<int, std::vector<std::pair<uint64_t, uint64_t>>> AtTile; // arrived, taken
    std::vector<uint64_t> Received(size_t(W) * H, 0), Expected(size_t(W) * H, 0);
    uint64_t Hops = 0;
    for (size_t K = 0; K < In.size(); ++K) {
      const Sent &M = In[K];
      const uint64_t A = Mesh.route(M.SrcX, M.SrcY, to(M.X, M.Y, K), M.Cycle);
      const uint64_t Links = uint64_t(std::abs(M.X - M.SrcX) + std::abs(M.Y - M.SrcY));
      Hops += Links + 1;
      INFO("message " << K);
      REQUIRE(A >= M.Cycle + (Links + 1) * (S - 1 + Hop)); // never faster than alone
      auto &Tile = AtTile[M.Y * W + M.X];
      const uint64_t Taken = std::max(A, Tile.empty() ? 0 : Tile.back().second + Pick(0, 7));
      Mesh.taken(Taken);
      Tile.push_back({A, Taken});
      ++Received[M.Y * W + M.X];
      ++Expected[size_t(M.Y) * W + M.X];
    }
    // Each tile got its messages, in FIFO order, and its eject buffer never
    // held more than Eject: the k-th arrives after the (k - Eject)-th left.
    CHECK(Received == Expected);
    for (const auto &[T, List] : AtTile)
      for (size_t K = 1; K < List.size(); ++K) {
        CHECK(List[K].first >= List[K - 1].first);
        if (Eject > 0 && K >= Eject)
          CHECK(List[K].first > List[K - Eject].second);
      }
    // Every traversal is one busy span of S cycles; on each output the
    // busy spans never overlap, nor does a stall overlap a busy span.
    uint64_t Forwarded = 0;
    for (uint16_t Y = 0; Y < H; ++Y)
      for (uint16_t X = 0; X < W; ++X) {
        const RouterStats R = Mesh.stats(X, Y);
        for (int D = 0; D < NumDirs; ++D) {
          Forwarded += R.Forwarded[D];
          CHECK(R.MaxOccupancy[D] <= Depth);
        }
        Stalled += R.totalStallCycles() + R.InjectStallCycles;
      }
    CHECK(Forwarded == Hops);
    std::map<std::pair<uint32_t, int>, std::vector<CycleSpan>> ByOutput;
    uint64_t Busy = 0;
    for (const LinkActivity &L : Spans) {
      ByOutput[{L.Router, L.Port}].push_back(L.Span);
      Busy += !L.Stall;
      if (!L.Stall)
        CHECK(L.Span.End - L.Span.Begin == S);
    }
    CHECK(Busy == Hops);
    for (auto &[Out, List] : ByOutput) {
      std::sort(List.begin(), List.end(),
                [](const CycleSpan &A, const CycleSpan &B) { return A.Begin < B.Begin; });
      for (size_t K = 1; K < List.size(); ++K)
        CHECK(List[K].Begin >= List[K - 1].End);
    }
    Total += In.size();
  }
  CHECK(Total == 20000);
  CHECK(Stalled > 0); // the traffic did contend
}

TEST_CASE("transaction mesh: bad parameters are errors", "[systemc][transaction]") {
  CHECK_THROWS_WITH(TransactionMesh(meshOf(2, 2, 0, 4, 32, 1)),
                    Catch::Contains("mesh.router.buffer_depth must be >= 1, got 0"));
  CHECK_THROWS_WITH(TransactionMesh(meshOf(0, 2, 4, 4, 32, 1)),
                    Catch::Contains("mesh.width must be >= 1"));
}
