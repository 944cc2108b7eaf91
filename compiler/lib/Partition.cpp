//===- Partition.cpp - network index, legality checks, partition ----------===//
//
// buildIndex checks the lowered network against the hard limits of the
// architecture and transposes every projection so that the incoming
// synapses of a post neuron can be walked directly.
//
// partitionNetwork fills cores greedily, population after population, neuron
// after neuron (so every population is a sequence of contiguous runs and
// small populations share a core). Before a neuron joins the current core the
// exact resources it would add are computed with the same cost model the
// emitter uses (new input axons, synaptic memory bytes, profiles, output
// table entries); if any per-core limit would be broken the core is closed
// and a new one opened. A population that fits one core but not the room
// left on the current one starts a new core rather than being split (fewer
// destinations per pre neuron); if that needs more cores than the system
// has, the network is packed without the rule instead.
//
// Output table entries depend on where the targets of a neuron end up,
// which is only known once the whole network is cut, so the partition is
// repeated with each neuron's destination count from the previous cut as
// its estimate until every core's output table fits.
//
//===----------------------------------------------------------------------===//
#include "MappingInternal.h"

#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace neuromesh::compiler::mapping {

std::string errorPrefix(const SourceLoc &Loc) {
  if (Loc.File.empty())
    return "error: ";
  return fmt::format("{}:{}:{}: error: ", Loc.File, Loc.Line, Loc.Col);
}

uint32_t NetIndex::profileOf(uint32_t P, uint32_t N) const {
  const HwPopulation &Pop = Net->Populations[P];
  uint32_t Local = Pop.ProfileOf.empty() ? 0 : Pop.ProfileOf[N];
  return CanonProfile[P][Local];
}

int32_t NetIndex::initialState(uint32_t P, uint32_t N, unsigned W) const {
  const HwPopulation &Pop = Net->Populations[P];
  if (W >= Pop.StateWords || Pop.InitialState.empty())
    return 0;
  // Either one set of words for every neuron, or one set per neuron.
  if (Pop.InitialState.size() == Pop.StateWords && Pop.Size != 1)
    return Pop.InitialState[W];
  return Pop.InitialState[uint64_t(N) * Pop.StateWords + W];
}

namespace {

std::string quoteList(const HardwareNetwork &Net, const std::vector<uint32_t> &Projs) {
  std::string S;
  for (size_t I = 0; I < Projs.size(); ++I) {
    if (I)
      S += ", ";
    S += "'" + Net.Projections[Projs[I]].Name + "'";
  }
  return S.empty() ? "its projections" : "projection" + std::string(Projs.size() > 1 ? "s " : " ") + S;
}

std::string profileKey(const isa::NeuronProfile &P) {
  std::string K;
  auto Put = [&K](uint64_t V) { K.append(reinterpret_cast<const char *>(&V), sizeof V); };
  Put(P.Params.size());
  for (int32_t V : P.Params)
    Put(uint64_t(uint32_t(V)));
  for (const isa::Instruction &I : P.Program)
    Put((uint64_t(uint8_t(I.Op)) << 56) | (uint64_t(I.Rd) << 48) | (uint64_t(I.Ra) << 40) |
        (uint64_t(I.Rb) << 32) | uint32_t(I.Imm));
  return K;
}

uint64_t ceil8(uint64_t Bits) { return (Bits + 7) / 8; }

} // namespace

NetIndex buildIndex(const HardwareNetwork &Net, const isa::Architecture &Arch) {
  NetIndex Ix;
  Ix.Net = &Net;
  Ix.SparseBits = uint64_t(Arch.Core.SparseSynapseBits);
  Ix.DenseBits = uint64_t(Arch.Core.DenseSynapseBits);
  std::vector<std::string> Errors;
  auto Fail = [&Errors](const SourceLoc &Loc, std::string Msg) {
    Errors.push_back(errorPrefix(Loc) + Msg);
  };
  const size_t NP = Net.Populations.size(), NS = Net.Sources.size();
  const int64_t MaxWords = std::min<int64_t>(Arch.Core.StateWords, isa::MaxStateWords);

  // Populations.
  std::unordered_map<std::string, uint32_t> ProfileIds;
  Ix.CanonProfile.resize(NP);
  uint64_t Gid = 0;
  for (size_t P = 0; P < NP; ++P) {
    const HwPopulation &Pop = Net.Populations[P];
    Ix.PopBase.push_back(Gid);
    Gid += Pop.Size;
    std::string Who = fmt::format("population '{}'", Pop.Name);
    if (Pop.StateWords < 1 || Pop.StateWords > MaxWords)
      Fail(Pop.Loc, fmt::format("{} (model '{}') needs {} state words per neuron, but "
                                "core.state_words is {}: use a model with at most {} state "
                                "words or an architecture with more",
                                Who, Pop.Model, unsigned(Pop.StateWords), Arch.Core.StateWords,
                                MaxWords));
    if (Pop.Size > 0 && Pop.Profiles.empty())
      Fail(Pop.Loc, Who + " has no neuron profile (internal: lowering must give one)");
    if (!Pop.ProfileOf.empty() && Pop.ProfileOf.size() != Pop.Size)
      Fail(Pop.Loc, fmt::format("{} has {} profile indices for {} neurons (internal)", Who,
                                Pop.ProfileOf.size(), Pop.Size));
    for (uint16_t Pr : Pop.ProfileOf)
      if (Pr >= Pop.Profiles.size()) {
        Fail(Pop.Loc, fmt::format("{}: profile index {} out of range [0, {}] (internal)", Who,
                                  Pr, int64_t(Pop.Profiles.size()) - 1));
        break;
      }
    size_t IS = Pop.InitialState.size();
    if (IS != 0 && IS != Pop.StateWords && IS != uint64_t(Pop.Size) * Pop.StateWords)
      Fail(Pop.Loc, fmt::format("{} has {} initial state words; expected 0, {} or {} "
                                "(internal)",
                                Who, IS, unsigned(Pop.StateWords),
                                uint64_t(Pop.Size) * Pop.StateWords));
    if (Pop.UsesCrossbar && !Arch.Core.Crossbar)
      Fail(Pop.Loc, fmt::format("{} (model '{}') needs crossbar synapses, but architecture "
                                "'{}' has no crossbar encoding (core.encodings)",
                                Who, Pop.Model, Arch.Name));
    for (const isa::NeuronProfile &Prof : Pop.Profiles) {
      auto [It, New] = ProfileIds.try_emplace(profileKey(Prof), uint32_t(Ix.Profiles.size()));
      if (New)
        Ix.Profiles.push_back(&Prof);
      Ix.CanonProfile[P].push_back(It->second);
    }
  }
  Ix.NumPopGids = Gid;
  for (size_t S = 0; S < NS; ++S) {
    Ix.SrcBase.push_back(Gid);
    Gid += Net.Sources[S].Size;
  }
  Ix.NumGids = Gid;

  // Projections.
  const size_t NJ = Net.Projections.size();
  Ix.Into.resize(NP);
  Ix.FromPop.resize(NP);
  Ix.FromSrc.resize(NS);
  Ix.Enc.resize(NJ, Encoding::Sparse);
  Ix.ColStart.resize(NJ);
  Ix.Col.resize(NJ);
  const int64_t WMax = (int64_t(1) << (Arch.Core.WeightBits - 1)) - 1;
  const int64_t WMin = -(int64_t(1) << (Arch.Core.WeightBits - 1));
  for (size_t J = 0; J < NJ; ++J) {
    const HwProjection &Pr = Net.Projections[J];
    std::string Who = fmt::format("projection '{}'", Pr.Name);
    size_t PreCount = Pr.PreIsSource ? NS : NP;
    if (Pr.Pre >= PreCount || Pr.Post >= NP) {
      Fail(Pr.Loc, Who + " refers to a missing pre or post (internal)");
      continue;
    }
    const HwPopulation &Post = Net.Populations[Pr.Post];
    uint32_t PreSize = Pr.PreIsSource ? Net.Sources[Pr.Pre].Size : Net.Populations[Pr.Pre].Size;
    const SynapseTable &T = Pr.Synapses;
    bool Shape = T.NumPre == PreSize && T.NumPost == Post.Size &&
                 T.RowStart.size() == uint64_t(T.NumPre) + 1 && T.RowStart.front() == 0 &&
                 T.RowStart.back() == T.Post.size() && T.Weight.size() == T.Post.size() &&
                 T.Delay.size() == T.Post.size();
    for (size_t I = 0; Shape && I + 1 < T.RowStart.size(); ++I)
      Shape = T.RowStart[I] <= T.RowStart[I + 1];
    if (!Shape) {
      Fail(Pr.Loc, Who + " has an inconsistent synapse table (internal)");
      continue;
    }
    if (T.size() > std::numeric_limits<uint32_t>::max()) {
      Fail(Pr.Loc, fmt::format("{} has {} synapses; at most 2^32 - 1 per projection", Who,
                               T.size()));
      continue;
    }
    bool BadPost = false;
    uint32_t MaxDelay = 0, MinDelay = 255;
    int64_t MaxW = 0, MinW = 0;
    for (size_t S = 0; S < T.size(); ++S) {
      BadPost |= T.Post[S] >= T.NumPost;
      MaxDelay = std::max<uint32_t>(MaxDelay, T.Delay[S]);
      MinDelay = std::min<uint32_t>(MinDelay, T.Delay[S]);
      MaxW = std::max<int64_t>(MaxW, T.Weight[S]);
      MinW = std::min<int64_t>(MinW, T.Weight[S]);
    }
    if (BadPost) {
      Fail(Pr.Loc, Who + " has a synapse to a post neuron out of range (internal)");
      continue;
    }
    if (T.size() && MinDelay < 1)
      Fail(Pr.Loc, Who + ": delay 0 out of range; delays are at least 1 step");
    if (MaxDelay > Arch.Core.DelaySlots)
      Fail(Pr.Loc, fmt::format("{}: delay {} exceeds core.delay_slots ({}): delays must be "
                               "1..{} steps on architecture '{}'",
                               Who, MaxDelay, Arch.Core.DelaySlots, Arch.Core.DelaySlots,
                               Arch.Name));
    if (Pr.Shift > isa::MaxWeightShift || Pr.Shift < Arch.Core.WeightExponentMin ||
        Pr.Shift > Arch.Core.WeightExponentMax)
      Fail(Pr.Loc, fmt::format("{}: weight shift {} out of range [{}, {}] "
                               "(core.weight_exponent_min..max)",
                               Who, unsigned(Pr.Shift), Arch.Core.WeightExponentMin,
                               std::min<int64_t>(Arch.Core.WeightExponentMax,
                                                 isa::MaxWeightShift)));
    if (Post.UsesCrossbar) {
      Ix.Enc[J] = Encoding::Crossbar;
      if (Pr.AxonType < 0 || Pr.AxonType >= int32_t(isa::NumAxonTypes))
        Fail(Pr.Loc, fmt::format("{}: population '{}' uses a crossbar, so the projection "
                                 "needs an axon type 0..3, not {}",
                                 Who, Post.Name, Pr.AxonType));
    } else {
      if (Pr.AxonType >= 0)
        Fail(Pr.Loc, fmt::format("{}: axon type {} given, but population '{}' does not use "
                                 "a crossbar; remove the axon type",
                                 Who, Pr.AxonType, Post.Name));
      if (MaxW > WMax || MinW < WMin)
        Fail(Pr.Loc, fmt::format("{}: weight mantissa {} out of range [{}, {}] for "
                                 "core.weight_bits = {}",
                                 Who, MaxW > WMax ? MaxW : MinW, WMin, WMax,
                                 Arch.Core.WeightBits));
      if (Arch.Core.Sparse && Arch.Core.Dense)
        Ix.Enc[J] = Encoding::SparseOrDense;
      else if (Arch.Core.Sparse)
        Ix.Enc[J] = Encoding::Sparse;
      else if (Arch.Core.Dense)
        Ix.Enc[J] = Encoding::Dense;
      else
        Fail(Pr.Loc, fmt::format("{}: population '{}' needs sparse or dense synapses, but "
                                 "architecture '{}' only has crossbars; use a crossbar "
                                 "model (truenorth) for it",
                                 Who, Post.Name, Arch.Name));
    }
    Ix.Into[Pr.Post].push_back(uint32_t(J));
    (Pr.PreIsSource ? Ix.FromSrc : Ix.FromPop)[Pr.Pre].push_back(uint32_t(J));

    // Transpose: entries of a column in (pre, synapse) order.
    std::vector<uint64_t> &CS = Ix.ColStart[J];
    std::vector<InEntry> &Col = Ix.Col[J];
    CS.assign(uint64_t(T.NumPost) + 1, 0);
    for (uint32_t Q : T.Post)
      ++CS[Q + 1];
    for (size_t I = 1; I < CS.size(); ++I)
      CS[I] += CS[I - 1];
    Col.resize(T.size());
    std::vector<uint64_t> Fill(CS.begin(), CS.end() - 1);
    for (uint32_t Pre = 0; Pre < T.NumPre; ++Pre)
      for (uint64_t S = T.RowStart[Pre]; S < T.RowStart[Pre + 1]; ++S)
        Col[Fill[T.Post[S]]++] = InEntry{Pre, uint32_t(S)};
  }
  if (!Errors.empty()) {
    std::string M;
    for (const std::string &E : Errors)
      M += (M.empty() ? "" : "\n") + E;
    throw Error(M);
  }
  return Ix;
}

uint64_t groupBits(const NetIndex &Ix, Encoding E, uint64_t Count,
                   const std::vector<uint64_t> &Spans, bool *UseDense) {
  uint64_t SpanSum = 0;
  for (uint64_t S : Spans)
    SpanSum += S;
  if (UseDense)
    *UseDense = false;
  switch (E) {
  case Encoding::Sparse:
    return Count * Ix.SparseBits;
  case Encoding::Dense:
    if (UseDense)
      *UseDense = true;
    return SpanSum * Ix.DenseBits;
  case Encoding::Crossbar:
    return SpanSum;
  case Encoding::SparseOrDense:
    break;
  }
  uint64_t Sparse = Count * Ix.SparseBits;
  if (Spans.size() != 1 || SpanSum * Ix.DenseBits > Sparse)
    return Sparse;
  if (UseDense)
    *UseDense = true;
  return SpanSum * Ix.DenseBits;
}

namespace {

/// Synapses of one (delay, repeat) pair of a group: its post neuron range.
struct Sub {
  uint8_t Delay;
  uint32_t Occ;
  uint32_t First, Last;
};

/// The synapses of one projection on one input axon of the core.
struct Group {
  uint32_t Proj = 0;
  uint64_t Count = 0, Bits = 0;
  std::vector<Sub> Subs;
};

struct AxonState {
  uint64_t Bits = 0;
  std::vector<Group> Groups;
};

/// One incoming synapse of the neuron being placed.
struct InSyn {
  uint64_t Key;
  uint32_t Proj;
  uint8_t Delay;
  uint32_t Occ;
};

/// What one neuron adds to a core.
struct Needs {
  uint64_t Axons = 0, Bytes = 0, Profiles = 0;
};

/// The core being filled: exact resource use under the emitter's cost model.
class CoreFill {
public:
  explicit CoreFill(const NetIndex &Ix) : Ix(Ix), AxonOf(Ix.NumGids) {}

  void reset() {
    AxonOf.clear();
    Axons.clear();
    ProfileIds.clear();
    Bytes = Outputs = 0;
    Neurons = 0;
    StateWords = DelaySlots = 1;
  }

  /// Resources neuron with incoming synapses E and profile Profile adds
  /// when it becomes local neuron Neurons; with Commit it is added.
  Needs apply(const std::vector<InSyn> &E, uint32_t Profile, bool Commit) {
    Needs N;
    const uint32_t L = Neurons;
    if (std::find(ProfileIds.begin(), ProfileIds.end(), Profile) == ProfileIds.end()) {
      N.Profiles = 1;
      if (Commit)
        ProfileIds.push_back(Profile);
    }
    for (size_t I = 0; I < E.size();) {
      size_t J = I;
      while (J < E.size() && E[J].Key == E[I].Key)
        ++J;
      uint32_t Found = AxonOf.find(E[I].Key);
      AxonState *A = Found == AxonSlots::None ? nullptr : &Axons[Found];
      if (!A) {
        ++N.Axons;
        if (Commit) {
          AxonOf.set(E[I].Key, uint32_t(Axons.size()));
          Axons.emplace_back();
          A = &Axons.back();
        }
      }
      const uint64_t OldBits = A ? A->Bits : 0;
      uint64_t NewBits = OldBits;
      for (size_t K = I; K < J;) {
        size_t M = K;
        while (M < J && E[M].Proj == E[K].Proj)
          ++M;
        Group *G = nullptr;
        if (A)
          for (Group &Gr : A->Groups)
            if (Gr.Proj == E[K].Proj)
              G = &Gr;
        if (!G && Commit) {
          A->Groups.push_back(Group{E[K].Proj, 0, 0, {}});
          G = &A->Groups.back();
        }
        // Spans after adding post L to the (delay, repeat) sub-groups.
        Spans.clear();
        size_t Matched = 0;
        if (G)
          for (const Sub &S : G->Subs) {
            bool Hit = false;
            for (size_t Q = K; Q < M && !Hit; ++Q)
              Hit = E[Q].Delay == S.Delay && E[Q].Occ == S.Occ;
            Matched += Hit;
            Spans.push_back(uint64_t(Hit ? L : S.Last) - S.First + 1);
          }
        for (size_t Q = Matched; Q < M - K; ++Q)
          Spans.push_back(1);
        uint64_t Count = (G ? G->Count : 0) + (M - K);
        uint64_t Bits = groupBits(Ix, Ix.Enc[E[K].Proj], Count, Spans);
        NewBits += Bits - (G ? G->Bits : 0);
        if (Commit) {
          for (size_t Q = K; Q < M; ++Q) {
            bool Hit = false;
            for (Sub &S : G->Subs)
              if (S.Delay == E[Q].Delay && S.Occ == E[Q].Occ) {
                S.Last = L;
                Hit = true;
              }
            if (!Hit)
              G->Subs.push_back(Sub{E[Q].Delay, E[Q].Occ, L, L});
            DelaySlots = std::max(DelaySlots, E[Q].Delay);
          }
          G->Count = Count;
          G->Bits = Bits;
        }
        K = M;
      }
      N.Bytes += ceil8(NewBits) - ceil8(OldBits);
      if (Commit)
        A->Bits = NewBits;
      I = J;
    }
    if (Commit) {
      Bytes += N.Bytes;
      ++Neurons;
    }
    return N;
  }

  const NetIndex &Ix;
  AxonSlots AxonOf;
  std::vector<AxonState> Axons;
  std::vector<uint32_t> ProfileIds;
  std::vector<uint64_t> Spans;
  uint64_t Bytes = 0, Outputs = 0;
  uint32_t Neurons = 0;
  uint8_t StateWords = 1, DelaySlots = 1;
};

/// The incoming synapses of neuron N of population P, sorted by (axon key,
/// projection, delay), with the repeat index of each (pre, post, delay).
void gatherIncoming(const NetIndex &Ix, uint32_t P, uint32_t N, std::vector<InSyn> &E) {
  E.clear();
  const HardwareNetwork &Net = *Ix.Net;
  for (uint32_t J : Ix.Into[P]) {
    const HwProjection &Pr = Net.Projections[J];
    uint8_t TC = typeCode(Pr.AxonType);
    for (uint64_t I = Ix.ColStart[J][N]; I < Ix.ColStart[J][N + 1]; ++I) {
      const InEntry &In = Ix.Col[J][I];
      E.push_back(InSyn{axonKey(Ix.preGid(Pr, In.Pre), TC), J, Pr.Synapses.Delay[In.Syn], 0});
    }
  }
  std::sort(E.begin(), E.end(), [](const InSyn &A, const InSyn &B) {
    if (A.Key != B.Key)
      return A.Key < B.Key;
    if (A.Proj != B.Proj)
      return A.Proj < B.Proj;
    return A.Delay < B.Delay;
  });
  for (size_t I = 1; I < E.size(); ++I)
    if (E[I].Key == E[I - 1].Key && E[I].Proj == E[I - 1].Proj && E[I].Delay == E[I - 1].Delay)
      E[I].Occ = E[I - 1].Occ + 1;
}

/// A limit one neuron alone breaks, kept per population for the message.
struct AloneError {
  bool Seen = false;
  uint64_t MaxNeed = 0, Synapses = 0, Neurons = 0;
  uint32_t Neuron = 0;
};

/// Every sender's destinations given where the population neurons are.
void computeDestinations(const NetIndex &Ix, const std::vector<uint32_t> &CoreOf,
                         std::vector<uint64_t> &Start, std::vector<Destination> &Dests) {
  const HardwareNetwork &Net = *Ix.Net;
  Start.assign(Ix.NumGids + 1, 0);
  Dests.clear();
  std::vector<Destination> Scratch;
  auto Sender = [&](const std::vector<uint32_t> &Projs, uint32_t I) {
    Scratch.clear();
    for (uint32_t J : Projs) {
      const HwProjection &Pr = Net.Projections[J];
      const SynapseTable &T = Pr.Synapses;
      uint8_t TC = typeCode(Pr.AxonType);
      uint64_t Base = Ix.PopBase[Pr.Post];
      uint32_t Last = std::numeric_limits<uint32_t>::max();
      for (uint64_t S = T.RowStart[I]; S < T.RowStart[I + 1]; ++S) {
        uint32_t C = CoreOf[Base + T.Post[S]];
        if (C == Last)
          continue;
        Last = C;
        Scratch.push_back(Destination{C, TC});
      }
    }
    std::sort(Scratch.begin(), Scratch.end());
    Scratch.erase(std::unique(Scratch.begin(), Scratch.end()), Scratch.end());
    Dests.insert(Dests.end(), Scratch.begin(), Scratch.end());
  };
  uint64_t G = 0;
  for (size_t P = 0; P < Net.Populations.size(); ++P)
    for (uint32_t I = 0; I < Net.Populations[P].Size; ++I) {
      Sender(Ix.FromPop[P], I);
      Start[++G] = Dests.size();
    }
  for (size_t S = 0; S < Net.Sources.size(); ++S)
    for (uint32_t I = 0; I < Net.Sources[S].Size; ++I) {
      Sender(Ix.FromSrc[S], I);
      Start[++G] = Dests.size();
    }
}

} // namespace

namespace {

/// One greedy cut. With KeepWhole, a population that fits one core by
/// neurons but not in what is left of the current core starts a new core
/// instead of being split.
Partition partitionOnce(const NetIndex &Ix, const isa::Architecture &Arch, bool KeepWhole) {
  const HardwareNetwork &Net = *Ix.Net;
  const size_t NP = Net.Populations.size();
  const uint64_t MaxNeurons = uint64_t(Arch.Core.Neurons);
  const uint64_t MaxAxons = uint64_t(Arch.Core.InputAxons);
  const uint64_t MaxBytes = uint64_t(Arch.Core.SynapseMemoryBytes);
  const uint64_t MaxProfiles = uint64_t(Arch.Core.Profiles);
  const uint64_t MaxOutputs = uint64_t(Arch.Core.OutputAxons);
  const uint64_t FanOut = uint64_t(Arch.Core.FanOut);

  // Each neuron's expected output table entries; 0 until a cut tells.
  std::vector<uint64_t> Estimate(Ix.NumPopGids, 0);
  std::vector<InSyn> E;
  CoreFill Fill(Ix);

  for (unsigned Pass = 0;; ++Pass) {
    Partition Part;
    Part.CoreOf.assign(Ix.NumPopGids, std::numeric_limits<uint32_t>::max());
    Part.LocalOf.assign(Ix.NumPopGids, 0);
    std::vector<AloneError> AxonErr(NP), MemErr(NP);
    bool Failed = false;
    Fill.reset();
    auto Close = [&] {
      if (Fill.Neurons == 0)
        return;
      PartCore &C = Part.Cores.back();
      C.Neurons = Fill.Neurons;
      C.Axons = uint32_t(Fill.Axons.size());
      C.Profiles = uint32_t(Fill.ProfileIds.size());
      C.SynapseBytes = Fill.Bytes;
      C.StateWords = Fill.StateWords;
      C.DelaySlots = Fill.DelaySlots;
      Fill.reset();
    };
    auto Fits = [&](const Needs &N, uint64_t Out) {
      return Fill.Neurons + 1 <= MaxNeurons && Fill.ProfileIds.size() + N.Profiles <= MaxProfiles &&
             Fill.Axons.size() + N.Axons <= MaxAxons && Fill.Bytes + N.Bytes <= MaxBytes &&
             Fill.Outputs + Out <= MaxOutputs;
    };
    for (uint32_t P = 0; P < NP; ++P) {
      const HwPopulation &Pop = Net.Populations[P];
      if (KeepWhole && Pop.Size <= MaxNeurons && Fill.Neurons + Pop.Size > MaxNeurons)
        Close();
      for (uint32_t N = 0; N < Pop.Size; ++N) {
        const uint64_t Gid = Ix.PopBase[P] + N;
        const uint32_t Prof = Ix.profileOf(P, N);
        // A neuron whose destinations alone overflow a core's output table
        // is placed alone; the fan-out check below reports it.
        const uint64_t Out = std::min(Estimate[Gid], MaxOutputs);
        gatherIncoming(Ix, P, N, E);
        Needs Nd = Fill.apply(E, Prof, false);
        if (!Fits(Nd, Out) && Fill.Neurons > 0) {
          Close();
          Nd = Fill.apply(E, Prof, false);
        }
        if (!Fits(Nd, Out)) {
          // This neuron alone breaks a limit of an empty core.
          Failed = true;
          auto Note = [&](AloneError &AE, uint64_t Need) {
            if (!AE.Seen || Need > AE.MaxNeed) {
              AE.MaxNeed = Need;
              AE.Synapses = E.size();
              AE.Neuron = N;
            }
            AE.Seen = true;
            ++AE.Neurons;
          };
          if (Nd.Axons > MaxAxons)
            Note(AxonErr[P], Nd.Axons);
          if (Nd.Bytes > MaxBytes)
            Note(MemErr[P], Nd.Bytes);
          continue;
        }
        if (Fill.Neurons == 0)
          Part.Cores.emplace_back();
        PartCore &C = Part.Cores.back();
        if (!C.Runs.empty() && C.Runs.back().Pop == P &&
            C.Runs.back().First + C.Runs.back().Count == N)
          ++C.Runs.back().Count;
        else
          C.Runs.push_back(Run{P, N, 1, Fill.Neurons});
        Part.CoreOf[Gid] = uint32_t(Part.Cores.size() - 1);
        Part.LocalOf[Gid] = Fill.Neurons;
        Fill.apply(E, Prof, true);
        Fill.Outputs += Out;
        Fill.StateWords = std::max(Fill.StateWords, Pop.StateWords);
      }
    }
    Close();

    if (Failed) {
      std::vector<std::string> Errors;
      for (uint32_t P = 0; P < NP; ++P) {
        const HwPopulation &Pop = Net.Populations[P];
        std::string Who = fmt::format("population '{}' ({} neurons)", Pop.Name, Pop.Size);
        if (AxonErr[P].Seen)
          Errors.push_back(
              errorPrefix(Pop.Loc) +
              fmt::format("{}: neuron {} has fan-in from {} distinct pre neurons (one input "
                          "axon each, per axon type on crossbars), but core.input_axons is "
                          "{}: at most {} distinct pre neurons can reach one core; reduce the "
                          "fan-in of {} to at most {} per neuron ({} neurons exceed it)",
                          Who, AxonErr[P].Neuron, AxonErr[P].MaxNeed, MaxAxons, MaxAxons,
                          quoteList(Net, Ix.Into[P]), MaxAxons, AxonErr[P].Neurons));
        if (MemErr[P].Seen) {
          const AloneError &M = MemErr[P];
          uint64_t Fit = M.MaxNeed ? MaxBytes * M.Synapses / M.MaxNeed : 0;
          Errors.push_back(
              errorPrefix(Pop.Loc) +
              fmt::format("{}: the {} incoming synapses of neuron {} need {} bytes of synaptic "
                          "memory, but core.synapse_memory_bytes is {}: about {} such synapses "
                          "fit one core; reduce the fan-in of {} to at most {} per neuron ({} "
                          "neurons exceed it)",
                          Who, M.Synapses, M.Neuron, M.MaxNeed, MaxBytes, Fit,
                          quoteList(Net, Ix.Into[P]), Fit, M.Neurons));
        }
      }
      std::string Msg;
      for (const std::string &S : Errors)
        Msg += (Msg.empty() ? "" : "\n") + S;
      throw Error(Msg);
    }

    computeDestinations(Ix, Part.CoreOf, Part.DestStart, Part.Dests);

    // Fan-out: a neuron's destinations cannot be split over two tables.
    std::vector<std::string> Errors;
    for (uint32_t P = 0; P < NP; ++P) {
      const HwPopulation &Pop = Net.Populations[P];
      uint64_t Worst = 0, Count = 0;
      uint32_t WorstN = 0;
      for (uint32_t N = 0; N < Pop.Size; ++N) {
        uint64_t G = Ix.PopBase[P] + N;
        uint64_t D = Part.DestStart[G + 1] - Part.DestStart[G];
        if (D <= FanOut)
          continue;
        ++Count;
        if (D > Worst) {
          Worst = D;
          WorstN = N;
        }
      }
      if (!Count)
        continue;
      Errors.push_back(
          errorPrefix(Pop.Loc) +
          fmt::format("population '{}' ({} neurons): neuron {} sends spikes to {} destinations "
                      "(distinct target cores and axon types), but core.fan_out is {}: a "
                      "neuron's targets must lie on at most {} cores (at most {} x {} = {} "
                      "post neurons in one population); reduce the fan-out of {} or use "
                      "splitter neurons ({} neurons exceed it)",
                      Pop.Name, Pop.Size, WorstN, Worst, FanOut, FanOut, FanOut, MaxNeurons,
                      FanOut * MaxNeurons, quoteList(Net, Ix.FromPop[P]), Count));
    }
    if (!Errors.empty()) {
      std::string Msg;
      for (const std::string &S : Errors)
        Msg += (Msg.empty() ? "" : "\n") + S;
      throw Error(Msg);
    }

    // Output tables: if one overflows, cut again with the true counts.
    bool Overflow = false;
    for (PartCore &C : Part.Cores) {
      C.OutputEntries = 0;
      for (const Run &R : C.Runs)
        for (uint32_t N = R.First; N < R.First + R.Count; ++N) {
          uint64_t G = Ix.PopBase[R.Pop] + N;
          C.OutputEntries += Part.DestStart[G + 1] - Part.DestStart[G];
        }
      Overflow |= C.OutputEntries > MaxOutputs;
    }
    if (!Overflow)
      return Part;
    bool Raised = false;
    for (uint64_t G = 0; G < Ix.NumPopGids; ++G) {
      uint64_t D = Part.DestStart[G + 1] - Part.DestStart[G];
      if (D > Estimate[G]) {
        Estimate[G] = D;
        Raised = true;
      }
    }
    if (!Raised || Pass >= 64)
      throw Error(fmt::format("error: the partition of network '{}' did not converge: output "
                              "axon tables (core.output_axons = {}) keep overflowing; reduce "
                              "the fan-out of the network",
                              Net.Name, MaxOutputs));
  }
}

} // namespace

Partition partitionNetwork(const NetIndex &Ix, const isa::Architecture &Arch) {
  // Keeping populations whole gives fewer destinations per neuron (less
  // traffic; on fan-out 1 chips it is what makes a network fit) but may
  // need more cores; plain packing is the fallback.
  const uint64_t Have = uint64_t(Arch.coresPerChip()) * uint64_t(Arch.Chips.Count);
  try {
    Partition Whole = partitionOnce(Ix, Arch, true);
    if (Whole.Cores.size() <= Have)
      return Whole;
  } catch (const Error &) {
    // Packed below; if that fails too, its own errors are reported.
  }
  return partitionOnce(Ix, Arch, false);
}

std::vector<TrafficEdge> coreTraffic(const NetIndex &Ix, const Partition &Part) {
  std::vector<TrafficEdge> Edges;
  std::vector<uint32_t> To;
  for (uint32_t C = 0; C < Part.Cores.size(); ++C) {
    To.clear();
    for (const Run &R : Part.Cores[C].Runs)
      for (uint32_t N = R.First; N < R.First + R.Count; ++N) {
        uint64_t G = Ix.PopBase[R.Pop] + N;
        uint32_t Last = std::numeric_limits<uint32_t>::max();
        // Destinations are sorted by core: one message per distinct core.
        for (uint64_t D = Part.DestStart[G]; D < Part.DestStart[G + 1]; ++D)
          if (Part.Dests[D].Core != Last) {
            Last = Part.Dests[D].Core;
            To.push_back(Last);
          }
      }
    std::sort(To.begin(), To.end());
    for (size_t I = 0; I < To.size();) {
      size_t J = I;
      while (J < To.size() && To[J] == To[I])
        ++J;
      Edges.push_back(TrafficEdge{C, To[I], J - I});
      I = J;
    }
  }
  return Edges;
}

} // namespace neuromesh::compiler::mapping
