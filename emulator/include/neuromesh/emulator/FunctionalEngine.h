//===- neuromesh/emulator/FunctionalEngine.h - the golden model -*- C++ -*-===//
//
// The functional reference engine: executes a chip image step by step with
// no timing at all. Each step updates every core (in image order), then
// delivers every spike of the step (neuron spikes and host input spikes)
// to its destination axons, then records the spikes of population neurons
// (those of symbols with RecordSpikes) and samples the probed state words.
// It is deterministic; every other engine must produce exactly its spikes.
//
// With EngineOptions::Threads > 1 the cores of a step are updated, and
// their spikes routed and delivered, by a small pool of threads: the cores
// are cut into fixed chunks, each updated by one thread, which gathers the
// chunk's messages per destination core into the chunk's own outboxes;
// then (after a barrier) each destination core takes its messages from
// every outbox on one thread, so a core's ring is only ever written by one
// thread. Ring sums are modulo
// 2^32 and every counter is a sum, so the result is bit-identical to the
// single-threaded run; recording and probes stay on the calling thread.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/CoreState.h"
#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace neuromesh::emulator {

class ThreadPool;

/// One spike seen by the host: a population neuron that fired, or a host
/// input spike. Symbol indexes Image::Symbols; Index is the neuron's index
/// within that population (or the input port's index).
struct SpikeRecord {
  uint64_t Step = 0;
  uint32_t Symbol = 0;
  uint32_t Index = 0;
  bool operator==(const SpikeRecord &O) const {
    return Step == O.Step && Symbol == O.Symbol && Index == O.Index;
  }
  /// The recording order: step, then symbol order, then index.
  bool operator<(const SpikeRecord &O) const {
    if (Step != O.Step)
      return Step < O.Step;
    if (Symbol != O.Symbol)
      return Symbol < O.Symbol;
    return Index < O.Index;
  }
};

/// One probe sample: after the neuron update of step Step, state word
/// Image::Symbols[Symbol].Probes[Probe].StateWord of the neuron that is
/// index Index of that population held Value.
struct ProbeRecord {
  uint64_t Step = 0;
  uint32_t Symbol = 0;
  uint32_t Index = 0;
  uint32_t Probe = 0;
  int32_t Value = 0;
  bool operator==(const ProbeRecord &O) const {
    return Step == O.Step && Symbol == O.Symbol && Index == O.Index &&
           Probe == O.Probe && Value == O.Value;
  }
};

/// Totals over the whole run.
struct EngineCounters {
  CoreCounters Cores;          ///< summed over all cores
  uint64_t HostSpikes = 0;     ///< host input spikes injected
  uint64_t HostMessages = 0;   ///< axon addresses those spikes were sent to
  uint64_t GeneratedSpikes = 0;   ///< spikes of input port generators
  uint64_t GeneratedMessages = 0; ///< axon addresses those were sent to
  uint64_t RecordedSpikes = 0; ///< spikes recorded for the host
};

/// How an engine executes (never what it computes: every choice gives the
/// same spikes, probes and counters).
struct EngineOptions {
  /// Update neurons with programs compiled by the LLVM JIT (NeuronJit.h)
  /// instead of the interpreter. Compiling costs milliseconds per distinct
  /// program, paid here, in the constructor.
  bool Jit = false;
  /// Threads that step the cores (the SystemC engine: its cores' updates
  /// and receives; its timed model runs on one thread): 1 = the calling
  /// thread alone, 0 = one per hardware thread
  /// (std::thread::hardware_concurrency). Never more than the image's cores
  /// are used.
  unsigned Threads = 1;
};

/// Runs a validated image on the host CPU.
class FunctionalEngine {
public:
  /// Builds every core's executable state. The image must have passed
  /// isa::validateImage (readImageFile does it).
  explicit FunctionalEngine(const isa::Image &Img, const EngineOptions &Opts = {});
  ~FunctionalEngine();
  FunctionalEngine(const FunctionalEngine &) = delete;
  FunctionalEngine &operator=(const FunctionalEngine &) = delete;

  /// Queues a host input spike on index Index of the input port that is
  /// Image::Symbols[Port], for the next step() (it behaves like a neuron
  /// spike emitted in that step). Throws neuromesh::Error when Port is not an
  /// input port or Index is out of range.
  void injectInput(uint32_t Port, uint32_t Index, int32_t Payload = 1);

  /// Runs one step: update every core, deliver the step's spikes (neuron
  /// spikes, host input spikes and the spikes of input port generators,
  /// isa::generatedSpikes), record.
  void step();

  /// The step the next step() computes.
  uint64_t currentStep() const { return Step; }

  /// Population spikes recorded so far, in recording order (step, symbol,
  /// index).
  const std::vector<SpikeRecord> &recorded() const { return Recorded; }
  /// Moves the recorded spikes out, leaving the record empty.
  std::vector<SpikeRecord> takeRecorded();
  /// Probe samples so far, in order (step, symbol, index, probe): every
  /// index of every probed population, every step.
  const std::vector<ProbeRecord> &probed() const { return Probed; }
  /// Moves the probe samples out, leaving the record empty.
  std::vector<ProbeRecord> takeProbed();

  /// Totals so far.
  EngineCounters counters() const;

  size_t numCores() const { return Cores.size(); }
  /// Threads that step the cores (EngineOptions::Threads resolved).
  unsigned numThreads() const { return NumThreads; }
  /// The neurons of core I that fired in the last step() (for traffic and
  /// energy accounting, see EnergyModel.h).
  const std::vector<FiredNeuron> &fired(size_t I) const { return Fired[I]; }
  const CoreState &core(size_t I) const { return Cores[I]; }

private:
  /// A resolved destination: global core index and axon.
  struct Route {
    uint32_t Core;
    uint32_t Axon;
  };
  /// A population membership of a neuron.
  struct Membership {
    uint32_t Symbol;
    uint32_t Index;
  };
  struct PendingInput {
    uint32_t Port;
    uint32_t Index;
    int32_t Payload;
  };

  Route resolve(const isa::AxonAddress &A) const;
  /// Appends a message per route to the outboxes Out (one per core).
  static void enqueue(std::vector<std::vector<AxonSpike>> &Out, const Route *Begin,
                      const Route *End, int32_t Payload);
  /// Updates the cores of chunk Chunk and routes their spikes into
  /// Outbox[Chunk].
  void updateAndRoute(size_t Chunk);
  /// Delivers every outbox's messages to core G.
  void deliverTo(size_t G);

  std::vector<CoreState> Cores;
  /// (chip, core within chip) -> global core index, built once from the
  /// header (a chip's cores need not be contiguous in header order).
  std::vector<std::vector<uint32_t>> ChipCores;
  std::vector<std::string> SymbolNames;
  /// Per core, per neuron: [RouteBegin[c][n], RouteBegin[c][n+1]) of Routes[c].
  std::vector<std::vector<uint32_t>> RouteBegin;
  std::vector<std::vector<Route>> Routes;
  /// Per input port symbol, per index: its resolved routes.
  std::vector<std::vector<uint32_t>> InputBegin;
  std::vector<std::vector<Route>> InputRoutes;
  /// Per core, per neuron: [MemberBegin[c][n], MemberBegin[c][n+1]) of Members[c].
  std::vector<std::vector<uint32_t>> MemberBegin;
  std::vector<std::vector<Membership>> Members;

  std::vector<std::vector<FiredNeuron>> Fired; ///< per core, this step
  /// Per update chunk, per destination core: this step's messages (host
  /// input spikes go to chunk 0's outboxes).
  std::vector<std::vector<std::vector<AxonSpike>>> Outbox;
  unsigned NumThreads = 1;
  /// Chunk K is cores [ChunkBegin[K], ChunkBegin[K + 1]).
  std::vector<size_t> ChunkBegin;
  std::unique_ptr<ThreadPool> Pool; ///< null with one thread
  std::vector<std::vector<uint32_t>> BySymbol; ///< per symbol, this step's indices
  std::vector<PendingInput> Pending;
  /// Input ports with an on-chip generator: (symbol, generator, size).
  struct GeneratedPort {
    uint32_t Port;
    isa::SpikeGenerator Generator;
    uint32_t Size;
  };
  std::vector<GeneratedPort> Generators;
  std::vector<uint32_t> GeneratedIndices; ///< scratch, one port's step
  std::vector<SpikeRecord> Recorded;
  /// A population with probes: its state words and, per population index,
  /// the neuron's (global core, neuron).
  struct ProbedPopulation {
    uint32_t Symbol;
    std::vector<uint8_t> Words;
    std::vector<std::pair<uint32_t, uint32_t>> Neurons;
  };
  std::vector<ProbedPopulation> ProbedPops;
  std::vector<ProbeRecord> Probed;
  uint64_t Step = 0;
  uint64_t HostSpikes = 0;
  uint64_t HostMessages = 0;
  uint64_t RecordedCount = 0;
  uint64_t GeneratedSpikes = 0;
  uint64_t GeneratedMessages = 0;
};

} // namespace neuromesh::emulator
