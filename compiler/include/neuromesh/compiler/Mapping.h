//===- neuromesh/compiler/Mapping.h - partition, place, route, emit -*- C++ -*-===//
//
// Turns a lowered network into a chip image: partition neurons into cores
// (splitting populations that do not fit and respecting every per-core
// limit), place cores on the mesh (and on several chips when one is not
// enough) to minimise hop-weighted traffic, build the output axon tables
// (routing) and emit the image with its symbol table. The mapping report
// says what went where and what it costs.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace neuromesh::compiler {

/// How cores are placed on the mesh.
enum class PlacementStrategy {
  Optimised, ///< greedy seed refined by local search (the default)
  InOrder,   ///< cores in partition order, row by row (a baseline)
  Random,    ///< a seeded random placement (a baseline)
};

struct MappingOptions {
  PlacementStrategy Placement = PlacementStrategy::Optimised;
  uint64_t Seed = 1; ///< for Random placement and any randomised search
};

/// Use of one core's resources.
struct CoreUsage {
  uint32_t Core = 0; ///< index into the image's cores
  uint16_t Chip = 0, X = 0, Y = 0;
  uint8_t Slot = 0;
  uint32_t Neurons = 0, InputAxons = 0, OutputAxons = 0, Profiles = 0;
  uint64_t SynapseBytes = 0;
  std::vector<std::string> Populations; ///< "name[first..last]"
};

/// What the mapping did and what it is expected to cost.
struct MappingReport {
  std::string Architecture;
  uint32_t CoresUsed = 0, ChipsUsed = 0;
  std::vector<CoreUsage> Cores;
  /// Utilisation of each resource over the cores used, 0..1, max and mean.
  double MaxNeuronUse = 0, MeanNeuronUse = 0;
  double MaxAxonUse = 0, MeanAxonUse = 0;
  double MaxSynapseMemoryUse = 0, MeanSynapseMemoryUse = 0;
  double MaxOutputAxonUse = 0, MeanOutputAxonUse = 0;
  /// Expected spike messages per step if every neuron fired once, and the
  /// same weighted by mesh hops (the placement objective); chip-to-chip
  /// crossings counted apart.
  uint64_t MessagesPerStep = 0;
  uint64_t HopWeightedTraffic = 0;
  uint64_t ChipCrossings = 0;
  std::string PlacementStrategy;
  /// Writes the report as JSON (atomically) to Path.
  void writeJson(const std::string &Path) const;
};

/// The result of mapping.
struct MappedNetwork {
  isa::Image Image;
  MappingReport Report;
};

/// Maps a lowered network onto the architecture. Throws neuromesh::Error
/// when it cannot fit: the message names the population and the limit it
/// broke and says what would fit.
MappedNetwork mapNetwork(const HardwareNetwork &Net, const isa::Architecture &Arch,
                         const MappingOptions &Options = {});

} // namespace neuromesh::compiler
