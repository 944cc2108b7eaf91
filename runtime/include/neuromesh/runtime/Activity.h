//===- neuromesh/runtime/Activity.h - where a run's work happened -*- C++ -*-===//
//
// What the visual report draws besides the totals: per-core utilisation and
// event counts, per-link message counts over the x-then-y routes of every
// spike (emulator::forEachRouteLink, the energy model's router, on which both
// engines agree), and the populations whose spikes the raster shows.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/CoreState.h"
#include "neuromesh/emulator/EnergyModel.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace neuromesh::runtime {

/// One core of the image: where it is, how full, what it did.
struct CoreActivity {
  isa::CoreLocation Location;
  uint32_t Neurons = 0;    ///< neurons the image puts on it
  uint32_t InputAxons = 0; ///< input axons it uses
  /// Neurons / the architecture's core.neurons, 0..1.
  double Utilisation = 0;
  emulator::CoreCounters Counters; ///< the whole run's events
};

/// Messages that crossed one mesh link (or chip edge) in the run.
struct LinkTraffic {
  emulator::MeshLink Link;
  uint64_t Messages = 0;
};

/// A population of the image (for the raster).
struct PopulationInfo {
  std::string Name;
  uint32_t Symbol = 0; ///< its index in the image's symbol table
  uint32_t Size = 0;
  bool Recorded = true; ///< whether its spikes are recorded
};

/// Where a run's work happened.
struct RunActivity {
  /// Tiles of the whole system in x and y (chip grid x mesh), the tiles of
  /// one chip, and the cores sharing a router.
  int64_t TilesX = 0, TilesY = 0, ChipTilesX = 0, ChipTilesY = 0, CoresPerTile = 0;
  std::vector<CoreActivity> Cores;       ///< image order
  std::vector<LinkTraffic> Links;        ///< links with traffic, sorted by (Y, X, DY, DX)
  std::vector<PopulationInfo> Populations; ///< symbol order
};

/// Summarises a run: PerCore holds each core's counters over the run
/// (image order), FiredCount[k][n] how often neuron n of core k fired, and
/// InputCount[s][i] how many input spikes (host and on-chip generators)
/// index i of input port symbol s carried; input messages leave the host
/// interface at chip 0, tile (0,0), as the energy model prices them.
RunActivity summariseActivity(const isa::Image &Img, const isa::Architecture &Arch,
                              const std::vector<emulator::CoreCounters> &PerCore,
                              const std::vector<std::vector<uint64_t>> &FiredCount,
                              const std::vector<std::vector<uint64_t>> &InputCount);

} // namespace neuromesh::runtime
