//===- neuromesh/emulator/systemc/Chip.h - the chip model -------*- C++ -*-===//
//
// The SystemC model of a system of chips running an image: per chip a mesh
// (mesh.model: a Mesh of cycle-level routers, or a TransactionMesh of
// reservations routed by one MeshRouting process), per tile a TileModule
// (the local port's arbiter and, under the cycle model, the ejector), per
// core a CoreModule, one HostPort (where the host's spikes enter: chip 0,
// tile (0,0)), one ChipLinks block (a link per chip edge) and the
// mesh-wide Barrier.
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
//     image core order, host last) into its router; a message routes x
//     then y over the grid of all chips (as the energy model counts it):
//     where it leaves a chip it is ejected at the edge tile, crosses the
//     chip link and enters the next chip's mesh at the facing edge tile;
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
#include "neuromesh/emulator/systemc/Trace.h"
#include "neuromesh/emulator/systemc/TransactionMesh.h"
#include "neuromesh/isa/Image.h"

#include <systemc>

#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace neuromesh::emulator {
class ThreadPool;
}

namespace neuromesh::emulator::systemc {

class ChipModel;

/// Where a spike message goes and what it costs there: a core's route
/// table holds one per output address (a third of a Message: the tables of
/// a large chip are far larger than the caches, and every fired neuron
/// reads its own).
struct Destination {
  uint16_t Chip = 0, X = 0, Y = 0; ///< the target core's tile
  uint8_t Slot = 0;                ///< the target core within it
  uint32_t Axon = 0;               ///< its input axon
  uint32_t Tag = 0;                ///< cycles a spike on it keeps the core busy
};
static_assert(sizeof(Destination) == 16, "Destination grew: check the field order");

/// A message ready at its source (a core or the host interface), waiting
/// for the tile's local port. The port's order is ready cycle, then source,
/// then sequence: (Ready, Id), Id being source << 32 | sequence.
struct Outgoing {
  uint64_t Ready = 0; ///< cycle the source has it ready
  uint64_t Id = 0;    ///< the source (global core index; the host is numCores()) << 32 | its order
  Destination To;
  int32_t Payload = 1;
  bool operator<(const Outgoing &O) const { return Ready != O.Ready ? Ready < O.Ready : Id < O.Id; }
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
/// host tile the host's, into the router) and, under the cycle model, its
/// ejector (arrived messages to its cores). Eject is null under the
/// transaction model, whose routing process takes each message as it
/// routes it.
class TileModule : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(TileModule);
  TileModule(sc_core::sc_module_name Name, ChipModel &Chip, uint32_t Index, EjectBuffer *Eject);
  /// Messages were submitted: arbitrate in the next delta.
  void submitted() { Submitted.notify(sc_core::SC_ZERO_TIME); }

private:
  void arbitrate();
  void eject();
  ChipModel &Chip;
  uint32_t Index;
  EjectBuffer *Eject;
  sc_core::sc_event Submitted;
};

/// The transaction model's initiator: once every tile's local port has
/// ordered its messages (a delta after they were submitted), routes them
/// all, each as one transaction over its whole path, in the order they
/// enter the mesh (ChipModel::routeTransactions).
class MeshRouting : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(MeshRouting);
  MeshRouting(sc_core::sc_module_name Name, ChipModel &Chip);
  /// A tile's port ordered its messages: route in the next delta.
  void submitted() { Submitted.notify(sc_core::SC_ZERO_TIME); }

private:
  void route();
  ChipModel &Chip;
  sc_core::sc_event Submitted;
};

/// The host interface: puts the step's host spikes on the host tile.
class HostPort : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(HostPort);
  HostPort(sc_core::sc_module_name Name, ChipModel &Chip);

private:
  void send();
  ChipModel &Chip;
};

/// The chip-to-chip links: messages ejected in transit at a chip's edge
/// tiles cross to the neighbouring chip, one message at a time per chip
/// edge. Crossings are collected by the ejectors and served here in the
/// next delta, sorted, so the order never depends on the kernel's.
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

/// Samples the routers' counters for the trace, half a cycle after each
/// cycle in which messages are in a mesh (so every router has acted in
/// that cycle, whatever the kernel's process order), and sleeps while the
/// meshes are empty until the next injection.
class TraceSampler : public sc_core::sc_module {
public:
  SC_HAS_PROCESS(TraceSampler);
  TraceSampler(sc_core::sc_module_name Name, ChipModel &Chip);
  /// An injection was scheduled: look again.
  void kick() { Kick.notify(sc_core::SC_ZERO_TIME); }

private:
  void sample();
  ChipModel &Chip;
  sc_core::sc_event Kick;
};

/// Totals of the model's traffic (counts and cycles).
struct ChipStats {
  uint64_t MeshMessages = 0;     ///< messages delivered to a core
  uint64_t WithinTile = 0;       ///< of them, from a source in the destination's tile
  uint64_t HopsEastWest = 0;     ///< router-to-router hops in x
  uint64_t HopsNorthSouth = 0;   ///< router-to-router hops in y
  uint64_t ChipLinkMessages = 0; ///< chip-to-chip link traversals
  uint64_t HostMessages = 0;     ///< messages from the host interface
  uint64_t StallCycles = 0;      ///< router outputs waiting for a credit, summed
  uint64_t InjectStallCycles = 0; ///< local input buffers full with a message due, summed
};

/// The whole system of chips of an image. Build it, then per step: queue
/// host messages, beginStep, sc_start() until stepFinished().
class ChipModel : public sc_core::sc_module {
public:
  /// Img must be validated. Throws neuromesh::Error for bad timing.
  /// With Jit, the cores update their neurons with its compiled programs
  /// (CoreState::useJit). With RecordTrace the model records its activity
  /// (trace()), which needs a mesh clock of at least 2 ps (samples fall
  /// between cycles). Threads (EngineOptions::Threads: 0 = one per
  /// hardware thread) run the cores' updates and receives; the timing and
  /// the mesh stay on the kernel's thread.
  ChipModel(sc_core::sc_module_name Name, const isa::Image &Img, const SystemCTiming &Timing,
            std::shared_ptr<const NeuronJit> Jit = nullptr, bool RecordTrace = false,
            unsigned Threads = 1);
  ~ChipModel() override;

  /// Queues a host spike for the next step: to axon Axon of core Core
  /// (image order).
  void hostMessage(uint32_t Core, uint32_t Axon, int32_t Payload);
  /// Opens step Step at the current simulated time: runs every core's
  /// update of the step (on the threads), to be timed and sent by its
  /// CoreModule when the step starts.
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
  /// Threads that update and receive (the option resolved).
  unsigned numThreads() const;
  const CoreState &core(size_t I) const { return Cores[I].State; }
  const std::vector<FiredNeuron> &fired(size_t I) const { return Cores[I].Fired; }
  ChipStats stats() const;
  /// The counters of the router of tile (X, Y) of chip Chip.
  RouterStats routerStats(uint16_t Chip, uint16_t X, uint16_t Y) const;
  /// The recorded activity; null unless built with RecordTrace.
  const ChipTrace *trace() const { return Trace.get(); }
  /// Records the step just finished (call after stepFinished()).
  void traceStep();

  // The work of the processes (called by the modules above).
  const sc_core::sc_event &stepStart() const { return TheBarrier->stepStart(); }
  void updateCore(uint32_t Core);
  void sendHost();
  void arbitrateTile(uint32_t Tile);
  /// Takes the messages sent to Tile's eject buffer, each at the cycle it
  /// is taken: absorbs those for its cores and passes those in transit to
  /// their chip link; returns 0 to wait for the next arrival (else the
  /// cycles to wait for a busy core: not used now, every known message is
  /// taken).
  uint64_t ejectTile(uint32_t Tile, EjectBuffer &Eject);
  /// Sends the collected crossings over their chip links.
  void forwardChipLinks();
  /// The transaction model's routing: every message the tiles' ports have
  /// ordered, and the chip-link crossings they lead to, in the order they
  /// enter a mesh (cycle, then tile, then the port's order; a crossing's
  /// re-entry after a port's messages of the same cycle and tile).
  void routeTransactions();
  /// The trace sampler's work: samples if between cycles, and sets Wait to
  /// the time of the next sample; false when nothing is due.
  bool sampleTrace(sc_core::sc_time &Wait);

private:
  struct CoreSlot {
    explicit CoreSlot(const isa::Core &C) : State(C) {}
    CoreState State;
    uint32_t Tile = 0;
    uint16_t Chip = 0;
    std::vector<uint32_t> RouteBegin; ///< per neuron, into Routes
    std::vector<Destination> Routes;  ///< per output address
    std::vector<FiredNeuron> Fired;   ///< this step
    CoreCounters Update;              ///< this step's update's events
    uint64_t BusyUntil = 0;           ///< cycle the core (its neuron unit) is free
    uint64_t SynapseBusyUntil = 0;    ///< with SynapseOverlap: cycle its synapse unit is free
    /// Per input axon, the cycles a spike on it keeps the core (its synapse
    /// unit) busy.
    std::vector<uint32_t> AbsorbCycles;
    std::vector<AxonSpike> Deferred; ///< absorbed this step, not yet received
  };
  /// Takes M into core C (received at finishStep) and returns the cycles
  /// it keeps C busy.
  uint64_t absorb(CoreSlot &C, const Message &M);
  /// A message enters a mesh at Cycle (the transaction model's order):
  /// Tile::Out[Index], kept until it is routed (no copy of the message).
  struct Entering {
    uint64_t Cycle;
    uint32_t Index;
  };
  struct Tile {
    uint16_t Chip = 0, X = 0, Y = 0;
    std::vector<int32_t> SlotCore; ///< slot -> global core, -1 if empty
    /// Submitted this step. Each source submits its messages at once, in
    /// its order (ready cycles never decreasing): a run per source.
    std::vector<Outgoing> Out;
    std::vector<uint32_t> RunBegin; ///< into Out, the runs not yet arbitrated
    uint32_t Arbitrated = 0;        ///< Out[0, Arbitrated) went through the port
    uint64_t PortFree = 0;          ///< first cycle the local port is free
    uint64_t LastTaken = 0;         ///< cycle the ejector took its last message
    std::unique_ptr<TileModule> Module;
    /// Transaction model: what the port ordered this step, in its order.
    std::vector<Entering> Entered;
  };
  /// The ejector's rule for a message of tile T for one of its cores that
  /// can be taken from cycle At on (it has arrived, and the message before
  /// it was taken): it is taken when its core (synapse unit) is free, then
  /// absorbed. Returns the cycle it is taken. Both mesh models use it.
  uint64_t takeForCore(Tile &T, const Message &M, uint64_t At);
  /// Carries Final, ejected in transit at tile TileIndex at cycle Arrived,
  /// over that chip edge's link (one message at a time, each holding it
  /// max(1, cycles(chip_link)) cycles) to the facing edge tile (Next, X,
  /// Y) of the neighbouring chip; returns the cycle it enters there.
  uint64_t crossLink(uint32_t TileIndex, const Message &Final, uint64_t Arrived, uint32_t &Next,
                     uint16_t &X, uint16_t &Y);
  /// Transaction model: routes Final from tile (X, Y) of Chip, entering
  /// at Cycle, to its destination core or the chip edge it leaves by.
  void routeOne(uint32_t Chip, uint16_t X, uint16_t Y, const Message &Final, uint64_t Cycle);
  bool transactional() const { return Timing.Model == isa::MeshModel::Transaction; }
  /// The destination axon Axon of core Core (image order).
  Destination destinationOf(uint32_t Core, uint32_t Axon) const;
  /// The mesh's message for O.
  Message message(const Outgoing &O) const;
  uint32_t tileIndex(uint16_t Chip, uint16_t X, uint16_t Y) const {
    return (uint32_t(Chip) * H + Y) * W + X;
  }
  /// Puts Final (a message for a core) on the mesh of Chip at tile (X, Y)
  /// at Cycle, for the part of its route inside that chip: x then y over
  /// the grid of all chips, as the energy model routes it (routeMessage).
  /// Where the route leaves the chip the message travels to the edge tile
  /// and is ejected there in transit, to cross the chip link.
  void enterMesh(uint32_t Chip, uint16_t X, uint16_t Y, const Message &Final, uint64_t Cycle);
  /// Where the route of Final goes next from Chip at tile (X, Y): the tile
  /// of this chip to travel to, and the chip edge to cross there (Local:
  /// none, the tile is the destination's).
  Dir nextLeg(uint32_t Chip, uint16_t X, uint16_t Y, const Message &Final, uint16_t &ToX,
              uint16_t &ToY) const;
  /// A message enters a mesh at Cycle: the trace samples from then on.
  void injected(uint64_t Cycle);

  SystemCTiming Timing;
  sc_core::sc_time Period;
  uint16_t W = 1, H = 1;
  std::vector<CoreSlot> Cores;
  /// (chip, core within chip) -> global core index.
  std::vector<std::vector<uint32_t>> ChipCores;
  std::vector<Tile> Tiles;
  std::vector<std::unique_ptr<Mesh>> Meshes;            ///< the cycle model's, per chip
  std::vector<std::unique_ptr<TransactionMesh>> TMeshes; ///< the transaction model's
  std::unique_ptr<MeshRouting> Routing;                  ///< the transaction model's
  std::vector<uint32_t> Ordered; ///< tiles whose port ordered messages this step
  /// routeTransactions' scratch: the ports' messages in (cycle, tile)
  /// order, and its counting sort's buckets.
  struct MergedEntry {
    uint64_t Cycle;
    uint32_t Tile, Index; ///< Tiles[Tile].Out[Index]
    bool operator<(const MergedEntry &O) const {
      return Cycle != O.Cycle ? Cycle < O.Cycle : Tile < O.Tile;
    }
  };
  std::vector<MergedEntry> Merged;
  std::vector<uint32_t> Buckets;
  /// A crossing's re-entry into the next chip's mesh, waiting its turn.
  struct Reentry {
    uint64_t Cycle;
    uint32_t Tile, Seq;
    Message Final;
    bool operator>(const Reentry &O) const {
      return std::tie(Cycle, Tile, Seq) > std::tie(O.Cycle, O.Tile, O.Seq);
    }
  };
  std::vector<std::unique_ptr<CoreModule>> CoreModules;
  std::vector<isa::CoreLocation> Locations; ///< per core, from the header
  /// Chips per row of the chip grid; meshes exist for every chip of the
  /// grid's rows (GridRows x GridWidth), with or without cores, so that a
  /// route may pass a chip the image does not use.
  uint32_t GridWidth = 1, GridRows = 1;
  std::vector<uint64_t> LinkFree; ///< per chip and edge (Dir), first free cycle
  /// Messages in transit (ejected at an edge tile to cross a chip link),
  /// by Message::Id: their final destination.
  std::unordered_map<uint64_t, Message> InTransit;
  /// A message ejected in transit, waiting for its chip link.
  struct Crossing {
    uint64_t Arrived;
    uint32_t Tile, Seq;
    Message Final;
    bool operator<(const Crossing &O) const {
      return std::tie(Arrived, Tile, Seq) < std::tie(O.Arrived, O.Tile, O.Seq);
    }
  };
  std::vector<Crossing> Crossings;
  uint32_t CrossingSeq = 0;
  /// Transaction model: crossings' re-entries, smallest (cycle, tile) first.
  std::priority_queue<Reentry, std::vector<Reentry>, std::greater<Reentry>> Reentries;
  std::unique_ptr<ChipLinks> Links;
  std::unique_ptr<Barrier> TheBarrier;
  std::unique_ptr<HostPort> Host;
  std::vector<Outgoing> HostQueue;
  /// arbitrateTile's scratch: per run of the tile, its next and end index.
  struct RunCursor {
    uint32_t Next, End;
  };
  std::vector<RunCursor> Runs;
  /// Runs F(core) for every core, on the threads when there are several.
  void forEachCore(const std::function<void(CoreSlot &)> &F);
  std::unique_ptr<ThreadPool> Pool; ///< null with one thread
  uint64_t Step = 0;
  uint64_t HostMessages = 0, ChipLinkMessages = 0, Delivered = 0, WithinTile = 0;
  // Tracing (RecordTrace): the trace, the routers' counters at the last
  // sample, the open stall span of each router output, and the cycles of
  // scheduled injections.
  std::unique_ptr<ChipTrace> Trace;
  std::unique_ptr<TraceSampler> Sampler;
  std::vector<RouterStats> Sampled;
  std::vector<int64_t> OpenStall;
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>> Injections;
};

} // namespace neuromesh::emulator::systemc
