//===- neuromesh/emulator/HostInterface.h - the host side of an engine -*- C++ -*-===//
//
// Everything between the host and the cores, shared by every engine: the
// input ports' routes (which (core, axon) each input port index reaches),
// the queued host input spikes and the on-chip input port generators, the
// population memberships that turn fired neurons into recorded spikes in
// recording order (isa.md rule 5), probe sampling, and the counters of
// all of it. An engine calls sendInputs() before a step's spikes are
// delivered (it routes each message the engine's own way: into an outbox,
// or onto the SystemC model's host tile) and record() and probe() once the
// step's neuron update is done, so both engines record from one code path.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/CoreState.h"
#include "neuromesh/isa/Image.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace neuromesh::emulator {

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

/// The host side of an engine running a validated image.
class HostInterface {
public:
  /// A resolved destination: global core index and axon.
  struct Route {
    uint32_t Core;
    uint32_t Axon;
  };

  /// Resolves the image's input ports, memberships and probes. The image
  /// must have passed isa::validateImage.
  explicit HostInterface(const isa::Image &Img);

  /// The (global core, axon) of an axon address of the image.
  Route resolve(const isa::AxonAddress &A) const {
    return {ChipCores[A.Chip][A.Core], A.Axon};
  }

  /// Queues a host input spike on index Index of the input port that is
  /// Image::Symbols[Port], for the next sendInputs(). Throws
  /// neuromesh::Error when Port is not an input port or Index is out of
  /// range.
  void injectInput(uint32_t Port, uint32_t Index, int32_t Payload = 1);

  /// Hands step Step's input spikes to the engine: Send(Begin, End,
  /// Payload) once per spike with the spike's routes [Begin, End), the
  /// queued host spikes first (in the order given), then the generators'
  /// spikes port by port in symbol order, indices ascending (the order of
  /// isa::forEachGeneratedSpike, here over a list of the generator ports
  /// made once). Empties the queue.
  template <typename SendT> void sendInputs(uint64_t Step, SendT Send) {
    for (const PendingInput &P : Pending) {
      const Route *R = InputRoutes[P.Port].data();
      const uint32_t *Begin = InputBegin[P.Port].data();
      Send(R + Begin[P.Index], R + Begin[P.Index + 1], P.Payload);
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
        Send(R + Begin[I], R + Begin[I + 1], 1);
        GeneratedMessages += Begin[I + 1] - Begin[I];
      }
      GeneratedSpikes += GeneratedIndices.size();
    }
  }

  /// Records the population neurons that fired in step Step, FiredOf(G)
  /// being core G's fired neurons, in recording order (step, symbol,
  /// index). Within a symbol the indices usually arrive in order already
  /// (segments laid out in core order), so sorting is rare.
  template <typename FiredOfT> void record(uint64_t Step, FiredOfT FiredOf) {
    for (size_t G = 0; G < MemberBegin.size(); ++G) {
      // A core with few recorded segments (most cores: one population or
      // two) is scanned segment by segment: its segments are contiguous
      // with the next core's, where a per-neuron table costs two dependent
      // cache misses per fired neuron on a chip of thousands of cores.
      const RecordedSegment *S0 = Segments.data() + SegmentBegin[G];
      const RecordedSegment *S1 = Segments.data() + SegmentBegin[G + 1];
      if (S0 != S1) {
        for (const FiredNeuron &F : FiredOf(G))
          for (const RecordedSegment *S = S0; S != S1; ++S)
            if (F.Neuron - S->First < S->Count)
              BySymbol[S->Symbol].push_back(S->Offset + (F.Neuron - S->First));
        continue;
      }
      if (MemberBegin[G].empty())
        continue;
      const Membership *M = Members[G].data();
      const uint32_t *Begin = MemberBegin[G].data();
      for (const FiredNeuron &F : FiredOf(G))
        for (uint32_t I = Begin[F.Neuron]; I < Begin[F.Neuron + 1]; ++I)
          BySymbol[M[I].Symbol].push_back(M[I].Index);
    }
    flushRecorded(Step);
  }

  /// Cores whose fired neurons are recorded through a per-neuron
  /// membership table (more than MaxScannedSegments recorded segments)
  /// rather than by scanning their segments; for tests.
  size_t coresRecordedByTable() const {
    return size_t(std::count_if(MemberBegin.begin(), MemberBegin.end(),
                                [](const std::vector<uint32_t> &B) { return !B.empty(); }));
  }

  /// Samples the probed state words of step Step, CoreOf(G) being core G
  /// as the step's neuron update left it (delivery only touches the
  /// dendritic rings), in (symbol, index, probe) order.
  template <typename CoreOfT> void probe(uint64_t Step, CoreOfT CoreOf) {
    for (const ProbedPopulation &P : ProbedPops)
      for (uint32_t I = 0; I < P.Neurons.size(); ++I) {
        const int32_t *State = CoreOf(P.Neurons[I].first).state(P.Neurons[I].second);
        for (uint32_t K = 0; K < P.Words.size(); ++K)
          Probed.push_back({Step, P.Symbol, I, K, State[P.Words[K]]});
      }
  }

  /// Population spikes recorded so far, in recording order.
  const std::vector<SpikeRecord> &recorded() const { return Recorded; }
  /// Moves the recorded spikes out, leaving the record empty.
  std::vector<SpikeRecord> takeRecorded();
  /// Probe samples so far, in order (step, symbol, index, probe).
  const std::vector<ProbeRecord> &probed() const { return Probed; }
  /// Moves the probe samples out, leaving the record empty.
  std::vector<ProbeRecord> takeProbed();

  /// The host, generator and recording totals so far, with Cores as the
  /// cores' totals.
  EngineCounters counters(const CoreCounters &Cores) const;

private:
  /// A population membership of a neuron.
  struct Membership {
    uint32_t Symbol;
    uint32_t Index;
  };
  /// Neurons First.. First + Count - 1 of a core are indices Offset.. of
  /// recorded population Symbol.
  struct RecordedSegment {
    uint32_t First;
    uint32_t Count;
    uint32_t Symbol;
    uint32_t Offset;
  };
  /// Above this many recorded segments a core keeps a per-neuron table.
  static constexpr size_t MaxScannedSegments = 4;
  struct PendingInput {
    uint32_t Port;
    uint32_t Index;
    int32_t Payload;
  };
  /// An input port with an on-chip generator: (symbol, generator, size).
  struct GeneratedPort {
    uint32_t Port;
    isa::SpikeGenerator Generator;
    uint32_t Size;
  };
  /// A population with probes: its state words and, per population index,
  /// the neuron's (global core, neuron).
  struct ProbedPopulation {
    uint32_t Symbol;
    std::vector<uint8_t> Words;
    std::vector<std::pair<uint32_t, uint32_t>> Neurons;
  };

  /// Appends BySymbol's indices to Recorded in symbol order and clears it.
  void flushRecorded(uint64_t Step);

  /// (chip, core within chip) -> global core index, built once from the
  /// header (a chip's cores need not be contiguous in header order).
  std::vector<std::vector<uint32_t>> ChipCores;
  std::vector<std::string> SymbolNames;
  /// Per input port symbol, per index I: [InputBegin[s][I],
  /// InputBegin[s][I+1]) of InputRoutes[s]; empty for other symbols.
  std::vector<std::vector<uint32_t>> InputBegin;
  std::vector<std::vector<Route>> InputRoutes;
  std::vector<GeneratedPort> Generators;
  /// Per core: [SegmentBegin[c], SegmentBegin[c+1]) of Segments, empty
  /// for a core with more than MaxScannedSegments, which has instead, per
  /// neuron, [MemberBegin[c][n], MemberBegin[c][n+1]) of Members[c].
  std::vector<uint32_t> SegmentBegin;
  std::vector<RecordedSegment> Segments;
  std::vector<std::vector<uint32_t>> MemberBegin;
  std::vector<std::vector<Membership>> Members;
  std::vector<ProbedPopulation> ProbedPops;

  std::vector<PendingInput> Pending;
  std::vector<uint32_t> GeneratedIndices;      ///< scratch, one port's step
  std::vector<std::vector<uint32_t>> BySymbol; ///< per symbol, this step's indices
  std::vector<SpikeRecord> Recorded;
  std::vector<ProbeRecord> Probed;
  uint64_t HostSpikes = 0;
  uint64_t HostMessages = 0;
  uint64_t GeneratedSpikes = 0;
  uint64_t GeneratedMessages = 0;
  uint64_t RecordedCount = 0;
};

} // namespace neuromesh::emulator
