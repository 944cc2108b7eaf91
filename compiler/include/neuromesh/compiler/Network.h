//===- neuromesh/compiler/Network.h - the network IR ------------*- C++ -*-===//
//
// The network as the user wrote it (YAML, NIR, or this C++ API): named
// populations of neurons, spike sources, and projections between them.
// Values are as written (physical units or hardware integers, per model);
// the passes quantise, partition, place, route and emit. Every element
// carries the place it was written, so a pass's error can point at it.
//
//   Network Net;
//   Net.Dt = 1e-3;
//   Net.addSource("in", 100, SpikeSource::poisson(20.0, 7));
//   Net.addPopulation("exc", 800, NeuronModel("lif", {{"tau_m", 20e-3}, ...}));
//   Net.addProjection("in", "exc", Connector::fixedProbability(0.1, 1),
//                     WeightSpec::constant(0.5), DelaySpec::constant(1));
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace neuromesh::compiler {

/// Where a network element was written ("net.yaml", line, column); empty
/// for elements made through the C++ API.
struct SourceLoc {
  std::string File;
  unsigned Line = 0, Col = 0;
  /// "file:line:col" or "" when unknown.
  std::string str() const;
};

/// A neuron model by name ("loihi_cuba_lif", "lif", "if", "li",
/// "adaptive_lif", "truenorth") with its parameters as written. The model
/// registry (NeuronModels.h) knows each model's parameters, units and
/// ranges.
struct NeuronModel {
  std::string Kind;
  std::map<std::string, double> Params;
  SourceLoc Loc;
  NeuronModel() = default;
  NeuronModel(std::string K, std::map<std::string, double> P)
      : Kind(std::move(K)), Params(std::move(P)) {}
};

/// A population of identical neurons.
struct Population {
  std::string Name;
  uint32_t Size = 0;
  /// Optional shape (e.g. {channels, height, width}); its product is Size.
  /// Convolution and pooling connectors read it.
  std::vector<uint32_t> Shape;
  NeuronModel Model;
  bool Record = true;               ///< spikes go to the host
  std::vector<std::string> Probes;  ///< state variables traced (e.g. "v")
  SourceLoc Loc;
};

/// Spikes that enter the chip from the host.
struct SpikeSource {
  enum class Kind {
    External, ///< given at run time (nmesh run --input)
    List,     ///< explicit (step, index) spikes
    Poisson,  ///< each index fires with probability rate*dt per step
    Regular,  ///< each index fires every Period steps, from Phase
  };
  std::string Name;
  uint32_t Size = 0;
  std::vector<uint32_t> Shape;
  Kind K = Kind::External;
  std::vector<std::pair<uint64_t, uint32_t>> Spikes; ///< List: (step, index)
  double RateHz = 0;                                 ///< Poisson
  uint64_t Period = 1, Phase = 0;                    ///< Regular
  uint64_t Seed = 0;                                 ///< Poisson
  SourceLoc Loc;

  static SpikeSource external() { return {}; }
  static SpikeSource list(std::vector<std::pair<uint64_t, uint32_t>> S);
  static SpikeSource poisson(double RateHz, uint64_t Seed);
  static SpikeSource regular(uint64_t Period, uint64_t Phase = 0);
};

/// One synapse of an explicit list, by index within pre and post.
struct ExplicitSynapse {
  uint32_t Pre = 0, Post = 0;
  double Weight = 0;
  uint32_t Delay = 1;
};

/// Which pre neurons connect to which post neurons.
struct Connector {
  enum class Kind {
    AllToAll,
    OneToOne,         ///< pre and post have the same size
    FixedProbability, ///< each pair independently with Probability
    FixedFanIn,       ///< each post neuron draws FanIn distinct pre neurons
    List,             ///< explicit synapses (their weights and delays win)
    Matrix,           ///< dense weight matrix [pre][post]; 0 = no synapse
    Conv2d,           ///< shared kernel over (C, H, W) shapes
    Pool2d,           ///< sum pooling over (C, H, W) shapes
  };
  Kind K = Kind::AllToAll;
  double Probability = 0;
  uint32_t FanIn = 0;
  uint64_t Seed = 0;
  bool AllowSelf = true; ///< for recurrent projections of a population onto itself
  std::vector<ExplicitSynapse> Synapses; ///< List
  std::vector<double> Matrix;            ///< Matrix: pre-major, pre.size x post.size
  /// Conv2d: kernel [out_c][in_c][kh][kw]; Pool2d: window only.
  std::vector<double> Kernel;
  uint32_t KernelH = 1, KernelW = 1;
  uint32_t StrideH = 1, StrideW = 1;
  uint32_t PadH = 0, PadW = 0;
  SourceLoc Loc;

  static Connector allToAll();
  static Connector oneToOne();
  static Connector fixedProbability(double P, uint64_t Seed);
  static Connector fixedFanIn(uint32_t FanIn, uint64_t Seed);
  static Connector list(std::vector<ExplicitSynapse> S);
  static Connector matrix(std::vector<double> M);
};

/// The weight of each synapse made by a connector (List, Matrix and Conv2d
/// connectors carry their own weights and ignore this).
struct WeightSpec {
  enum class Kind { Constant, Uniform, Normal, Array };
  Kind K = Kind::Constant;
  double Value = 0;       ///< Constant
  double Low = 0, High = 0; ///< Uniform [Low, High)
  double Mean = 0, Std = 0; ///< Normal
  uint64_t Seed = 0;
  std::vector<double> Values; ///< Array: one per synapse, in generation order
  SourceLoc Loc;
  static WeightSpec constant(double V);
  static WeightSpec uniform(double Low, double High, uint64_t Seed);
  static WeightSpec normal(double Mean, double Std, uint64_t Seed);
};

/// The delay of each synapse, in timesteps (>= 1).
struct DelaySpec {
  enum class Kind { Constant, Uniform };
  Kind K = Kind::Constant;
  uint32_t Value = 1;
  uint32_t Low = 1, High = 1; ///< Uniform integer in [Low, High]
  uint64_t Seed = 0;
  SourceLoc Loc;
  static DelaySpec constant(uint32_t D);
  static DelaySpec uniform(uint32_t Low, uint32_t High, uint64_t Seed);
};

/// Synapses from a population or source to a population.
struct Projection {
  std::string Name; ///< defaults to "pre->post"
  std::string Pre, Post;
  Connector Conn;
  WeightSpec Weight;
  DelaySpec Delay;
  /// TrueNorth targets: the axon type (0..3) this projection's axons get;
  /// the post model's weight for that type is the synapse's weight.
  int32_t AxonType = -1;
  SourceLoc Loc;
};

/// A whole network.
struct Network {
  std::string Name;
  double Dt = 1e-3; ///< seconds per timestep, for models given in physical units
  std::vector<Population> Populations;
  std::vector<SpikeSource> Sources;
  std::vector<Projection> Projections;

  /// Adders return a reference that is valid until the next add of the
  /// same kind (the elements live in vectors).
  Population &addPopulation(std::string Name, uint32_t Size, NeuronModel Model);
  SpikeSource &addSource(std::string Name, uint32_t Size, SpikeSource S);
  Projection &addProjection(std::string Pre, std::string Post, Connector C,
                            WeightSpec W = WeightSpec::constant(1),
                            DelaySpec D = DelaySpec::constant(1));

  /// The population or source of that name, or nullptr.
  const Population *findPopulation(const std::string &Name) const;
  const SpikeSource *findSource(const std::string &Name) const;
  /// Size of a population or source by name; 0 if there is none.
  uint32_t sizeOf(const std::string &Name) const;

  /// Checks names (unique, referenced ones exist), sizes, shapes, connector
  /// parameters and models against the model registry. Every problem is
  /// reported at once: throws one neuromesh::Error whose lines each name
  /// the element's source location (or its name) and say what to do.
  void validate() const;
};

} // namespace neuromesh::compiler
