//===- MappingTestUtil.h - hand-built lowered networks for mapping tests -===//
//
// Small builders for HardwareNetwork values, so the partition, placement and
// emission tests can state their networks synapse by synapse and work out
// the expected cores by hand, without going through lowering.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/Mapping.h"
#include "neuromesh/compiler/NeuronPrograms.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"

#include <algorithm>
#include <string>
#include <vector>

namespace nmtest {

/// An architecture preset from examples/arch, with --set style overrides.
inline neuromesh::isa::Architecture
preset(const std::string &Name, const std::vector<neuromesh::isa::ArchOverride> &O = {}) {
  return neuromesh::isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/" + Name +
                                              ".yaml",
                                          O);
}

/// An integrate-and-fire population (one state word, one profile).
inline neuromesh::compiler::HwPopulation ifPopulation(const std::string &Name, uint32_t Size,
                                                      int32_t Threshold = 1, int32_t Bias = 0) {
  neuromesh::compiler::HwPopulation P;
  P.Name = Name;
  P.Size = Size;
  P.Model = "if";
  neuromesh::compiler::IfParams Prm;
  Prm.Threshold = Threshold;
  Prm.Bias = Bias;
  P.Profiles.push_back(neuromesh::compiler::ifProfile(Prm));
  P.StateWords = neuromesh::compiler::if_neuron::NumStateWords;
  return P;
}

/// One synapse by index within pre and post.
struct Syn {
  uint32_t Pre, Post;
  int16_t W = 1;
  uint8_t D = 1;
};

inline std::vector<Syn> allToAll(uint32_t NPre, uint32_t NPost, int16_t W = 1, uint8_t D = 1) {
  std::vector<Syn> S;
  for (uint32_t I = 0; I < NPre; ++I)
    for (uint32_t J = 0; J < NPost; ++J)
      S.push_back(Syn{I, J, W, D});
  return S;
}

inline std::vector<Syn> oneToOne(uint32_t N, int16_t W = 1, uint8_t D = 1) {
  std::vector<Syn> S;
  for (uint32_t I = 0; I < N; ++I)
    S.push_back(Syn{I, I, W, D});
  return S;
}

/// The CSR table of S (synapses of one pre keep their order in S).
inline neuromesh::compiler::SynapseTable table(uint32_t NPre, uint32_t NPost, std::vector<Syn> S) {
  std::stable_sort(S.begin(), S.end(), [](const Syn &A, const Syn &B) { return A.Pre < B.Pre; });
  neuromesh::compiler::SynapseTable T;
  T.NumPre = NPre;
  T.NumPost = NPost;
  T.RowStart.assign(NPre + 1, 0);
  for (const Syn &X : S) {
    ++T.RowStart[X.Pre + 1];
    T.Post.push_back(X.Post);
    T.Weight.push_back(X.W);
    T.Delay.push_back(X.D);
  }
  for (uint32_t I = 0; I < NPre; ++I)
    T.RowStart[I + 1] += T.RowStart[I];
  return T;
}

inline uint32_t addSource(neuromesh::compiler::HardwareNetwork &Net, const std::string &Name,
                          uint32_t Size) {
  neuromesh::compiler::SpikeSource S;
  S.Name = Name;
  S.Size = Size;
  Net.Sources.push_back(S);
  return uint32_t(Net.Sources.size() - 1);
}

inline uint32_t addPopulation(neuromesh::compiler::HardwareNetwork &Net,
                              neuromesh::compiler::HwPopulation P) {
  Net.Populations.push_back(std::move(P));
  return uint32_t(Net.Populations.size() - 1);
}

/// A projection from source or population Pre to population Post.
inline neuromesh::compiler::HwProjection &
connect(neuromesh::compiler::HardwareNetwork &Net, bool PreIsSource, uint32_t Pre, uint32_t Post,
        std::vector<Syn> S, uint8_t Shift = 0, int32_t AxonType = -1) {
  neuromesh::compiler::HwProjection J;
  const std::string &PreName =
      PreIsSource ? Net.Sources[Pre].Name : Net.Populations[Pre].Name;
  uint32_t NPre = PreIsSource ? Net.Sources[Pre].Size : Net.Populations[Pre].Size;
  J.Name = PreName + "->" + Net.Populations[Post].Name;
  J.PreIsSource = PreIsSource;
  J.Pre = Pre;
  J.Post = Post;
  J.Synapses = table(NPre, Net.Populations[Post].Size, std::move(S));
  J.Shift = Shift;
  J.AxonType = AxonType;
  Net.Projections.push_back(std::move(J));
  return Net.Projections.back();
}

/// The message of the error mapNetwork throws ("" when it does not).
inline std::string mapError(const neuromesh::compiler::HardwareNetwork &Net,
                            const neuromesh::isa::Architecture &Arch) {
  try {
    neuromesh::compiler::mapNetwork(Net, Arch);
  } catch (const neuromesh::Error &E) {
    return E.what();
  }
  return "";
}

/// Neurons per core, in core order.
inline std::vector<uint32_t> coreSizes(const neuromesh::compiler::MappedNetwork &M) {
  std::vector<uint32_t> V;
  for (const auto &C : M.Report.Cores)
    V.push_back(C.Neurons);
  return V;
}

} // namespace nmtest
