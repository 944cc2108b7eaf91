//===- Router.cpp - a mesh router -----------------------------------------===//
//
// One evaluation per cycle in which something can change. An evaluation at
// cycle n (1) takes in the messages and credits that are due by n, (2) moves
// ready messages from the source queue into the local input buffer while it
// has room, (3) for each output picks at most one waiting input, round-robin,
// if the link is free and a credit is held, and (4) asks to be woken at the
// next cycle anything can change. Every effect on another block lands in a
// later cycle, so evaluations within one cycle never see each other.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/systemc/Router.h"

#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <functional>
#include <limits>

namespace neuromesh::emulator::systemc {

const char *dirName(Dir D) {
  switch (D) {
  case Dir::North:
    return "north";
  case Dir::East:
    return "east";
  case Dir::South:
    return "south";
  case Dir::West:
    return "west";
  case Dir::Local:
    return "local";
  }
  return "?";
}

Dir opposite(Dir D) {
  switch (D) {
  case Dir::North:
    return Dir::South;
  case Dir::South:
    return Dir::North;
  case Dir::East:
    return Dir::West;
  case Dir::West:
    return Dir::East;
  case Dir::Local:
    return Dir::Local;
  }
  return Dir::Local;
}

void RouterConfig::validate() const {
  if (BufferDepth < 1)
    throw Error(fmt::format("mesh.router.buffer_depth must be >= 1, got {}", BufferDepth));
  if (LinkBitsPerCycle < 1)
    throw Error(fmt::format("mesh.link.bits_per_cycle must be >= 1, got {}", LinkBitsPerCycle));
  if (HopLatencyCycles < 1)
    throw Error(
        fmt::format("mesh.hop_latency_cycles must be >= 1, got {} (a hop takes at least a cycle)",
                    HopLatencyCycles));
  if (ClockPeriodPs < 1)
    throw Error(fmt::format("mesh.clock_period_ps must be >= 1, got {}", ClockPeriodPs));
}

uint64_t currentCycle(const sc_core::sc_time &Period) {
  return sc_core::sc_time_stamp().value() / Period.value();
}

RouterClock::RouterClock(sc_core::sc_module_name Name, const sc_core::sc_time &Period)
    : sc_core::sc_module(Name), Period(Period) {
  SC_METHOD(tick);
  sensitive << Tick;
  dont_initialize();
}

uint32_t RouterClock::add(Router &R) {
  Routers.push_back(&R);
  Requested.push_back(Never);
  // Widen the buckets' bit sets, keeping any request made so far.
  const size_t Wider = (Routers.size() + 63) / 64;
  if (Wider != Words) {
    std::vector<uint64_t> Grown(Window * Wider, 0);
    for (size_t B = 0; B < Window; ++B)
      for (size_t W = 0; W < Words; ++W)
        Grown[B * Wider + W] = Bits[B * Words + W];
    Bits.swap(Grown);
    Words = Wider;
    Now.assign(Words, 0);
  }
  return uint32_t(Routers.size() - 1);
}

void RouterClock::setDue(uint32_t Index, uint64_t Cycle) {
  bucket(Cycle)[Index / 64] |= uint64_t(1) << (Index % 64);
  Occupied |= uint64_t(1) << (Cycle % Window);
}

void RouterClock::request(uint32_t Index, uint64_t Cycle) {
  const uint64_t Was = Requested[Index];
  if (Cycle >= Was)
    return; // evaluated by then anyway, and it asks again for what it still needs
  Requested[Index] = Cycle;
  // The later request is superseded: clear its bit (if it is in the far
  // heap instead, the bit is clear already and the heap entry goes stale).
  if (Was != Never) {
    uint64_t *Old = bucket(Was);
    Old[Index / 64] &= ~(uint64_t(1) << (Index % 64));
    bool Empty = true;
    for (size_t W = 0; W < Words && Empty; ++W)
      Empty = Old[W] == 0;
    if (Empty)
      Occupied &= ~(uint64_t(1) << (Was % Window));
  }
  // Idle: the window may move up to the current cycle (every request is
  // at or after it, every bucket's cycle at or after the window's start).
  if (Occupied == 0 && Far.empty())
    Base = std::max(Base, currentCycle(Period));
  if (Cycle - Base < Window) {
    setDue(Index, Cycle);
  } else {
    Far.push_back({Cycle, Index});
    std::push_heap(Far.begin(), Far.end(), std::greater<Due>());
  }
  if (!InTick && Cycle < TickAt) {
    TickAt = Cycle;
    sc_core::sc_time At = Period * double(Cycle);
    sc_core::sc_time Now = sc_core::sc_time_stamp();
    assert(At >= Now && "a router cannot be woken in the past");
    Tick.notify(At - Now);
  }
}

// Run-ahead: a kernel activation per busy cycle costs more than the
// evaluations in it. Other processes act on the routers only through calls
// that take effect in a later cycle than their own, so cycles before the
// kernel's next other activity can be evaluated in this activation, with
// the kernel's time left behind (every call the routers make carries its
// own cycle). Without RunAhead, one cycle per activation.
void RouterClock::tick() {
  uint64_t N = currentCycle(Period);
  TickAt = Never;
  InTick = true;
  uint64_t Next = runCycle(N);
  while (RunAhead && Next != Never) {
    const sc_core::sc_time Other =
        sc_core::sc_time_stamp() + sc_core::sc_time_to_pending_activity();
    if (Period * double(Next) >= Other)
      break;
    N = Next;
    Next = runCycle(N);
  }
  InTick = false;
  if (Next != Never) {
    TickAt = Next;
    Tick.notify(Period * double(Next) - sc_core::sc_time_stamp());
  }
}

uint64_t RouterClock::runCycle(const uint64_t N) {
  // The window moves to [N, N + Window): nothing earlier is left (this is
  // the earliest request), and far requests that now fit move in.
  Base = N;
  while (!Far.empty() && Far.front().Cycle - Base < Window) {
    const Due D = Far.front();
    std::pop_heap(Far.begin(), Far.end(), std::greater<Due>());
    Far.pop_back();
    if (Requested[D.Index] == D.Cycle)
      setDue(D.Index, D.Cycle);
  }
  // Every effect of an evaluation lands in a later cycle (never in N's
  // bucket), so the routers of this cycle may run in any order; they run
  // in index order.
  const uint64_t *Bucket = bucket(N);
  std::copy(Bucket, Bucket + Words, Now.begin());
  std::fill(bucket(N), bucket(N) + Words, 0);
  Occupied &= ~(uint64_t(1) << (N % Window));
  for (size_t W = 0; W < Words; ++W)
    for (uint64_t Set = Now[W]; Set; Set &= Set - 1) {
      const uint32_t I = uint32_t(W * 64 + size_t(__builtin_ctzll(Set)));
      Requested[I] = Never;
      Routers[I]->evaluateAt(N);
    }
  // The next cycle with a live request: the first occupied bucket after N
  // in window order (buckets hold only live requests), or the far queue,
  // whose stale entries are dropped on the way.
  uint64_t Next = Never;
  if (Occupied != 0) {
    const unsigned From = unsigned((N + 1) % Window);
    const uint64_t Rotated =
        From == 0 ? Occupied : (Occupied >> From) | (Occupied << (Window - From));
    Next = N + 1 + uint64_t(__builtin_ctzll(Rotated));
  }
  while (!Far.empty() && Requested[Far.front().Index] != Far.front().Cycle) {
    std::pop_heap(Far.begin(), Far.end(), std::greater<Due>());
    Far.pop_back();
  }
  if (!Far.empty())
    Next = std::min(Next, Far.front().Cycle);
  return Next;
}

Router::Router(sc_core::sc_module_name Name, uint16_t X, uint16_t Y, const RouterConfig &Config,
               RouterClock &Clock, ProgressMonitor *Monitor)
    : sc_core::sc_module(Name), X(X), Y(Y), Config(Config), Monitor(Monitor), Clock(Clock),
      Period(double(Config.ClockPeriodPs), sc_core::SC_PS) {
  Config.validate();
  for (int D = 0; D < NumDirs; ++D) {
    Inputs[D].Owner = this;
    Inputs[D].Bit = 1u << D;
    Outputs[D].Owner = this;
    Outputs[D].Bit = 1u << D;
    Outputs[D].Credits = Config.BufferDepth;
  }
  Outputs[int(Dir::Local)].Bounded = false;
  ClockIndex = Clock.add(*this);
}

void Router::end_of_elaboration() {
  for (int D = 0; D < NumDirs; ++D) {
    NextInput[D] = Out[D].size() > 0 ? dynamic_cast<InputPort *>(Out[D].get_interface()) : nullptr;
    CreditTo[D] = CreditOut[D].size() > 0 ? dynamic_cast<OutputPort *>(CreditOut[D].get_interface())
                                          : nullptr;
  }
}

void Router::setOutputCredits(Dir D, uint32_t Credits) {
  Outputs[int(D)].Bounded = Credits != 0;
  Outputs[int(D)].Credits = Credits;
}

uint64_t Router::now() const { return currentCycle(Period); }

void Router::wakeAt(uint64_t Cycle) { Clock.request(ClockIndex, Cycle); }

void Router::InputPort::deliver(const Message &M, uint64_t ReadyCycle) {
  assert(ReadyCycle > Owner->now() && "a message must arrive in a later cycle");
  assert((Queue.empty() || Queue.back().Ready <= ReadyCycle) && "arrivals in order");
  // A message behind others in this port cannot move before they do, and
  // the first of them always has a wake of its own (see (4) in evaluate).
  const bool First = Queue.empty();
  Queue.push_back({ReadyCycle, M});
  Owner->Arriving |= Bit;
  if (First)
    Owner->wakeAt(ReadyCycle);
}

void Router::OutputPort::returnCredit(uint64_t ReadyCycle) {
  assert(ReadyCycle > Owner->now() && "a credit must arrive in a later cycle");
  CreditsComing.push_back(ReadyCycle);
  Owner->Crediting |= Bit;
  // Only a stalled output waits for the credit: otherwise the router is
  // woken anyway (for a busy input or link) or has nothing for this output,
  // and its next evaluation counts the credit. So a credit costs no
  // evaluation of its own unless it unblocks something.
  if (Stalled)
    Owner->wakeAt(ReadyCycle);
}

void Router::inject(const Message &M, uint64_t Cycle) {
  assert((!sc_core::sc_is_running() || Cycle > now()) &&
         "inject during simulation only into a later cycle");
  Source.push_back({Cycle, M});
  Source[Source.size() - 1].M.InjectCycle = Cycle;
  // Keep cycle order, equal cycles in call order. Injections come nearly
  // in order (a tile's port serves its messages in cycle order), so this
  // rarely moves anything.
  for (size_t I = Source.size() - 1; I > 0 && Source[I - 1].Cycle > Source[I].Cycle; --I)
    std::swap(Source[I - 1], Source[I]);
  wakeAt(Cycle);
}

Dir Router::route(const Message &M) const { return xyRoute(X, Y, M.X, M.Y); }

namespace {
/// The lowest set bit's index; Mask != 0.
inline int lowest(unsigned Mask) { return __builtin_ctz(Mask); }
} // namespace

void Router::evaluateAt(const uint64_t N) {
  // Bit masks of the ports with something in them keep an evaluation to
  // the few ports in use.
  // (1) Messages and credits due by now.
  for (unsigned Mask = Arriving; Mask; Mask &= Mask - 1) {
    const int I = lowest(Mask);
    InputPort &In = Inputs[I];
    const size_t Was = In.Taken;
    while (!In.incomingEmpty() && In.nextReady() <= N)
      ++In.Taken;
    if (In.Taken != Was) {
      if (Was == 0)
        In.HeadRoute = route(In.head());
      In.MaxOccupancy = std::max<uint64_t>(In.MaxOccupancy, In.Taken);
      Holding |= 1u << I;
    }
    if (In.incomingEmpty())
      Arriving &= ~(1u << I);
  }
  for (unsigned Mask = Crediting; Mask; Mask &= Mask - 1) {
    const int O = lowest(Mask);
    OutputPort &Out = Outputs[O];
    while (!Out.CreditsComing.empty() && Out.CreditsComing.front() <= N) {
      ++Out.Credits;
      Out.CreditsComing.pop_front();
    }
    if (Out.CreditsComing.empty())
      Crediting &= ~(1u << O);
  }

  // (2) Source queue into the local input buffer (nothing is ever on its
  // way to the local input, so its buffer is its whole queue).
  InputPort &LocalIn = Inputs[int(Dir::Local)];
  assert(LocalIn.incomingEmpty());
  while (!Source.empty() && Source.front().Cycle <= N && LocalIn.Taken < Config.BufferDepth) {
    if (LocalIn.bufferEmpty())
      LocalIn.HeadRoute = route(Source.front().M);
    LocalIn.Queue.push_back({N, Source.front().M});
    ++LocalIn.Taken;
    Source.pop_front();
    LocalIn.MaxOccupancy = std::max<uint64_t>(LocalIn.MaxOccupancy, LocalIn.Taken);
    Holding |= 1u << int(Dir::Local);
    if (Monitor) {
      Monitor->enter();
      Monitor->progress(N);
    }
  }
  bool InjectBlocked = !Source.empty() && Source.front().Cycle <= N;
  if (InjectBlocked && !InjectStalled) {
    InjectStalled = true;
    InjectStallStart = N;
  } else if (!InjectBlocked && InjectStalled) {
    InjectStalled = false;
    InjectStallCycles += N - InjectStallStart;
  }

  // (3) Arbitration: each output grants at most one input per cycle, the
  // first requester after the last one it granted (N, E, S, W, L order).
  // Each input requests exactly one output (its head's route) and is busy
  // for ceil(B/W) cycles once granted, so outputs do not interact.
  unsigned Requests[NumDirs] = {};
  unsigned Wanted = 0;
  for (unsigned Mask = Holding; Mask; Mask &= Mask - 1) {
    const int I = lowest(Mask);
    const InputPort &In = Inputs[I];
    if (In.BusyUntil <= N) {
      const int O = int(In.HeadRoute);
      Requests[O] |= 1u << I;
      Wanted |= 1u << O;
    }
  }
  // Outputs with a request, and stalled ones (to end their stall).
  for (unsigned Mask = Wanted | StalledOutputs; Mask; Mask &= Mask - 1) {
    const int O = lowest(Mask);
    OutputPort &Out = Outputs[O];
    int Winner = -1;
    if (Requests[O] != 0) {
      // The first requester after LastGrant in round-robin order: the
      // lowest request above it, else the lowest of all (wrapping).
      const unsigned After = Requests[O] & (~0u << (Out.LastGrant + 1));
      Winner = lowest(After != 0 ? After : Requests[O]);
    }
    bool LinkFree = Out.BusyUntil <= N;
    bool NoCredit = Out.Bounded && Out.Credits == 0;
    bool Blocked = Winner >= 0 && LinkFree && NoCredit;
    if (Blocked && !Out.Stalled) {
      Out.Stalled = true;
      Out.StallStart = N;
      StalledOutputs |= 1u << O;
    } else if (!Blocked && Out.Stalled) {
      Out.Stalled = false;
      Out.StallCycles += N - Out.StallStart;
      StalledOutputs &= ~(1u << O);
    }
    if (Winner < 0 || !LinkFree || NoCredit)
      continue;

    InputPort &In = Inputs[Winner];
    const Message &M = In.head();
    uint64_t S = Config.serialisationCycles(M.Bits);
    In.BusyUntil = N + S;
    Out.BusyUntil = N + S;
    if (Out.Bounded)
      --Out.Credits;
    Out.LastGrant = Winner;
    ++Out.Forwarded;
    // The slot this message held is free from the next cycle on.
    if (Winner != int(Dir::Local)) {
      if (OutputPort *Up = CreditTo[Winner])
        Up->OutputPort::returnCredit(N + 1);
      else if (CreditOut[Winner].size() > 0)
        CreditOut[Winner]->returnCredit(N + 1);
    }
    assert(this->Out[O].size() > 0 && "x-then-y routing never leaves the mesh");
    // Sent from the buffer in place (no other block's call reaches this
    // input), then popped.
    if (InputPort *Down = NextInput[O])
      Down->InputPort::deliver(M, N + S - 1 + Config.HopLatencyCycles);
    else
      this->Out[O]->deliver(M, N + S - 1 + Config.HopLatencyCycles);
    In.Queue.pop_front();
    if (--In.Taken == 0)
      Holding &= ~(1u << Winner);
    else
      In.HeadRoute = route(In.head());
    if (Monitor) {
      Monitor->progress(N);
      if (O == int(Dir::Local))
        Monitor->leave();
    }
  }

  // (4) The next cycle anything can change here. Messages and credits that
  // other blocks send later wake us themselves. An arrival behind a
  // buffered head, or a credit for an output nothing waits on, changes
  // nothing until something else wakes us: (1) then takes it in, before
  // (3) can move anything, so the result is the same as if it had been
  // taken in on its own cycle, and a saturated mesh is evaluated about once
  // per hop instead of once per arrival, credit and hop.
  uint64_t Next = std::numeric_limits<uint64_t>::max();
  for (unsigned Mask = Arriving & ~Holding; Mask; Mask &= Mask - 1)
    Next = std::min(Next, Inputs[lowest(Mask)].nextReady());
  for (unsigned Mask = Holding; Mask; Mask &= Mask - 1) {
    const InputPort &In = Inputs[lowest(Mask)];
    const OutputPort &Want = Outputs[int(In.HeadRoute)];
    uint64_t Free = std::max(In.BusyUntil, Want.BusyUntil);
    // Stalled already: the credit wakes us. Otherwise wake when the input
    // and link are free, to send or to start counting the stall.
    if (Want.Bounded && Want.Credits == 0 && Free <= N)
      continue;
    Next = std::min(Next, std::max(Free, N + 1));
  }
  for (unsigned Mask = Crediting & StalledOutputs; Mask; Mask &= Mask - 1)
    Next = std::min(Next, Outputs[lowest(Mask)].CreditsComing.front());
  if (!Source.empty()) {
    uint64_t First = Source.front().Cycle;
    if (First > N)
      Next = std::min(Next, First);
    else if (LocalIn.Taken < Config.BufferDepth)
      Next = std::min(Next, N + 1);
  }
  if (Next != std::numeric_limits<uint64_t>::max())
    wakeAt(Next);
}

RouterStats Router::stats() const {
  RouterStats S;
  uint64_t N = sc_core::sc_get_status() == sc_core::SC_ELABORATION ? 0 : now();
  for (int D = 0; D < NumDirs; ++D) {
    const OutputPort &Out = Outputs[D];
    S.Forwarded[D] = Out.Forwarded;
    S.StallCycles[D] = Out.StallCycles + (Out.Stalled ? N - Out.StallStart : 0);
    // Arrivals not yet taken in (see (4) in evaluate) count from their
    // cycle on; nothing left the buffer since, as only evaluations move
    // messages.
    S.MaxOccupancy[D] = std::max<uint64_t>(Inputs[D].MaxOccupancy, Inputs[D].held(N));
  }
  S.InjectStallCycles = InjectStallCycles + (InjectStalled ? N - InjectStallStart : 0);
  return S;
}

bool Router::holdsMessages() const {
  if (!Source.empty())
    return true;
  for (const InputPort &In : Inputs)
    if (!In.Queue.empty())
      return true;
  return false;
}

std::string Router::describeBlocked() const {
  std::string Text;
  for (int O = 0; O < NumDirs; ++O) {
    const OutputPort &Out = Outputs[O];
    std::string Waiting;
    for (int I = 0; I < NumDirs; ++I) {
      const InputPort &In = Inputs[I];
      if (In.bufferEmpty() || int(route(In.head())) != O)
        continue;
      const Message &H = In.head();
      Waiting += fmt::format("{}input {} holds {} message(s), head #{} from ({},{}) to ({},{})",
                             Waiting.empty() ? "" : "; ", dirName(Dir(I)), In.held(now()), H.Id,
                             H.SrcX, H.SrcY, H.X, H.Y);
    }
    if (Waiting.empty())
      continue;
    std::string Why = Out.Bounded && Out.Credits == 0 ? "no credit (downstream buffer full)"
                                                      : "link busy or waiting for arbitration";
    Text +=
        fmt::format("  router ({},{}) output {}: {}; {}\n", X, Y, dirName(Dir(O)), Why, Waiting);
  }
  if (!Source.empty())
    Text += fmt::format("  router ({},{}) local input: {} message(s) waiting to be injected\n", X,
                        Y, Source.size());
  return Text;
}

} // namespace neuromesh::emulator::systemc
