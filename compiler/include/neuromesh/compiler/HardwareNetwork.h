//===- neuromesh/compiler/HardwareNetwork.h - quantised, unmapped -*- C++ -*-===//
//
// The network after lowering and quantisation, before mapping: every
// neuron has its microcode profile and initial state, every synapse an
// integer weight mantissa, a shift and a delay, but nothing is yet on a
// core. The mapping passes turn this into an isa::Image; the network-level
// reference simulator runs this directly, sharing no mapping code, and the
// two must give identical spikes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/Network.h"
#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace neuromesh::isa {
struct Architecture;
}

namespace neuromesh::compiler {

/// The synapses of one projection, compressed by pre neuron (CSR): the
/// synapses of pre neuron i are [RowStart[i], RowStart[i+1]).
struct SynapseTable {
  uint32_t NumPre = 0, NumPost = 0;
  std::vector<uint64_t> RowStart; ///< NumPre + 1 entries
  std::vector<uint32_t> Post;
  std::vector<int16_t> Weight;    ///< mantissa; contributes Weight << Shift
  std::vector<uint8_t> Delay;     ///< 1..delay slots
  uint64_t size() const { return Post.size(); }
};

/// How far quantisation moved a projection's weights from what was written
/// (relative to the largest written magnitude).
struct QuantisationError {
  double MaxRelative = 0;
  double RmsRelative = 0;
};

/// A lowered population.
struct HwPopulation {
  std::string Name;
  uint32_t Size = 0;
  std::vector<uint32_t> Shape;
  std::string Model;                     ///< registry name, e.g. "loihi_cuba_lif"
  std::vector<isa::NeuronProfile> Profiles; ///< usually one
  std::vector<uint16_t> ProfileOf;       ///< per neuron; empty = all use profile 0
  uint8_t StateWords = 1;
  std::vector<int32_t> InitialState;     ///< StateWords words, for every neuron
  /// TrueNorth-style populations: each neuron's weight per axon type.
  bool UsesCrossbar = false;
  isa::CrossbarColumn Column;
  bool Record = true;
  /// The population's probes resolved to the model's state words, in the
  /// order the network lists them.
  std::vector<isa::Probe> Probes;
  QuantisationError ParamError; ///< thresholds and decays
  SourceLoc Loc;
};

/// A lowered projection.
struct HwProjection {
  std::string Name;
  bool PreIsSource = false;
  uint32_t Pre = 0;  ///< index into Sources or Populations
  uint32_t Post = 0; ///< index into Populations
  SynapseTable Synapses;
  uint8_t Shift = 0;       ///< weight exponent applied at delivery
  int32_t AxonType = -1;   ///< crossbar targets: 0..3
  QuantisationError WeightError;
  SourceLoc Loc;
};

/// A whole lowered network.
struct HardwareNetwork {
  std::string Name;
  double Dt = 1e-3;
  std::vector<HwPopulation> Populations;
  std::vector<SpikeSource> Sources; ///< as written
  std::vector<HwProjection> Projections;
};

/// Expands connectors, lowers every neuron model to its microcode profile
/// and quantises weights and parameters to the architecture's precision.
/// Throws neuromesh::Error naming the element and the limit it broke.
HardwareNetwork lowerNetwork(const Network &Net, const isa::Architecture &Arch);

} // namespace neuromesh::compiler
