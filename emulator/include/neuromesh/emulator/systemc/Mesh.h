//===- neuromesh/emulator/systemc/Mesh.h - a mesh of routers ----*- C++ -*-===//
//
// Width x Height routers wired to their neighbours, an inject queue and an
// eject buffer per tile, and a watchdog that stops the simulation when
// messages are in the network and none has moved for a configurable number
// of cycles (possible only when eject buffers are bounded and not drained:
// x-then-y routing itself is deadlock-free). The chip model puts cores on
// the inject and eject sides; testbenches put traffic sources and sinks.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/systemc/Router.h"

#include <systemc>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace neuromesh::emulator::systemc {

/// The resolved mesh parameters.
struct MeshConfig {
  uint16_t Width = 1, Height = 1; ///< [mesh.width], [mesh.height]
  uint32_t Chip = 0;              ///< this chip's index; messages must target it
  RouterConfig Router;
  uint32_t EjectDepth = 0;           ///< [mesh.router.eject_depth] messages; 0 = unbounded
  uint64_t NoProgressCycles = 10000; ///< [mesh.no_progress_cycles] watchdog limit, >= 1
  /// Let the routers' clock evaluate several cycles in one activation while
  /// nothing else happens (RouterClock::allowRunAhead): for a driver that
  /// runs sc_start() until the simulation has nothing left to do.
  bool RunAhead = false;

  /// Throws neuromesh::Error naming the key of the first bad value.
  void validate() const;
};

/// The receiving end of a tile's local output: holds arrived messages until
/// the tile (a core, or a testbench sink) pops them. A pop frees a slot,
/// whose credit reaches the router in the next cycle.
class EjectBuffer : public sc_core::sc_module, public LinkIf {
public:
  EjectBuffer(sc_core::sc_module_name Name, uint32_t Depth, const sc_core::sc_time &Period);

  /// Credit return to the router's local output.
  sc_core::sc_port<CreditIf, 1, sc_core::SC_ZERO_OR_MORE_BOUND> CreditOut;

  void deliver(const Message &M, uint64_t ReadyCycle) override;
  /// Messages arrived by the current cycle and not yet popped.
  size_t available();
  /// Pops the oldest arrived message into M; false if none has arrived.
  bool pop(Message &M);
  /// The oldest arrived message, not popped; null if none has arrived.
  const Message *front();
  /// Notified in the cycle a message arrives at a buffer that holds none
  /// to pop: a consumer that found the buffer empty waits for it. (A
  /// consumer that left messages in it looks again on its own.)
  const sc_core::sc_event &arrivalEvent() const { return Arrived; }
  /// Messages sent to this buffer and not yet popped, arrived or not.
  size_t pending() const { return Entries.size(); }
  /// The oldest of them and the cycle it arrives (or arrived) in; pending()
  /// must be > 0.
  const Message &head() const { return Entries.front().M; }
  uint64_t headReady() const { return Entries.front().Ready; }
  /// Pops the oldest message into M as taken at cycle At, which must be no
  /// earlier than the current cycle and its arrival: the freed slot's
  /// credit reaches the router at At + 1. A consumer that knows when it
  /// will take each message (the chip's ejector) takes them all at once.
  void popAt(uint64_t At, Message &M);
  /// The cycle the last popped message arrived in.
  uint64_t lastArrivalCycle() const { return LastArrival; }
  uint32_t depth() const { return Depth; }

private:
  struct Entry {
    uint64_t Ready;
    Message M;
  };
  void settle();

  uint32_t Depth;
  sc_core::sc_time Period;
  Ring<Entry> Entries; ///< Ready ascending; the first Held have arrived
  size_t Held = 0;
  uint64_t LastArrival = 0;
  sc_core::sc_event Arrived;
};

/// A mesh of routers with per-tile inject and eject ports.
class Mesh : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(Mesh);
  Mesh(sc_core::sc_module_name Name, const MeshConfig &Config);

  Router &router(uint16_t X, uint16_t Y) { return *Routers[index(X, Y)]; }
  EjectBuffer &eject(uint16_t X, uint16_t Y) { return *Ejects[index(X, Y)]; }

  /// Queues M at tile (SrcX, SrcY) for Cycle (see Router::inject). Throws
  /// neuromesh::Error if the source or destination is not on this mesh.
  void inject(uint16_t SrcX, uint16_t SrcY, Message M, uint64_t Cycle);

  /// Messages between a local input buffer and an eject buffer.
  uint64_t inNetwork() const { return Monitor.InNetwork; }
  /// True once the watchdog found no progress (and called sc_stop).
  bool stalled() const { return Stalled; }
  /// The no-progress report: which routers and ports hold what.
  const std::string &stallReport() const { return Report; }
  /// Throws neuromesh::Error with the report if the watchdog fired. A test
  /// driver calls it after sc_start returns.
  void checkProgress() const;

  uint64_t cycle() const { return currentCycle(Period); }
  const sc_core::sc_time &period() const { return Period; }
  const MeshConfig &config() const { return Config; }

private:
  size_t index(uint16_t X, uint16_t Y) const { return size_t(Y) * Config.Width + X; }
  void watchdog();

  MeshConfig Config;
  sc_core::sc_time Period;
  ProgressMonitor Monitor;
  RouterClock Clock;
  std::vector<std::unique_ptr<Router>> Routers;
  std::vector<std::unique_ptr<EjectBuffer>> Ejects;
  bool Stalled = false;
  std::string Report;
};

} // namespace neuromesh::emulator::systemc
