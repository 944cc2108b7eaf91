//===- Activity.cpp - where a run's work happened -------------------------===//
#include "neuromesh/runtime/Activity.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <tuple>

namespace neuromesh::runtime {

RunActivity summariseActivity(const isa::Image &Img, const isa::Architecture &Arch,
                              const std::vector<emulator::CoreCounters> &PerCore,
                              const std::vector<std::vector<uint64_t>> &FiredCount) {
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
      for (const isa::AxonAddress &Dest : Core.Outputs[N]) {
        assert(Dest.Chip < ChipCores.size() && Dest.Core < ChipCores[Dest.Chip].size() &&
               "validated image");
        emulator::forEachRouteLink(Arch, C.Location, ChipCores[Dest.Chip][Dest.Core],
                                   [&](const emulator::MeshLink &L) {
                                     LinkTraffic &T = Links[{L.Y, L.X, L.DY, L.DX}];
                                     T.Link = L;
                                     T.Messages += Fired;
                                   });
      }
    }
  }
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
