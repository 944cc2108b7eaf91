//===- FunctionalEngine.cpp - the golden model ----------------------------===//
//
// Every lookup a step needs is resolved at construction: output axon tables
// become (global core, axon) routes (input ports, memberships and probes are
// the HostInterface's), so a step is just the cores' own work plus plain
// array walks.
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

FunctionalEngine::FunctionalEngine(const isa::Image &Img, const EngineOptions &Opts)
    : Host(Img) {
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

  RouteBegin.resize(NumCores);
  Routes.resize(NumCores);
  Fired.resize(NumCores);
  for (size_t G = 0; G < NumCores; ++G) {
    const CoreState &C = Cores[G];
    std::vector<uint32_t> &Begin = RouteBegin[G];
    Begin.reserve(size_t(C.numNeurons()) + 1);
    for (uint32_t N = 0; N < C.numNeurons(); ++N) {
      Begin.push_back(static_cast<uint32_t>(Routes[G].size()));
      for (const isa::AxonAddress *A = C.outputsBegin(N), *E = C.outputsEnd(N);
           A != E; ++A) {
        Routes[G].push_back(Host.resolve(*A));
        assert(Routes[G].back().Axon < Cores[Routes[G].back().Core].numAxons() &&
               "validated axon");
      }
    }
    Begin.push_back(static_cast<uint32_t>(Routes[G].size()));
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
  Host.sendInputs(Step, [this](const Route *Begin, const Route *End, int32_t Payload) {
    enqueue(Outbox[0], Begin, End, Payload);
  });

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

  // Rule 5 and probes, after the step's update (delivery only touches the
  // dendritic rings, not the probed state words).
  Host.record(Step, [this](size_t G) -> const std::vector<FiredNeuron> & { return Fired[G]; });
  Host.probe(Step, [this](size_t G) -> const CoreState & { return Cores[G]; });
  ++Step;
}

EngineCounters FunctionalEngine::counters() const {
  CoreCounters Sum;
  for (const CoreState &Core : Cores)
    Sum += Core.counters();
  return Host.counters(Sum);
}

} // namespace neuromesh::emulator
