//===- Activity.cpp - where a run's work happened -------------------------===//
#include "neuromesh/runtime/Activity.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <tuple>

namespace neuromesh::runtime {

RunActivity summariseActivity(const isa::Image &Img, const isa::Architecture &Arch,
                              const std::vector<emulator::CoreCounters> &PerCore,
                              const std::vector<std::vector<uint64_t>> &FiredCount,
                              const std::vector<std::vector<uint64_t>> &InputCount) {
  RunActivity A;
  A.ChipTilesX = Arch.Mesh.Width;
  A.ChipTilesY = Arch.Mesh.Height;
  A.TilesX = Arch.Chips.GridWidth * Arch.Mesh.Width;
  A.TilesY = Arch.Chips.GridHeight * Arch.Mesh.Height;
  A.CoresPerTile = Arch.Mesh.CoresPerTile;

  // (chip, core within chip) -> location, as the output axon tables address them.
  std::vector<std::vector<isa::CoreLocation>> ChipCores(Img.Header.NumChips);
  for (const isa::CoreLocation &L : Img.Header.Cores)
    ChipCores[L.Chip].push_back(L);

  using Key = std::tuple<int64_t, int64_t, int, int>; // Y, X, DY, DX
  std::map<Key, LinkTraffic> Links;
  auto Route = [&](const isa::CoreLocation &From, const isa::AxonAddress &Dest, uint64_t Count) {
    assert(Dest.Chip < ChipCores.size() && Dest.Core < ChipCores[Dest.Chip].size() &&
           "validated image");
    emulator::forEachRouteLink(Arch, From, ChipCores[Dest.Chip][Dest.Core],
                               [&](const emulator::MeshLink &L) {
                                 LinkTraffic &T = Links[{L.Y, L.X, L.DY, L.DX}];
                                 T.Link = L;
                                 T.Messages += Count;
                               });
  };
  for (size_t K = 0; K < Img.Cores.size(); ++K) {
    const isa::Core &Core = Img.Cores[K];
    CoreActivity C;
    C.Location = Img.Header.Cores[K];
    C.Neurons = uint32_t(Core.Neurons.size());
    C.InputAxons = uint32_t(Core.Axons.size());
    C.Utilisation = Arch.Core.Neurons > 0 ? double(C.Neurons) / double(Arch.Core.Neurons) : 0;
    if (K < PerCore.size())
      C.Counters = PerCore[K];
    A.Cores.push_back(C);
    if (K >= FiredCount.size())
      continue;
    for (size_t N = 0; N < FiredCount[K].size() && N < Core.Outputs.size(); ++N) {
      const uint64_t Fired = FiredCount[K][N];
      if (Fired == 0)
        continue;
      for (const isa::AxonAddress &Dest : Core.Outputs[N])
        Route(C.Location, Dest, Fired);
    }
  }
  const isa::CoreLocation Host{0, 0, 0, 0};
  for (size_t S = 0; S < InputCount.size() && S < Img.Symbols.size(); ++S)
    for (size_t I = 0; I < InputCount[S].size() && I < Img.Symbols[S].Targets.size(); ++I)
      if (InputCount[S][I] > 0)
        for (const isa::AxonAddress &Dest : Img.Symbols[S].Targets[I])
          Route(Host, Dest, InputCount[S][I]);
  for (const auto &[K, T] : Links)
    A.Links.push_back(T);

  for (size_t S = 0; S < Img.Symbols.size(); ++S) {
    const isa::Symbol &Sym = Img.Symbols[S];
    if (Sym.Kind == isa::SymbolKind::Population)
      A.Populations.push_back({Sym.Name, uint32_t(S), Sym.Size, Sym.RecordSpikes});
  }
  return A;
}

} // namespace neuromesh::runtime
