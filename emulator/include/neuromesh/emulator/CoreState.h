//===- neuromesh/emulator/CoreState.h - one core, executable ----*- C++ -*-===//
//
// The executable form of one isa::Core: its neuron state, its dendritic delay
// ring and its synapse lists flattened into contiguous arrays laid out for
// fast delivery. This is the one implementation of a core's function (rules
// 1-3 of the semantics in docs/): the functional engine and the SystemC model
// both call it. It has no notion of time beyond the step number it is given;
// it counts the events an energy model prices.
//
// Ordering contract: for every step t, update(t) runs before any receive(...,
// t) of spikes emitted in step t, and every receive(..., t) runs before
// update(t + 1). A chip-wide barrier per step gives exactly this.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/NeuronJit.h"
#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace neuromesh::emulator {

/// Events one core performed, for energy and throughput accounting. Every
/// field is a plain count; a timing or energy model turns counts into time
/// and joules.
struct CoreCounters {
  uint64_t NeuronUpdates = 0;   ///< neuron programs run (one per neuron per step)
  /// Neuron updates whose dendritic input (the ring slot read) was nonzero
  /// or that fired: what Loihi's Table 2 prices as an "active" update.
  /// A neuron that only decays (no input, no spike) is counted inactive.
  uint64_t ActiveNeuronUpdates = 0;
  uint64_t DendriteReads = 0;   ///< neuron updates whose dendritic input was nonzero
  uint64_t SpikesOut = 0;       ///< neurons that fired
  uint64_t MessagesOut = 0;     ///< axon addresses sent (fired neuron x its fan-out)
  uint64_t SpikesIn = 0;        ///< spikes arriving on an input axon
  uint64_t SynapticEvents = 0;  ///< synapses read and accumulated (one per target neuron)
  uint64_t DenseSynapticEvents = 0;    ///< of SynapticEvents, those of dense segments
  uint64_t CrossbarSynapticEvents = 0; ///< of SynapticEvents, connected crossbar bits
  uint64_t StochasticDraws = 0; ///< random draws of stochastic crossbar synapses

  /// Of SynapticEvents, those of sparse segments.
  uint64_t sparseSynapticEvents() const {
    return SynapticEvents - DenseSynapticEvents - CrossbarSynapticEvents;
  }

  CoreCounters &operator+=(const CoreCounters &O) {
    NeuronUpdates += O.NeuronUpdates;
    ActiveNeuronUpdates += O.ActiveNeuronUpdates;
    DendriteReads += O.DendriteReads;
    SpikesOut += O.SpikesOut;
    MessagesOut += O.MessagesOut;
    SpikesIn += O.SpikesIn;
    SynapticEvents += O.SynapticEvents;
    DenseSynapticEvents += O.DenseSynapticEvents;
    CrossbarSynapticEvents += O.CrossbarSynapticEvents;
    StochasticDraws += O.StochasticDraws;
    return *this;
  }
  /// The counts since an earlier snapshot Before of the same counters.
  CoreCounters operator-(const CoreCounters &Before) const {
    CoreCounters D;
    D.NeuronUpdates = NeuronUpdates - Before.NeuronUpdates;
    D.ActiveNeuronUpdates = ActiveNeuronUpdates - Before.ActiveNeuronUpdates;
    D.DendriteReads = DendriteReads - Before.DendriteReads;
    D.SpikesOut = SpikesOut - Before.SpikesOut;
    D.MessagesOut = MessagesOut - Before.MessagesOut;
    D.SpikesIn = SpikesIn - Before.SpikesIn;
    D.SynapticEvents = SynapticEvents - Before.SynapticEvents;
    D.DenseSynapticEvents = DenseSynapticEvents - Before.DenseSynapticEvents;
    D.CrossbarSynapticEvents = CrossbarSynapticEvents - Before.CrossbarSynapticEvents;
    D.StochasticDraws = StochasticDraws - Before.StochasticDraws;
    return D;
  }
  bool operator==(const CoreCounters &O) const {
    return NeuronUpdates == O.NeuronUpdates &&
           ActiveNeuronUpdates == O.ActiveNeuronUpdates &&
           DendriteReads == O.DendriteReads && SpikesOut == O.SpikesOut &&
           MessagesOut == O.MessagesOut && SpikesIn == O.SpikesIn &&
           SynapticEvents == O.SynapticEvents &&
           DenseSynapticEvents == O.DenseSynapticEvents &&
           CrossbarSynapticEvents == O.CrossbarSynapticEvents &&
           StochasticDraws == O.StochasticDraws;
  }
};

/// A neuron that fired in the step just updated, with its payload (1 for a
/// binary spike).
struct FiredNeuron {
  uint32_t Neuron = 0;
  int32_t Payload = 1;
  bool operator==(const FiredNeuron &O) const {
    return Neuron == O.Neuron && Payload == O.Payload;
  }
};

/// A spike arriving on one of a core's input axons.
struct AxonSpike {
  uint32_t Axon = 0;
  int32_t Payload = 1;
};

/// One core, ready to execute.
class CoreState {
public:
  /// Builds the executable form of a core of a validated image (see
  /// isa::validateImage); an unvalidated core is a programming error.
  explicit CoreState(const isa::Core &C);

  /// Rule 1: updates every neuron for step Step in ascending order, reading
  /// and clearing ring slot (Step mod D), and appends the neurons that fired
  /// to Fired (which is not cleared first). Runs the programs compiled by
  /// the JIT given to useJit(), else isa::interpret; the results are equal.
  void update(uint64_t Step, std::vector<FiredNeuron> &Fired);

  /// From now on, update() runs Jit's compiled programs, one native call per
  /// run of consecutive neurons of one profile. Jit must hold every profile
  /// program of this core (compileNeuronPrograms of its image does); null
  /// goes back to the interpreter.
  void useJit(std::shared_ptr<const NeuronJit> Jit);
  bool usesJit() const { return Jit != nullptr; }

  /// Rules 2 and 3: a spike with Payload emitted in step EmitStep arrives on
  /// input axon Axon; each synapse adds (weight * payload) << shift, wrapped
  /// to int32, to ring slot ((EmitStep + delay) mod D) of its target neuron.
  void receive(uint32_t Axon, int32_t Payload, uint64_t EmitStep);

  /// receive() for a batch of spikes emitted in EmitStep, in any order (the
  /// result does not depend on it). Faster than one call per spike: it
  /// loads the synapse runs of a chunk of spikes together, since delivery
  /// is bound by memory latency, not arithmetic.
  void receiveAll(const AxonSpike *Begin, const AxonSpike *End,
                  uint64_t EmitStep);

  /// The output axon table entries of neuron N: [begin, end).
  const isa::AxonAddress *outputsBegin(uint32_t N) const {
    return OutAddrs.data() + OutBegin[N];
  }
  const isa::AxonAddress *outputsEnd(uint32_t N) const {
    return OutAddrs.data() + OutBegin[N + 1];
  }

  uint32_t numNeurons() const { return NumNeurons; }
  uint32_t numAxons() const { return static_cast<uint32_t>(AxonOffset.size() - 1); }
  uint32_t numDelaySlots() const { return NumSlots; }
  /// The state words of neuron N (NumStateWords of them).
  const int32_t *state(uint32_t N) const { return &State[N * NumStateWords]; }
  /// What ring slot Slot currently holds for neuron N (for probes and tests).
  int32_t dendrite(uint32_t Slot, uint32_t N) const {
    return static_cast<int32_t>(Ring[Slot * NumNeurons + N]);
  }
  /// Synapses a spike on Axon reaches (the SynapticEvents it adds).
  uint32_t axonFanIn(uint32_t Axon) const { return Blob[AxonOffset[Axon]]; }

  /// Whether sparse synapses address the whole ring by offset (Spread
  /// groups: one group per shift, not one per delay and shift). True when
  /// every ring entry has a 16-bit offset (NumSlots x NumNeurons <= 65536).
  bool spreadsDelays() const { return SpreadOffsets; }

  const CoreCounters &counters() const { return Counters; }
  void resetCounters() { Counters = CoreCounters(); }

private:
  /// How a group stores its synapses.
  enum class GroupKind : uint8_t {
    Indexed,    ///< one word per synapse: target | weight << 16
    Dense,      ///< targets First.., two 16-bit weights per word
    Stochastic, ///< stochastic crossbar columns: column | weight << 16
    /// deterministic crossbar columns, as Indexed; zero weights are kept so
    /// the group's size counts its synaptic events
    CrossbarIndexed,
    /// deterministic crossbar columns of one segment as a bit row (dense
    /// crossbars): one word NumWords | AxonType << 16, then NumWords words
    /// of connected bits from column First; weights from CrossbarWeight
    CrossbarBits,
    /// Indexed and CrossbarIndexed across delays: one word per synapse,
    /// ring offset (delay mod D) * NumNeurons + target | weight << 16, so
    /// the synapses of every delay with one shift form a single group (see
    /// SpreadOffsets)
    Spread,
    CrossbarSpread,
  };

  /// Appends a neuron that fired to Fired and counts its spike and messages.
  void recordFired(const FiredNeuron &F, std::vector<FiredNeuron> &Fired) {
    Fired.push_back(F);
    ++Counters.SpikesOut;
    Counters.MessagesOut += OutBegin[F.Neuron + 1] - OutBegin[F.Neuron];
  }
  void updateCompiled(uint64_t Step, uint32_t *Slot, std::vector<FiredNeuron> &Fired);

  void addBlobGroup(GroupKind Kind, uint32_t Count, uint32_t First,
                    uint32_t Delay, uint32_t Shift);
  /// Delivers one spike whose synapse run starts at W; Base = EmitStep mod D.
  void deliver(const uint32_t *W, uint32_t Axon, int32_t Payload,
               uint32_t Base, uint64_t EmitStep);

  uint32_t NumNeurons = 0;
  uint32_t NumStateWords = 1;
  uint32_t NumSlots = 1;
  uint64_t Seed = 0;
  /// Spread groups in use (spreadsDelays()).
  bool SpreadOffsets = false;

  std::vector<isa::NeuronProfile> Profiles;
  std::vector<uint16_t> NeuronProfile; ///< per neuron
  std::vector<int32_t> State;          ///< NumNeurons x NumStateWords

  /// With the JIT: consecutive neurons First.. of one profile and the
  /// compiled function that updates them.
  struct ProfileRun {
    uint32_t First, Count;
    uint16_t Profile;
    NeuronRunFn Update;
  };
  std::shared_ptr<const NeuronJit> Jit; ///< keeps the functions alive
  std::vector<ProfileRun> Runs;
  /// Scratch for the longest run: the compiled update's spike flag and
  /// payload per neuron.
  std::vector<uint8_t> RunSpiked;
  std::vector<int32_t> RunPayload;

  /// The dendritic ring, NumSlots x NumNeurons. Unsigned so that the
  /// two's-complement wrap of int32 accumulation is defined behaviour.
  std::vector<uint32_t> Ring;

  /// The synapse lists, one contiguous run of words per axon so a spike
  /// reads one sequential stream (Blob[AxonOffset[a] .. AxonOffset[a+1])):
  ///   word 0: synapses reached (the events counted), word 1: group count,
  ///   then per group (synapses sharing delay, shift and kind; Spread
  ///   groups share only shift and kind) two header words, Count and
  ///   First | Delay << 16 | Shift << 23 | Kind << 28, followed by its
  ///   synapse words.
  std::vector<uint32_t> AxonOffset;
  std::vector<uint32_t> Blob;
  /// Crossbar weights by axon type: [type * NumColumns + column].
  std::vector<int16_t> CrossbarWeight;
  uint32_t NumColumns = 0;

  std::vector<uint32_t> OutBegin; ///< NumNeurons + 1 offsets into OutAddrs
  std::vector<isa::AxonAddress> OutAddrs;

  CoreCounters Counters;
};

} // namespace neuromesh::emulator
