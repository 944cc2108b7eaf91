//===- Emit.cpp - routing tables, image emission, symbol table ------------===//
//
// Writes the isa::Image of a partitioned and placed network. Per core, the
// incoming synapses of its neurons are grouped by input axon (pre neuron and
// axon type, axons in key order) and, within an axon, by projection; each
// group becomes segments under exactly the cost model the partition used
// (groupBits), so the memory the partition reserved is the memory the image
// takes. Output tables and input port targets are the partition's
// destinations turned into (chip, core within chip, axon) addresses.
// Everything is ordered by indices, never by pointers or hashes, so the same
// network gives the same image bytes.
//
//===----------------------------------------------------------------------===//
#include "MappingInternal.h"

#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>

namespace neuromesh::compiler::mapping {

uint64_t coreSeed(const std::string &NetName, uint32_t Core) {
  uint64_t H = 0xcbf29ce484222325ULL;
  auto Byte = [&H](uint8_t B) {
    H ^= B;
    H *= 0x100000001b3ULL;
  };
  for (char C : NetName)
    Byte(uint8_t(C));
  Byte(0);
  for (int I = 0; I < 4; ++I)
    Byte(uint8_t(Core >> (8 * I)));
  return H;
}

uint64_t segmentBytes(const NetIndex &Ix, const std::vector<isa::SynapseSegment> &Axon) {
  uint64_t Bits = 0;
  for (const isa::SynapseSegment &S : Axon)
    switch (S.Kind) {
    case isa::SegmentKind::Sparse:
      Bits += S.Sparse.size() * Ix.SparseBits;
      break;
    case isa::SegmentKind::Dense:
      Bits += S.Weights.size() * Ix.DenseBits;
      break;
    case isa::SegmentKind::Crossbar:
      Bits += S.Connected.size();
      break;
    }
  return (Bits + 7) / 8;
}

namespace {

/// One incoming synapse of a core, for grouping.
struct Ent {
  uint64_t Key;
  uint32_t Proj;
  uint32_t Post; ///< local neuron index
  uint8_t Delay;
  uint32_t Syn;
  uint32_t Occ;
};

/// Builds core C's profiles, neurons, axons and columns; returns its axon
/// keys in axon order.
std::vector<uint64_t> buildCore(const NetIndex &Ix, const Partition &Part, uint32_t CI,
                                AxonSlots &Slots, isa::Core &Core) {
  const HardwareNetwork &Net = *Ix.Net;
  const PartCore &PC = Part.Cores[CI];
  Core.Config.NumStateWords = PC.StateWords;
  Core.Config.NumDelaySlots = 1;
  Core.Config.Seed = coreSeed(Net.Name, CI);

  // Profiles in order of first use, neurons with their padded state.
  std::vector<uint32_t> Used;
  for (const Run &R : PC.Runs)
    for (uint32_t N = R.First; N < R.First + R.Count; ++N) {
      uint32_t Id = Ix.profileOf(R.Pop, N);
      auto It = std::find(Used.begin(), Used.end(), Id);
      if (It == Used.end()) {
        Used.push_back(Id);
        Core.Profiles.push_back(*Ix.Profiles[Id]);
        It = Used.end() - 1;
      }
      isa::Neuron Nr;
      Nr.Profile = uint16_t(It - Used.begin());
      Nr.State.resize(PC.StateWords);
      for (unsigned W = 0; W < PC.StateWords; ++W)
        Nr.State[W] = Ix.initialState(R.Pop, N, W);
      Core.Neurons.push_back(std::move(Nr));
    }

  // Incoming synapses, grouped by (axon key, projection).
  std::vector<Ent> E;
  for (const Run &R : PC.Runs)
    for (uint32_t J : Ix.Into[R.Pop]) {
      const HwProjection &Pr = Net.Projections[J];
      uint8_t TC = typeCode(Pr.AxonType);
      for (uint32_t N = R.First; N < R.First + R.Count; ++N)
        for (uint64_t I = Ix.ColStart[J][N]; I < Ix.ColStart[J][N + 1]; ++I) {
          const InEntry &In = Ix.Col[J][I];
          E.push_back(Ent{axonKey(Ix.preGid(Pr, In.Pre), TC), J, R.LocalFirst + (N - R.First),
                          Pr.Synapses.Delay[In.Syn], In.Syn, 0});
        }
    }
  // Bucket by axon key (keys ascending), keeping the gathering order
  // within a bucket, then order each bucket by (projection, post, synapse).
  std::vector<uint64_t> Keys;
  std::vector<uint32_t> Count;
  for (const Ent &X : E) {
    uint32_t B = Slots.find(X.Key);
    if (B == AxonSlots::None) {
      B = uint32_t(Keys.size());
      Slots.set(X.Key, B);
      Keys.push_back(X.Key);
      Count.push_back(0);
    }
    ++Count[B];
  }
  std::vector<uint32_t> ByKey(Keys.size());
  for (uint32_t B = 0; B < ByKey.size(); ++B)
    ByKey[B] = B;
  std::sort(ByKey.begin(), ByKey.end(), [&Keys](uint32_t A, uint32_t B) { return Keys[A] < Keys[B]; });
  std::vector<uint64_t> Start(Keys.size() + 1, 0);
  for (uint32_t R = 0; R < ByKey.size(); ++R)
    Start[R + 1] = Start[R] + Count[ByKey[R]];
  std::vector<uint64_t> Next(Keys.size());
  for (uint32_t R = 0; R < ByKey.size(); ++R)
    Next[ByKey[R]] = Start[R];
  {
    std::vector<Ent> Sorted(E.size());
    for (const Ent &X : E)
      Sorted[Next[Slots.find(X.Key)]++] = X;
    E.swap(Sorted);
  }
  Slots.clear();
  auto Less = [](const Ent &A, const Ent &B) {
    if (A.Proj != B.Proj)
      return A.Proj < B.Proj;
    if (A.Post != B.Post)
      return A.Post < B.Post;
    return A.Syn < B.Syn;
  };
  for (uint32_t R = 0; R < ByKey.size(); ++R)
    if (!std::is_sorted(E.begin() + Start[R], E.begin() + Start[R + 1], Less))
      std::sort(E.begin() + Start[R], E.begin() + Start[R + 1], Less);
  // Repeat index of each (axon, projection, post, delay).
  for (size_t I = 0; I < E.size();) {
    size_t J = I + 1;
    while (J < E.size() && E[J].Key == E[I].Key && E[J].Proj == E[I].Proj &&
           E[J].Post == E[I].Post)
      ++J;
    for (size_t A = I + 1; A < J; ++A)
      for (size_t B = I; B < A; ++B)
        E[A].Occ += E[B].Delay == E[A].Delay;
    I = J;
  }

  Keys.clear();
  bool AnyCrossbar = false;
  std::vector<size_t> Order;
  std::vector<uint64_t> Spans;
  for (size_t I = 0; I < E.size();) {
    size_t J = I;
    while (J < E.size() && E[J].Key == E[I].Key)
      ++J;
    Keys.push_back(E[I].Key);
    std::vector<isa::SynapseSegment> &Axon = Core.Axons.emplace_back();
    for (size_t K = I; K < J;) {
      size_t M = K;
      while (M < J && E[M].Proj == E[K].Proj)
        ++M;
      const HwProjection &Pr = Net.Projections[E[K].Proj];
      const Encoding Enc = Ix.Enc[E[K].Proj];
      // Sub-groups: one per (delay, repeat), each a run of posts.
      Order.clear();
      for (size_t Q = K; Q < M; ++Q)
        Order.push_back(Q);
      std::stable_sort(Order.begin(), Order.end(), [&E](size_t A, size_t B) {
        if (E[A].Delay != E[B].Delay)
          return E[A].Delay < E[B].Delay;
        return E[A].Occ < E[B].Occ;
      });
      std::vector<std::pair<size_t, size_t>> Subs; // ranges of Order
      Spans.clear();
      for (size_t A = 0; A < Order.size();) {
        size_t B = A;
        while (B < Order.size() && E[Order[B]].Delay == E[Order[A]].Delay &&
               E[Order[B]].Occ == E[Order[A]].Occ)
          ++B;
        Subs.emplace_back(A, B);
        // Posts ascend within a sub-group (stable sort of a post-sorted range).
        Spans.push_back(uint64_t(E[Order[B - 1]].Post) - E[Order[A]].Post + 1);
        A = B;
      }
      bool UseDense = false;
      groupBits(Ix, Enc, M - K, Spans, &UseDense);
      for (size_t Q = K; Q < M; ++Q)
        Core.Config.NumDelaySlots = std::max(Core.Config.NumDelaySlots, E[Q].Delay);

      if (Enc == Encoding::Sparse || (Enc == Encoding::SparseOrDense && !UseDense)) {
        isa::SynapseSegment S;
        S.Kind = isa::SegmentKind::Sparse;
        S.Shift = Pr.Shift;
        for (size_t Q = K; Q < M; ++Q)
          S.Sparse.push_back(isa::SparseSynapse{uint16_t(E[Q].Post),
                                                Pr.Synapses.Weight[E[Q].Syn], E[Q].Delay});
        Axon.push_back(std::move(S));
      } else {
        for (const auto &[A, B] : Subs) {
          const uint32_t First = E[Order[A]].Post;
          const uint32_t Len = E[Order[B - 1]].Post - First + 1;
          isa::SynapseSegment S;
          S.Shift = Pr.Shift;
          S.Delay = E[Order[A]].Delay;
          S.FirstNeuron = uint16_t(First);
          if (Enc == Encoding::Crossbar) {
            AnyCrossbar = true;
            S.Kind = isa::SegmentKind::Crossbar;
            S.AxonType = uint8_t(Pr.AxonType);
            S.Connected.assign(Len, false);
            for (size_t Q = A; Q < B; ++Q)
              S.Connected[E[Order[Q]].Post - First] = true;
          } else {
            S.Kind = isa::SegmentKind::Dense;
            S.Weights.assign(Len, 0);
            for (size_t Q = A; Q < B; ++Q)
              S.Weights[E[Order[Q]].Post - First] = Pr.Synapses.Weight[E[Order[Q]].Syn];
          }
          Axon.push_back(std::move(S));
        }
      }
      K = M;
    }
    I = J;
  }

  if (AnyCrossbar)
    for (const Run &R : PC.Runs) {
      const HwPopulation &Pop = Net.Populations[R.Pop];
      for (uint32_t N = 0; N < R.Count; ++N)
        Core.Crossbar.push_back(Pop.UsesCrossbar ? Pop.Column : isa::CrossbarColumn{});
    }
  Core.Outputs.resize(Core.Neurons.size());

  // The partition reserved exactly what the segments take; a difference
  // is a bug in one of the two cost computations.
  uint64_t Bytes = 0;
  for (const auto &Axon : Core.Axons)
    Bytes += segmentBytes(Ix, Axon);
  if (Bytes != PC.SynapseBytes || Keys.size() != PC.Axons ||
      Core.Config.NumDelaySlots != PC.DelaySlots)
    throw Error(fmt::format("error: internal: core {} emitted {} axons, {} bytes, {} delay "
                            "slots; the partition counted {}, {}, {}",
                            CI, Keys.size(), Bytes, unsigned(Core.Config.NumDelaySlots),
                            PC.Axons, PC.SynapseBytes, unsigned(PC.DelaySlots)));
  return Keys;
}

/// The on-chip generator of a spike source (docs/network-format.md gives
/// the same rules for the network level).
isa::SpikeGenerator generatorOf(const SpikeSource &S, double Dt) {
  isa::SpikeGenerator G;
  switch (S.K) {
  case SpikeSource::Kind::External:
    break;
  case SpikeSource::Kind::List:
    G.Kind = isa::GeneratorKind::List;
    G.Spikes = S.Spikes;
    for (const auto &[Step, Index] : G.Spikes)
      if (Index >= S.Size)
        throw Error(errorPrefix(S.Loc) +
                    fmt::format("source '{}': spike index {} (step {}) out of range [0, {}]",
                                S.Name, Index, Step, int64_t(S.Size) - 1));
    std::sort(G.Spikes.begin(), G.Spikes.end());
    G.Spikes.erase(std::unique(G.Spikes.begin(), G.Spikes.end()), G.Spikes.end());
    break;
  case SpikeSource::Kind::Poisson: {
    G.Kind = isa::GeneratorKind::Poisson;
    G.Seed = S.Seed;
    // floor(min(rate * dt, 1) * 2^32): index i fires in step t iff
    // randomDraw(Seed, t, i, 0) is below it.
    double P = std::min(S.RateHz * Dt, 1.0);
    G.ProbabilityQ32 = P > 0 ? uint64_t(std::floor(P * 4294967296.0)) : 0;
    break;
  }
  case SpikeSource::Kind::Regular:
    if (S.Period < 1)
      throw Error(errorPrefix(S.Loc) +
                  fmt::format("source '{}': period 0; a regular source fires every period >= 1 "
                              "steps",
                              S.Name));
    G.Kind = isa::GeneratorKind::Regular;
    G.Period = S.Period;
    G.Phase = S.Phase;
    break;
  }
  return G;
}

} // namespace

isa::Image emitImage(const NetIndex &Ix, const isa::Architecture &Arch, const Partition &Part,
                     const std::vector<isa::CoreLocation> &Locations) {
  const HardwareNetwork &Net = *Ix.Net;
  const uint32_t NC = uint32_t(Part.Cores.size());
  isa::Image Img;
  isa::ChipHeader &H = Img.Header;
  H.ArchFingerprint = Arch.fingerprint();
  H.ArchName = Arch.Name;
  H.NumChips = uint16_t(Arch.Chips.Count);
  H.MeshWidth = uint16_t(Arch.Mesh.Width);
  H.MeshHeight = uint16_t(Arch.Mesh.Height);
  H.CoresPerTile = uint8_t(Arch.Mesh.CoresPerTile);
  H.Cores = Locations;

  // A core's address names it by its rank among its chip's cores.
  std::vector<uint16_t> Rank(NC);
  std::vector<uint32_t> PerChip(H.NumChips, 0);
  for (uint32_t C = 0; C < NC; ++C)
    Rank[C] = uint16_t(PerChip[Locations[C].Chip]++);

  Img.Cores.resize(NC);
  std::vector<std::vector<uint64_t>> Keys(NC);
  AxonSlots Slots(Ix.NumGids);
  for (uint32_t C = 0; C < NC; ++C)
    Keys[C] = buildCore(Ix, Part, C, Slots, Img.Cores[C]);

  auto Targets = [&](uint64_t Gid) {
    std::vector<isa::AxonAddress> Out;
    for (uint64_t D = Part.DestStart[Gid]; D < Part.DestStart[Gid + 1]; ++D) {
      const Destination &Ds = Part.Dests[D];
      const std::vector<uint64_t> &K = Keys[Ds.Core];
      uint64_t Key = axonKey(Gid, Ds.TypeCode);
      auto It = std::lower_bound(K.begin(), K.end(), Key);
      assert(It != K.end() && *It == Key && "destination without an axon");
      Out.push_back(isa::AxonAddress{Locations[Ds.Core].Chip, Rank[Ds.Core],
                                     uint16_t(It - K.begin())});
    }
    return Out;
  };

  // Routing tables.
  for (uint32_t C = 0; C < NC; ++C)
    for (const Run &R : Part.Cores[C].Runs)
      for (uint32_t N = 0; N < R.Count; ++N)
        Img.Cores[C].Outputs[R.LocalFirst + N] = Targets(Ix.PopBase[R.Pop] + R.First + N);

  // Symbols: every source as an input port with its generator, then every
  // population.
  for (size_t S = 0; S < Net.Sources.size(); ++S) {
    isa::Symbol Sym;
    Sym.Kind = isa::SymbolKind::InputPort;
    Sym.Name = Net.Sources[S].Name;
    Sym.Size = Net.Sources[S].Size;
    for (uint32_t I = 0; I < Sym.Size; ++I)
      Sym.Targets.push_back(Targets(Ix.SrcBase[S] + I));
    Sym.Generator = generatorOf(Net.Sources[S], Net.Dt);
    Img.Symbols.push_back(std::move(Sym));
  }
  std::vector<std::vector<isa::PopulationSegment>> Segs(Net.Populations.size());
  for (uint32_t C = 0; C < NC; ++C)
    for (const Run &R : Part.Cores[C].Runs)
      Segs[R.Pop].push_back(
          isa::PopulationSegment{C, uint16_t(R.LocalFirst), uint16_t(R.Count), R.First});
  for (size_t P = 0; P < Net.Populations.size(); ++P) {
    // A population that neither records spikes nor is probed has nothing
    // for the host, so it gets no symbol.
    const HwPopulation &Pop = Net.Populations[P];
    if (!Pop.Record && Pop.Probes.empty())
      continue;
    isa::Symbol Sym;
    Sym.Kind = isa::SymbolKind::Population;
    Sym.Name = Pop.Name;
    Sym.Size = Pop.Size;
    Sym.Segments = std::move(Segs[P]);
    Sym.RecordSpikes = Pop.Record;
    Sym.Probes = Pop.Probes;
    Img.Symbols.push_back(std::move(Sym));
  }
  return Img;
}

} // namespace neuromesh::compiler::mapping
