//===- Mesh.cpp - a mesh of routers ---------------------------------------===//
//
// Wiring: each link is a pair of bindings, the message direction (an Out
// port to the neighbour's input buffer) and the credit direction (the
// neighbour's CreditOut to this router's output). The watchdog sleeps while
// the network is empty (its timer cancelled) and otherwise wakes once per
// no-progress window.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/systemc/Mesh.h"

#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <cassert>

namespace neuromesh::emulator::systemc {

void MeshConfig::validate() const {
  if (Width < 1)
    throw Error(fmt::format("mesh.width must be >= 1, got {}", Width));
  if (Height < 1)
    throw Error(fmt::format("mesh.height must be >= 1, got {}", Height));
  if (NoProgressCycles < 1)
    throw Error(fmt::format("mesh.no_progress_cycles must be >= 1, got {}", NoProgressCycles));
  Router.validate();
}

EjectBuffer::EjectBuffer(sc_core::sc_module_name Name, uint32_t Depth,
                         const sc_core::sc_time &Period)
    : sc_core::sc_module(Name), Depth(Depth), Period(Period) {}

void EjectBuffer::deliver(const Message &M, uint64_t ReadyCycle) {
  assert(ReadyCycle > currentCycle(Period) && "a message must arrive in a later cycle");
  assert((Entries.empty() || Entries.back().Ready <= ReadyCycle) && "arrivals in order");
  Entries.push_back({ReadyCycle, M});
  // The first message on its way to an empty buffer: the consumer waits
  // for it. Later ones are announced by settle() once the buffer is empty
  // again, so a buffer that is never drained dry costs no kernel events.
  if (Entries.size() == 1)
    Arrived.notify(Period * double(ReadyCycle) - sc_core::sc_time_stamp());
}

void EjectBuffer::settle() {
  uint64_t N = currentCycle(Period);
  while (Held < Entries.size() && Entries[Held].Ready <= N)
    ++Held;
  // Nothing to pop: announce the next message still on its way (an event
  // keeps only its earliest pending notification).
  if (Held == 0 && !Entries.empty())
    Arrived.notify(Period * double(Entries[0].Ready) - sc_core::sc_time_stamp());
}

size_t EjectBuffer::available() {
  settle();
  return Held;
}

bool EjectBuffer::pop(Message &M) {
  settle();
  if (Held == 0)
    return false;
  M = Entries.front().M;
  LastArrival = Entries.front().Ready;
  Entries.pop_front();
  if (--Held == 0 && !Entries.empty())
    Arrived.notify(Period * double(Entries[0].Ready) - sc_core::sc_time_stamp());
  // The freed slot can be refilled from the next cycle on.
  if (Depth > 0 && CreditOut.size() > 0)
    CreditOut->returnCredit(currentCycle(Period) + 1);
  return true;
}

void EjectBuffer::popAt(uint64_t At, Message &M) {
  settle();
  assert(!Entries.empty() && At >= Entries.front().Ready && At >= currentCycle(Period) &&
         "a message is taken after it arrives, and not in the past");
  M = Entries.front().M;
  LastArrival = Entries.front().Ready;
  Entries.pop_front();
  if (Held > 0)
    --Held;
  if (Depth > 0 && CreditOut.size() > 0)
    CreditOut->returnCredit(At + 1);
  if (Held == 0 && !Entries.empty())
    Arrived.notify(Period * double(Entries[0].Ready) - sc_core::sc_time_stamp());
}

const Message *EjectBuffer::front() {
  settle();
  return Held == 0 ? nullptr : &Entries.front().M;
}

Mesh::Mesh(sc_core::sc_module_name Name, const MeshConfig &Config)
    : sc_core::sc_module(Name), Config(Config),
      Period(double(Config.Router.ClockPeriodPs), sc_core::SC_PS), Clock("clock", Period) {
  Config.validate();
  Clock.allowRunAhead(Config.RunAhead);
  for (uint16_t Y = 0; Y < Config.Height; ++Y) {
    for (uint16_t X = 0; X < Config.Width; ++X) {
      Routers.push_back(std::make_unique<Router>(fmt::format("router_{}_{}", X, Y).c_str(), X, Y,
                                                 Config.Router, Clock, &Monitor));
      Ejects.push_back(std::make_unique<EjectBuffer>(fmt::format("eject_{}_{}", X, Y).c_str(),
                                                     Config.EjectDepth, Period));
    }
  }
  // One direction of a link: A's output D feeds B's input opposite(D).
  auto Connect = [](Router &A, Dir D, Router &B) {
    Dir Back = opposite(D);
    A.Out[int(D)].bind(B.input(Back));
    B.CreditOut[int(Back)].bind(A.creditSink(D));
  };
  for (uint16_t Y = 0; Y < Config.Height; ++Y) {
    for (uint16_t X = 0; X < Config.Width; ++X) {
      Router &R = router(X, Y);
      if (X + 1 < Config.Width) {
        Connect(R, Dir::East, router(X + 1, Y));
        Connect(router(X + 1, Y), Dir::West, R);
      }
      if (Y + 1 < Config.Height) {
        Connect(R, Dir::North, router(X, Y + 1));
        Connect(router(X, Y + 1), Dir::South, R);
      }
      EjectBuffer &E = eject(X, Y);
      R.Out[int(Dir::Local)].bind(E);
      E.CreditOut.bind(R.creditSink(Dir::Local));
      R.setOutputCredits(Dir::Local, Config.EjectDepth);
    }
  }
  SC_METHOD(watchdog);
  sensitive << Monitor.Activity << Monitor.Deadline;
  dont_initialize();
}

void Mesh::inject(uint16_t SrcX, uint16_t SrcY, Message M, uint64_t Cycle) {
  if (SrcX >= Config.Width || SrcY >= Config.Height)
    throw Error(fmt::format("mesh inject: source tile ({},{}) is outside the {}x{} mesh", SrcX,
                            SrcY, Config.Width, Config.Height));
  if (M.Chip != Config.Chip)
    throw Error(fmt::format("mesh inject: message #{} targets chip {}, this mesh is chip {} "
                            "(chip-to-chip links are not modelled here)",
                            M.Id, M.Chip, Config.Chip));
  if (M.X >= Config.Width || M.Y >= Config.Height)
    throw Error(fmt::format("mesh inject: message #{} targets tile ({},{}) outside the {}x{} mesh",
                            M.Id, M.X, M.Y, Config.Width, Config.Height));
  if (M.Bits < 1)
    throw Error(fmt::format("mesh inject: message #{} has 0 bits, must be >= 1", M.Id));
  M.SrcX = SrcX;
  M.SrcY = SrcY;
  router(SrcX, SrcY).inject(M, Cycle);
}

void Mesh::checkProgress() const {
  if (Stalled)
    throw Error(Report);
}

void Mesh::watchdog() {
  if (Stalled)
    return;
  if (Monitor.InNetwork == 0)
    return; // woken again by Activity
  uint64_t N = cycle();
  uint64_t Deadline = Monitor.LastProgressCycle + Config.NoProgressCycles;
  if (N < Deadline) {
    Monitor.Deadline.notify(Period * double(Deadline - N));
    return;
  }
  Report = fmt::format("{}: no progress: {} message(s) in the network and none moved for {} "
                       "cycles (since cycle {}, now cycle {}); blocked ports:\n",
                       name(), Monitor.InNetwork, N - Monitor.LastProgressCycle,
                       Monitor.LastProgressCycle, N);
  for (const auto &R : Routers)
    Report += R->describeBlocked();
  for (uint16_t Y = 0; Y < Config.Height; ++Y)
    for (uint16_t X = 0; X < Config.Width; ++X) {
      EjectBuffer &E = eject(X, Y);
      if (E.depth() > 0 && E.available() >= E.depth())
        Report += fmt::format("  tile ({},{}) eject buffer full ({} of {}) and not drained\n", X, Y,
                              E.available(), E.depth());
    }
  Report += "drain the eject buffers, or raise mesh.no_progress_cycles if the tiles are only slow";
  Stalled = true;
  sc_core::sc_stop();
}

} // namespace neuromesh::emulator::systemc
