//===- testbenches/isa/RandomImage.h - random valid chip images -*- C++ -*-===//
//
// makeRandomImage(Seed) builds a random image that passes isa::validateImage:
// several chips and cores at distinct locations, profiles whose random
// programs pass isa::validateProgram, neurons, all three synapse segment
// kinds, crossbar columns, output tables and input ports whose addresses
// exist, every kind of spike generator on the ports (from a generator of its
// own, so turning generators off leaves the rest of the image unchanged),
// and populations whose segments cover 0..Size-1 exactly once. The
// same seed always gives the same image (the generator is SplitMix64 with
// our own range reduction, not <random>'s implementation-defined
// distributions), so a failing seed reproduces on every host.
//
// Names use the whole allowed alphabet (printable ASCII except '"' and
// '\\'), including ' ', ';' and '#', to exercise text round trips.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/isa/Image.h"
#include "neuromesh/isa/Microcode.h"
#include "neuromesh/isa/SplitMix64.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace neuromesh::testing {

/// Bounds on the random image. Defaults keep images small so that hundreds
/// of round trips run in well under a second, even under sanitizers.
struct RandomImageOptions {
  unsigned MaxChips = 2;        ///< chips 1..MaxChips
  unsigned MaxMeshSide = 3;     ///< mesh width and height 1..MaxMeshSide
  unsigned MaxCoresPerTile = 3; ///< cores per tile 1..MaxCoresPerTile
  unsigned MaxCores = 4;        ///< cores 1..MaxCores (fewer if slots lack)
  unsigned MaxProfiles = 3;     ///< profiles per core 1..MaxProfiles
  unsigned MaxProgramLength = 12;
  unsigned MaxNeurons = 10;     ///< neurons per core 0..MaxNeurons
  unsigned MaxAxons = 5;        ///< input axons per core 0..MaxAxons
  unsigned MaxSegments = 3;     ///< segments per axon 0..MaxSegments
  unsigned MaxSparse = 5;       ///< sparse entries per segment 0..MaxSparse
  unsigned MaxFanout = 3;       ///< addresses per output list 0..MaxFanout
  unsigned MaxPorts = 2;        ///< input ports 0..MaxPorts
  unsigned MaxPortSize = 4;     ///< port size 1..MaxPortSize
  unsigned MaxPopulations = 3;  ///< populations 0..MaxPopulations
  unsigned MaxPopulationSize = 12;
  bool Generators = true;       ///< give ports List/Poisson/Regular sources
  unsigned MaxGeneratorSpikes = 8; ///< List entries 0..MaxGeneratorSpikes
  bool Probes = true; ///< give populations probes and record flags
};

namespace detail {

/// A tiny deterministic generator (SplitMix64, Steele et al. 2014).
class Rng : public isa::SplitMix64 {
public:
  using SplitMix64::SplitMix64;
  /// Uniform-enough integer in [Lo, Hi] (Hi >= Lo).
  int64_t range(int64_t Lo, int64_t Hi) {
    uint64_t Span = uint64_t(Hi - Lo) + 1;
    return Span == 0 ? int64_t(next()) : Lo + int64_t(next() % Span);
  }
  bool chance(unsigned Percent) { return next() % 100 < Percent; }
  /// Mostly small values, sometimes the type's extremes.
  int32_t int32() {
    switch (next() % 6) {
    case 0:
      return std::numeric_limits<int32_t>::min();
    case 1:
      return std::numeric_limits<int32_t>::max();
    case 2:
      return int32_t(uint32_t(next()));
    default:
      return int32_t(range(-1000, 1000));
    }
  }
  int16_t int16() {
    switch (next() % 5) {
    case 0:
      return std::numeric_limits<int16_t>::min();
    case 1:
      return std::numeric_limits<int16_t>::max();
    default:
      return int16_t(range(-300, 300));
    }
  }

};

inline std::string randomName(Rng &R, size_t Index) {
  // Printable ASCII without '"' and '\\': the names the image allows.
  static const char Alphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
      "_-.:/ ;#[]{}()=,<>!?@$%&*+'`^|~";
  std::string Name;
  int64_t Len = R.range(1, 8);
  for (int64_t I = 0; I < Len; ++I)
    Name += Alphabet[R.range(0, sizeof(Alphabet) - 2)];
  // A distinct suffix keeps names unique.
  return Name + "_" + std::to_string(Index);
}

inline std::vector<isa::Instruction>
randomProgram(Rng &R, unsigned MaxLength, unsigned NumParams,
              unsigned NumStateWords) {
  using isa::ImmKind;
  using isa::OperandForm;
  const auto &Table = isa::opcodeTable();
  unsigned Length = unsigned(R.range(0, MaxLength));
  std::vector<isa::Instruction> Program;
  Program.reserve(Length);
  for (unsigned Pc = 0; Pc < Length; ++Pc) {
    const isa::OpcodeInfo *Info;
    do {
      Info = &Table[size_t(R.range(0, int64_t(Table.size()) - 1))];
    } while (Info->Imm == ImmKind::Param && NumParams == 0);
    isa::Instruction I;
    I.Op = Info->Op;
    auto Reg = [&] { return uint8_t(R.range(0, isa::NumRegisters - 1)); };
    OperandForm F = Info->Operands;
    if (F == OperandForm::D || F == OperandForm::DA || F == OperandForm::DAB)
      I.Rd = Reg();
    if (F == OperandForm::A || F == OperandForm::DA || F == OperandForm::DAB)
      I.Ra = Reg();
    if (F == OperandForm::DAB)
      I.Rb = Reg();
    switch (Info->Imm) {
    case ImmKind::None:
      break;
    case ImmKind::Value:
      I.Imm = R.int32();
      break;
    case ImmKind::State:
      I.Imm = int32_t(R.range(0, NumStateWords - 1));
      break;
    case ImmKind::Param:
      I.Imm = int32_t(R.range(0, NumParams - 1));
      break;
    case ImmKind::Shift31:
      I.Imm = int32_t(R.range(0, 31));
      break;
    case ImmKind::Shift62:
      I.Imm = int32_t(R.range(0, 62));
      break;
    case ImmKind::Bits31:
      I.Imm = int32_t(R.range(1, 31));
      break;
    case ImmKind::Bits32:
      I.Imm = int32_t(R.range(1, 32));
      break;
    case ImmKind::Reg:
      I.Imm = int32_t(R.range(0, isa::NumRegisters - 1));
      break;
    case ImmKind::Target:
      I.Imm = int32_t(R.range(Pc + 1, Length)); // forward, may be the end
      break;
    }
    Program.push_back(I);
  }
  return Program;
}

/// A random valid generator for a port of Size: every kind, with edge
/// values (probability 0 and 2^32, steps, periods and phases up to 2^64-1).
inline isa::SpikeGenerator randomGenerator(Rng &R, uint32_t Size,
                                           unsigned MaxSpikes) {
  constexpr uint64_t Max = std::numeric_limits<uint64_t>::max();
  isa::SpikeGenerator G;
  G.Kind = static_cast<isa::GeneratorKind>(R.range(0, 3));
  switch (G.Kind) {
  case isa::GeneratorKind::External:
    break;
  case isa::GeneratorKind::List: {
    size_t N = size_t(R.range(0, MaxSpikes));
    for (size_t I = 0; I < N; ++I) {
      uint64_t Step = R.chance(10) ? Max - uint64_t(R.range(0, 1))
                                   : uint64_t(R.range(0, 20));
      G.Spikes.push_back({Step, uint32_t(R.range(0, int64_t(Size) - 1))});
    }
    std::sort(G.Spikes.begin(), G.Spikes.end());
    G.Spikes.erase(std::unique(G.Spikes.begin(), G.Spikes.end()),
                   G.Spikes.end());
    break;
  }
  case isa::GeneratorKind::Poisson:
    G.Seed = R.chance(20) ? 0 : R.next();
    switch (R.next() % 4) {
    case 0:
      G.ProbabilityQ32 = 0;
      break;
    case 1:
      G.ProbabilityQ32 = isa::ProbabilityOne;
      break;
    default:
      G.ProbabilityQ32 = uint64_t(R.range(0, int64_t(isa::ProbabilityOne)));
      break;
    }
    break;
  case isa::GeneratorKind::Regular:
    G.Period = R.chance(10) ? Max : uint64_t(R.range(1, 20));
    G.Phase = R.chance(10) ? Max : uint64_t(R.range(0, 20));
    break;
  }
  return G;
}

} // namespace detail

/// A random image that passes isa::validateImage. Deterministic in Seed.
inline isa::Image makeRandomImage(uint64_t Seed,
                                  const RandomImageOptions &Opt = {}) {
  detail::Rng R(Seed * 0x2545f4914f6cdd1dULL + 1);
  isa::Image Img;
  isa::ChipHeader &H = Img.Header;
  H.ArchFingerprint = R.next();
  H.ArchName = R.chance(20) ? "" : detail::randomName(R, 0);
  H.NumChips = uint16_t(R.range(1, Opt.MaxChips));
  H.MeshWidth = uint16_t(R.range(1, Opt.MaxMeshSide));
  H.MeshHeight = uint16_t(R.range(1, Opt.MaxMeshSide));
  H.CoresPerTile = uint8_t(R.range(1, Opt.MaxCoresPerTile));

  // Distinct locations: shuffle every slot of every chip, take a prefix.
  std::vector<isa::CoreLocation> Slots;
  for (uint16_t C = 0; C < H.NumChips; ++C)
    for (uint16_t X = 0; X < H.MeshWidth; ++X)
      for (uint16_t Y = 0; Y < H.MeshHeight; ++Y)
        for (uint8_t S = 0; S < H.CoresPerTile; ++S)
          Slots.push_back({C, X, Y, S});
  for (size_t I = Slots.size(); I > 1; --I)
    std::swap(Slots[I - 1], Slots[size_t(R.range(0, int64_t(I) - 1))]);
  size_t NumCores = size_t(
      R.range(1, std::min<int64_t>(Opt.MaxCores, int64_t(Slots.size()))));
  H.Cores.assign(Slots.begin(), Slots.begin() + NumCores);

  // Cores: configuration, profiles, neurons, synapses.
  Img.Cores.resize(NumCores);
  for (isa::Core &C : Img.Cores) {
    C.Config.NumStateWords = uint8_t(R.range(1, isa::MaxStateWords));
    C.Config.NumDelaySlots =
        uint8_t(R.chance(20) ? isa::MaxDelaySlots : R.range(1, 8));
    C.Config.Seed = R.next();
    unsigned NumProfiles = unsigned(R.range(1, Opt.MaxProfiles));
    for (unsigned P = 0; P < NumProfiles; ++P) {
      isa::NeuronProfile Prof;
      Prof.Params.resize(size_t(R.range(0, isa::MaxParams)));
      for (int32_t &V : Prof.Params)
        V = R.int32();
      Prof.Program =
          detail::randomProgram(R, Opt.MaxProgramLength,
                                unsigned(Prof.Params.size()),
                                C.Config.NumStateWords);
      C.Profiles.push_back(std::move(Prof));
    }
    size_t NumNeurons = size_t(R.range(0, Opt.MaxNeurons));
    C.Neurons.resize(NumNeurons);
    for (isa::Neuron &N : C.Neurons) {
      N.Profile = uint16_t(R.range(0, NumProfiles - 1));
      N.State.resize(C.Config.NumStateWords);
      for (int32_t &V : N.State)
        V = R.chance(50) ? 0 : R.int32();
    }
    uint8_t D = C.Config.NumDelaySlots;
    bool AnyCrossbar = false;
    C.Axons.resize(size_t(R.range(0, Opt.MaxAxons)));
    for (auto &Segments : C.Axons) {
      size_t NumSegments = size_t(R.range(0, Opt.MaxSegments));
      for (size_t S = 0; S < NumSegments; ++S) {
        isa::SynapseSegment Seg;
        Seg.Kind = static_cast<isa::SegmentKind>(R.range(0, 2));
        Seg.Shift = uint8_t(R.range(0, isa::MaxWeightShift));
        if (Seg.Kind == isa::SegmentKind::Sparse) {
          // Unused fields keep their defaults (Delay 1, AxonType 0, ...).
          size_t Count = NumNeurons ? size_t(R.range(0, Opt.MaxSparse)) : 0;
          for (size_t E = 0; E < Count; ++E)
            Seg.Sparse.push_back(
                {uint16_t(R.range(0, int64_t(NumNeurons) - 1)), R.int16(),
                 uint8_t(R.range(1, D))});
        } else {
          Seg.Delay = uint8_t(R.range(1, D));
          Seg.FirstNeuron = uint16_t(R.range(0, int64_t(NumNeurons)));
          size_t Len =
              size_t(R.range(0, int64_t(NumNeurons) - Seg.FirstNeuron));
          if (Seg.Kind == isa::SegmentKind::Dense) {
            for (size_t E = 0; E < Len; ++E)
              Seg.Weights.push_back(R.int16());
          } else {
            AnyCrossbar = true;
            Seg.AxonType = uint8_t(R.range(0, isa::NumAxonTypes - 1));
            for (size_t E = 0; E < Len; ++E)
              Seg.Connected.push_back(R.chance(50));
          }
        }
        Segments.push_back(std::move(Seg));
      }
    }
    if (AnyCrossbar) {
      C.Crossbar.resize(NumNeurons);
      for (isa::CrossbarColumn &Col : C.Crossbar)
        for (unsigned T = 0; T < isa::NumAxonTypes; ++T) {
          Col.Weight[T] = R.int16();
          Col.Stochastic[T] = R.chance(30);
        }
    }
  }

  // Every address an output or a port may name: (chip, core-in-chip, axon).
  struct Target {
    uint16_t Chip, CoreInChip, Axons;
  };
  std::vector<Target> Targets;
  std::vector<uint16_t> PerChip(H.NumChips, 0);
  for (size_t I = 0; I < NumCores; ++I) {
    uint16_t Chip = H.Cores[I].Chip;
    uint16_t InChip = PerChip[Chip]++;
    if (!Img.Cores[I].Axons.empty())
      Targets.push_back(
          {Chip, InChip, uint16_t(Img.Cores[I].Axons.size())});
  }
  auto RandomAddresses = [&] {
    std::vector<isa::AxonAddress> List;
    if (Targets.empty())
      return List;
    size_t N = size_t(R.range(0, Opt.MaxFanout));
    for (size_t I = 0; I < N; ++I) {
      const Target &T = Targets[size_t(R.range(0, int64_t(Targets.size()) - 1))];
      List.push_back({T.Chip, T.CoreInChip, uint16_t(R.range(0, T.Axons - 1))});
    }
    return List;
  };
  for (isa::Core &C : Img.Cores) {
    C.Outputs.resize(C.Neurons.size());
    for (auto &List : C.Outputs)
      List = RandomAddresses();
  }

  // Symbols: ports and populations, interleaved in random order.
  std::vector<size_t> CoresWithNeurons;
  for (size_t I = 0; I < NumCores; ++I)
    if (!Img.Cores[I].Neurons.empty())
      CoresWithNeurons.push_back(I);
  size_t NumPorts = size_t(R.range(0, Opt.MaxPorts));
  size_t NumPops =
      CoresWithNeurons.empty() ? 0 : size_t(R.range(0, Opt.MaxPopulations));
  std::vector<isa::SymbolKind> Kinds(NumPorts, isa::SymbolKind::InputPort);
  Kinds.insert(Kinds.end(), NumPops, isa::SymbolKind::Population);
  for (size_t I = Kinds.size(); I > 1; --I)
    std::swap(Kinds[I - 1], Kinds[size_t(R.range(0, int64_t(I) - 1))]);
  for (size_t I = 0; I < Kinds.size(); ++I) {
    isa::Symbol Sym;
    Sym.Kind = Kinds[I];
    Sym.Name = detail::randomName(R, I);
    if (Sym.Kind == isa::SymbolKind::InputPort) {
      Sym.Size = uint32_t(R.range(1, Opt.MaxPortSize));
      Sym.Targets.resize(Sym.Size);
      for (auto &List : Sym.Targets)
        List = RandomAddresses();
    } else {
      Sym.Size = uint32_t(R.range(1, Opt.MaxPopulationSize));
      for (uint32_t Offset = 0; Offset < Sym.Size;) {
        size_t Core = CoresWithNeurons[size_t(
            R.range(0, int64_t(CoresWithNeurons.size()) - 1))];
        int64_t Neurons = int64_t(Img.Cores[Core].Neurons.size());
        int64_t Count =
            R.range(1, std::min<int64_t>(Neurons, Sym.Size - Offset));
        isa::PopulationSegment Seg;
        Seg.Core = uint32_t(Core);
        Seg.FirstNeuron = uint16_t(R.range(0, Neurons - Count));
        Seg.Count = uint16_t(Count);
        Seg.Offset = Offset;
        Sym.Segments.push_back(Seg);
        Offset += uint32_t(Count);
      }
      // Segments need not be in offset order.
      for (size_t S = Sym.Segments.size(); S > 1; --S)
        std::swap(Sym.Segments[S - 1],
                  Sym.Segments[size_t(R.range(0, int64_t(S) - 1))]);
    }
    Img.Symbols.push_back(std::move(Sym));
  }

  // Generators draw from their own sequence: the rest of the image is the
  // same with or without them.
  if (Opt.Generators) {
    detail::Rng G(Seed * 0x9e3779b97f4a7c15ULL + 0x6e6d);
    for (isa::Symbol &Sym : Img.Symbols)
      if (Sym.Kind == isa::SymbolKind::InputPort)
        Sym.Generator =
            detail::randomGenerator(G, Sym.Size, Opt.MaxGeneratorSpikes);
  }
  // Probes too, for the same reason: 0..3 distinct variables per
  // population, each on a word every covered core has.
  if (Opt.Probes) {
    detail::Rng P(Seed * 0xbf58476d1ce4e5b9ULL + 0x7072);
    static const char *const Names[] = {"v", "u", "theta", "x y", "I_syn"};
    for (isa::Symbol &Sym : Img.Symbols) {
      if (Sym.Kind != isa::SymbolKind::Population)
        continue;
      Sym.RecordSpikes = P.range(0, 3) != 0;
      unsigned Words = isa::MaxStateWords;
      for (const isa::PopulationSegment &Seg : Sym.Segments)
        Words = std::min<unsigned>(Words,
                                   Img.Cores[Seg.Core].Config.NumStateWords);
      size_t First = size_t(P.range(0, 4));
      int64_t Count = P.range(0, 3);
      for (int64_t K = 0; K < Count; ++K) {
        isa::Probe Pr;
        Pr.Variable = Names[(First + size_t(K)) % 5];
        Pr.StateWord = uint8_t(P.range(0, int64_t(Words) - 1));
        Sym.Probes.push_back(Pr);
      }
    }
  }
  return Img;
}

} // namespace neuromesh::testing
