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
// The host side (input ports, generators, recording, probes and their
// counters) is the HostInterface that every engine shares.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/CoreState.h"
#include "neuromesh/emulator/HostInterface.h"
#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace neuromesh::emulator {

class ThreadPool;

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
  void injectInput(uint32_t Port, uint32_t Index, int32_t Payload = 1) {
    Host.injectInput(Port, Index, Payload);
  }

  /// Runs one step: update every core, deliver the step's spikes (neuron
  /// spikes, host input spikes and the spikes of input port generators,
  /// isa::generatedSpikes), record.
  void step();

  /// The step the next step() computes.
  uint64_t currentStep() const { return Step; }

  /// Population spikes recorded so far, in recording order (step, symbol,
  /// index).
  const std::vector<SpikeRecord> &recorded() const { return Host.recorded(); }
  /// Moves the recorded spikes out, leaving the record empty.
  std::vector<SpikeRecord> takeRecorded() { return Host.takeRecorded(); }
  /// Probe samples so far, in order (step, symbol, index, probe): every
  /// index of every probed population, every step.
  const std::vector<ProbeRecord> &probed() const { return Host.probed(); }
  /// Moves the probe samples out, leaving the record empty.
  std::vector<ProbeRecord> takeProbed() { return Host.takeProbed(); }

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
  using Route = HostInterface::Route;

  /// Appends a message per route to the outboxes Out (one per core).
  static void enqueue(std::vector<std::vector<AxonSpike>> &Out, const Route *Begin,
                      const Route *End, int32_t Payload);
  /// Updates the cores of chunk Chunk and routes their spikes into
  /// Outbox[Chunk].
  void updateAndRoute(size_t Chunk);
  /// Delivers every outbox's messages to core G.
  void deliverTo(size_t G);

  std::vector<CoreState> Cores;
  HostInterface Host;
  /// Per core, per neuron: [RouteBegin[c][n], RouteBegin[c][n+1]) of Routes[c].
  std::vector<std::vector<uint32_t>> RouteBegin;
  std::vector<std::vector<Route>> Routes;
  std::vector<std::vector<FiredNeuron>> Fired; ///< per core, this step
  /// Per update chunk, per destination core: this step's messages (host
  /// input spikes go to chunk 0's outboxes).
  std::vector<std::vector<std::vector<AxonSpike>>> Outbox;
  unsigned NumThreads = 1;
  /// Chunk K is cores [ChunkBegin[K], ChunkBegin[K + 1]).
  std::vector<size_t> ChunkBegin;
  std::unique_ptr<ThreadPool> Pool; ///< null with one thread
  uint64_t Step = 0;
};

} // namespace neuromesh::emulator
