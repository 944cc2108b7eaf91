//===- neuromesh/isa/Image.h - the chip image in memory ---------*- C++ -*-===//
//
// A chip image is everything a compiled network puts on the chip: a header
// (architecture fingerprint, mesh shape, one coordinate per core), the
// contents of every core, and a symbol table mapping named input ports and
// populations to cores, axons and neurons. This is the in-memory form; the
// `.nmb` binary (ImageFile.h) and the assembly text (Assembly.h) are two
// encodings of exactly this structure. docs/isa.md documents every field.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/isa/Microcode.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace neuromesh::isa {

/// Largest dendritic delay ring; synaptic delays are 1..NumDelaySlots.
constexpr unsigned MaxDelaySlots = 64;
/// Axon types of a TrueNorth-style crossbar.
constexpr unsigned NumAxonTypes = 4;
/// Largest left shift applied to a synaptic weight at delivery.
constexpr unsigned MaxWeightShift = 15;

/// Shared neuron parameters plus the microcode that updates a neuron.
struct NeuronProfile {
  std::vector<int32_t> Params;          ///< at most MaxParams
  std::vector<Instruction> Program;     ///< at most MaxProgramLength
  bool operator==(const NeuronProfile &O) const {
    return Params == O.Params && Program == O.Program;
  }
};

/// One neuron: which profile updates it and its state words.
struct Neuron {
  uint16_t Profile = 0;
  std::vector<int32_t> State; ///< exactly CoreConfig::NumStateWords words
  bool operator==(const Neuron &O) const {
    return Profile == O.Profile && State == O.State;
  }
};

/// How a synapse segment stores its targets and weights.
enum class SegmentKind : uint8_t {
  Sparse = 0,   ///< explicit (neuron, weight, delay) entries
  Dense = 1,    ///< one weight per neuron of a contiguous run
  Crossbar = 2, ///< TrueNorth row: a bit per neuron, weight by axon type
};

/// One sparse synapse.
struct SparseSynapse {
  uint16_t Neuron = 0;
  int16_t Weight = 0;
  uint8_t Delay = 1; ///< 1..NumDelaySlots
  bool operator==(const SparseSynapse &O) const {
    return Neuron == O.Neuron && Weight == O.Weight && Delay == O.Delay;
  }
};

/// A piece of an input axon's synapse list. A spike on the axon adds, for
/// each synapse, (weight * payload) << Shift to the target neuron's
/// dendritic accumulator `delay` steps ahead.
struct SynapseSegment {
  SegmentKind Kind = SegmentKind::Sparse;
  uint8_t Shift = 0;       ///< 0..MaxWeightShift
  uint8_t Delay = 1;       ///< Dense and Crossbar: 1..NumDelaySlots
  uint8_t AxonType = 0;    ///< Crossbar: 0..3
  uint16_t FirstNeuron = 0;///< Dense and Crossbar: the run's first neuron
  std::vector<SparseSynapse> Sparse; ///< Sparse only
  std::vector<int16_t> Weights;      ///< Dense only: one per neuron of the run
  std::vector<bool> Connected;       ///< Crossbar only: one bit per neuron
  bool operator==(const SynapseSegment &O) const {
    return Kind == O.Kind && Shift == O.Shift && Delay == O.Delay &&
           AxonType == O.AxonType && FirstNeuron == O.FirstNeuron &&
           Sparse == O.Sparse && Weights == O.Weights &&
           Connected == O.Connected;
  }
};

/// A TrueNorth neuron's weight for each axon type, and whether integration
/// of that type is stochastic (V += sgn(s) * [|s| >= rho]).
struct CrossbarColumn {
  std::array<int16_t, NumAxonTypes> Weight{};
  std::array<bool, NumAxonTypes> Stochastic{};
  bool operator==(const CrossbarColumn &O) const {
    return Weight == O.Weight && Stochastic == O.Stochastic;
  }
};

/// Where a spike goes: an input axon of a core. Core is the index of the
/// core among the cores of chip Chip, in header order.
struct AxonAddress {
  uint16_t Chip = 0;
  uint16_t Core = 0;
  uint16_t Axon = 0;
  bool operator==(const AxonAddress &O) const {
    return Chip == O.Chip && Core == O.Core && Axon == O.Axon;
  }
};

/// Core configuration registers.
struct CoreConfig {
  uint8_t NumStateWords = 1; ///< 1..MaxStateWords
  uint8_t NumDelaySlots = 1; ///< 1..MaxDelaySlots
  uint64_t Seed = 0;         ///< key of the core's random draws
  bool operator==(const CoreConfig &O) const {
    return NumStateWords == O.NumStateWords &&
           NumDelaySlots == O.NumDelaySlots && Seed == O.Seed;
  }
};

/// Everything one core holds. Counts (axons, neurons, profiles) are the
/// sizes of the vectors.
struct Core {
  CoreConfig Config;
  std::vector<NeuronProfile> Profiles;
  std::vector<Neuron> Neurons;
  /// Per input axon, its synapse list as segments.
  std::vector<std::vector<SynapseSegment>> Axons;
  /// Per neuron, if any Crossbar segment exists: weights by axon type.
  std::vector<CrossbarColumn> Crossbar;
  /// Per neuron, the axons its spike is sent to (the output axon table).
  std::vector<std::vector<AxonAddress>> Outputs;
  bool operator==(const Core &O) const {
    return Config == O.Config && Profiles == O.Profiles &&
           Neurons == O.Neurons && Axons == O.Axons &&
           Crossbar == O.Crossbar && Outputs == O.Outputs;
  }
};

/// Where a core sits: chip, tile coordinate in that chip's mesh, and its
/// slot among the cores sharing the tile's router.
struct CoreLocation {
  uint16_t Chip = 0;
  uint16_t X = 0, Y = 0;
  uint8_t Slot = 0;
  bool operator==(const CoreLocation &O) const {
    return Chip == O.Chip && X == O.X && Y == O.Y && Slot == O.Slot;
  }
};

/// The chip-level header.
struct ChipHeader {
  uint64_t ArchFingerprint = 0; ///< hash of the architecture compiled for
  std::string ArchName;         ///< e.g. "loihi"; informative
  uint16_t NumChips = 1;
  uint16_t MeshWidth = 1, MeshHeight = 1; ///< tiles per chip in x and y
  uint8_t CoresPerTile = 1;
  std::vector<CoreLocation> Cores; ///< one per Image::Cores entry
  bool operator==(const ChipHeader &O) const {
    return ArchFingerprint == O.ArchFingerprint && ArchName == O.ArchName &&
           NumChips == O.NumChips && MeshWidth == O.MeshWidth &&
           MeshHeight == O.MeshHeight && CoresPerTile == O.CoresPerTile &&
           Cores == O.Cores;
  }
};

/// A run of a population's neurons that lives on one core.
struct PopulationSegment {
  uint32_t Core = 0;        ///< index into Image::Cores
  uint16_t FirstNeuron = 0; ///< first neuron on that core
  uint16_t Count = 0;
  uint32_t Offset = 0;      ///< index of the first one in the population
  bool operator==(const PopulationSegment &O) const {
    return Core == O.Core && FirstNeuron == O.FirstNeuron &&
           Count == O.Count && Offset == O.Offset;
  }
};

enum class SymbolKind : uint8_t {
  InputPort = 0,  ///< host spikes enter here; each index fans out to axons
  Population = 1, ///< neurons whose spikes and state the host can record
};

/// Where an input port's spikes come from besides the host.
enum class GeneratorKind : uint8_t {
  External = 0, ///< only the host's input spikes
  List = 1,     ///< explicit (step, index) spikes
  Poisson = 2,  ///< each index fires independently with a fixed probability
  Regular = 3,  ///< every index fires every Period steps from Phase on
};

/// A spike source on the chip side of an input port, so an image whose
/// network defines its own stimulus runs without an input file. In step t,
/// index i of the port fires iff:
///   List:    (t, i) is in Spikes;
///   Poisson: isa::randomDraw(Seed, t, i, 0) < ProbabilityQ32;
///   Regular: t >= Phase && (t - Phase) % Period == 0.
/// Generated spikes behave exactly like host input spikes for step t and
/// add to them (a spike given both ways is delivered twice). Fields the
/// kind does not use hold their defaults, so each generator has one
/// encoding (validated).
struct SpikeGenerator {
  GeneratorKind Kind = GeneratorKind::External;
  /// List: (step, index), sorted by step then index, no duplicates;
  /// index < the port's size.
  std::vector<std::pair<uint64_t, uint32_t>> Spikes;
  uint64_t Seed = 0;           ///< Poisson: key of the draws
  uint64_t ProbabilityQ32 = 0; ///< Poisson: probability * 2^32, 0..2^32
  uint64_t Period = 1;         ///< Regular: >= 1
  uint64_t Phase = 0;          ///< Regular: the first step that fires
  bool operator==(const SpikeGenerator &O) const {
    return Kind == O.Kind && Spikes == O.Spikes && Seed == O.Seed &&
           ProbabilityQ32 == O.ProbabilityQ32 && Period == O.Period &&
           Phase == O.Phase;
  }
};

/// ProbabilityQ32 that fires in every step.
constexpr uint64_t ProbabilityOne = uint64_t(1) << 32;

/// A population state word the host reads after every step (a membrane
/// trace, or the output of a non-spiking readout).
struct Probe {
  std::string Variable; ///< the model's name for the word, e.g. "v"
  uint8_t StateWord = 0; ///< index into Neuron::State, < NumStateWords
  bool operator==(const Probe &O) const {
    return Variable == O.Variable && StateWord == O.StateWord;
  }
};

/// A named port or population.
struct Symbol {
  SymbolKind Kind = SymbolKind::Population;
  std::string Name;
  uint32_t Size = 0;
  /// InputPort: per index (Size entries), the axons a spike goes to.
  std::vector<std::vector<AxonAddress>> Targets;
  /// Population: where its neurons are; together they cover 0..Size-1
  /// exactly once.
  std::vector<PopulationSegment> Segments;
  /// InputPort: its on-chip spike source (External: none). A population
  /// keeps the default.
  SpikeGenerator Generator;
  /// Population: whether the host records its spikes. An input port keeps
  /// the default (true).
  bool RecordSpikes = true;
  /// Population: the state words sampled after each step's neuron update,
  /// in this order; names unique within the symbol. An input port has none.
  std::vector<Probe> Probes;
  bool operator==(const Symbol &O) const {
    return Kind == O.Kind && Name == O.Name && Size == O.Size &&
           Targets == O.Targets && Segments == O.Segments &&
           Generator == O.Generator && RecordSpikes == O.RecordSpikes &&
           Probes == O.Probes;
  }
};

/// A whole chip image.
struct Image {
  ChipHeader Header;
  std::vector<Core> Cores; ///< in header order
  std::vector<Symbol> Symbols;
  bool operator==(const Image &O) const {
    return Header == O.Header && Cores == O.Cores && Symbols == O.Symbols;
  }
};

/// Checks every count, index and range of an in-memory image (the same
/// rules the decoder enforces). Throws neuromesh::Error naming the core,
/// the field and the limit. The engines may assume a validated image.
void validateImage(const Image &Img);

/// Whether index Index of a port with generator G fires in step Step: the
/// definition of the generator kinds (SpikeGenerator). G must be valid.
bool generatorFires(const SpikeGenerator &G, uint64_t Step, uint32_t Index);

/// Appends to Indices, ascending, every index < Size that G fires in step
/// Step (what an engine injects). G must be valid for a port of Size.
void generatedSpikes(const SpikeGenerator &G, uint32_t Size, uint64_t Step,
                     std::vector<uint32_t> &Indices);

/// Index into Image::Cores of (chip, core-within-chip), or -1.
int64_t globalCoreIndex(const Image &Img, AxonAddress A);

} // namespace neuromesh::isa
