//===- HostInterface.cpp - the host side of an engine ---------------------===//
//
// Every lookup the host side needs is resolved at construction: input port
// targets become (global core, axon) routes and population symbols become
// per-core lists of recorded segments (a per-neuron membership list for a
// core with many), so a step is plain array walks.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/HostInterface.h"

#include "neuromesh/isa/Error.h"

#include <algorithm>
#include <cassert>
#include <fmt/format.h>

namespace neuromesh::emulator {

HostInterface::HostInterface(const isa::Image &Img) {
  assert(Img.Header.Cores.size() == Img.Cores.size() && "validated image");
  const size_t NumCores = Img.Cores.size();
  ChipCores.resize(Img.Header.NumChips);
  for (size_t G = 0; G < NumCores; ++G) {
    const isa::CoreLocation &L = Img.Header.Cores[G];
    if (L.Chip >= ChipCores.size())
      ChipCores.resize(size_t(L.Chip) + 1);
    ChipCores[L.Chip].push_back(static_cast<uint32_t>(G));
  }

  // Recorded population segments per core, in symbol order, and the same
  // memberships per (core, neuron) for cores with many segments. A neuron
  // may belong to more than one population; each records it.
  std::vector<std::vector<RecordedSegment>> CoreSegments(NumCores);
  std::vector<std::vector<std::vector<Membership>>> PerNeuron(NumCores);
  for (size_t G = 0; G < NumCores; ++G)
    PerNeuron[G].resize(Img.Cores[G].Neurons.size());
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
        for (const isa::AxonAddress &A : Targets) {
          assert(A.Chip < ChipCores.size() && A.Core < ChipCores[A.Chip].size() &&
                 "validated address");
          InputRoutes[S].push_back(resolve(A));
        }
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
          P.Neurons[Seg.Offset + I] = {Seg.Core, uint32_t(Seg.FirstNeuron) + I};
      ProbedPops.push_back(std::move(P));
    }
    // A population that only feeds probes has no spike record (isa.md
    // rule 5).
    if (!Sym.RecordSpikes)
      continue;
    for (const isa::PopulationSegment &Seg : Sym.Segments) {
      CoreSegments[Seg.Core].push_back(
          {Seg.FirstNeuron, Seg.Count, static_cast<uint32_t>(S), Seg.Offset});
      for (uint32_t I = 0; I < Seg.Count; ++I)
        PerNeuron[Seg.Core][Seg.FirstNeuron + I].push_back(
            {static_cast<uint32_t>(S), Seg.Offset + I});
    }
  }
  // A neuron's memberships in PerNeuron and a scan of its core's segments
  // come in the same order (symbol, then segment), so either gives the
  // same record.
  SegmentBegin.reserve(NumCores + 1);
  MemberBegin.resize(NumCores);
  Members.resize(NumCores);
  for (size_t G = 0; G < NumCores; ++G) {
    SegmentBegin.push_back(static_cast<uint32_t>(Segments.size()));
    if (CoreSegments[G].size() <= MaxScannedSegments) {
      Segments.insert(Segments.end(), CoreSegments[G].begin(), CoreSegments[G].end());
      continue;
    }
    MemberBegin[G].reserve(PerNeuron[G].size() + 1);
    for (const std::vector<Membership> &M : PerNeuron[G]) {
      MemberBegin[G].push_back(static_cast<uint32_t>(Members[G].size()));
      Members[G].insert(Members[G].end(), M.begin(), M.end());
    }
    MemberBegin[G].push_back(static_cast<uint32_t>(Members[G].size()));
  }
  SegmentBegin.push_back(static_cast<uint32_t>(Segments.size()));
  BySymbol.resize(Img.Symbols.size());
}

void HostInterface::injectInput(uint32_t Port, uint32_t Index, int32_t Payload) {
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

void HostInterface::flushRecorded(uint64_t Step) {
  for (uint32_t S = 0; S < BySymbol.size(); ++S) {
    std::vector<uint32_t> &Indices = BySymbol[S];
    if (!std::is_sorted(Indices.begin(), Indices.end()))
      std::sort(Indices.begin(), Indices.end());
    for (uint32_t I : Indices)
      Recorded.push_back({Step, S, I});
    RecordedCount += Indices.size();
    Indices.clear();
  }
}

std::vector<SpikeRecord> HostInterface::takeRecorded() {
  std::vector<SpikeRecord> Out;
  Out.swap(Recorded);
  return Out;
}

std::vector<ProbeRecord> HostInterface::takeProbed() {
  std::vector<ProbeRecord> Out;
  Out.swap(Probed);
  return Out;
}

EngineCounters HostInterface::counters(const CoreCounters &Cores) const {
  EngineCounters C;
  C.Cores = Cores;
  C.HostSpikes = HostSpikes;
  C.HostMessages = HostMessages;
  C.GeneratedSpikes = GeneratedSpikes;
  C.GeneratedMessages = GeneratedMessages;
  C.RecordedSpikes = RecordedCount;
  return C;
}

} // namespace neuromesh::emulator
