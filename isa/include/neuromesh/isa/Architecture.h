//===- neuromesh/isa/Architecture.h - a chip's description ------*- C++ -*-===//
//
// One architecture description drives both the compiler (the limits of a
// core and a chip) and the emulator (timing and energy costs, priced by
// emulator::EnergyModel; docs/energy-model.md). It is
// read from YAML in two layers: the file as written (with --set style
// overrides applied to it), then the resolved, range-checked values.
// Every field is a row of architectureFields(); docs/arch-format.md lists
// them all (a test checks it).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace neuromesh::isa {

/// Limits of one core.
struct CoreSpec {
  int64_t Neurons = 0;            ///< neurons (compartments) per core
  int64_t InputAxons = 0;         ///< input axons (fan-in lists) per core
  int64_t OutputAxons = 0;        ///< output axon table entries per core
  int64_t FanOut = 0;             ///< most destinations of one neuron
  int64_t SynapseMemoryBytes = 0; ///< synaptic memory per core
  int64_t WeightBits = 0;         ///< signed weight mantissa bits
  int64_t WeightExponentMin = 0;  ///< weight = mantissa * 2^exponent
  int64_t WeightExponentMax = 0;
  int64_t DelaySlots = 0;         ///< synaptic delays 1..DelaySlots steps
  int64_t Profiles = 0;           ///< neuron profiles per core
  int64_t StateWords = 0;         ///< state words per neuron
  bool Sparse = false, Dense = false, Crossbar = false; ///< encodings
  int64_t SparseSynapseBits = 0;  ///< memory one sparse synapse takes
  int64_t DenseSynapseBits = 0;   ///< memory one dense synapse takes
};

/// How the SystemC model carries messages over a mesh (mesh.model,
/// docs/systemc.md): router by router, cycle by cycle, or each message as
/// one transaction that reserves its whole path at once.
enum class MeshModel { Cycle, Transaction };
/// The model a file that leaves mesh.model out gets, and the SystemC
/// engine's without an architecture: the one place the default is set.
/// Cycle: the transaction model is several times faster but its step
/// latency can be far off under contention (2x on ei_balanced with 41 ns
/// hops; docs/systemc.md, "The two mesh models"), so it is a choice.
constexpr MeshModel DefaultMeshModel = MeshModel::Cycle;
/// "cycle" or "transaction".
const char *meshModelName(MeshModel M);
/// The model named Name (as meshModelName spells it), or nullopt.
std::optional<MeshModel> parseMeshModel(std::string_view Name);

/// The mesh of one chip: its shape (a limit the compiler uses) and the
/// parameters of its routers, which only time a run (the SystemC model,
/// docs/systemc.md) and so are not in the fingerprint.
struct MeshSpec {
  int64_t Width = 0, Height = 0; ///< tiles in x and y
  int64_t CoresPerTile = 0;      ///< cores sharing one router
  double ClockPeriod = 1e-9;     ///< s, the mesh clock: times are whole cycles of it
  int64_t BufferDepth = 4;       ///< messages per router input buffer
  int64_t EjectDepth = 4;        ///< messages per tile eject buffer; 0 = unbounded
  int64_t LinkBitsPerCycle = 32; ///< bits a router-to-router link carries per cycle
  int64_t MessageBits = 32;      ///< bits of one spike message
  int64_t NoProgressCycles = 100000; ///< cycles without a message moving = deadlock
  MeshModel Model = DefaultMeshModel; ///< how the SystemC model carries messages
};

/// The host interface (chip 0, tile (0,0)) that injects input spikes.
struct HostSpec {
  /// s between two input messages entering the chip; 0 = one mesh cycle.
  double MessageInterval = 0;
};

/// How many chips, and how they are wired (a grid of chips, neighbours
/// joined by chip-to-chip links, routed x then y like the mesh).
struct ChipsSpec {
  int64_t Count = 1;
  int64_t GridWidth = 1, GridHeight = 1;
};

/// How algorithmic time relates to wall-clock time.
struct TimestepSpec {
  /// Seconds per timestep when the chip is paced by a tick (TrueNorth: 1 ms);
  /// 0 means unthrottled: each step takes as long as its work (Loihi).
  double TickSeconds = 0;
};

/// The price of one kind of event: the energy it dissipates and the time it
/// occupies the unit that performs it.
struct EventCost {
  double Energy = 0;  ///< joules per event
  double Latency = 0; ///< seconds per event
};

/// One point of the barrier latency table.
struct BarrierPoint {
  int64_t Tiles = 0;  ///< tiles taking part in the barrier
  double Seconds = 0; ///< time the barrier takes
};

/// Per-event costs, resolved from the cost set the file selects
/// (costs.model). Every figure is in SI units: J, s, W. What counts as each
/// event is defined in docs/energy-model.md.
struct CostSpec {
  std::string Model; ///< the selected named cost set; empty when unnamed
  EventCost SynapseSparse;   ///< one synapse of a sparse segment
  EventCost SynapseDense;    ///< one synapse of a dense segment
  EventCost SynapseCrossbar; ///< one connected crossbar bit
  EventCost Dendrite;        ///< a neuron whose dendritic input is nonzero
  EventCost NeuronAccess;    ///< every neuron, every step
  EventCost NeuronActive;    ///< a neuron with input, or that fired
  EventCost NeuronInactive;  ///< any other neuron
  EventCost SpikeGeneration; ///< a neuron that fired
  EventCost MessageOut;      ///< an axon address sent
  EventCost MessageIn;       ///< a spike arriving on an input axon
  EventCost WithinTile;      ///< a message to a core of its own tile
  EventCost HopEastWest;     ///< a message crossing one router in x
  EventCost HopNorthSouth;   ///< a message crossing one router in y
  EventCost ChipLink;        ///< a message crossing one chip-to-chip link
  double BarrierEnergy = 0;  ///< joules per participating tile per step
  /// Barrier latency by tiles, ascending by Tiles; empty = no barrier cost.
  std::vector<BarrierPoint> Barrier;
  /// 1: a core's synapse unit takes spikes in while its neuron unit
  /// updates (a pipelined core: its busy time is the larger of the two);
  /// 0: one after the other (the sum).
  int64_t SynapseOverlap = 0;
  double StaticPowerPerCore = 0; ///< watts, every core of the system
  double StaticPowerPerChip = 0; ///< watts, every chip of the system

  /// The barrier latency for Tiles tiles: linear between the table's
  /// points, the first point's value below it, and the last segment's line
  /// extended above it (a single point is a constant).
  double barrierLatency(int64_t Tiles) const;
};

/// A resolved architecture.
struct Architecture {
  std::string Name;
  std::string Description;
  CoreSpec Core;
  MeshSpec Mesh;
  HostSpec Host;
  ChipsSpec Chips;
  TimestepSpec Timestep;
  CostSpec Costs;

  int64_t coresPerChip() const {
    return Mesh.Width * Mesh.Height * Mesh.CoresPerTile;
  }
  /// A hash of every resolved value the compiler uses (the structure: name,
  /// core, mesh shape, chips; not the mesh's router timing, the host
  /// interface, the timestep or costs, which only annotate a run): equal structures, equal fingerprints. Images record it so a run
  /// can check it has the chip the image was compiled for, under any cost
  /// set.
  uint64_t fingerprint() const;
};

/// One field of the file, in the order docs/arch-format.md lists them.
struct ArchField {
  const char *Path;    ///< dotted key path, e.g. "core.neurons"
  /// "integer", "number", "string", "list of encodings" or "table"
  /// (barrier latency points, tiles: seconds)
  const char *Type;
  int64_t Min, Max;    ///< range for integers
  const char *Default; ///< nullptr when required; else how it defaults
  const char *Doc;     ///< what it means
  double NumMin, NumMax; ///< range for numbers, in Unit
  const char *Unit;      ///< SI unit of a number ("J", "s", "W"), or ""
};

/// Every field an architecture file may hold.
const std::vector<ArchField> &architectureFields();

/// A `path=value` override applied to the file before resolution, as
/// `--set core.neurons=2048` does on the command line.
using ArchOverride = std::pair<std::string, std::string>;

/// Parses an architecture from YAML text. Every error (syntax, unknown
/// key, wrong type, out of range, missing field, inconsistent values) is
/// reported at once as one neuromesh::Error with file:line:col locations.
Architecture parseArchitecture(const std::string &Text,
                               const std::string &FileName,
                               const std::vector<ArchOverride> &Overrides = {});

/// Reads and parses an architecture file.
Architecture loadArchitecture(const std::string &Path,
                              const std::vector<ArchOverride> &Overrides = {});

/// Parses "path=value" (the --set syntax); throws on a missing '='.
ArchOverride parseArchOverride(const std::string &Text);

/// Reads a quantity in Unit: a plain number in SI base units ("2.3e-12") or
/// a number with an SI prefix and the unit ("2.3pJ", "1 ms", "42mW";
/// prefixes f p n u m k M G). Returns false when Text is neither or not
/// finite.
bool parseQuantity(const std::string &Text, const std::string &Unit,
                   double &Value);

} // namespace neuromesh::isa
