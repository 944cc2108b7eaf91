//===- MappingInternal.h - the mapping passes' shared state ------*- C++ -*-===//
//
// Private to the compiler library. The mapping is four passes over one
// read-only index of the lowered network:
//
//   buildIndex      checks the network against the architecture's hard
//                   limits and transposes every projection (post-major),
//   partitionNetwork  cuts populations into contiguous runs on cores and
//                   computes every neuron's destinations (routing),
//   placeCores      puts the cores on (chip, x, y, slot) sites,
//   emitImage       writes the isa::Image with its symbol table.
//
// docs/mapping.md describes what each pass does and why.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/Mapping.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace neuromesh::compiler::mapping {

/// A step that crosses from one chip to a neighbouring chip costs this many
/// mesh hops in the placement objective (instead of 1): chip-to-chip links
/// are far slower and costlier than on-chip router hops.
constexpr uint64_t ChipLinkHops = 16;

/// How the synapses of one projection are stored on a core.
enum class Encoding : uint8_t {
  Sparse,        ///< the architecture has only sparse lists
  Dense,         ///< the architecture has only dense runs
  SparseOrDense, ///< per (axon, projection) group, whichever is smaller
  Crossbar,      ///< the post population uses a TrueNorth crossbar
};

/// Axon type code in an axon key: 0 for an ordinary axon, 1 + type for a
/// crossbar axon of that type.
inline uint8_t typeCode(int32_t AxonType) {
  return AxonType < 0 ? 0 : uint8_t(AxonType + 1);
}

/// The identity of an input axon on a core: the pre neuron (global id) and
/// the axon type code. Ordering keys orders a core's axons.
inline uint64_t axonKey(uint64_t PreGid, uint8_t TypeCode) {
  return (PreGid << 3) | TypeCode;
}
inline uint64_t keyGid(uint64_t Key) { return Key >> 3; }
inline uint8_t keyType(uint64_t Key) { return uint8_t(Key & 7); }

/// A table from axon key to a small index (e.g. the axon's index on the core
/// being built), directly indexed by (pre gid, type code) so the hot loops
/// of the partition and the emitter need no hashing. clear() costs only the
/// keys that were set.
class AxonSlots {
public:
  static constexpr uint32_t None = 0xffffffffu;
  explicit AxonSlots(uint64_t NumGids = 0) : Slot(NumGids * 5, None) {}
  uint32_t find(uint64_t Key) const { return Slot[index(Key)]; }
  void set(uint64_t Key, uint32_t V) {
    uint32_t &S = Slot[index(Key)];
    if (S == None)
      Touched.push_back(Key);
    S = V;
  }
  void clear() {
    for (uint64_t K : Touched)
      Slot[index(K)] = None;
    Touched.clear();
  }

private:
  static uint64_t index(uint64_t Key) { return keyGid(Key) * 5 + keyType(Key); }
  std::vector<uint32_t> Slot;
  std::vector<uint64_t> Touched;
};

/// One incoming synapse of a post neuron, found through the transposed
/// projection.
struct InEntry {
  uint32_t Pre = 0; ///< pre neuron (or source index) within its population
  uint32_t Syn = 0; ///< index into the projection's SynapseTable
};

/// The network, checked and indexed for the passes.
struct NetIndex {
  const HardwareNetwork *Net = nullptr;
  /// Global neuron ids: populations first, in order, then sources.
  std::vector<uint64_t> PopBase, SrcBase;
  uint64_t NumPopGids = 0, NumGids = 0;
  /// Per projection, its synapses by post neuron (CSC).
  std::vector<std::vector<uint64_t>> ColStart;
  std::vector<std::vector<InEntry>> Col;
  std::vector<Encoding> Enc;
  /// Per population: the projections into it, and out of it; per source:
  /// the projections out of it (all in projection order).
  std::vector<std::vector<uint32_t>> Into, FromPop, FromSrc;
  /// Identical profiles get one id across the whole network.
  std::vector<const isa::NeuronProfile *> Profiles;
  std::vector<std::vector<uint32_t>> CanonProfile; ///< per pop, per local profile
  /// Bits one synapse takes in each encoding (crossbar: 1 per column).
  uint64_t SparseBits = 0, DenseBits = 0;

  uint64_t preGid(const HwProjection &P, uint32_t Pre) const {
    return (P.PreIsSource ? SrcBase[P.Pre] : PopBase[P.Pre]) + Pre;
  }
  /// The network-wide profile id of neuron N of population P.
  uint32_t profileOf(uint32_t P, uint32_t N) const;
  /// Initial state word W of neuron N of population P (0 beyond its words).
  int32_t initialState(uint32_t P, uint32_t N, unsigned W) const;
};

/// Checks every population and projection against the architecture's hard
/// limits (state words, delays, shifts, weight bits, encodings) and builds
/// the index. Throws one neuromesh::Error listing every problem.
NetIndex buildIndex(const HardwareNetwork &Net, const isa::Architecture &Arch);

/// Bits a group of synapses (one axon, one projection) takes in synaptic
/// memory. Count is its number of synapses; Spans the lengths
/// (last - first + 1 post neurons) of its sub-groups, one per distinct
/// (delay, repeat) pair. SparseOrDense picks dense when the group has one
/// sub-group and dense is no larger; UseDense says which was picked.
uint64_t groupBits(const NetIndex &Ix, Encoding E, uint64_t Count,
                   const std::vector<uint64_t> &Spans, bool *UseDense = nullptr);

/// A run of one population's neurons on one core.
struct Run {
  uint32_t Pop = 0;
  uint32_t First = 0;      ///< index within the population
  uint32_t Count = 0;
  uint32_t LocalFirst = 0; ///< index within the core
};

/// What the partition put on one core and what it uses.
struct PartCore {
  std::vector<Run> Runs;
  uint32_t Neurons = 0, Axons = 0, Profiles = 0;
  uint64_t SynapseBytes = 0, OutputEntries = 0;
  uint8_t StateWords = 1, DelaySlots = 1;
};

/// One destination of a neuron or source index: an input axon of a core,
/// identified by the core and the axon type code (the pre neuron is the
/// sender itself).
struct Destination {
  uint32_t Core = 0;
  uint8_t TypeCode = 0;
  bool operator<(const Destination &O) const {
    return Core != O.Core ? Core < O.Core : TypeCode < O.TypeCode;
  }
  bool operator==(const Destination &O) const {
    return Core == O.Core && TypeCode == O.TypeCode;
  }
};

/// The partition: cores in order, where every neuron went, and every
/// sender's destinations (the routing, by core index).
struct Partition {
  std::vector<PartCore> Cores;
  std::vector<uint32_t> CoreOf;  ///< per population gid
  std::vector<uint32_t> LocalOf; ///< per population gid
  std::vector<uint64_t> DestStart; ///< per gid (populations and sources) + 1
  std::vector<Destination> Dests;
};

/// Cuts the populations into cores, respecting every per-core limit.
/// Throws neuromesh::Error naming the population and the limit when a
/// neuron cannot fit a core, or its fan-out exceeds core.fan_out.
Partition partitionNetwork(const NetIndex &Ix, const isa::Architecture &Arch);

/// Spike messages per step from core From to core To (one per neuron of
/// From with a destination on To, as if every neuron fired once).
struct TrafficEdge {
  uint32_t From = 0, To = 0;
  uint64_t Messages = 0;
};

/// The traffic between cores, sorted by (From, To); includes From == To.
std::vector<TrafficEdge> coreTraffic(const NetIndex &Ix, const Partition &Part);

/// Hops a message takes from A to B: x-then-y over the tile grid of all
/// chips laid side by side (chip c at grid (c % grid_width, c / grid_width)),
/// where a step across a chip boundary counts ChipLinkHops. Cores of one
/// tile are 0 hops apart.
uint64_t hopDistance(const isa::Architecture &Arch, const isa::CoreLocation &A,
                     const isa::CoreLocation &B);
/// Chip-to-chip links a message from A to B crosses.
uint64_t chipLinks(const isa::Architecture &Arch, const isa::CoreLocation &A,
                   const isa::CoreLocation &B);

/// Places NumCores cores on the architecture's sites with the strategy of
/// Options. Throws neuromesh::Error when the system has too few cores.
std::vector<isa::CoreLocation> placeCores(uint32_t NumCores,
                                          const std::vector<TrafficEdge> &Traffic,
                                          const isa::Architecture &Arch,
                                          const MappingOptions &Options);

/// The seed of core Core of network NetName: FNV-1a 64 over the name's
/// bytes, a 0 byte, then the core index as 4 little-endian bytes.
uint64_t coreSeed(const std::string &NetName, uint32_t Core);

/// Per core, the synaptic memory its emitted segments take (recomputed from
/// the image, the same rule as the partition's).
uint64_t segmentBytes(const NetIndex &Ix, const std::vector<isa::SynapseSegment> &Axon);

/// Writes the image: header, cores, routing tables and symbols.
isa::Image emitImage(const NetIndex &Ix, const isa::Architecture &Arch, const Partition &Part,
                     const std::vector<isa::CoreLocation> &Locations);

/// "file:line:col: error: " or "error: " when the location is unknown.
std::string errorPrefix(const SourceLoc &Loc);

} // namespace neuromesh::compiler::mapping
