//===- SystemCEngine.cpp - the timed engine -------------------------------===//
//
// The engine is the host: it resolves input spikes (host and generator) to
// (core, axon) messages for the host interface, opens each step at the
// barrier, runs the kernel until the step is released, and records the
// population spikes exactly as the FunctionalEngine does.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/systemc/SystemCEngine.h"

#include "neuromesh/emulator/systemc/Chip.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Generators.h"

#include <fmt/format.h>

#include <algorithm>
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
    : Symbols(Img.Symbols), Timing(TimingIn), TheModel(std::make_unique<Model>()) {
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

  const size_t NumCores = Img.Cores.size();
  ChipCores.resize(std::max<size_t>(1, Img.Header.NumChips));
  for (size_t G = 0; G < NumCores; ++G)
    ChipCores[Img.Header.Cores[G].Chip].push_back(uint32_t(G));

  std::vector<std::vector<std::vector<Membership>>> PerNeuron(NumCores);
  for (size_t G = 0; G < NumCores; ++G)
    PerNeuron[G].resize(TheModel->Chip->core(G).numNeurons());
  for (size_t S = 0; S < Symbols.size(); ++S) {
    const isa::Symbol &Sym = Symbols[S];
    if (Sym.Kind != isa::SymbolKind::Population)
      continue;
    if (!Sym.Probes.empty()) {
      ProbedPopulation P;
      P.Symbol = uint32_t(S);
      for (const isa::Probe &Pr : Sym.Probes)
        P.Words.push_back(Pr.StateWord);
      P.Neurons.resize(Sym.Size);
      for (const isa::PopulationSegment &Seg : Sym.Segments)
        for (uint32_t I = 0; I < Seg.Count; ++I)
          P.Neurons[Seg.Offset + I] = {Seg.Core, uint32_t(Seg.FirstNeuron) + I};
      ProbedPops.push_back(std::move(P));
    }
    // Only populations that record spikes are recorded (isa.md rule 5).
    if (!Sym.RecordSpikes)
      continue;
    for (const isa::PopulationSegment &Seg : Sym.Segments)
      for (uint32_t I = 0; I < Seg.Count; ++I)
        PerNeuron[Seg.Core][Seg.FirstNeuron + I].push_back({uint32_t(S), Seg.Offset + I});
  }
  MemberBegin.resize(NumCores);
  Members.resize(NumCores);
  for (size_t G = 0; G < NumCores; ++G) {
    for (const std::vector<Membership> &M : PerNeuron[G]) {
      MemberBegin[G].push_back(uint32_t(Members[G].size()));
      Members[G].insert(Members[G].end(), M.begin(), M.end());
    }
    MemberBegin[G].push_back(uint32_t(Members[G].size()));
  }
  BySymbol.resize(Symbols.size());
}

unsigned SystemCEngine::numThreads() const { return TheModel->Chip->numThreads(); }

SystemCEngine::~SystemCEngine() {
  Model::Current Guard(*TheModel);
  TheModel->Chip.reset();
}

void SystemCEngine::injectInput(uint32_t Port, uint32_t Index, int32_t Payload) {
  if (Port >= Symbols.size() || Symbols[Port].Kind != isa::SymbolKind::InputPort)
    throw Error(fmt::format("input spike: symbol {} is not an input port of the image; give the "
                            "index of an input port symbol",
                            Port));
  if (Index >= Symbols[Port].Size)
    throw Error(fmt::format("input spike: index {} out of range [0, {}) for input port '{}'", Index,
                            Symbols[Port].Size, Symbols[Port].Name));
  Pending.push_back({Port, Index, Payload});
}

void SystemCEngine::sendTargets(uint32_t Port, uint32_t Index, int32_t Payload,
                                uint64_t &Messages) {
  for (const isa::AxonAddress &A : Symbols[Port].Targets[Index]) {
    TheModel->Chip->hostMessage(ChipCores[A.Chip][A.Core], A.Axon, Payload);
    ++Messages;
  }
}

void SystemCEngine::step() {
  ChipModel &Chip = *TheModel->Chip;
  // Host spikes first, then generators port by port: the host interface
  // sends them in this order.
  for (const PendingInput &P : Pending)
    sendTargets(P.Port, P.Index, P.Payload, HostMessages);
  HostSpikes += Pending.size();
  Pending.clear();
  isa::forEachGeneratedSpike(Symbols, Step, Generated, [&](uint32_t S, uint32_t I) {
    sendTargets(S, I, 1, GeneratedMessages);
    ++GeneratedSpikes;
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

  // Rule 5, as the FunctionalEngine records.
  for (size_t G = 0; G < Chip.numCores(); ++G) {
    const Membership *M = Members[G].data();
    const uint32_t *Begin = MemberBegin[G].data();
    for (const FiredNeuron &F : Chip.fired(G))
      for (uint32_t I = Begin[F.Neuron]; I < Begin[F.Neuron + 1]; ++I)
        BySymbol[M[I].Symbol].push_back(M[I].Index);
  }
  for (uint32_t S = 0; S < BySymbol.size(); ++S) {
    std::vector<uint32_t> &Indices = BySymbol[S];
    if (!std::is_sorted(Indices.begin(), Indices.end()))
      std::sort(Indices.begin(), Indices.end());
    for (uint32_t I : Indices)
      Recorded.push_back({Step, S, I});
    RecordedCount += Indices.size();
    Indices.clear();
  }
  // Probes: the state words as the step's update left them (delivery only
  // touches the dendritic rings), in (symbol, index, probe) order.
  for (const ProbedPopulation &P : ProbedPops)
    for (uint32_t I = 0; I < P.Neurons.size(); ++I) {
      const int32_t *State = Chip.core(P.Neurons[I].first).state(P.Neurons[I].second);
      for (uint32_t K = 0; K < P.Words.size(); ++K)
        Probed.push_back({Step, P.Symbol, I, K, State[P.Words[K]]});
    }
  ++Step;
}

std::vector<SpikeRecord> SystemCEngine::takeRecorded() {
  std::vector<SpikeRecord> Out;
  Out.swap(Recorded);
  return Out;
}

std::vector<ProbeRecord> SystemCEngine::takeProbed() {
  std::vector<ProbeRecord> Out;
  Out.swap(Probed);
  return Out;
}

EngineCounters SystemCEngine::counters() const {
  EngineCounters C;
  for (size_t G = 0; G < numCores(); ++G)
    C.Cores += core(G).counters();
  C.HostSpikes = HostSpikes;
  C.HostMessages = HostMessages;
  C.GeneratedSpikes = GeneratedSpikes;
  C.GeneratedMessages = GeneratedMessages;
  C.RecordedSpikes = RecordedCount;
  return C;
}

double SystemCEngine::simulatedSeconds() const {
  double S = 0;
  for (const StepLatency &L : Latencies)
    S += L.Seconds;
  return S;
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
