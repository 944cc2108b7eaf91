//===- Chip.cpp - the chip model ------------------------------------------===//
//
// Delta order within the first instant of a step (cycle C0) is what keeps
// the model independent of the kernel's process order:
//   delta 1: StepStart: every CoreModule updates its core and submits its
//            messages, the HostPort submits the host's, the barrier
//            counts them all;
//   delta 2: every tile with submissions arbitrates them (in ready cycle,
//            source, sequence order, so the order cores submitted in does
//            not matter); the barrier drops its launch token;
// Every message enters a router at C0 + 1 or later, so the routers see
// nothing of this before the next cycle. Later, a message whose route
// leaves its chip is ejected in transit at the edge tile; the chip links
// take every crossing of that instant in the next delta, sorted by arrival
// cycle and tile, and put it on the next chip's mesh one cycle or more
// later.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/systemc/Chip.h"

#include "neuromesh/emulator/ThreadPool.h"
#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <thread>

namespace neuromesh::emulator::systemc {

//===- Barrier ------------------------------------------------------------===//

Barrier::Barrier(sc_core::sc_module_name Name, const sc_core::sc_time &Period,
                 uint64_t BarrierCycles)
    : sc_core::sc_module(Name), Period(Period), BarrierCycles(BarrierCycles) {
  SC_METHOD(launch);
  sensitive << StepStart;
  dont_initialize();
  SC_METHOD(release);
  sensitive << Released;
  dont_initialize();
  SC_METHOD(finish);
  sensitive << Closed;
  dont_initialize();
}

void Barrier::begin() {
  assert(Finished && "one step at a time");
  Start = currentCycle(Period);
  WorkEnd = Start;
  End = Start;
  Pending = 1; // the launch token: held until every source has submitted
  Finished = false;
  StepStart.notify(sc_core::SC_ZERO_TIME);
}

// Runs in the delta of the cores' updates; the token goes in the next one,
// after every core and the host have counted their messages.
void Barrier::launch() { Released.notify(sc_core::SC_ZERO_TIME); }

void Barrier::release() { absorbed(Start); }

void Barrier::absorbed(uint64_t EndCycle) {
  workUntil(EndCycle);
  assert(Pending > 0 && "absorbed more than expected");
  if (--Pending == 0)
    close();
}

void Barrier::close() {
  const uint64_t N = currentCycle(Period);
  assert(WorkEnd >= N && "work cannot end in the past");
  End = WorkEnd + BarrierCycles;
  Closed.notify(Period * double(End - N));
}

void Barrier::finish() { Finished = true; }

//===- Modules: ports and processes only ----------------------------------===//

CoreModule::CoreModule(sc_core::sc_module_name Name, ChipModel &Chip, uint32_t Index)
    : sc_core::sc_module(Name), Chip(Chip), Index(Index) {
  SC_METHOD(update);
  sensitive << Chip.stepStart();
  dont_initialize();
}

void CoreModule::update() { Chip.updateCore(Index); }

TileModule::TileModule(sc_core::sc_module_name Name, ChipModel &Chip, uint32_t Index,
                       EjectBuffer *Eject)
    : sc_core::sc_module(Name), Chip(Chip), Index(Index), Eject(Eject) {
  SC_METHOD(arbitrate);
  sensitive << Submitted;
  dont_initialize();
  if (!Eject)
    return;
  SC_METHOD(eject);
  sensitive << Eject->arrivalEvent();
  dont_initialize();
}

void TileModule::arbitrate() { Chip.arbitrateTile(Index); }

void TileModule::eject() {
  const uint64_t Wait = Chip.ejectTile(Index, *Eject);
  if (Wait == 0)
    next_trigger(Eject->arrivalEvent());
  else
    next_trigger(Chip.period() * double(Wait));
}

MeshRouting::MeshRouting(sc_core::sc_module_name Name, ChipModel &Chip)
    : sc_core::sc_module(Name), Chip(Chip) {
  SC_METHOD(route);
  sensitive << Submitted;
  dont_initialize();
}

void MeshRouting::route() { Chip.routeTransactions(); }

HostPort::HostPort(sc_core::sc_module_name Name, ChipModel &Chip)
    : sc_core::sc_module(Name), Chip(Chip) {
  SC_METHOD(send);
  sensitive << Chip.stepStart();
  dont_initialize();
}

void HostPort::send() { Chip.sendHost(); }

ChipLinks::ChipLinks(sc_core::sc_module_name Name, ChipModel &Chip)
    : sc_core::sc_module(Name), Chip(Chip) {
  SC_METHOD(forward);
  sensitive << Submitted;
  dont_initialize();
}

void ChipLinks::forward() { Chip.forwardChipLinks(); }

TraceSampler::TraceSampler(sc_core::sc_module_name Name, ChipModel &Chip)
    : sc_core::sc_module(Name), Chip(Chip) {
  SC_METHOD(sample);
  sensitive << Kick;
  dont_initialize();
}

void TraceSampler::sample() {
  sc_core::sc_time Wait;
  if (Chip.sampleTrace(Wait))
    next_trigger(Wait, Kick);
  else
    next_trigger(Kick);
}

//===- ChipModel ----------------------------------------------------------===//

ChipModel::ChipModel(sc_core::sc_module_name Name, const isa::Image &Img,
                     const SystemCTiming &TimingIn, std::shared_ptr<const NeuronJit> Jit,
                     bool RecordTrace, unsigned Threads)
    : sc_core::sc_module(Name), Timing(TimingIn),
      Period(double(TimingIn.ClockPeriodPs), sc_core::SC_PS) {
  Timing.validate();
  if (RecordTrace && Timing.ClockPeriodPs < 2)
    throw Error(fmt::format("traces need a mesh clock of at least 2 ps (mesh.clock_period), got "
                            "{} ps: the trace samples the routers between cycles",
                            Timing.ClockPeriodPs));
  assert(Img.Header.Cores.size() == Img.Cores.size() && "validated image");
  W = Img.Header.MeshWidth;
  H = Img.Header.MeshHeight;
  const uint16_t ImageChips = std::max<uint16_t>(1, Img.Header.NumChips);
  GridWidth = Timing.ChipGridWidth ? std::min<uint32_t>(Timing.ChipGridWidth, ImageChips)
                                   : ImageChips;
  GridRows = (ImageChips + GridWidth - 1) / GridWidth;
  if (size_t(GridWidth) * GridRows > UINT16_MAX)
    throw Error(fmt::format("systemc: a chip grid of {} x {} chips is more than the model "
                            "addresses ({})",
                            GridWidth, GridRows, UINT16_MAX));
  const uint16_t NumChips = uint16_t(GridWidth * GridRows);
  const size_t NumCores = Img.Cores.size();
  Locations = Img.Header.Cores;

  Cores.reserve(NumCores);
  for (const isa::Core &C : Img.Cores) {
    Cores.emplace_back(C);
    Cores.back().State.useJit(Jit);
  }
  ChipCores.resize(ImageChips);
  for (size_t G = 0; G < NumCores; ++G)
    ChipCores[Locations[G].Chip].push_back(uint32_t(G));

  Tiles.resize(size_t(NumChips) * W * H);
  for (uint16_t C = 0; C < NumChips; ++C)
    for (uint16_t Y = 0; Y < H; ++Y)
      for (uint16_t X = 0; X < W; ++X) {
        Tile &T = Tiles[tileIndex(C, X, Y)];
        T.Chip = C;
        T.X = X;
        T.Y = Y;
        T.SlotCore.assign(std::max<size_t>(1, Img.Header.CoresPerTile), -1);
      }
  for (size_t G = 0; G < NumCores; ++G) {
    const isa::CoreLocation &L = Locations[G];
    CoreSlot &C = Cores[G];
    C.Chip = L.Chip;
    C.Tile = tileIndex(L.Chip, L.X, L.Y);
    Tiles[C.Tile].SlotCore[L.Slot] = int32_t(G);
  }
  for (CoreSlot &C : Cores) {
    // What a spike on each axon costs the core, from the events a receive
    // counts (one CoreState, no second count of synapses): a payload of 0
    // adds nothing to the dendrites, so receiving one on every axon leaves
    // the core as it was but for its counters, which are then cleared.
    C.AbsorbCycles.resize(C.State.numAxons());
    for (uint32_t A = 0; A < C.State.numAxons(); ++A) {
      const CoreCounters Before = C.State.counters();
      C.State.receive(A, 0, 0);
      const uint64_t Cycles = Timing.cycles(Timing.Core.busyTime(C.State.counters() - Before));
      if (Cycles >= UINT32_MAX)
        throw Error(fmt::format("SystemC model: a spike on axon {} of core {} would keep the "
                                "core busy for {} cycles, more than the model counts ({}); "
                                "lower the synapse latencies or raise the clock period",
                                A, &C - Cores.data(), Cycles, UINT32_MAX - 1));
      C.AbsorbCycles[A] = uint32_t(Cycles);
    }
    C.State.resetCounters();
  }
  for (CoreSlot &C : Cores) {
    C.RouteBegin.reserve(size_t(C.State.numNeurons()) + 1);
    for (uint32_t N = 0; N < C.State.numNeurons(); ++N) {
      C.RouteBegin.push_back(uint32_t(C.Routes.size()));
      for (const isa::AxonAddress *A = C.State.outputsBegin(N); A != C.State.outputsEnd(N); ++A)
        C.Routes.push_back(destinationOf(ChipCores[A->Chip][A->Core], A->Axon));
    }
    C.RouteBegin.push_back(uint32_t(C.Routes.size()));
  }

  // The watchdog must not take a slow core for a deadlock: the longest a
  // message can wait at an ejector is one full update of its target core
  // plus one spike absorption, so the window is well above both.
  const double MaxSynapse =
      std::max({Timing.Core.SynapseSparse, Timing.Core.SynapseDense, Timing.Core.SynapseCrossbar});
  uint64_t MaxUpdate = 0, MaxSpike = 0;
  for (const CoreSlot &C : Cores) {
    CoreCounters All;
    All.NeuronUpdates = All.ActiveNeuronUpdates = All.DendriteReads = All.SpikesOut =
        C.State.numNeurons();
    All.MessagesOut = C.Routes.size();
    CoreCounters Idle = All;
    Idle.ActiveNeuronUpdates = 0;
    MaxUpdate = std::max({MaxUpdate, Timing.cycles(Timing.Core.busyTime(All)),
                          Timing.cycles(Timing.Core.busyTime(Idle))});
    for (uint32_t A = 0; A < C.State.numAxons(); ++A)
      MaxSpike = std::max(MaxSpike, Timing.cycles(Timing.Core.MessageIn +
                                                  double(C.State.axonFanIn(A)) * MaxSynapse));
  }
  MeshConfig MC;
  MC.Width = W;
  MC.Height = H;
  MC.Router = Timing.router();
  MC.EjectDepth = Timing.EjectDepth;
  MC.NoProgressCycles = std::max(Timing.NoProgressCycles, 2 * (MaxUpdate + MaxSpike) + 1000);
  MC.RunAhead = true; // the engine runs each step's sc_start() to the end

  TheBarrier = std::make_unique<Barrier>("barrier", Period, Timing.cycles(Timing.BarrierSeconds));
  for (uint16_t C = 0; C < NumChips; ++C) {
    MC.Chip = C;
    if (transactional())
      TMeshes.push_back(std::make_unique<TransactionMesh>(MC));
    else
      Meshes.push_back(std::make_unique<Mesh>(fmt::format("chip{}", C).c_str(), MC));
  }
  if (transactional())
    Routing = std::make_unique<MeshRouting>("routing", *this);
  for (uint32_t T = 0; T < Tiles.size(); ++T) {
    Tile &Tl = Tiles[T];
    Tl.Module = std::make_unique<TileModule>(
        fmt::format("tile_{}_{}_{}", Tl.Chip, Tl.X, Tl.Y).c_str(), *this, T,
        transactional() ? nullptr : &Meshes[Tl.Chip]->eject(Tl.X, Tl.Y));
  }
  for (uint32_t G = 0; G < NumCores; ++G)
    CoreModules.push_back(std::make_unique<CoreModule>(fmt::format("core{}", G).c_str(), *this, G));
  Host = std::make_unique<HostPort>("host", *this);
  LinkFree.assign(size_t(NumChips) * NumDirs, 0);
  Links = std::make_unique<ChipLinks>("links", *this);
  if (Threads == 0)
    Threads = std::max(1u, std::thread::hardware_concurrency());
  Threads = unsigned(std::min<size_t>(Threads, std::max<size_t>(NumCores, 1)));
  if (Threads > 1)
    Pool = std::make_unique<ThreadPool>(Threads);
  if (!RecordTrace)
    return;
  Trace = std::make_unique<ChipTrace>();
  Trace->ClockPeriodPs = Timing.ClockPeriodPs;
  for (const isa::CoreLocation &L : Locations)
    Trace->Cores.push_back({L.Chip, L.X, L.Y, L.Slot});
  for (const Tile &Tl : Tiles)
    Trace->Routers.push_back({Tl.Chip, Tl.X, Tl.Y, 0});
  // The transaction model records router spans from its reservations; the
  // cycle model's are sampled from the routers' counters.
  for (uint16_t C = 0; C < TMeshes.size(); ++C)
    TMeshes[C]->recordInto(&Trace->Links, tileIndex(C, 0, 0));
  if (transactional())
    return;
  Sampled.resize(Tiles.size());
  OpenStall.assign(Tiles.size() * NumDirs, -1);
  Sampler = std::make_unique<TraceSampler>("trace_sampler", *this);
}

ChipModel::~ChipModel() = default;

Destination ChipModel::destinationOf(uint32_t Core, uint32_t Axon) const {
  const isa::CoreLocation &L = Locations[Core];
  Destination D;
  D.Chip = L.Chip;
  D.X = L.X;
  D.Y = L.Y;
  D.Slot = L.Slot;
  D.Axon = Axon;
  // The ejector reads the cost from the message, not from a table of the
  // target core's axons: one cache miss less per message.
  D.Tag = Cores[Core].AbsorbCycles[Axon];
  return D;
}

Message ChipModel::message(const Outgoing &O) const {
  Message M;
  M.Chip = O.To.Chip;
  M.X = O.To.X;
  M.Y = O.To.Y;
  M.Slot = O.To.Slot;
  M.Axon = O.To.Axon;
  M.Tag = O.To.Tag;
  M.Payload = O.Payload;
  M.Id = O.Id;
  M.Bits = Timing.MessageBits;
  return M;
}

void ChipModel::hostMessage(uint32_t Core, uint32_t Axon, int32_t Payload) {
  Outgoing &O = HostQueue.emplace_back();
  O.To = destinationOf(Core, Axon);
  O.Payload = Payload;
}

unsigned ChipModel::numThreads() const { return Pool ? Pool->size() : 1; }

void ChipModel::forEachCore(const std::function<void(CoreSlot &)> &F) {
  if (!Pool) {
    for (CoreSlot &C : Cores)
      F(C);
    return;
  }
  // Handed out one core at a time: a core's work varies with its spikes.
  // Each call touches only its own core, so nothing depends on the thread.
  std::atomic<size_t> Next{0};
  Pool->run([&](unsigned) {
    for (size_t G; (G = Next.fetch_add(1, std::memory_order_relaxed)) < Cores.size();)
      F(Cores[G]);
  });
}

// A core's update of step t reads only its own state, which every receive
// of step t - 1 (finishStep) has written and nothing of step t writes before
// the update, so all updates can run here, before the kernel, instead of in
// the CoreModules' processes: the same results at the same cycles.
void ChipModel::beginStep(uint64_t S) {
  Step = S;
  forEachCore([S](CoreSlot &C) {
    const CoreCounters Before = C.State.counters();
    C.Fired.clear();
    C.State.update(S, C.Fired);
    C.Update = C.State.counters() - Before;
  });
  TheBarrier->begin();
}

void ChipModel::checkProgress() const {
  for (const auto &M : Meshes)
    M->checkProgress();
}

void ChipModel::updateCore(uint32_t Index) {
  CoreSlot &C = Cores[Index];
  const uint64_t C0 = TheBarrier->startCycle();
  // The update ran in beginStep.
  CoreCounters Update = C.Update;
  // The sends are timed one by one below.
  Update.MessagesOut = 0;
  const double Busy = Timing.Core.busyTime(Update);
  const double Send = Timing.Core.MessageOut;

  std::vector<Outgoing> &Out = Tiles[C.Tile].Out;
  Tiles[C.Tile].RunBegin.push_back(uint32_t(Out.size()));
  // A fired neuron's destinations are a cache miss each (the tables of
  // all cores are far larger than the caches): fetched a few neurons
  // ahead (first and last line), the misses overlap.
  // Two stages: the neuron's entry of RouteBegin 2 * Ahead neurons ahead,
  // its destinations Ahead neurons ahead.
  constexpr size_t Ahead = 6;
  const size_t NumFired = C.Fired.size();
  uint32_t Seq = 0;
  for (size_t I = 0; I < NumFired; ++I) {
    if (I + 2 * Ahead < NumFired)
      __builtin_prefetch(C.RouteBegin.data() + C.Fired[I + 2 * Ahead].Neuron);
    if (I + Ahead < NumFired) {
      const uint32_t N = C.Fired[I + Ahead].Neuron;
      const uint32_t Begin = C.RouteBegin[N], End = C.RouteBegin[N + 1];
      __builtin_prefetch(C.Routes.data() + Begin);
      if (End > Begin + 1)
        __builtin_prefetch(C.Routes.data() + End - 1);
    }
    const FiredNeuron &F = C.Fired[I];
    for (uint32_t R = C.RouteBegin[F.Neuron]; R < C.RouteBegin[F.Neuron + 1]; ++R) {
      Outgoing &O = Out.emplace_back();
      O.To = C.Routes[R];
      O.Payload = F.Payload;
      O.Id = uint64_t(Index) << 32 | Seq++;
      // The k-th message (k = Seq, from 1) is ready after k message-outs.
      O.Ready = C0 + Timing.cycles(Busy + double(Seq) * Send);
    }
  }
  C.BusyUntil = C0 + Timing.cycles(Busy + double(Seq) * Send);
  TheBarrier->workUntil(C.BusyUntil);
  if (Trace && C.BusyUntil > C0)
    Trace->CoreWork.push_back({Index, CoreWork::Update, {C0, C.BusyUntil}});
  if (Seq == 0) {
    Tiles[C.Tile].RunBegin.pop_back();
    return;
  }
  TheBarrier->expect(Seq);
  Tiles[C.Tile].Module->submitted();
}

void ChipModel::sendHost() {
  if (HostQueue.empty())
    return;
  const uint64_t C0 = TheBarrier->startCycle();
  const uint32_t HostTile = tileIndex(0, 0, 0);
  Tile &T = Tiles[HostTile];
  T.RunBegin.push_back(uint32_t(T.Out.size()));
  const uint64_t Source = Cores.size();
  for (uint32_t K = 0; K < HostQueue.size(); ++K) {
    Outgoing &O = T.Out.emplace_back(HostQueue[K]);
    O.Id = Source << 32 | K;
    O.Ready = C0 + uint64_t(K + 1) * Timing.HostCyclesPerMessage;
  }
  TheBarrier->expect(HostQueue.size());
  HostMessages += HostQueue.size();
  HostQueue.clear();
  T.Module->submitted();
}

void ChipModel::arbitrateTile(uint32_t Index) {
  Tile &T = Tiles[Index];
  const uint32_t Total = uint32_t(T.Out.size());
  // Transaction model: list the tile for routing once, however often it
  // arbitrates before the routing process runs.
  if (Routing && T.Arbitrated == 0 && Total > 0)
    Ordered.push_back(Index);
  // Served in Outgoing's order (ready cycle, source, sequence). Each run
  // (one source's messages) is in that order already, so a merge of the
  // runs' heads (a core per slot and the host: a few) replaces a sort.
  Runs.clear();
  for (size_t K = 0; K < T.RunBegin.size(); ++K) {
    const uint32_t End = K + 1 < T.RunBegin.size() ? T.RunBegin[K + 1] : Total;
    assert(std::is_sorted(T.Out.begin() + T.RunBegin[K], T.Out.begin() + End) &&
           "a source's messages are in the port's order");
    if (T.RunBegin[K] < End)
      Runs.push_back({T.RunBegin[K], End});
  }
  T.RunBegin.clear();
  // The local port takes one message per cycle, from C0 + 1 on.
  const uint64_t First = TheBarrier->startCycle() + 1;
  while (!Runs.empty()) {
    size_t Best = 0;
    for (size_t R = 1; R < Runs.size(); ++R)
      if (T.Out[Runs[R].Next] < T.Out[Runs[Best].Next])
        Best = R;
    const uint32_t K = Runs[Best].Next++;
    if (Runs[Best].Next == Runs[Best].End) {
      Runs[Best] = Runs.back();
      Runs.pop_back();
    }
    const Outgoing &O = T.Out[K];
    const uint64_t At = std::max({O.Ready, T.PortFree, First});
    T.PortFree = At + 1;
    if (O.To.Chip == T.Chip && O.To.X == T.X && O.To.Y == T.Y)
      ++WithinTile;
    if (Routing)
      T.Entered.push_back({At, K});
    else
      enterMesh(T.Chip, T.X, T.Y, message(O), At);
  }
  if (!Routing) {
    T.Out.clear();
    return;
  }
  // Kept for the routing process, which clears them.
  T.Arbitrated = Total;
  Routing->submitted();
}

void ChipModel::routeTransactions() {
  // The tiles' ordered messages, smallest (cycle, tile) first. Each tile's
  // are in increasing cycle, at most one a cycle (its port takes one a
  // cycle), so a counting sort by cycle, filled tile by tile in increasing
  // tile order, gives that order in three linear passes (a heap merge of
  // the tiles costs a log per message). Where the cycles are sparse, a sort.
  std::sort(Ordered.begin(), Ordered.end());
  uint64_t Lo = UINT64_MAX, Hi = 0;
  size_t N = 0;
  for (uint32_t T : Ordered) {
    const std::vector<Entering> &E = Tiles[T].Entered;
    if (E.empty())
      continue;
    Lo = std::min(Lo, E.front().Cycle);
    Hi = std::max(Hi, E.back().Cycle);
    N += E.size();
  }
  Merged.resize(N);
  if (N > 0 && Hi - Lo <= 2 * N + 4096) {
    Buckets.assign(Hi - Lo + 2, 0);
    for (uint32_t T : Ordered)
      for (const Entering &E : Tiles[T].Entered)
        ++Buckets[E.Cycle - Lo + 1];
    for (size_t B = 1; B < Buckets.size(); ++B)
      Buckets[B] += Buckets[B - 1];
    for (uint32_t T : Ordered)
      for (const Entering &E : Tiles[T].Entered)
        Merged[Buckets[E.Cycle - Lo]++] = {E.Cycle, T, E.Index};
  } else if (N > 0) {
    size_t K = 0;
    for (uint32_t T : Ordered)
      for (const Entering &E : Tiles[T].Entered)
        Merged[K++] = {E.Cycle, T, E.Index};
    std::sort(Merged.begin(), Merged.end());
  }
  // Merged with the crossings' re-entries; at equal (cycle, tile) the
  // port's message first.
  for (size_t Next = 0; Next < N || !Reentries.empty();) {
    const bool FromPort =
        Next < N && (Reentries.empty() || std::tie(Merged[Next].Cycle, Merged[Next].Tile) <=
                                              std::tie(Reentries.top().Cycle, Reentries.top().Tile));
    if (!FromPort) {
      const Reentry E = Reentries.top();
      Reentries.pop();
      const Tile &T = Tiles[E.Tile];
      routeOne(T.Chip, T.X, T.Y, E.Final, E.Cycle);
      continue;
    }
    const MergedEntry &E = Merged[Next++];
    const Tile &T = Tiles[E.Tile];
    routeOne(T.Chip, T.X, T.Y, message(T.Out[E.Index]), E.Cycle);
  }
  for (uint32_t T : Ordered) {
    Tile &Tl = Tiles[T];
    Tl.Entered.clear();
    // Messages submitted after the port ordered these (none today) stay.
    Tl.Out.erase(Tl.Out.begin(), Tl.Out.begin() + Tl.Arbitrated);
    for (uint32_t &B : Tl.RunBegin)
      B -= Tl.Arbitrated;
    Tl.Arbitrated = 0;
  }
  Ordered.clear();
}

void ChipModel::routeOne(uint32_t Chip, uint16_t X, uint16_t Y, const Message &Final,
                         uint64_t Cycle) {
  Message Leg = Final;
  const Dir Edge = nextLeg(Chip, X, Y, Final, Leg.X, Leg.Y);
  Leg.Chip = Chip;
  TransactionMesh &Mesh = *TMeshes[Chip];
  const uint64_t Arrived = Mesh.route(X, Y, Leg, Cycle);
  const uint32_t Index = tileIndex(uint16_t(Chip), Leg.X, Leg.Y);
  Tile &T = Tiles[Index];
  // Taken in arrival order (routing order is arrival order at one tile).
  const uint64_t At = std::max(Arrived, T.LastTaken);
  if (Edge == Dir::Local) {
    Mesh.taken(takeForCore(T, Final, At));
    return;
  }
  T.LastTaken = At;
  Mesh.taken(At);
  uint32_t Next = 0;
  uint16_t NX = 0, NY = 0;
  const uint64_t Enter = crossLink(Index, Final, At, Next, NX, NY);
  Reentries.push({Enter, tileIndex(uint16_t(Next), NX, NY), CrossingSeq++, Final});
}

Dir ChipModel::nextLeg(uint32_t Chip, uint16_t X, uint16_t Y, const Message &Final,
                       uint16_t &ToX, uint16_t &ToY) const {
  const uint32_t CX = Chip % GridWidth, CY = Chip / GridWidth;
  const uint32_t FX = Final.Chip % GridWidth, FY = Final.Chip / GridWidth;
  // x first over the whole grid: along this row to the chip's east or
  // west edge while the destination's chip column is elsewhere;
  if (FX != CX) {
    ToX = FX > CX ? uint16_t(W - 1) : 0;
    ToY = Y;
    return FX > CX ? Dir::East : Dir::West;
  }
  // then y, in the destination's column.
  ToX = Final.X;
  if (FY != CY) {
    ToY = FY > CY ? uint16_t(H - 1) : 0;
    return FY > CY ? Dir::North : Dir::South;
  }
  ToY = Final.Y;
  return Dir::Local;
}

/// Slot of a message in transit: ejected at an edge tile, for no core.
constexpr uint32_t TransitSlot = UINT32_MAX;

void ChipModel::enterMesh(uint32_t Chip, uint16_t X, uint16_t Y, const Message &Final,
                          uint64_t Cycle) {
  Message Leg = Final;
  const Dir Edge = nextLeg(Chip, X, Y, Final, Leg.X, Leg.Y);
  Leg.Chip = Chip;
  if (Edge != Dir::Local) {
    Leg.Slot = TransitSlot;
    InTransit[Final.Id] = Final;
  }
  Meshes[Chip]->inject(X, Y, Leg, Cycle);
  injected(Cycle);
}

// The shared eject buffer is taken in order, each message when it has
// arrived, its target core is free (a busy core holds up the messages behind
// its own) and the one before it has been taken. Every message already sent
// to the buffer has a known arrival cycle, and only this ejector makes its
// cores busy, so the cycle each one is taken is worked out here at once,
// not by waking for each: the buffer's credit still returns at that cycle
// plus one. One activation per burst of messages, not one per message.
uint64_t ChipModel::ejectTile(uint32_t Index, EjectBuffer &Eject) {
  Tile &T = Tiles[Index];
  uint64_t At = std::max(cycle(), T.LastTaken);
  while (Eject.pending() > 0) {
    const Message &Head = Eject.head();
    At = std::max(At, Eject.headReady());
    if (Head.Slot == TransitSlot) {
      // At the chip's edge, for the link to the next chip (served by
      // ChipLinks in the next delta).
      Message M;
      Eject.popAt(At, M);
      T.LastTaken = At;
      auto It = InTransit.find(M.Id);
      assert(It != InTransit.end() && "a message in transit has a destination");
      Crossings.push_back({At, Index, CrossingSeq++, It->second});
      Links->submitted();
      continue;
    }
    At = takeForCore(T, Head, At);
    Message M;
    Eject.popAt(At, M);
  }
  return 0;
}

uint64_t ChipModel::takeForCore(Tile &T, const Message &M, uint64_t At) {
  assert(M.Slot < T.SlotCore.size() && T.SlotCore[M.Slot] >= 0 &&
         "messages go to existing cores");
  const uint32_t Core = uint32_t(T.SlotCore[M.Slot]);
  CoreSlot &C = Cores[Core];
  // A pipelined core's synapse unit takes spikes in while its neuron
  // unit updates (a receive of step t writes only later ring slots, so
  // nothing the update reads).
  uint64_t &Busy = Timing.Core.SynapseOverlap ? C.SynapseBusyUntil : C.BusyUntil;
  At = std::max(At, Busy);
  T.LastTaken = At;
  ++Delivered;
  Busy = At + absorb(C, M);
  TheBarrier->absorbed(Busy);
  if (Trace)
    Trace->CoreWork.push_back({Core, CoreWork::Absorb, {At, Busy}});
  return At;
}

void ChipModel::injected(uint64_t Cycle) {
  if (!Trace)
    return;
  Injections.push(Cycle);
  Sampler->kick();
}

bool ChipModel::sampleTrace(sc_core::sc_time &Wait) {
  const sc_core::sc_time Now = sc_core::sc_time_stamp();
  const uint64_t C = cycle();
  const bool BetweenCycles = Now != Period * double(C);
  if (BetweenCycles) {
    // Everything cycle C did is in the counters now. A message granted an
    // output in C occupies its link for S cycles; a stall counted up to C
    // is extended or opened.
    const uint64_t S = Timing.router().serialisationCycles(Timing.MessageBits);
    for (uint32_t R = 0; R < Tiles.size(); ++R) {
      const RouterStats Cur = Meshes[Tiles[R].Chip]->router(Tiles[R].X, Tiles[R].Y).stats();
      RouterStats &Was = Sampled[R];
      for (uint8_t D = 0; D < NumDirs; ++D) {
        for (uint64_t K = Was.Forwarded[D]; K < Cur.Forwarded[D]; ++K)
          Trace->Links.push_back({R, D, false, {C, C + S}});
        const uint64_t Stalled = Cur.StallCycles[D] - Was.StallCycles[D];
        if (Stalled == 0)
          continue;
        int64_t &Open = OpenStall[size_t(R) * NumDirs + D];
        if (Open >= 0 && Trace->Links[size_t(Open)].Span.End >= C - Stalled) {
          Trace->Links[size_t(Open)].Span.End = C;
          continue;
        }
        Open = int64_t(Trace->Links.size());
        Trace->Links.push_back({R, D, true, {C - Stalled, C}});
      }
      Was = Cur;
    }
  }
  bool InFlight = false;
  for (const auto &M : Meshes)
    InFlight = InFlight || M->inNetwork() > 0;
  const uint64_t First = BetweenCycles ? C + 1 : C;
  uint64_t Next = First;
  if (!InFlight) {
    while (!Injections.empty() && Injections.top() < First)
      Injections.pop();
    if (Injections.empty())
      return false;
    Next = Injections.top();
  }
  const sc_core::sc_time Half(double(Timing.ClockPeriodPs / 2), sc_core::SC_PS);
  Wait = Period * double(Next) + Half - Now;
  return true;
}

void ChipModel::traceStep() {
  if (!Trace)
    return;
  const uint64_t End = TheBarrier->endCycle();
  Trace->Steps.push_back(
      {Step, TheBarrier->startCycle(), End - Timing.cycles(Timing.BarrierSeconds), End});
}

void ChipModel::forwardChipLinks() {
  // Across the link (one message at a time per chip edge, each holding it
  // for the chip link latency, at least a cycle) into the neighbouring
  // chip's edge tile, and on from there.
  std::sort(Crossings.begin(), Crossings.end());
  for (const Crossing &C : Crossings) {
    uint32_t Next = 0;
    uint16_t X = 0, Y = 0, ToX = 0, ToY = 0;
    const uint64_t Enter = crossLink(C.Tile, C.Final, C.Arrived, Next, X, Y);
    if (nextLeg(Next, X, Y, C.Final, ToX, ToY) == Dir::Local)
      InTransit.erase(C.Final.Id);
    enterMesh(Next, X, Y, C.Final, Enter);
  }
  Crossings.clear();
}

uint64_t ChipModel::crossLink(uint32_t TileIndex, const Message &Final, uint64_t Arrived,
                              uint32_t &Next, uint16_t &X, uint16_t &Y) {
  const Tile &T = Tiles[TileIndex];
  uint16_t ToX = 0, ToY = 0;
  const Dir Edge = nextLeg(T.Chip, T.X, T.Y, Final, ToX, ToY);
  assert(Edge != Dir::Local && ToX == T.X && ToY == T.Y && "ejected at the edge it crosses");
  Next = T.Chip;
  X = T.X;
  Y = T.Y;
  switch (Edge) {
  case Dir::East: Next += 1; X = 0; break;
  case Dir::West: Next -= 1; X = uint16_t(W - 1); break;
  case Dir::North: Next += GridWidth; Y = 0; break;
  case Dir::South: Next -= GridWidth; Y = uint16_t(H - 1); break;
  case Dir::Local: break;
  }
  const uint64_t Occupy = std::max<uint64_t>(1, Timing.cycles(Timing.ChipLinkSeconds));
  uint64_t &Free = LinkFree[size_t(T.Chip) * NumDirs + size_t(Edge)];
  Free = std::max(Arrived, Free) + Occupy;
  ++ChipLinkMessages;
  return Free;
}

// A spike's cost depends on its axon alone (the synapses it reaches and
// their encodings): AbsorbCycles, worked out when the model is built and
// carried in the message's Tag. So the receive itself can wait: spikes are
// queued and received together when the step ends, the functional engine's
// batched delivery (CoreState::receiveAll), which overlaps the memory
// latency of many synapse runs where one receive per message waits for each
// in turn. Receive order does not change the result, and every receive of
// step t still runs before any update(t + 1).
uint64_t ChipModel::absorb(CoreSlot &C, const Message &M) {
  assert(M.Tag == C.AbsorbCycles[M.Axon] && "destinationOf sets the cost");
  C.Deferred.push_back({M.Axon, M.Payload});
  return M.Tag;
}

void ChipModel::finishStep() {
  forEachCore([this](CoreSlot &C) {
    if (C.Deferred.empty())
      return;
    C.State.receiveAll(C.Deferred.data(), C.Deferred.data() + C.Deferred.size(), Step);
    C.Deferred.clear();
  });
}

RouterStats ChipModel::routerStats(uint16_t Chip, uint16_t X, uint16_t Y) const {
  return transactional() ? TMeshes[Chip]->stats(X, Y) : Meshes[Chip]->router(X, Y).stats();
}

ChipStats ChipModel::stats() const {
  ChipStats S;
  for (size_t C = 0; C < std::max(Meshes.size(), TMeshes.size()); ++C)
    for (uint16_t Y = 0; Y < H; ++Y)
      for (uint16_t X = 0; X < W; ++X) {
        const RouterStats R = routerStats(uint16_t(C), X, Y);
        S.HopsEastWest += R.forwardedEastWest();
        S.HopsNorthSouth += R.forwardedNorthSouth();
        S.StallCycles += R.totalStallCycles();
        S.InjectStallCycles += R.InjectStallCycles;
      }
  S.MeshMessages = Delivered;
  S.WithinTile = WithinTile;
  S.ChipLinkMessages = ChipLinkMessages;
  S.HostMessages = HostMessages;
  return S;
}

} // namespace neuromesh::emulator::systemc
