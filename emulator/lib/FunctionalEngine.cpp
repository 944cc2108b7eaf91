//===- FunctionalEngine.cpp - the golden model ----------------------------===//
//
// Every lookup a step needs is resolved at construction: output axon tables
// and input port targets become (global core, axon) routes, and population
// symbols become a per-neuron membership list, so a step is just the cores'
// own work plus plain array walks.
//
// Threads: a persistent pool (std::thread, a mutex and two condition
// variables) runs two parallel phases per step, each ended by a barrier:
// update-and-route over fixed chunks of cores, then delivery over
// destination cores, both handed out one at a time. Nothing written in a
// phase is written by two threads, and what a chunk or a core writes does
// not depend on which thread runs it, so no result depends on scheduling.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/emulator/ThreadPool.h"

#include "neuromesh/isa/Error.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <fmt/format.h>
#include <functional>
#include <thread>

namespace neuromesh::emulator {

FunctionalEngine::~FunctionalEngine() = default;

FunctionalEngine::FunctionalEngine(const isa::Image &Img, const EngineOptions &Opts) {
  assert(Img.Header.Cores.size() == Img.Cores.size() && "validated image");
  const size_t NumCores = Img.Cores.size();
  Cores.reserve(NumCores);
  for (const isa::Core &C : Img.Cores)
    Cores.emplace_back(C);
  if (Opts.Jit) {
    std::shared_ptr<const NeuronJit> Jit = compileNeuronPrograms(Img);
    for (CoreState &C : Cores)
      C.useJit(Jit);
  }

  ChipCores.resize(Img.Header.NumChips);
  for (size_t G = 0; G < NumCores; ++G) {
    const isa::CoreLocation &L = Img.Header.Cores[G];
    if (L.Chip >= ChipCores.size())
      ChipCores.resize(size_t(L.Chip) + 1);
    ChipCores[L.Chip].push_back(static_cast<uint32_t>(G));
  }

  RouteBegin.resize(NumCores);
  Routes.resize(NumCores);
  MemberBegin.resize(NumCores);
  Members.resize(NumCores);
  Fired.resize(NumCores);
  BySymbol.resize(Img.Symbols.size());
  for (size_t G = 0; G < NumCores; ++G) {
    const CoreState &C = Cores[G];
    std::vector<uint32_t> &Begin = RouteBegin[G];
    Begin.reserve(size_t(C.numNeurons()) + 1);
    for (uint32_t N = 0; N < C.numNeurons(); ++N) {
      Begin.push_back(static_cast<uint32_t>(Routes[G].size()));
      for (const isa::AxonAddress *A = C.outputsBegin(N), *E = C.outputsEnd(N);
           A != E; ++A)
        Routes[G].push_back(resolve(*A));
    }
    Begin.push_back(static_cast<uint32_t>(Routes[G].size()));
  }

  // Population memberships, gathered per (core, neuron). A neuron may belong
  // to more than one population; each records it.
  std::vector<std::vector<std::vector<Membership>>> PerNeuron(NumCores);
  for (size_t G = 0; G < NumCores; ++G)
    PerNeuron[G].resize(Cores[G].numNeurons());
  SymbolNames.reserve(Img.Symbols.size());
  InputBegin.resize(Img.Symbols.size());
  InputRoutes.resize(Img.Symbols.size());
  for (size_t S = 0; S < Img.Symbols.size(); ++S) {
    const isa::Symbol &Sym = Img.Symbols[S];
    SymbolNames.push_back(Sym.Name);
    if (Sym.Kind == isa::SymbolKind::InputPort) {
      std::vector<uint32_t> &Begin = InputBegin[S];
      for (const std::vector<isa::AxonAddress> &Targets : Sym.Targets) {
        Begin.push_back(static_cast<uint32_t>(InputRoutes[S].size()));
        for (const isa::AxonAddress &A : Targets)
          InputRoutes[S].push_back(resolve(A));
      }
      Begin.push_back(static_cast<uint32_t>(InputRoutes[S].size()));
      if (Sym.Generator.Kind != isa::GeneratorKind::External)
        Generators.push_back({static_cast<uint32_t>(S), Sym.Generator, Sym.Size});
      continue;
    }
    if (!Sym.Probes.empty()) {
      ProbedPopulation P;
      P.Symbol = static_cast<uint32_t>(S);
      for (const isa::Probe &Pr : Sym.Probes)
        P.Words.push_back(Pr.StateWord);
      P.Neurons.resize(Sym.Size);
      for (const isa::PopulationSegment &Seg : Sym.Segments)
        for (uint32_t I = 0; I < Seg.Count; ++I)
          P.Neurons[Seg.Offset + I] = {Seg.Core,
                                       uint32_t(Seg.FirstNeuron) + I};
      ProbedPops.push_back(std::move(P));
    }
    // A population that only feeds probes has no spike record.
    if (!Sym.RecordSpikes)
      continue;
    for (const isa::PopulationSegment &Seg : Sym.Segments)
      for (uint32_t I = 0; I < Seg.Count; ++I)
        PerNeuron[Seg.Core][Seg.FirstNeuron + I].push_back(
            {static_cast<uint32_t>(S), Seg.Offset + I});
  }
  for (size_t G = 0; G < NumCores; ++G) {
    MemberBegin[G].reserve(PerNeuron[G].size() + 1);
    for (const std::vector<Membership> &M : PerNeuron[G]) {
      MemberBegin[G].push_back(static_cast<uint32_t>(Members[G].size()));
      Members[G].insert(Members[G].end(), M.begin(), M.end());
    }
    MemberBegin[G].push_back(static_cast<uint32_t>(Members[G].size()));
  }

  NumThreads = Opts.Threads ? Opts.Threads : std::max(1u, std::thread::hardware_concurrency());
  NumThreads = static_cast<unsigned>(std::min<size_t>(NumThreads, std::max<size_t>(NumCores, 1)));
  // The update work is cut into chunks of cores of about equal neuron
  // count (a neuron update is the bulk of a core's update-and-route work),
  // several per thread and handed out one at a time, so a thread the OS
  // descheduled holds up only its chunk. Each chunk has its own outboxes,
  // so what they hold does not depend on which thread ran it.
  const size_t NumChunks = NumThreads == 1 ? 1 : std::min<size_t>(NumCores, 4 * NumThreads);
  Outbox.assign(std::max<size_t>(NumChunks, 1), std::vector<std::vector<AxonSpike>>(NumCores));
  uint64_t TotalNeurons = 0;
  for (const CoreState &C : Cores)
    TotalNeurons += C.numNeurons() + 1;
  ChunkBegin.assign(1, 0);
  uint64_t Sum = 0;
  for (size_t G = 0; G < NumCores; ++G) {
    Sum += Cores[G].numNeurons() + 1;
    if (ChunkBegin.size() < NumChunks && Sum * NumChunks >= TotalNeurons * ChunkBegin.size())
      ChunkBegin.push_back(G + 1);
  }
  while (ChunkBegin.size() <= Outbox.size())
    ChunkBegin.push_back(NumCores);
  if (NumThreads > 1)
    Pool = std::make_unique<ThreadPool>(NumThreads);
}

FunctionalEngine::Route
FunctionalEngine::resolve(const isa::AxonAddress &A) const {
  assert(A.Chip < ChipCores.size() && A.Core < ChipCores[A.Chip].size() &&
         "validated address");
  uint32_t G = ChipCores[A.Chip][A.Core];
  assert(A.Axon < Cores[G].numAxons() && "validated axon");
  return {G, A.Axon};
}

void FunctionalEngine::injectInput(uint32_t Port, uint32_t Index,
                                   int32_t Payload) {
  if (Port >= SymbolNames.size() || InputBegin[Port].empty())
    throw Error(fmt::format(
        "input spike: symbol {} is not an input port of the image; give the "
        "index of an input port symbol",
        Port));
  const uint32_t Size = static_cast<uint32_t>(InputBegin[Port].size() - 1);
  if (Index >= Size)
    throw Error(fmt::format("input spike: index {} out of range [0, {}) for "
                            "input port '{}'",
                            Index, Size, SymbolNames[Port]));
  Pending.push_back({Port, Index, Payload});
}

void FunctionalEngine::enqueue(std::vector<std::vector<AxonSpike>> &Out,
                               const Route *Begin, const Route *End, int32_t Payload) {
  for (const Route *R = Begin; R != End; ++R)
    Out[R->Core].push_back({R->Axon, Payload});
}

void FunctionalEngine::updateAndRoute(size_t Chunk) {
  std::vector<std::vector<AxonSpike>> &Out = Outbox[Chunk];
  const size_t First = ChunkBegin[Chunk], Last = ChunkBegin[Chunk + 1];
  // Rule 1: every core updates before any spike of this step is delivered,
  // so a delay-D spike lands in the slot this step has just cleared.
  for (size_t G = First; G < Last; ++G) {
    Fired[G].clear();
    Cores[G].update(Step, Fired[G]);
  }
  // Rule 2: neuron spikes go to all their routes. A fired neuron's routes
  // are a cache miss away; as in CoreState::receiveAll, the routes of a
  // chunk of spikes are loaded together (independent loads overlap) before
  // they are followed.
  for (size_t G = First; G < Last; ++G) {
    const Route *R = Routes[G].data();
    const uint32_t *Begin = RouteBegin[G].data();
    const FiredNeuron *F = Fired[G].data();
    const size_t NumFired = Fired[G].size();
    constexpr size_t Batch = 32;
    for (size_t C = 0; C < NumFired; C += Batch) {
      const size_t N = std::min(Batch, NumFired - C);
      uint32_t Touch = 0;
      for (size_t I = 0; I < N; ++I) {
        const uint32_t FirstRoute = Begin[F[C + I].Neuron];
        if (FirstRoute != Begin[F[C + I].Neuron + 1])
          Touch += R[FirstRoute].Axon;
      }
      asm volatile("" : : "r"(Touch)); // keep the loads
      for (size_t I = 0; I < N; ++I)
        enqueue(Out, R + Begin[F[C + I].Neuron], R + Begin[F[C + I].Neuron + 1],
                F[C + I].Payload);
    }
  }
}

void FunctionalEngine::deliverTo(size_t G) {
  // Each core takes its spikes in batches: its ring stays in cache and it
  // loads the synapse runs of many spikes at once (CoreState::receiveAll).
  // The outboxes are taken in chunk order; the result does not depend on
  // the order anyway (sums modulo 2^32).
  for (std::vector<std::vector<AxonSpike>> &Out : Outbox) {
    std::vector<AxonSpike> &In = Out[G];
    Cores[G].receiveAll(In.data(), In.data() + In.size(), Step);
    In.clear();
  }
}

void FunctionalEngine::step() {
  const size_t NumCores = Cores.size();
  // Host input spikes and on-chip generators behave like neuron spikes of
  // this step: queued now (no core has been updated by this step yet, but
  // nothing is delivered before every core has), into chunk 0's outboxes.
  for (const PendingInput &P : Pending) {
    const Route *R = InputRoutes[P.Port].data();
    const uint32_t *Begin = InputBegin[P.Port].data();
    enqueue(Outbox[0], R + Begin[P.Index], R + Begin[P.Index + 1], P.Payload);
    HostMessages += Begin[P.Index + 1] - Begin[P.Index];
  }
  HostSpikes += Pending.size();
  Pending.clear();
  for (const GeneratedPort &G : Generators) {
    GeneratedIndices.clear();
    isa::generatedSpikes(G.Generator, G.Size, Step, GeneratedIndices);
    const Route *R = InputRoutes[G.Port].data();
    const uint32_t *Begin = InputBegin[G.Port].data();
    for (uint32_t I : GeneratedIndices) {
      enqueue(Outbox[0], R + Begin[I], R + Begin[I + 1], 1);
      GeneratedMessages += Begin[I + 1] - Begin[I];
    }
    GeneratedSpikes += GeneratedIndices.size();
  }

  if (!Pool) {
    updateAndRoute(0);
    for (size_t G = 0; G < NumCores; ++G)
      deliverTo(G);
  } else {
    // Chunks, then destination cores (whose delivery work varies from step
    // to step with the spikes they receive), are handed out one at a time.
    std::atomic<size_t> NextChunk{0}, NextCore{0};
    Pool->run([&](unsigned) {
      for (size_t K; (K = NextChunk.fetch_add(1, std::memory_order_relaxed)) < Outbox.size();)
        updateAndRoute(K);
    });
    Pool->run([&](unsigned) {
      for (size_t G; (G = NextCore.fetch_add(1, std::memory_order_relaxed)) < NumCores;)
        deliverTo(G);
    });
  }

  // Rule 5: record population neurons in (step, symbol, index) order. The
  // indices are gathered per symbol; within a symbol they usually arrive in
  // order already (segments laid out in core order), so sorting is rare.
  for (size_t G = 0; G < NumCores; ++G) {
    const Membership *M = Members[G].data();
    const uint32_t *Begin = MemberBegin[G].data();
    for (const FiredNeuron &F : Fired[G])
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

  // Probes: the state words as this step's neuron update left them
  // (delivery only touches the dendritic rings), in (symbol, index, probe)
  // order; ProbedPops is in symbol order.
  for (const ProbedPopulation &P : ProbedPops)
    for (uint32_t I = 0; I < P.Neurons.size(); ++I) {
      const int32_t *State = Cores[P.Neurons[I].first].state(P.Neurons[I].second);
      for (uint32_t K = 0; K < P.Words.size(); ++K)
        Probed.push_back({Step, P.Symbol, I, K, State[P.Words[K]]});
    }
  ++Step;
}

std::vector<SpikeRecord> FunctionalEngine::takeRecorded() {
  std::vector<SpikeRecord> Out;
  Out.swap(Recorded);
  return Out;
}

std::vector<ProbeRecord> FunctionalEngine::takeProbed() {
  std::vector<ProbeRecord> Out;
  Out.swap(Probed);
  return Out;
}

EngineCounters FunctionalEngine::counters() const {
  EngineCounters C;
  for (const CoreState &Core : Cores)
    C.Cores += Core.counters();
  C.HostSpikes = HostSpikes;
  C.HostMessages = HostMessages;
  C.RecordedSpikes = RecordedCount;
  C.GeneratedSpikes = GeneratedSpikes;
  C.GeneratedMessages = GeneratedMessages;
  return C;
}

} // namespace neuromesh::emulator
