// Router and mesh testbench. Each TEST_CASE elaborates one mesh and runs
// one sc_start sequence in a fresh simulation context (quietKernel);
// catch_discover_tests also runs every case in its own process.
//
// Timing rules the expectations are worked from (docs/systemc.md):
//   S = ceil(B / W) cycles a message of B bits occupies a link of W bits/cycle
//   H = hop latency in cycles
//   a message granted an output in cycle c is in the next buffer at cycle
//   c + S - 1 + H, and can be forwarded from there in that same cycle;
//   a freed buffer slot's credit reaches the sender in the next cycle;
//   an injected message is in the local input buffer in its inject cycle.
// So with no contention a message injected at cycle t that crosses h links
// between routers is in the destination's eject buffer at t + (h+1)(S-1+H).
#include "neuromesh/emulator/systemc/Mesh.h"
#include "neuromesh/isa/Error.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <tuple>
#include <vector>

using namespace neuromesh::emulator::systemc;

namespace {

/// Silences the kernel banner and gives the test a fresh simulation
/// context, as DRAMSys's SystemCTest does, so that the test cases also run
/// one after another in one process (the previous context is leaked on
/// purpose: SystemC 2.3.4 crashes deleting it, tried under ASan).
void quietKernel() {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  // The watchdog's sc_stop() would print an info line; the test checks it.
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext;
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
}

struct Delivery {
  Message M;
  uint64_t ArrivalCycle; ///< cycle it entered the eject buffer
  uint64_t PopCycle;     ///< cycle the sink took it
  uint16_t X, Y;         ///< tile that took it
  sc_core::sc_time PopTime;
};

/// A tile's consumer: pops at most one message every Interval cycles, and
/// sleeps until the next arrival when the eject buffer is empty.
class Sink : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(Sink);
  Sink(sc_core::sc_module_name Name, Mesh &M, uint16_t X, uint16_t Y, uint64_t Interval,
       std::vector<Delivery> &Log)
      : sc_core::sc_module(Name), TheMesh(M), X(X), Y(Y), Interval(Interval), Log(Log) {
    SC_METHOD(run);
    sensitive << M.eject(X, Y).arrivalEvent();
    dont_initialize();
  }

private:
  void run() {
    uint64_t N = TheMesh.cycle();
    if (N < NextAllowed) {
      next_trigger(TheMesh.period() * double(NextAllowed - N));
      return;
    }
    EjectBuffer &E = TheMesh.eject(X, Y);
    Message M;
    if (!E.pop(M)) {
      next_trigger(E.arrivalEvent());
      return;
    }
    Log.push_back({M, E.lastArrivalCycle(), N, X, Y, sc_core::sc_time_stamp()});
    NextAllowed = N + Interval;
    next_trigger(TheMesh.period() * double(Interval));
  }

  Mesh &TheMesh;
  uint16_t X, Y;
  uint64_t Interval;
  uint64_t NextAllowed = 0;
  std::vector<Delivery> &Log;
};

/// A tile's consumer with the Sink's rule (one message at most every
/// Interval cycles, each no earlier than its arrival) that works out when it
/// takes every message already sent to the buffer and takes them all in one
/// activation (EjectBuffer::popAt), as the chip's ejector does.
class BurstSink : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(BurstSink);
  BurstSink(sc_core::sc_module_name Name, Mesh &M, uint16_t X, uint16_t Y, uint64_t Interval,
            std::vector<Delivery> &Log)
      : sc_core::sc_module(Name), TheMesh(M), X(X), Y(Y), Interval(Interval), Log(Log) {
    SC_METHOD(run);
    sensitive << M.eject(X, Y).arrivalEvent();
    dont_initialize();
  }

private:
  void run() {
    EjectBuffer &E = TheMesh.eject(X, Y);
    uint64_t At = TheMesh.cycle();
    while (E.pending() > 0) {
      At = std::max({At, E.headReady(), NextAllowed});
      Message M;
      E.popAt(At, M);
      Log.push_back({M, E.lastArrivalCycle(), At, X, Y, TheMesh.period() * double(At)});
      NextAllowed = At + Interval;
    }
    next_trigger(E.arrivalEvent());
  }

  Mesh &TheMesh;
  uint16_t X, Y;
  uint64_t Interval;
  uint64_t NextAllowed = 0;
  std::vector<Delivery> &Log;
};

Message to(uint16_t X, uint16_t Y, uint64_t Id, uint32_t Bits) {
  Message M;
  M.X = X;
  M.Y = Y;
  M.Id = Id;
  M.Bits = Bits;
  return M;
}

/// B = 64 bits over W = 16 bits/cycle: S = 4; H = 3; so S - 1 + H = 6.
MeshConfig slowLinks(uint16_t W, uint16_t H) {
  MeshConfig C;
  C.Width = W;
  C.Height = H;
  C.Router.LinkBitsPerCycle = 16;
  C.Router.HopLatencyCycles = 3;
  C.Router.BufferDepth = 8;
  return C;
}

/// One sink per tile, popping every Interval cycles.
std::vector<std::unique_ptr<Sink>> sinks(Mesh &M, uint64_t Interval, std::vector<Delivery> &Log) {
  std::vector<std::unique_ptr<Sink>> S;
  for (uint16_t Y = 0; Y < M.config().Height; ++Y)
    for (uint16_t X = 0; X < M.config().Width; ++X)
      S.push_back(
          std::make_unique<Sink>(fmt::format("sink_{}_{}", X, Y).c_str(), M, X, Y, Interval, Log));
  return S;
}

void expectNoStalls(Mesh &M) {
  for (uint16_t Y = 0; Y < M.config().Height; ++Y)
    for (uint16_t X = 0; X < M.config().Width; ++X) {
      RouterStats S = M.router(X, Y).stats();
      CHECK(S.totalStallCycles() == 0);
      CHECK(S.InjectStallCycles == 0);
    }
}

} // namespace

TEST_CASE("router: a message to its own tile takes one traversal", "[systemc]") {
  quietKernel();
  Mesh M("mesh", slowLinks(1, 1));
  std::vector<Delivery> Log;
  auto S = sinks(M, 1, Log);
  M.inject(0, 0, to(0, 0, 7, 64), 5);
  sc_core::sc_start();
  M.checkProgress();
  REQUIRE(Log.size() == 1);
  // Injected at 5, granted the local output at 5, in the eject buffer at
  // 5 + (S - 1 + H) = 5 + (4 - 1 + 3) = 11.
  CHECK(Log[0].M.Id == 7);
  CHECK(Log[0].ArrivalCycle == 11);
  CHECK(Log[0].PopCycle == 11);
  CHECK(Log[0].M.InjectCycle == 5);
  CHECK(M.router(0, 0).stats().Forwarded[int(Dir::Local)] == 1);
  CHECK(M.inNetwork() == 0);
}

TEST_CASE("router: one hop east", "[systemc]") {
  quietKernel();
  Mesh M("mesh", slowLinks(2, 1));
  std::vector<Delivery> Log;
  auto S = sinks(M, 1, Log);
  M.inject(0, 0, to(1, 0, 1, 64), 0);
  sc_core::sc_start();
  M.checkProgress();
  REQUIRE(Log.size() == 1);
  // (0,0) sends east at 0; in (1,0)'s west buffer at 0 + 6 = 6; sent to the
  // local output at 6; in the eject buffer at 6 + 6 = 12.
  CHECK(Log[0].ArrivalCycle == 12);
  CHECK(Log[0].X == 1);
  CHECK(Log[0].Y == 0);
  RouterStats A = M.router(0, 0).stats(), B = M.router(1, 0).stats();
  CHECK(A.Forwarded[int(Dir::East)] == 1);
  CHECK(A.forwardedEastWest() == 1);
  CHECK(A.forwardedNorthSouth() == 0);
  CHECK(B.Forwarded[int(Dir::Local)] == 1);
  CHECK(B.MaxOccupancy[int(Dir::West)] == 1);
}

TEST_CASE("router: several hops go x first then y", "[systemc]") {
  quietKernel();
  MeshConfig C = slowLinks(4, 4);
  C.Router.ClockPeriodPs = 1250; // 800 MHz
  Mesh M("mesh", C);
  std::vector<Delivery> Log;
  auto S = sinks(M, 1, Log);
  M.inject(0, 0, to(3, 2, 1, 64), 2);
  sc_core::sc_start();
  M.checkProgress();
  REQUIRE(Log.size() == 1);
  // 3 hops east + 2 hops north = 5 links, 6 router traversals of
  // S - 1 + H = 6 cycles: 2 + 6 * 6 = 38. Time: 38 * 1.25 ns = 47.5 ns.
  CHECK(Log[0].ArrivalCycle == 38);
  CHECK(Log[0].PopCycle == 38);
  CHECK(Log[0].PopTime == sc_core::sc_time(47.5, sc_core::SC_NS));
  // The path: east along y = 0, then north along x = 3.
  CHECK(M.router(0, 0).stats().Forwarded[int(Dir::East)] == 1);
  CHECK(M.router(1, 0).stats().Forwarded[int(Dir::East)] == 1);
  CHECK(M.router(2, 0).stats().Forwarded[int(Dir::East)] == 1);
  CHECK(M.router(3, 0).stats().Forwarded[int(Dir::North)] == 1);
  CHECK(M.router(3, 1).stats().Forwarded[int(Dir::North)] == 1);
  CHECK(M.router(3, 2).stats().Forwarded[int(Dir::Local)] == 1);
  uint64_t EW = 0, NS = 0;
  for (uint16_t Y = 0; Y < 4; ++Y)
    for (uint16_t X = 0; X < 4; ++X) {
      EW += M.router(X, Y).stats().forwardedEastWest();
      NS += M.router(X, Y).stats().forwardedNorthSouth();
    }
  CHECK(EW == 3);
  CHECK(NS == 2);
  CHECK(M.router(0, 1).stats().Forwarded == std::array<uint64_t, NumDirs>{}); // not y first
}

TEST_CASE("router: a mesh of more than 64 routers times every message by hand", "[systemc]") {
  // 10 x 7 = 70 routers: the clock's per-cycle bit sets take two words,
  // and routers 64-69 (y = 6, x >= 4) sit in the second.
  quietKernel();
  Mesh M("mesh", slowLinks(10, 7));
  std::vector<Delivery> Log;
  auto S = sinks(M, 1, Log);
  // From router 0 to router 69: 9 links east, 6 north, 16 traversals of
  // S - 1 + H = 6 cycles: 2 + 16 * 6 = 98.
  M.inject(0, 0, to(9, 6, 1, 64), 2);
  // From router 65 (5,6) to router 0: 5 west along y = 6, 6 south along
  // x = 0 (no link shared with the first message): 3 + 12 * 6 = 75.
  M.inject(5, 6, to(0, 0, 2, 64), 3);
  // Router 69 asks for cycle 40, then for the earlier cycle 20, which
  // supersedes the first request: both messages still leave, each one
  // traversal after its inject cycle: 26 and 46.
  M.inject(9, 6, to(9, 6, 3, 64), 40);
  M.inject(9, 6, to(9, 6, 4, 64), 20);
  sc_core::sc_start();
  M.checkProgress();
  REQUIRE(Log.size() == 4);
  std::map<uint64_t, uint64_t> Arrival;
  for (const Delivery &D : Log)
    Arrival[D.M.Id] = D.ArrivalCycle;
  CHECK(Arrival == std::map<uint64_t, uint64_t>{{1, 98}, {2, 75}, {3, 46}, {4, 26}});
  CHECK(M.router(9, 5).stats().Forwarded[int(Dir::North)] == 1);
  CHECK(M.router(0, 1).stats().Forwarded[int(Dir::South)] == 1);
  CHECK(M.router(9, 6).stats().Forwarded[int(Dir::Local)] == 3);
  expectNoStalls(M);
  CHECK(M.inNetwork() == 0);
}

TEST_CASE("router: messages sharing one output are serialised", "[systemc]") {
  quietKernel();
  Mesh M("mesh", slowLinks(3, 1));
  std::vector<Delivery> Log;
  auto S = sinks(M, 1, Log);
  for (uint64_t K = 0; K < 5; ++K)
    M.inject(0, 0, to(2, 0, K, 64), 0);
  sc_core::sc_start();
  M.checkProgress();
  REQUIRE(Log.size() == 5);
  // The k-th message leaves (0,0) east at k * S = 4k (the link is busy S
  // cycles per message), reaches (1,0) at 4k + 6 where the east link has
  // just come free (the previous one left at 4(k-1) + 6 and held it 4
  // cycles), reaches (2,0) at 4k + 12 and its eject buffer at 4k + 18.
  for (uint64_t K = 0; K < 5; ++K) {
    CHECK(Log[K].M.Id == K);
    CHECK(Log[K].ArrivalCycle == 4 * K + 18);
  }
  CHECK(M.router(0, 0).stats().Forwarded[int(Dir::East)] == 5);
  CHECK(M.router(0, 0).stats().MaxOccupancy[int(Dir::Local)] == 5);
  CHECK(M.router(1, 0).stats().MaxOccupancy[int(Dir::West)] == 1);
  expectNoStalls(M);
}

TEST_CASE("router: round-robin among inputs competing for one output", "[systemc]") {
  quietKernel();
  Mesh M("mesh", slowLinks(3, 1));
  std::vector<Delivery> Log;
  auto S = sinks(M, 1, Log);
  // Three messages each from the west (tile 0), the east (tile 2) and the
  // local tile (1), all to tile 1, all injected at cycle 0.
  for (uint64_t K = 0; K < 3; ++K) {
    M.inject(0, 0, to(1, 0, 100 + K, 64), 0); // W_k
    M.inject(2, 0, to(1, 0, 200 + K, 64), 0); // E_k
    M.inject(1, 0, to(1, 0, 300 + K, 64), 0); // L_k
  }
  sc_core::sc_start();
  M.checkProgress();
  // W_k and E_k reach (1,0) at 4k + 6 (6, 10, 14); L_k wait there from 0.
  // The local output is granted every S = 4 cycles to the first waiting
  // input after the last one granted, in the order N, E, S, W, L:
  //   0: L0   4: L1 (W, E not there yet)   8: E0   12: W0   16: L2
  //   20: E1  24: W1   28: E2 (no L left)   32: W2
  // and each is in the eject buffer 6 cycles after its grant.
  std::vector<std::pair<uint64_t, uint64_t>> Expected = {{300, 6},  {301, 10}, {200, 14},
                                                         {100, 18}, {302, 22}, {201, 26},
                                                         {101, 30}, {202, 34}, {102, 38}};
  REQUIRE(Log.size() == Expected.size());
  for (size_t I = 0; I < Expected.size(); ++I) {
    INFO("delivery " << I);
    CHECK(Log[I].M.Id == Expected[I].first);
    CHECK(Log[I].ArrivalCycle == Expected[I].second);
  }
  RouterStats Mid = M.router(1, 0).stats();
  CHECK(Mid.Forwarded[int(Dir::Local)] == 9);
  // West: W0 in 6..12, W1 from 10, W2 from 14 (W1 leaves at 24): two at once.
  CHECK(Mid.MaxOccupancy[int(Dir::West)] == 2);
  CHECK(Mid.MaxOccupancy[int(Dir::East)] == 2);
  CHECK(Mid.MaxOccupancy[int(Dir::Local)] == 3);
  expectNoStalls(M);
}

TEST_CASE("router: back-pressure from a slow ejector delivers every message in order",
          "[systemc]") {
  quietKernel();
  MeshConfig C;
  C.Width = 2;
  C.Height = 1;
  C.Router.LinkBitsPerCycle = 32; // S = 1
  C.Router.HopLatencyCycles = 1;  // S - 1 + H = 1
  C.Router.BufferDepth = 2;
  C.EjectDepth = 1;
  Mesh M("mesh", C);
  std::vector<Delivery> Log;
  Sink Slow("slow", M, 1, 0, 4, Log); // pops at most every 4 cycles
  for (uint64_t K = 0; K < 6; ++K)
    M.inject(0, 0, to(1, 0, K, 32), 0);
  sc_core::sc_start();
  M.checkProgress();
  // Worked cycle by cycle (R0 = router (0,0), R1 = router (1,0)):
  //  0: R0 buffers m0 m1 (depth 2; m2..m5 wait: inject stall from 0),
  //     sends m0 east (credits 2 -> 1).
  //  1: R0 buffers m2, sends m1 (credits 0). R1 has m0, sends it local
  //     (eject credits 1 -> 0) and returns R0 a credit for 2.
  //  2: R0 +1 credit, buffers m3, sends m2 (credits 0). R1 has m1: no
  //     eject credit, stall from 2. Sink pops m0 (arrived 2), next pop >= 6.
  //  3: R0 buffers m4; head m3 has no credit: stall from 3. R1 gets the
  //     eject credit, sends m1 (stall 2..3 = 1), credit to R0 for 4.
  //  4: R0 sends m3 (stall 3..4 = 1). R1 head m2, link free, no credit:
  //     stall from 4.
  //  5: R0 buffers m5 (inject stall 0..5 = 5); head m4 no credit: stall from 5.
  //  6: sink pops m1 -> 7: R1 sends m2 (stall 4..7 = 3) -> 8: R0 sends m4
  //     (stall 5..8 = 3), R1 head m3 stalls from 8.
  //  From here one message per 4 cycles: pops at 10, 14, 18, 22; R1 sends
  //  at 11, 15, 19 (stalls 8..11, 12..15, 16..19 = 3 each); R0 sends m5 at
  //  12 (stall 9..12 = 3).
  // Eject arrivals 2, 4, 8, 12, 16, 20; pops 2, 6, 10, 14, 18, 22.
  std::vector<uint64_t> Arrivals = {2, 4, 8, 12, 16, 20}, Pops = {2, 6, 10, 14, 18, 22};
  REQUIRE(Log.size() == 6);
  for (uint64_t K = 0; K < 6; ++K) {
    INFO("message " << K);
    CHECK(Log[K].M.Id == K);
    CHECK(Log[K].ArrivalCycle == Arrivals[K]);
    CHECK(Log[K].PopCycle == Pops[K]);
  }
  RouterStats R0 = M.router(0, 0).stats(), R1 = M.router(1, 0).stats();
  CHECK(R0.StallCycles[int(Dir::East)] == 1 + 3 + 3);
  CHECK(R0.totalStallCycles() == 7);
  CHECK(R0.InjectStallCycles == 5);
  CHECK(R0.MaxOccupancy[int(Dir::Local)] == 2);
  CHECK(R1.StallCycles[int(Dir::Local)] == 1 + 3 + 3 + 3 + 3);
  CHECK(R1.totalStallCycles() == 13);
  CHECK(R1.MaxOccupancy[int(Dir::West)] == 2);
  CHECK(R0.Forwarded[int(Dir::East)] == 6);
  CHECK(R1.Forwarded[int(Dir::Local)] == 6);
}

TEST_CASE("router: random traffic on a 4x4 mesh is all delivered once and in order", "[systemc]") {
  quietKernel();
  MeshConfig C;
  C.Width = 4;
  C.Height = 4;
  C.Router.LinkBitsPerCycle = 32;
  C.Router.HopLatencyCycles = 2;
  C.Router.BufferDepth = 2;
  C.EjectDepth = 2;
  C.NoProgressCycles = 200;
  Mesh M("mesh", C);
  std::vector<Delivery> Log;
  auto S = sinks(M, 2, Log); // each tile takes one message every 2 cycles

  // 20000 messages, 32 or 64 bits, uniform random sources, destinations
  // and inject cycles in [0, 8000): 2.5 injections per cycle on 16 tiles,
  // enough to fill buffers and stall (checked below).
  const uint64_t Count = 20000, Window = 8000;
  std::mt19937_64 Rng(20261128);
  struct Planned {
    uint64_t Cycle;
    uint16_t SrcX, SrcY;
    Message M;
  };
  std::vector<Planned> Plan;
  for (uint64_t I = 0; I < Count; ++I) {
    Planned P;
    P.Cycle = Rng() % Window;
    P.SrcX = uint16_t(Rng() % 4);
    P.SrcY = uint16_t(Rng() % 4);
    P.M = to(uint16_t(Rng() % 4), uint16_t(Rng() % 4), 0, Rng() % 2 ? 64 : 32);
    Plan.push_back(P);
  }
  // Ids in injection order, so per source-destination pair the delivery
  // order must be the id order.
  std::stable_sort(Plan.begin(), Plan.end(),
                   [](const Planned &A, const Planned &B) { return A.Cycle < B.Cycle; });
  uint64_t Links = 0, EW = 0, NS = 0;
  for (uint64_t I = 0; I < Count; ++I) {
    Plan[I].M.Id = I;
    M.inject(Plan[I].SrcX, Plan[I].SrcY, Plan[I].M, Plan[I].Cycle);
    int DX = std::abs(int(Plan[I].M.X) - Plan[I].SrcX);
    int DY = std::abs(int(Plan[I].M.Y) - Plan[I].SrcY);
    EW += DX;
    NS += DY;
    Links += DX + DY;
  }

  auto Start = std::chrono::steady_clock::now();
  // Bound, in simulated cycles (deterministic): the load is below the
  // mesh's capacity (a sink takes 0.5 messages per cycle, a tile receives
  // about 0.16), so the mesh must drain within 1000 cycles of the last
  // injection; a livelock or lost credit would blow this.
  const uint64_t BoundCycles = Window + 1000;
  sc_core::sc_start(M.period() * double(BoundCycles));
  double Seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - Start).count();
  M.checkProgress();

  REQUIRE(Log.size() == Count);
  CHECK(M.inNetwork() == 0);
  std::vector<int> Seen(Count, 0);
  std::map<std::tuple<int, int, int, int>, uint64_t> LastId;
  bool OrderOk = true, PlaceOk = true, CauseOk = true;
  for (const Delivery &D : Log) {
    ++Seen[D.M.Id];
    const Planned &P = Plan[D.M.Id];
    PlaceOk &= D.X == P.M.X && D.Y == P.M.Y && D.M.SrcX == P.SrcX && D.M.SrcY == P.SrcY;
    // At least one traversal of S - 1 + H cycles per router on the path.
    uint64_t Ser = D.M.Bits / 32;
    uint64_t MinLatency =
        (std::abs(int(P.M.X) - P.SrcX) + std::abs(int(P.M.Y) - P.SrcY) + 1) * (Ser - 1 + 2);
    CauseOk &= D.ArrivalCycle >= P.Cycle + MinLatency;
    auto Key = std::make_tuple(P.SrcX, P.SrcY, int(P.M.X), int(P.M.Y));
    auto It = LastId.find(Key);
    if (It != LastId.end() && It->second >= D.M.Id)
      OrderOk = false;
    LastId[Key] = D.M.Id;
  }
  CHECK(PlaceOk);
  CHECK(OrderOk);
  CHECK(CauseOk);
  CHECK(std::all_of(Seen.begin(), Seen.end(), [](int N) { return N == 1; }));
  // Conservation: every message crosses exactly its x-then-y path.
  uint64_t FwdEW = 0, FwdNS = 0, FwdLocal = 0, Stalls = 0, InjectStalls = 0;
  for (uint16_t Y = 0; Y < 4; ++Y)
    for (uint16_t X = 0; X < 4; ++X) {
      RouterStats St = M.router(X, Y).stats();
      FwdEW += St.forwardedEastWest();
      FwdNS += St.forwardedNorthSouth();
      FwdLocal += St.Forwarded[int(Dir::Local)];
      Stalls += St.totalStallCycles();
      InjectStalls += St.InjectStallCycles;
      for (uint64_t Occ : St.MaxOccupancy)
        CHECK(Occ <= 2);
    }
  CHECK(FwdEW == EW);
  CHECK(FwdNS == NS);
  CHECK(FwdLocal == Count);
  CHECK(Log.back().PopCycle < BoundCycles);
  CHECK(Stalls > 0); // the traffic did exercise back-pressure
  // Measured, not asserted: simulation speed depends on the machine.
  std::printf("systemc stress: %llu messages (%llu router traversals) in %.3f s wall: "
              "%.0f messages/s; last delivery at cycle %llu; %llu stall cycles, %llu inject "
              "stall cycles\n",
              (unsigned long long)Count, (unsigned long long)(Links + Count), Seconds,
              double(Count) / Seconds, (unsigned long long)Log.back().PopCycle,
              (unsigned long long)Stalls, (unsigned long long)InjectStalls);
}

TEST_CASE("router: taking every known message at once, or running the routers ahead, gives "
          "the per-message cycles",
          "[systemc]") {
  // The same random traffic four times, drained by per-message sinks or by
  // burst sinks, with the router clock's run-ahead off or on: every message
  // must arrive and be taken at the same cycle, and every router must count
  // the same hops, stalls and occupancies. The traffic has quiet gaps longer
  // than the router clock's 64-cycle window (bursts at 0, 600 and 5000), so
  // far wake-ups and restarts are covered.
  struct Run {
    std::vector<Delivery> Log;
    std::vector<RouterStats> Stats;
  };
  auto Simulate = [](bool Burst, bool RunAhead) {
    quietKernel();
    MeshConfig C;
    C.RunAhead = RunAhead;
    C.Width = 3;
    C.Height = 2;
    C.Router.LinkBitsPerCycle = 16; // 32-bit messages: S = 2; 48-bit: S = 3
    C.Router.HopLatencyCycles = 1;
    C.Router.BufferDepth = 2;
    C.EjectDepth = 2;
    Mesh M("mesh", C);
    Run R;
    std::vector<std::unique_ptr<Sink>> Plain;
    std::vector<std::unique_ptr<BurstSink>> Bursts;
    for (uint16_t Y = 0; Y < 2; ++Y)
      for (uint16_t X = 0; X < 3; ++X) {
        const std::string Name = fmt::format("sink_{}_{}", X, Y);
        if (Burst)
          Bursts.push_back(std::make_unique<BurstSink>(Name.c_str(), M, X, Y, 5, R.Log));
        else
          Plain.push_back(std::make_unique<Sink>(Name.c_str(), M, X, Y, 5, R.Log));
      }
    std::mt19937_64 Rng(7);
    const uint64_t Starts[] = {0, 600, 5000};
    uint64_t Id = 0;
    for (uint64_t Start : Starts)
      for (int K = 0; K < 150; ++K) {
        Message Msg = to(uint16_t(Rng() % 3), uint16_t(Rng() % 2), Id++, Rng() % 2 ? 48 : 32);
        M.inject(uint16_t(Rng() % 3), uint16_t(Rng() % 2), Msg, Start + Rng() % 100);
      }
    sc_core::sc_start();
    M.checkProgress();
    for (uint16_t Y = 0; Y < 2; ++Y)
      for (uint16_t X = 0; X < 3; ++X)
        R.Stats.push_back(M.router(X, Y).stats());
    std::sort(R.Log.begin(), R.Log.end(),
              [](const Delivery &A, const Delivery &B) { return A.M.Id < B.M.Id; });
    return R;
  };
  const Run A = Simulate(false, false);
  REQUIRE(A.Log.size() == 450);
  uint64_t Stalls = 0;
  for (const RouterStats &St : A.Stats)
    Stalls += St.totalStallCycles();
  CHECK(Stalls > 0); // the sinks were slow enough to push back
  CHECK(A.Log.back().PopCycle > 5000);
  for (int Variant = 1; Variant < 4; ++Variant) {
    const bool Burst = Variant & 1, RunAhead = Variant & 2;
    INFO("burst sinks " << Burst << ", run-ahead " << RunAhead);
    const Run B = Simulate(Burst, RunAhead);
    REQUIRE(B.Log.size() == 450);
    bool Same = true;
    for (size_t K = 0; K < A.Log.size(); ++K)
      Same &= A.Log[K].M.Id == B.Log[K].M.Id && A.Log[K].ArrivalCycle == B.Log[K].ArrivalCycle &&
              A.Log[K].PopCycle == B.Log[K].PopCycle;
    CHECK(Same);
    for (size_t R = 0; R < A.Stats.size(); ++R) {
      INFO("router " << R);
      CHECK(A.Stats[R].Forwarded == B.Stats[R].Forwarded);
      CHECK(A.Stats[R].StallCycles == B.Stats[R].StallCycles);
      CHECK(A.Stats[R].MaxOccupancy == B.Stats[R].MaxOccupancy);
      CHECK(A.Stats[R].InjectStallCycles == B.Stats[R].InjectStallCycles);
    }
  }
}

TEST_CASE("router: a blocked ejector is reported as no progress and never hangs", "[systemc]") {
  quietKernel();
  MeshConfig C;
  C.Width = 3;
  C.Height = 1;
  C.Router.BufferDepth = 2;
  C.EjectDepth = 1;
  C.NoProgressCycles = 50;
  Mesh M("mesh", C);
  // No sink at (2,0): its eject buffer fills and is never drained.
  for (uint64_t K = 0; K < 10; ++K)
    M.inject(0, 0, to(2, 0, K, 32), 0);
  sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_MS));
  REQUIRE(M.stalled());
  // S = 1, H = 1, so a message moves one router per cycle. Router (0,0)
  // sends m0..m4 east at cycles 0..4 (credits come back one cycle after each
  // message moves on); router (1,0) sends m0..m2 at 1..3; router (2,0)
  // ejects m0 at 2 and has no eject credit after that. The last movement is
  // m6 entering router (0,0)'s local buffer at cycle 5 (m4 left it at 4).
  // Held then: eject (2,0) m0; router (2,0) west m1 m2; router (1,0) west
  // m3 m4; router (0,0) local m5 m6; m7..m9 in the inject queue. In the
  // network: m1..m6. The watchdog fires at 5 + 50 = 55.
  CHECK(M.cycle() == 55);
  CHECK(M.inNetwork() == 6);
  REQUIRE_THROWS_AS(M.checkProgress(), neuromesh::Error);
  std::string Report = M.stallReport();
  INFO(Report);
  using Catch::Matchers::Contains;
  CHECK_THAT(Report, Contains("no progress: 6 message(s) in the network and none moved for 50 "
                              "cycles (since cycle 5, now cycle 55)"));
  CHECK_THAT(Report, Contains("router (2,0) output local: no credit (downstream buffer full); "
                              "input west holds 2 message(s), head #1 from (0,0) to (2,0)"));
  CHECK_THAT(Report, Contains("router (1,0) output east: no credit"));
  CHECK_THAT(Report, Contains("router (0,0) output east: no credit"));
  CHECK_THAT(Report, Contains("router (0,0) local input: 3 message(s) waiting to be injected"));
  CHECK_THAT(Report, Contains("tile (2,0) eject buffer full (1 of 1) and not drained"));
  CHECK_THAT(Report, Contains("mesh.no_progress_cycles"));
}

TEST_CASE("router: bad parameters and messages off the mesh are errors", "[systemc]") {
  quietKernel();
  MeshConfig C;
  C.Router.BufferDepth = 0;
  CHECK_THROWS_WITH(C.validate(), "mesh.router.buffer_depth must be >= 1, got 0");
  C.Router.BufferDepth = 1;
  C.Router.LinkBitsPerCycle = 0;
  CHECK_THROWS_WITH(C.validate(), "mesh.link.bits_per_cycle must be >= 1, got 0");
  C.Router.LinkBitsPerCycle = 8;
  CHECK(C.Router.serialisationCycles(8) == 1);
  CHECK(C.Router.serialisationCycles(9) == 2);
  CHECK(C.Router.serialisationCycles(64) == 8);
  C.Width = 2;
  C.Height = 2;
  Mesh M("mesh", C);
  CHECK_THROWS_WITH(M.inject(0, 0, to(2, 0, 9, 32), 0),
                    Catch::Matchers::Contains("targets tile (2,0) outside the 2x2 mesh"));
  CHECK_THROWS_WITH(M.inject(0, 2, to(1, 1, 9, 32), 0),
                    Catch::Matchers::Contains("source tile (0,2) is outside"));
  Message Other = to(1, 1, 9, 32);
  Other.Chip = 1;
  CHECK_THROWS_WITH(M.inject(0, 0, Other, 0), Catch::Matchers::Contains("targets chip 1"));
}
