//===- CoreState.cpp - one core, executable -------------------------------===//
//
// Delivery dominates the engine's run time, so the synapse lists of a core
// are regrouped at load time into one contiguous run of 32-bit words per
// input axon: groups of synapses that share a delay, a shift and a kind. A
// group resolves its ring slot once; its inner loop is one word (16-bit
// target, 16-bit weight) and one add into a ring row that stays in cache
// (Spread groups, on cores whose whole ring a 16-bit offset reaches, hold
// the sparse synapses of every delay, each word's target a ring offset;
// Dense groups pack two weights per word and need no target; dense
// crossbar rows are bit rows, weights looked up per column). A spike thus
// reads one sequential stream of a few cache lines. Summation is modulo
// 2^32, so regrouping and reordering never change a result.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/CoreState.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <tuple>

namespace neuromesh::emulator {

namespace {

/// One deterministic or stochastic synapse before grouping.
struct FlatSynapse {
  uint8_t Delay;
  uint8_t Shift;
  uint16_t Neuron;
  int16_t Weight;
};

bool groupOrder(const FlatSynapse &A, const FlatSynapse &B) {
  return std::tie(A.Delay, A.Shift, A.Neuron) <
         std::tie(B.Delay, B.Shift, B.Neuron);
}

/// The wrapped int32 contribution (W << Shift) of a binary spike; unsigned
/// arithmetic makes the wrap defined.
inline uint32_t shifted(int16_t W, unsigned Shift) {
  return static_cast<uint32_t>(static_cast<int32_t>(W)) << Shift;
}

/// A bit-row word with at least this many set bits is swept whole, four
/// columns at a time (addWordMasked), rather than bit by bit.
constexpr int MinMaskedBits = 8;

using V4u = uint32_t __attribute__((vector_size(16)));
using V4i = int32_t __attribute__((vector_size(16)));
using V4h = int16_t __attribute__((vector_size(8)));

/// Row[i] += shifted(Weight[i], Sh) * P for each set bit i of Bits, over
/// all 32 columns with SIMD: an unset column adds zero. A dense crossbar
/// row (TrueNorth: half of the columns) costs 8 four-lane steps per word
/// instead of a ctz, a mispredicted loop exit and ~16 scalar adds; the sums
/// are the same modulo 2^32 (unsigned lanes, as shifted()).
inline void addWordMasked(uint32_t *Row, const int16_t *Weight, uint32_t Bits, unsigned Sh,
                          uint32_t P) {
  const V4u Lane = {1, 2, 4, 8};
  const V4u B = {Bits, Bits, Bits, Bits};
  for (unsigned G = 0; G < 32; G += 4) {
    V4h Wh;
    __builtin_memcpy(&Wh, Weight + G, sizeof Wh);
    V4u Wv = reinterpret_cast<V4u>(__builtin_convertvector(Wh, V4i)) << Sh;
    if (P != 1)
      Wv *= P;
    const V4u Mask = reinterpret_cast<V4u>(((B >> G) & Lane) != 0);
    V4u R;
    __builtin_memcpy(&R, Row + G, sizeof R);
    R += Wv & Mask;
    __builtin_memcpy(Row + G, &R, sizeof R);
  }
}

} // namespace

CoreState::CoreState(const isa::Core &C)
    : NumNeurons(static_cast<uint32_t>(C.Neurons.size())),
      NumStateWords(C.Config.NumStateWords),
      NumSlots(C.Config.NumDelaySlots), Seed(C.Config.Seed),
      Profiles(C.Profiles) {
  assert(NumSlots >= 1 && "validated core has at least one delay slot");
  NeuronProfile.reserve(NumNeurons);
  State.assign(size_t(NumNeurons) * NumStateWords, 0);
  for (uint32_t N = 0; N < NumNeurons; ++N) {
    const isa::Neuron &Nr = C.Neurons[N];
    assert(Nr.Profile < Profiles.size() && Nr.State.size() == NumStateWords &&
           "validated neuron");
    NeuronProfile.push_back(Nr.Profile);
    std::copy(Nr.State.begin(), Nr.State.end(), &State[N * NumStateWords]);
  }
  Ring.assign(size_t(NumSlots) * NumNeurons, 0);

  NumColumns = static_cast<uint32_t>(C.Crossbar.size());
  CrossbarWeight.resize(size_t(isa::NumAxonTypes) * NumColumns);
  for (uint32_t Col = 0; Col < NumColumns; ++Col)
    for (unsigned T = 0; T < isa::NumAxonTypes; ++T)
      CrossbarWeight[T * NumColumns + Col] = C.Crossbar[Col].Weight[T];

  // A spike's sparse synapses spread over several delays. When each ring
  // entry has a 16-bit offset, one group per shift holds them all, ring
  // offsets in ascending order: a sparse spike of the balanced benchmark
  // network is then one loop of 25 synapses instead of four of about six,
  // whose mispredicted exits cost more than the adds (docs/performance.md).
  SpreadOffsets = size_t(NumSlots) * NumNeurons <= (size_t(1) << 16);

  // Flatten each axon's segments into one contiguous run of groups.
  const size_t NumAxons = C.Axons.size();
  AxonOffset.reserve(NumAxons + 1);
  std::vector<FlatSynapse> Det, DetCrossbar, Stoch;
  std::vector<uint32_t> Bits;
  for (size_t A = 0; A < NumAxons; ++A) {
    AxonOffset.push_back(static_cast<uint32_t>(Blob.size()));
    const size_t Header = Blob.size();
    Blob.push_back(0); // events, filled in below
    Blob.push_back(0); // groups
    uint32_t Events = 0;
    Det.clear();
    DetCrossbar.clear();
    Stoch.clear();
    for (const isa::SynapseSegment &S : C.Axons[A]) {
      switch (S.Kind) {
      case isa::SegmentKind::Sparse:
        Events += static_cast<uint32_t>(S.Sparse.size());
        for (const isa::SparseSynapse &E : S.Sparse)
          if (E.Weight != 0) // adds nothing; still counted as an event
            Det.push_back({E.Delay, S.Shift, E.Neuron, E.Weight});
        break;
      case isa::SegmentKind::Dense: {
        const uint32_t Count = static_cast<uint32_t>(S.Weights.size());
        Events += Count;
        if (Count == 0)
          break;
        addBlobGroup(GroupKind::Dense, Count, S.FirstNeuron, S.Delay, S.Shift);
        for (uint32_t I = 0; I < Count; I += 2) {
          uint32_t Lo = static_cast<uint16_t>(S.Weights[I]);
          uint32_t Hi = I + 1 < Count ? static_cast<uint16_t>(S.Weights[I + 1]) : 0;
          Blob.push_back(Lo | Hi << 16);
        }
        ++Blob[Header + 1];
        break;
      }
      case isa::SegmentKind::Crossbar: {
        // Deterministic columns go to a bit row when that is smaller than
        // one word per connected column (a dense crossbar: a TrueNorth
        // axon reaches about half of 256 columns, 8 words instead of 128),
        // else to the indexed groups.
        Bits.assign((S.Connected.size() + 31) / 32, 0);
        uint32_t DetBits = 0;
        for (size_t I = 0; I < S.Connected.size(); ++I) {
          if (!S.Connected[I])
            continue;
          ++Events;
          uint16_t Col = static_cast<uint16_t>(S.FirstNeuron + I);
          assert(Col < C.Crossbar.size() && "validated crossbar column");
          const isa::CrossbarColumn &Column = C.Crossbar[Col];
          // Zero weights are kept: a crossbar group's size is its events.
          if (Column.Stochastic[S.AxonType]) {
            Stoch.push_back({S.Delay, S.Shift, Col, Column.Weight[S.AxonType]});
            continue;
          }
          Bits[I / 32] |= 1u << (I % 32);
          ++DetBits;
        }
        if (DetBits == 0)
          break;
        if (Bits.size() + 1 >= DetBits) {
          for (size_t I = 0; I < S.Connected.size(); ++I)
            if (Bits[I / 32] >> (I % 32) & 1) {
              uint16_t Col = static_cast<uint16_t>(S.FirstNeuron + I);
              DetCrossbar.push_back({S.Delay, S.Shift, Col, C.Crossbar[Col].Weight[S.AxonType]});
            }
          break;
        }
        addBlobGroup(GroupKind::CrossbarBits, DetBits, S.FirstNeuron, S.Delay, S.Shift);
        Blob.push_back(static_cast<uint32_t>(Bits.size()) | uint32_t(S.AxonType) << 16);
        Blob.insert(Blob.end(), Bits.begin(), Bits.end());
        ++Blob[Header + 1];
        break;
      }
      }
    }
    // Equal (delay, shift) synapses form one group, sorted by neuron so the
    // ring row is walked forwards. Spread groups take delay 0 and the ring
    // offset for the neuron, so they group by shift and walk the ring
    // forwards.
    auto Emit = [&](std::vector<FlatSynapse> &List, GroupKind Kind) {
      if (SpreadOffsets && Kind != GroupKind::Stochastic) {
        Kind = Kind == GroupKind::Indexed ? GroupKind::Spread : GroupKind::CrossbarSpread;
        for (FlatSynapse &F : List) {
          F.Neuron = static_cast<uint16_t>((F.Delay % NumSlots) * NumNeurons + F.Neuron);
          F.Delay = 0;
        }
      }
      std::stable_sort(List.begin(), List.end(), groupOrder);
      for (size_t I = 0; I < List.size();) {
        size_t J = I;
        while (J < List.size() && List[J].Delay == List[I].Delay &&
               List[J].Shift == List[I].Shift)
          ++J;
        addBlobGroup(Kind, static_cast<uint32_t>(J - I), 0, List[I].Delay,
                     List[I].Shift);
        for (; I < J; ++I)
          Blob.push_back(uint32_t(List[I].Neuron) |
                         uint32_t(static_cast<uint16_t>(List[I].Weight)) << 16);
        ++Blob[Header + 1];
      }
    };
    Emit(Det, GroupKind::Indexed);
    Emit(DetCrossbar, GroupKind::CrossbarIndexed);
    Emit(Stoch, GroupKind::Stochastic);
    Blob[Header] = Events;
  }
  AxonOffset.push_back(static_cast<uint32_t>(Blob.size()));
  Blob.shrink_to_fit();

  OutBegin.reserve(size_t(NumNeurons) + 1);
  for (uint32_t N = 0; N < NumNeurons; ++N) {
    OutBegin.push_back(static_cast<uint32_t>(OutAddrs.size()));
    if (N < C.Outputs.size())
      OutAddrs.insert(OutAddrs.end(), C.Outputs[N].begin(),
                      C.Outputs[N].end());
  }
  OutBegin.push_back(static_cast<uint32_t>(OutAddrs.size()));
}

void CoreState::update(uint64_t Step, std::vector<FiredNeuron> &Fired) {
  uint32_t *Slot = Ring.data() + size_t(Step % NumSlots) * NumNeurons;
  if (Jit) {
    updateCompiled(Step, Slot, Fired);
    return;
  }
  isa::NeuronContext Ctx;
  // Counted in locals, which stay in registers across interpret().
  uint64_t Reads = 0, Active = 0;
  Ctx.Seed = Seed;
  Ctx.Step = Step;
  for (uint32_t N = 0; N < NumNeurons; ++N) {
    const isa::NeuronProfile &P = Profiles[NeuronProfile[N]];
    Ctx.Params = P.Params.data();
    Ctx.State = &State[size_t(N) * NumStateWords];
    Ctx.Input = static_cast<int32_t>(Slot[N]);
    Ctx.Neuron = N;
    Slot[N] = 0;
    const bool HasInput = Ctx.Input != 0;
    Reads += HasInput;
    isa::UpdateResult R = isa::interpret(P.Program, Ctx);
    Active += HasInput || R.Spiked;
    if (R.Spiked)
      recordFired({N, R.Payload}, Fired);
  }
  Counters.NeuronUpdates += NumNeurons;
  Counters.DendriteReads += Reads;
  Counters.ActiveNeuronUpdates += Active;
}

void CoreState::updateCompiled(uint64_t Step, uint32_t *Slot, std::vector<FiredNeuron> &Fired) {
  uint64_t Counts[2] = {0, 0}; // dendrite reads, active updates
  for (const ProfileRun &R : Runs) {
    const uint32_t NumFired = R.Update(
        Profiles[R.Profile].Params.data(), &State[size_t(R.First) * NumStateWords], Slot + R.First,
        RunSpiked.data(), RunPayload.data(), Seed, Step, R.First, R.Count, Counts);
    if (NumFired == 0)
      continue;
    // The flags are mostly zero (a few percent of neurons fire): skip them
    // eight at a time.
    const uint8_t *Flags = RunSpiked.data();
    uint32_t I = 0;
    for (; I + 8 <= R.Count; I += 8) {
      uint64_t Eight;
      std::memcpy(&Eight, Flags + I, sizeof Eight);
      for (; Eight != 0; Eight &= Eight - 1) {
        const uint32_t K = I + static_cast<uint32_t>(__builtin_ctzll(Eight)) / 8;
        recordFired({R.First + K, RunPayload[K]}, Fired);
      }
    }
    for (; I < R.Count; ++I)
      if (Flags[I])
        recordFired({R.First + I, RunPayload[I]}, Fired);
  }
  Counters.NeuronUpdates += NumNeurons;
  Counters.DendriteReads += Counts[0];
  Counters.ActiveNeuronUpdates += Counts[1];
}

void CoreState::useJit(std::shared_ptr<const NeuronJit> J) {
  Runs.clear();
  Jit = nullptr;
  if (!J)
    return;
  uint32_t Longest = 0;
  for (uint32_t N = 0; N < NumNeurons;) {
    const uint16_t Prof = NeuronProfile[N];
    uint32_t End = N + 1;
    while (End < NumNeurons && NeuronProfile[End] == Prof)
      ++End;
    NeuronRunFn Fn = J->find(Profiles[Prof].Program, NumStateWords);
    assert(Fn && "the JIT was not given this core's profiles");
    if (!Fn) { // keep the interpreter rather than call nothing
      Runs.clear();
      return;
    }
    Runs.push_back({N, End - N, Prof, Fn});
    Longest = std::max(Longest, End - N);
    N = End;
  }
  RunSpiked.resize(Longest);
  RunPayload.resize(Longest);
  Jit = std::move(J);
}

void CoreState::addBlobGroup(GroupKind Kind, uint32_t Count, uint32_t First,
                             uint32_t Delay, uint32_t Shift) {
  assert(First < (1u << 16) && Delay <= isa::MaxDelaySlots && Shift <= isa::MaxWeightShift &&
         (Delay >= 1 || Kind == GroupKind::Spread || Kind == GroupKind::CrossbarSpread) &&
         "validated segment");
  Blob.push_back(Count);
  Blob.push_back(First | Delay << 16 | Shift << 23 |
                 static_cast<uint32_t>(Kind) << 28);
}

void CoreState::receive(uint32_t Axon, int32_t Payload, uint64_t EmitStep) {
  assert(Axon < numAxons() && "routed to an existing axon");
  deliver(Blob.data() + AxonOffset[Axon], Axon, Payload,
          static_cast<uint32_t>(EmitStep % NumSlots), EmitStep);
}

void CoreState::deliver(const uint32_t *W, uint32_t Axon, int32_t Payload,
                        uint32_t Base, uint64_t EmitStep) {
  ++Counters.SpikesIn;
  Counters.SynapticEvents += W[0];
  const uint32_t NumGroups = W[1];
  W += 2;
  const uint32_t P = static_cast<uint32_t>(Payload);
  uint32_t *const Ring0 = Ring.data();
  for (uint32_t G = 0; G < NumGroups; ++G) {
    const uint32_t Count = W[0];
    const uint32_t Info = W[1];
    W += 2;
    const uint32_t First = Info & 0xffff;
    const uint32_t Delay = (Info >> 16) & 0x7f;
    const unsigned Sh = (Info >> 23) & 0x1f;
    const auto Kind = static_cast<GroupKind>(Info >> 28);
    uint32_t SlotIndex = Base + Delay;
    if (SlotIndex >= NumSlots)
      SlotIndex -= NumSlots;
    uint32_t *Slot = Ring0 + size_t(SlotIndex) * NumNeurons;
    switch (Kind) {
    case GroupKind::CrossbarSpread:
      Counters.CrossbarSynapticEvents += Count;
      [[fallthrough]];
    case GroupKind::Spread: {
      // Offsets and Base * NumNeurons are both below the ring size, so
      // their sum wraps with one subtraction (branch-free: the carry is
      // data, not a predictable pattern).
      const uint32_t RingSize = NumSlots * NumNeurons;
      const uint32_t BaseOffset = Base * NumNeurons;
      auto Entry = [&](uint32_t Word) -> uint32_t & {
        const uint32_t At = BaseOffset + (Word & 0xffff);
        return Ring0[At - (At >= RingSize ? RingSize : 0)];
      };
      if (P == 1) {
        for (uint32_t I = 0; I < Count; ++I)
          Entry(W[I]) += shifted(int16_t(W[I] >> 16), Sh);
      } else {
        for (uint32_t I = 0; I < Count; ++I)
          Entry(W[I]) += shifted(int16_t(W[I] >> 16), Sh) * P;
      }
      W += Count;
      break;
    }
    case GroupKind::CrossbarIndexed:
      Counters.CrossbarSynapticEvents += Count;
      [[fallthrough]];
    case GroupKind::Indexed:
      // Binary spikes are the common case: no multiply.
      if (P == 1) {
        for (uint32_t I = 0; I < Count; ++I)
          Slot[W[I] & 0xffff] += shifted(int16_t(W[I] >> 16), Sh);
      } else {
        for (uint32_t I = 0; I < Count; ++I)
          Slot[W[I] & 0xffff] += shifted(int16_t(W[I] >> 16), Sh) * P;
      }
      W += Count;
      break;
    case GroupKind::Dense: {
      Counters.DenseSynapticEvents += Count;
      uint32_t *Row = Slot + First;
      // Four targets at a time with SIMD (the weights are Count int16 in
      // a row), then the rest pairwise; sums modulo 2^32 as shifted().
      const int16_t *Weight = reinterpret_cast<const int16_t *>(W);
      uint32_t I = 0;
      for (; I + 4 <= Count; I += 4) {
        V4h Wh;
        __builtin_memcpy(&Wh, Weight + I, sizeof Wh);
        V4u Wv = reinterpret_cast<V4u>(__builtin_convertvector(Wh, V4i)) << Sh;
        if (P != 1)
          Wv *= P;
        V4u R;
        __builtin_memcpy(&R, Row + I, sizeof R);
        R += Wv;
        __builtin_memcpy(Row + I, &R, sizeof R);
      }
      for (; I + 1 < Count; I += 2) {
        const uint32_t X = W[I / 2];
        Row[I] += shifted(int16_t(X), Sh) * P;
        Row[I + 1] += shifted(int16_t(X >> 16), Sh) * P;
      }
      if (Count & 1)
        Row[Count - 1] += shifted(int16_t(W[Count / 2]), Sh) * P;
      W += (Count + 1) / 2;
      break;
    }
    case GroupKind::CrossbarBits: {
      Counters.CrossbarSynapticEvents += Count;
      const uint32_t NumWords = W[0] & 0xffff;
      const int16_t *Weight = CrossbarWeight.data() + size_t(W[0] >> 16) * NumColumns + First;
      uint32_t *Row = Slot + First;
      // Words whose 32 columns all exist in the ring row and the weight
      // table may be swept whole (addWordMasked).
      const uint32_t Columns = std::min(NumNeurons, NumColumns);
      const uint32_t Whole = Columns > First ? (Columns - First) / 32 : 0;
      for (uint32_t K = 0; K < NumWords; ++K) {
        uint32_t B = W[1 + K];
        if (K < Whole && __builtin_popcount(B) >= MinMaskedBits) {
          addWordMasked(Row + K * 32, Weight + K * 32, B, Sh, P);
          continue;
        }
        for (; B != 0; B &= B - 1) {
          const uint32_t I = K * 32 + static_cast<uint32_t>(__builtin_ctz(B));
          Row[I] += shifted(Weight[I], Sh) * P;
        }
      }
      W += 1 + NumWords;
      break;
    }
    case GroupKind::Stochastic:
      // Rule 3: w = sgn(w) * [|w| >= rho], rho drawn per (step, axon, column).
      Counters.StochasticDraws += Count;
      Counters.CrossbarSynapticEvents += Count;
      for (uint32_t I = 0; I < Count; ++I) {
        const uint32_t Col = W[I] & 0xffff;
        const int32_t Raw = int16_t(W[I] >> 16);
        const uint64_t Stream =
            (uint64_t(1) << 63) | (uint64_t(Axon) << 20) | uint64_t(Col);
        const int32_t Rho = static_cast<int32_t>(
            isa::randomDraw(Seed, EmitStep, Stream, 0) & 0xff);
        const int32_t Abs = Raw < 0 ? -Raw : Raw;
        if (Raw == 0 || Abs < Rho)
          continue;
        Slot[Col] += shifted(int16_t(Raw < 0 ? -1 : 1), Sh) * P;
      }
      W += Count;
      break;
    }
  }
}

void CoreState::receiveAll(const AxonSpike *Begin, const AxonSpike *End,
                           uint64_t EmitStep) {
  // Delivery is bound by memory latency: each spike's synapse run is a few
  // cache lines somewhere in megabytes of synaptic memory. So spikes are
  // taken in chunks: first every run of the chunk is located and its lines
  // loaded by independent loads, which the out-of-order core overlaps, then
  // the chunk is delivered from cache. These are demand loads, not
  // prefetch instructions: measured on the benchmark host, software
  // prefetches gained nothing and these loads cut delivery time threefold
  // (docs/performance.md).
  constexpr size_t Chunk = 64;
  const uint32_t *Where[Chunk];
  const uint32_t *BlobEnd = Blob.data() + Blob.size();
  const uint32_t Base = static_cast<uint32_t>(EmitStep % NumSlots);
  while (Begin < End) {
    const size_t N = std::min<size_t>(Chunk, size_t(End - Begin));
    for (size_t I = 0; I < N; ++I) {
      assert(Begin[I].Axon < numAxons() && "routed to an existing axon");
      Where[I] = Blob.data() + AxonOffset[Begin[I].Axon];
    }
    uint32_t Touch = 0;
    for (size_t I = 0; I < N; ++I) {
      const uint32_t *W = Where[I];
      Touch += W[0];
      // Words 16 and 32 lie on the next lines; reading into the next
      // axon's run is harmless as long as it stays inside the blob.
      if (W + 16 < BlobEnd)
        Touch += W[16];
      if (W + 32 < BlobEnd)
        Touch += W[32];
    }
    // A crossbar bit row adds into a ring row through a per-core weight
    // table; on a chip of thousands of cores, each receiving a few spikes
    // a step, both are cold. Their lines are loaded now too, together,
    // rather than one miss after another during delivery.
    for (size_t I = 0; I < N; ++I) {
      const uint32_t *W = Where[I];
      if (W[1] == 0 || static_cast<GroupKind>(W[3] >> 28) != GroupKind::CrossbarBits)
        continue;
      const uint32_t First = W[3] & 0xffff;
      uint32_t SlotIndex = Base + ((W[3] >> 16) & 0x7f);
      if (SlotIndex >= NumSlots)
        SlotIndex -= NumSlots;
      const uint32_t Columns = (W[4] & 0xffff) * 32;
      const uint32_t *Row = Ring.data() + size_t(SlotIndex) * NumNeurons + First;
      for (uint32_t K = 0; K < Columns && First + K < NumNeurons; K += 16)
        Touch += Row[K];
      const int16_t *Weight = CrossbarWeight.data() + size_t(W[4] >> 16) * NumColumns + First;
      for (uint32_t K = 0; K < Columns && First + K < NumColumns; K += 32)
        Touch += static_cast<uint32_t>(Weight[K]);
    }
    // Keep the loads: their values are not needed, their cache fills are.
    asm volatile("" : : "r"(Touch));
    for (size_t I = 0; I < N; ++I)
      deliver(Where[I], Begin[I].Axon, Begin[I].Payload, Base, EmitStep);
    Begin += N;
  }
}

} // namespace neuromesh::emulator
