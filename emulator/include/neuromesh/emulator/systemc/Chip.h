//===- neuromesh/emulator/systemc/Chip.h - the chip model -------*- C++ -*-===//
//
// The SystemC model of a system of chips running an image: per chip a Mesh
// of routers, per tile a TileModule (the local port's arbiter and the
// ejector), per core a CoreModule, one HostInterface (chip 0, tile (0,0)),
// one ChipLinks block (a gateway per chip) and the mesh-wide Barrier.
//
// The modules hold only ports and processes; what they do is plain C++ in
// ChipModel, and a core's function is CoreState, the very code the
// functional engine runs. Timing comes from SystemCTiming and only annotates:
// it decides when a message moves, never what a core computes.
//
// A step, at cycle C0 (docs/systemc.md has the full protocol):
//  1. every core runs CoreState::update(t) and is busy for the latency of
//     its counted events; its k-th message (one per output address of a
//     fired neuron) is ready after the k-th message-out latency;
//  2. host spikes of step t are ready at the host interface one per
//     HostCyclesPerMessage cycles from C0;
//  3. each tile's local port takes one ready message per cycle (ties in
//     image core order, host last) into its router; messages to another
//     chip go to the source chip's gateway instead;
//  4. a tile's ejector takes arrived messages in order, each when its
//     target core is free, and the core absorbs it with CoreState::receive
//     (busy for message-in plus synaptic latencies);
//  5. when every core has finished and every message has been absorbed,
//     the barrier closes the step after the barrier latency.
// All receives of step t thus run before any update(t + 1) (CoreState's
// ordering contract).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/CoreState.h"
#include "neuromesh/emulator/systemc/Mesh.h"
#include "neuromesh/emulator/systemc/Timing.h"
#include "neuromesh/isa/Image.h"

#include <systemc>

#include <cstdint>
#include <memory>
#include <tuple>
#include <vector>

namespace neuromesh::emulator::systemc {

class ChipModel;

/// A message ready at its source (a core or the host interface), waiting
/// for the tile's local port or the chip's gateway.
struct Outgoing {
  uint64_t Ready = 0;  ///< cycle the source has it ready
  uint32_t Source = 0; ///< global core index; the host interface is numCores()
  uint32_t Seq = 0;    ///< its order among its source's messages this step
  Message M;
  /// The order ports and gateways serve messages in: ready cycle, then
  /// source, then sequence. Independent of the kernel's process order.
  bool operator<(const Outgoing &O) const {
    return std::tie(Ready, Source, Seq) < std::tie(O.Ready, O.Source, O.Seq);
  }
};

/// The mesh-wide barrier: counts what keeps the step open (a launch token
/// and every message not yet absorbed), remembers the last cycle any work
/// ends, and closes the step BarrierCycles after that.
class Barrier : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(Barrier);
  Barrier(sc_core::sc_module_name Name, const sc_core::sc_time &Period, uint64_t BarrierCycles);

  /// Opens a step at the current cycle; stepStart() fires in the next delta.
  /// Call between sc_start runs.
  void begin();
  /// Work ending at cycle End (a core's update and sends) keeps the step
  /// open until then.
  void workUntil(uint64_t End) {
    if (End > WorkEnd)
      WorkEnd = End;
  }
  /// N more messages must be absorbed before the step can close.
  void expect(uint64_t N) { Pending += N; }
  /// One expected message absorbed; its core is busy with it until End.
  void absorbed(uint64_t End);

  const sc_core::sc_event &stepStart() const { return StepStart; }
  bool finished() const { return Finished; }
  uint64_t startCycle() const { return Start; }
  /// The cycle the step closed (last work end + barrier latency).
  uint64_t endCycle() const { return End; }

private:
  void launch();
  void release();
  void finish();
  void close();

  sc_core::sc_time Period;
  uint64_t BarrierCycles;
  sc_core::sc_event StepStart, Released, Closed;
  uint64_t Pending = 0;
  uint64_t Start = 0, WorkEnd = 0, End = 0;
  bool Finished = true;
};

/// One core: at the start of each step it runs the core's update.
class CoreModule : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(CoreModule);
  CoreModule(sc_core::sc_module_name Name, ChipModel &Chip, uint32_t Index);

private:
  void update();
  ChipModel &Chip;
  uint32_t Index;
};

/// One tile: its local port's arbiter (messages of its cores, and at the
/// host tile the host's, into the router) and its ejector (arrived
/// messages to its cores).
class TileModule : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(TileModule);
  TileModule(sc_core::sc_module_name Name, ChipModel &Chip, uint32_t Index, EjectBuffer &Eject);
  /// Messages were submitted: arbitrate in the next delta.
  void submitted() { Submitted.notify(sc_core::SC_ZERO_TIME); }

private:
  void arbitrate();
  void eject();
  ChipModel &Chip;
  uint32_t Index;
  EjectBuffer &Eject;
  sc_core::sc_event Submitted;
};

/// The host interface: puts the step's host spikes on the host tile.
class HostInterface : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(HostInterface);
  HostInterface(sc_core::sc_module_name Name, ChipModel &Chip);

private:
  void send();
  ChipModel &Chip;
};

/// The chip-to-chip links: one gateway per chip, serving its outgoing
/// messages one at a time.
class ChipLinks : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(ChipLinks);
  ChipLinks(sc_core::sc_module_name Name, ChipModel &Chip);
  void submitted() { Submitted.notify(sc_core::SC_ZERO_TIME); }

private:
  void forward();
  ChipModel &Chip;
  sc_core::sc_event Submitted;
};

/// Totals of the model's traffic (counts and cycles).
struct ChipStats {
  uint64_t MeshMessages = 0;     ///< messages that entered a mesh (a gateway's count once per mesh)
  uint64_t HopsEastWest = 0;     ///< router-to-router hops in x
  uint64_t HopsNorthSouth = 0;   ///< router-to-router hops in y
  uint64_t ChipLinkMessages = 0; ///< messages through a gateway
  uint64_t HostMessages = 0;     ///< messages from the host interface
  uint64_t StallCycles = 0;      ///< router outputs waiting for a credit, summed
  uint64_t InjectStallCycles = 0; ///< local input buffers full with a message due, summed
};

/// The whole system of chips of an image. Build it, then per step: queue
/// host messages, beginStep, sc_start() until stepFinished().
class ChipModel : public sc_core::sc_module {
public:
  /// Img must be validated. Throws neuromesh::Error for bad timing.
  ChipModel(sc_core::sc_module_name Name, const isa::Image &Img, const SystemCTiming &Timing);
  ~ChipModel() override;

  /// Queues a host spike for the next step: to axon Axon of core Core
  /// (image order).
  void hostMessage(uint32_t Core, uint32_t Axon, int32_t Payload);
  /// Opens step Step at the current simulated time.
  void beginStep(uint64_t Step);
  bool stepFinished() const { return TheBarrier->finished(); }
  /// Completes the cores' work of a finished step (the deferred receives,
  /// see absorb()); call before reading cores or counters.
  void finishStep();
  /// Throws neuromesh::Error with the report if a mesh made no progress.
  void checkProgress() const;

  uint64_t stepStartCycle() const { return TheBarrier->startCycle(); }
  uint64_t stepEndCycle() const { return TheBarrier->endCycle(); }
  const sc_core::sc_time &period() const { return Period; }
  uint64_t cycle() const { return currentCycle(Period); }

  size_t numCores() const { return Cores.size(); }
  const CoreState &core(size_t I) const { return Cores[I].State; }
  const std::vector<FiredNeuron> &fired(size_t I) const { return Cores[I].Fired; }
  ChipStats stats() const;

  // The work of the processes (called by the modules above).
  const sc_core::sc_event &stepStart() const { return TheBarrier->stepStart(); }
  void updateCore(uint32_t Core);
  void sendHost();
  void arbitrateTile(uint32_t Tile);
  /// Absorbs the messages sent to Tile's eject buffer, each at the cycle
  /// it is taken; returns 0 to wait for the next arrival (else the cycles
  /// to wait for a busy core: not used now, every known message is taken).
  uint64_t ejectTile(uint32_t Tile, EjectBuffer &Eject);
  void forwardChipLinks();

private:
  struct CoreSlot {
    explicit CoreSlot(const isa::Core &C) : State(C) {}
    CoreState State;
    uint32_t Tile = 0;
    uint16_t Chip = 0;
    std::vector<uint32_t> RouteBegin; ///< per neuron, into Routes
    std::vector<Message> Routes;      ///< destination templates
    std::vector<FiredNeuron> Fired;   ///< this step
    uint64_t BusyUntil = 0;           ///< cycle the core is free
    /// Per input axon, the cycles a spike on it keeps the core busy.
    std::vector<uint32_t> AbsorbCycles;
    std::vector<AxonSpike> Deferred; ///< absorbed this step, not yet received
  };
  /// Takes M into core C (received at finishStep) and returns the cycles
  /// it keeps C busy.
  uint64_t absorb(CoreSlot &C, const Message &M);
  struct Tile {
    uint16_t Chip = 0, X = 0, Y = 0;
    std::vector<int32_t> SlotCore; ///< slot -> global core, -1 if empty
    std::vector<Outgoing> Out;     ///< submitted, not yet arbitrated
    uint64_t PortFree = 0;         ///< first cycle the local port is free
    uint64_t LastTaken = 0;        ///< cycle the ejector took its last message
    std::unique_ptr<TileModule> Module;
  };
  /// A message template to axon Axon of core Core (image order).
  Message messageTo(uint32_t Core, uint32_t Axon) const;
  uint32_t tileIndex(uint16_t Chip, uint16_t X, uint16_t Y) const {
    return (uint32_t(Chip) * H + Y) * W + X;
  }
  void submit(uint32_t TileIndex, const Outgoing &O);

  SystemCTiming Timing;
  sc_core::sc_time Period;
  uint16_t W = 1, H = 1;
  std::vector<CoreSlot> Cores;
  /// (chip, core within chip) -> global core index.
  std::vector<std::vector<uint32_t>> ChipCores;
  std::vector<Tile> Tiles;
  std::vector<std::unique_ptr<Mesh>> Meshes;
  std::vector<std::unique_ptr<CoreModule>> CoreModules;
  std::vector<isa::CoreLocation> Locations;    ///< per core, from the header
  std::vector<std::vector<Outgoing>> Gateways; ///< per source chip
  std::vector<uint64_t> GatewayFree;           ///< per chip, first free cycle
  std::unique_ptr<Barrier> TheBarrier;
  std::unique_ptr<HostInterface> Host;
  std::unique_ptr<ChipLinks> Links;
  std::vector<Outgoing> HostQueue;
  uint64_t Step = 0;
  uint64_t HostMessages = 0, ChipLinkMessages = 0;
};

} // namespace neuromesh::emulator::systemc
