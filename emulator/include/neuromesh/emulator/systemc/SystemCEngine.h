//===- neuromesh/emulator/systemc/SystemCEngine.h - timed engine -*- C++ -*-===//
//
// Runs a chip image on the SystemC chip model (Chip.h): the same spikes as
// the FunctionalEngine, bit for bit, plus the simulated time of every step.
// Its host-facing API has the FunctionalEngine's shape, and its host side
// (input ports, generators, recording, probes and their counters) is the
// same emulator::HostInterface.
//
// Each engine elaborates its model in a simulation context of its own
// (SystemC cannot elaborate again once a simulation has run), so a
// program may build one engine after another; two engines must not be
// stepped interleaved from two threads.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/emulator/systemc/Timing.h"
#include "neuromesh/emulator/systemc/Trace.h"
#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace neuromesh::emulator::systemc {

/// The simulated time of one step.
struct StepLatency {
  uint64_t StartCycle = 0; ///< mesh cycle the step started at
  uint64_t Cycles = 0;     ///< step start to barrier release, cycles
  double Seconds = 0;      ///< the same in seconds
  bool operator==(const StepLatency &O) const {
    return StartCycle == O.StartCycle && Cycles == O.Cycles && Seconds == O.Seconds;
  }
};

/// Traffic totals of the model (counts and cycles).
struct SystemCTraffic {
  uint64_t MeshMessages = 0;      ///< messages delivered to a core
  uint64_t WithinTile = 0;        ///< of them, sent from the destination's own tile
  uint64_t HopsEastWest = 0;      ///< router-to-router hops in x
  uint64_t HopsNorthSouth = 0;    ///< router-to-router hops in y
  uint64_t ChipLinkMessages = 0;  ///< chip-to-chip link traversals
  uint64_t StallCycles = 0;       ///< router outputs waiting for a credit, summed
  uint64_t InjectStallCycles = 0; ///< local input buffers full with a message due, summed
};

/// Runs a validated image on the SystemC chip model.
class SystemCEngine {
public:
  /// Builds and elaborates the model. The image must have passed
  /// isa::validateImage. Throws neuromesh::Error for bad timing values.
  /// Opts.Jit compiles the neuron programs, as for the functional engine.
  /// Opts.Threads run the cores' updates and receives (the timed model
  /// itself stays on one thread); the results are the same for any count.
  /// With RecordTrace the model records core, router and barrier activity
  /// (trace()); it costs a sample of every router per cycle with traffic.
  explicit SystemCEngine(const isa::Image &Img, const SystemCTiming &Timing = SystemCTiming(),
                         const EngineOptions &Opts = {}, bool RecordTrace = false);
  ~SystemCEngine();
  SystemCEngine(const SystemCEngine &) = delete;
  SystemCEngine &operator=(const SystemCEngine &) = delete;

  /// As FunctionalEngine::injectInput: a host input spike for the next
  /// step(). Throws neuromesh::Error for a bad port or index.
  void injectInput(uint32_t Port, uint32_t Index, int32_t Payload = 1) {
    Host.injectInput(Port, Index, Payload);
  }
  /// Simulates one step until the barrier releases it. Throws
  /// neuromesh::Error if the mesh stops making progress.
  void step();
  /// step() N times.
  void run(uint64_t N) {
    for (uint64_t I = 0; I < N; ++I)
      step();
  }
  uint64_t currentStep() const { return Step; }
  /// Threads that update and receive (EngineOptions::Threads resolved).
  unsigned numThreads() const;

  /// Recorded spikes in recording order (step, symbol, index).
  const std::vector<SpikeRecord> &recorded() const { return Host.recorded(); }
  std::vector<SpikeRecord> takeRecorded() { return Host.takeRecorded(); }
  /// Probe samples, as FunctionalEngine::probed().
  const std::vector<ProbeRecord> &probed() const { return Host.probed(); }
  std::vector<ProbeRecord> takeProbed() { return Host.takeProbed(); }
  /// Event totals, as FunctionalEngine::counters().
  EngineCounters counters() const;
  /// The simulated time of every step so far.
  const std::vector<StepLatency> &latencies() const { return Latencies; }
  /// Simulated time of all steps, s.
  double simulatedSeconds() const;
  SystemCTraffic traffic() const;
  /// The counters of the router of tile (X, Y) of chip Chip so far.
  RouterStats routerStats(uint16_t Chip, uint16_t X, uint16_t Y) const;
  const SystemCTiming &timing() const { return Timing; }
  /// The recorded activity of every step so far; null without RecordTrace.
  const ChipTrace *trace() const;

  size_t numCores() const;
  const CoreState &core(size_t I) const;
  /// The neurons of core I that fired in the last step().
  const std::vector<FiredNeuron> &fired(size_t I) const;

private:
  struct Model;

  SystemCTiming Timing;
  std::unique_ptr<Model> TheModel;
  /// The host side (not the model's HostPort module, Chip.h, which
  /// puts the messages this one hands it on the host tile).
  emulator::HostInterface Host;
  std::vector<StepLatency> Latencies;
  uint64_t Step = 0;
};

} // namespace neuromesh::emulator::systemc
