//===- SystemCEngine.cpp - the timed engine -------------------------------===//
//
// The engine is the host: its emulator::HostInterface (the FunctionalEngine's
// too) resolves input spikes (host and generator) to (core, axon) messages,
// which the engine hands to the model's HostPort module (Chip.h); it
// opens each step at the barrier, runs the kernel until the step is
// released, and then has the emulator::HostInterface record the population
// spikes and probes.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/systemc/SystemCEngine.h"

#include "neuromesh/emulator/systemc/Chip.h"
#include <cassert>
#include <cstdlib>

namespace neuromesh::emulator::systemc {

/// The model and the simulation context it was elaborated in. Contexts
/// are never deleted (SystemC 2.3.4 crashes deleting one; see
/// testbenches/systemc/test_router.cpp): a program builds few engines.
struct SystemCEngine::Model {
  sc_core::sc_simcontext *Context = nullptr;
  std::unique_ptr<ChipModel> Chip;

  /// Makes this model's context current for the lifetime of the guard.
  struct Current {
    explicit Current(const Model &M) : Saved(sc_core::sc_curr_simcontext) {
      sc_core::sc_curr_simcontext = M.Context;
      sc_core::sc_default_global_context = M.Context;
    }
    ~Current() {
      sc_core::sc_curr_simcontext = Saved;
      sc_core::sc_default_global_context = Saved;
    }
    sc_core::sc_simcontext *Saved;
  };
};

SystemCEngine::SystemCEngine(const isa::Image &Img, const SystemCTiming &TimingIn,
                             const EngineOptions &Opts, bool RecordTrace)
    : Timing(TimingIn), TheModel(std::make_unique<Model>()), Host(Img) {
  Timing.validate();
  // No kernel banner on the user's terminal unless asked for, and no info
  // line when the watchdog stops a run (the error says why).
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  // A step in which nothing takes time (all latencies 0) runs entirely in
  // delta cycles at one instant; the kernel warns about that, needlessly.
  sc_core::sc_report_handler::set_actions(sc_core::SC_ID_NO_SC_START_ACTIVITY_,
                                          sc_core::SC_DO_NOTHING);
  TheModel->Context = new sc_core::sc_simcontext;
  {
    Model::Current Guard(*TheModel);
    TheModel->Chip = std::make_unique<ChipModel>(
        "chip", Img, Timing, Opts.Jit ? compileNeuronPrograms(Img) : nullptr, RecordTrace,
        Opts.Threads);
    // Elaborate and initialise now (no process runs: all wait for a step).
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
}

unsigned SystemCEngine::numThreads() const { return TheModel->Chip->numThreads(); }

SystemCEngine::~SystemCEngine() {
  Model::Current Guard(*TheModel);
  TheModel->Chip.reset();
}

void SystemCEngine::step() {
  ChipModel &Chip = *TheModel->Chip;
  // Host spikes first, then generators port by port: the host interface
  // module sends them in this order.
  using Route = emulator::HostInterface::Route;
  Host.sendInputs(Step, [&Chip](const Route *Begin, const Route *End, int32_t Payload) {
    for (const Route *R = Begin; R != End; ++R)
      Chip.hostMessage(R->Core, R->Axon, Payload);
  });

  {
    Model::Current Guard(*TheModel);
    Chip.beginStep(Step);
    sc_core::sc_start();
    Chip.checkProgress();
  }
  Chip.traceStep();
  assert(Chip.stepFinished() && "the kernel ran dry before the barrier released the step");
  Chip.finishStep();
  StepLatency L;
  L.StartCycle = Chip.stepStartCycle();
  L.Cycles = Chip.stepEndCycle() - L.StartCycle;
  L.Seconds = double(L.Cycles) * double(Timing.ClockPeriodPs) * 1e-12;
  Latencies.push_back(L);

  // Rule 5 and probes, from the state the barrier left.
  Host.record(Step, [&Chip](size_t G) -> const std::vector<FiredNeuron> & {
    return Chip.fired(G);
  });
  Host.probe(Step, [&Chip](size_t G) -> const CoreState & { return Chip.core(G); });
  ++Step;
}

EngineCounters SystemCEngine::counters() const {
  CoreCounters Sum;
  for (size_t G = 0; G < numCores(); ++G)
    Sum += core(G).counters();
  return Host.counters(Sum);
}

double SystemCEngine::simulatedSeconds() const {
  double S = 0;
  for (const StepLatency &L : Latencies)
    S += L.Seconds;
  return S;
}

RouterStats SystemCEngine::routerStats(uint16_t Chip, uint16_t X, uint16_t Y) const {
  Model::Current Guard(*TheModel);
  return TheModel->Chip->routerStats(Chip, X, Y);
}

SystemCTraffic SystemCEngine::traffic() const {
  Model::Current Guard(*TheModel);
  ChipStats S = TheModel->Chip->stats();
  SystemCTraffic T;
  T.MeshMessages = S.MeshMessages;
  T.WithinTile = S.WithinTile;
  T.HopsEastWest = S.HopsEastWest;
  T.HopsNorthSouth = S.HopsNorthSouth;
  T.ChipLinkMessages = S.ChipLinkMessages;
  T.StallCycles = S.StallCycles;
  T.InjectStallCycles = S.InjectStallCycles;
  return T;
}

const ChipTrace *SystemCEngine::trace() const { return TheModel->Chip->trace(); }

size_t SystemCEngine::numCores() const { return TheModel->Chip->numCores(); }
const CoreState &SystemCEngine::core(size_t I) const { return TheModel->Chip->core(I); }
const std::vector<FiredNeuron> &SystemCEngine::fired(size_t I) const {
  return TheModel->Chip->fired(I);
}

} // namespace neuromesh::emulator::systemc
