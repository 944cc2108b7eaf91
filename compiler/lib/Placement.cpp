//===- Placement.cpp - cores onto (chip, x, y, slot) sites ----------------===//
//
// The objective is hop-weighted traffic: the sum over core pairs of the
// spike messages per step between them times the hops between their sites
// (hopDistance). Optimised placement builds a greedy seed (the core with the
// most traffic to the cores already placed goes to the free site that costs
// least, starting from the most central site), keeps the better of that and
// the in-order placement, and refines it by simulated annealing over moves
// and swaps with a fixed-seed generator and an iteration budget that depends
// only on the problem size, so the result is deterministic.
//
//===----------------------------------------------------------------------===//
#include "MappingInternal.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/SplitMix64.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace neuromesh::compiler::mapping {

namespace {

int64_t absDiff(int64_t A, int64_t B) { return A > B ? A - B : B - A; }

/// A site with its coordinates on the grid of all chips.
struct Site {
  isa::CoreLocation Loc;
  int64_t GX = 0, GY = 0; ///< tile coordinates over all chips
  int64_t CX = 0, CY = 0; ///< the chip's place in the chip grid
};

Site makeSite(const isa::Architecture &Arch, const isa::CoreLocation &L) {
  Site S;
  S.Loc = L;
  S.CX = L.Chip % Arch.Chips.GridWidth;
  S.CY = L.Chip / Arch.Chips.GridWidth;
  S.GX = S.CX * Arch.Mesh.Width + L.X;
  S.GY = S.CY * Arch.Mesh.Height + L.Y;
  return S;
}

uint64_t siteDistance(const Site &A, const Site &B) {
  uint64_t Links = uint64_t(absDiff(A.CX, B.CX) + absDiff(A.CY, B.CY));
  return uint64_t(absDiff(A.GX, B.GX) + absDiff(A.GY, B.GY)) + (ChipLinkHops - 1) * Links;
}

/// SplitMix64: a small, portable generator for the randomised strategies.
class Rng : public isa::SplitMix64 {
public:
  using SplitMix64::SplitMix64;
  uint64_t below(uint64_t N) { return next() % N; }
  double unit() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }

};

/// Symmetric traffic between distinct cores as adjacency lists.
struct Graph {
  std::vector<uint64_t> Start;
  std::vector<uint32_t> Nbr;
  std::vector<uint64_t> W;
  std::vector<uint64_t> Total; ///< per core, the sum of its weights
};

Graph makeGraph(uint32_t N, const std::vector<TrafficEdge> &Traffic) {
  std::vector<TrafficEdge> Und;
  for (const TrafficEdge &E : Traffic) {
    if (E.From == E.To || !E.Messages)
      continue;
    Und.push_back(TrafficEdge{E.From, E.To, E.Messages});
    Und.push_back(TrafficEdge{E.To, E.From, E.Messages});
  }
  std::sort(Und.begin(), Und.end(), [](const TrafficEdge &A, const TrafficEdge &B) {
    return A.From != B.From ? A.From < B.From : A.To < B.To;
  });
  Graph G;
  G.Start.assign(N + 1, 0);
  G.Total.assign(N, 0);
  for (size_t I = 0; I < Und.size();) {
    size_t J = I;
    uint64_t Sum = 0;
    while (J < Und.size() && Und[J].From == Und[I].From && Und[J].To == Und[I].To)
      Sum += Und[J++].Messages;
    G.Nbr.push_back(Und[I].To);
    G.W.push_back(Sum);
    G.Total[Und[I].From] += Sum;
    ++G.Start[Und[I].From + 1];
    I = J;
  }
  for (uint32_t I = 0; I < N; ++I)
    G.Start[I + 1] += G.Start[I];
  return G;
}

/// The placement being optimised: core -> site and site -> core.
struct State {
  std::vector<uint32_t> Pos;
  std::vector<int64_t> Occ; ///< -1 when free
};

class Placer {
public:
  Placer(uint32_t N, const Graph &G, std::vector<Site> Sites)
      : N(N), G(G), Sites(std::move(Sites)) {}

  uint64_t cost(const std::vector<uint32_t> &Pos) const {
    uint64_t C = 0;
    for (uint32_t A = 0; A < N; ++A)
      for (uint64_t I = G.Start[A]; I < G.Start[A + 1]; ++I)
        if (G.Nbr[I] > A)
          C += G.W[I] * siteDistance(Sites[Pos[A]], Sites[Pos[G.Nbr[I]]]);
    return C;
  }

  /// Greedy construction: most-connected core first, each to its cheapest
  /// free site; ties go to the site nearest the centre, then the lowest.
  std::vector<uint32_t> greedy() const {
    const size_t S = Sites.size();
    // The centre: the site with the least total distance to (a sample of)
    // all sites.
    size_t Step = std::max<size_t>(1, S / 2048);
    uint64_t BestSum = std::numeric_limits<uint64_t>::max();
    size_t Centre = 0;
    for (size_t A = 0; A < S; ++A) {
      uint64_t Sum = 0;
      for (size_t B = 0; B < S; B += Step)
        Sum += siteDistance(Sites[A], Sites[B]);
      if (Sum < BestSum) {
        BestSum = Sum;
        Centre = A;
      }
    }
    std::vector<uint64_t> ToCentre(S);
    for (size_t A = 0; A < S; ++A)
      ToCentre[A] = siteDistance(Sites[A], Sites[Centre]);

    std::vector<uint32_t> Pos(N, 0);
    std::vector<bool> Placed(N, false), Used(S, false);
    std::vector<uint64_t> Conn(N, 0);
    for (uint32_t K = 0; K < N; ++K) {
      uint32_t Pick = 0;
      bool Have = false;
      for (uint32_t A = 0; A < N; ++A) {
        if (Placed[A])
          continue;
        if (!Have || Conn[A] > Conn[Pick] ||
            (Conn[A] == Conn[Pick] && G.Total[A] > G.Total[Pick])) {
          Pick = A;
          Have = true;
        }
      }
      size_t BestSite = 0;
      uint64_t BestCost = std::numeric_limits<uint64_t>::max(), BestTie = 0;
      for (size_t T = 0; T < S; ++T) {
        if (Used[T])
          continue;
        uint64_t C = 0;
        for (uint64_t I = G.Start[Pick]; I < G.Start[Pick + 1]; ++I)
          if (Placed[G.Nbr[I]])
            C += G.W[I] * siteDistance(Sites[T], Sites[Pos[G.Nbr[I]]]);
        if (C < BestCost || (C == BestCost && ToCentre[T] < BestTie)) {
          BestCost = C;
          BestTie = ToCentre[T];
          BestSite = T;
        }
      }
      Pos[Pick] = uint32_t(BestSite);
      Used[BestSite] = true;
      Placed[Pick] = true;
      for (uint64_t I = G.Start[Pick]; I < G.Start[Pick + 1]; ++I)
        Conn[G.Nbr[I]] += G.W[I];
    }
    return Pos;
  }

  /// Simulated annealing from Pos; returns the best placement seen.
  std::vector<uint32_t> anneal(std::vector<uint32_t> Pos, uint64_t Seed) {
    const size_t S = Sites.size();
    if (N < 2 || G.Nbr.empty())
      return Pos;
    State St;
    St.Pos = Pos;
    St.Occ.assign(S, -1);
    for (uint32_t A = 0; A < N; ++A)
      St.Occ[Pos[A]] = A;
    // Tile lookup for local moves near a neighbour.
    std::unordered_map<uint64_t, uint32_t> At;
    int64_t MaxGX = 0, MaxGY = 0;
    uint64_t Slots = 1;
    for (uint32_t I = 0; I < S; ++I) {
      MaxGX = std::max(MaxGX, Sites[I].GX);
      MaxGY = std::max(MaxGY, Sites[I].GY);
      Slots = std::max<uint64_t>(Slots, Sites[I].Loc.Slot + 1u);
      At.emplace(tileKey(Sites[I].GX, Sites[I].GY, Sites[I].Loc.Slot), I);
    }

    Rng R(Seed ^ 0x6e6d706c61636521ULL);
    auto Propose = [&](uint32_t &A, uint32_t &T) {
      A = uint32_t(R.below(N));
      uint64_t Deg = G.Start[A + 1] - G.Start[A];
      if (Deg && (R.next() & 1)) {
        uint32_t B = G.Nbr[G.Start[A] + R.below(Deg)];
        const Site &SB = Sites[St.Pos[B]];
        int64_t X = SB.GX + int64_t(R.below(5)) - 2, Y = SB.GY + int64_t(R.below(5)) - 2;
        uint64_t Slot = R.below(Slots);
        if (X >= 0 && Y >= 0 && X <= MaxGX && Y <= MaxGY) {
          auto It = At.find(tileKey(X, Y, Slot));
          if (It != At.end()) {
            T = It->second;
            return;
          }
        }
      }
      T = uint32_t(R.below(S));
    };
    auto Delta = [&](uint32_t A, uint32_t T) -> int64_t {
      int64_t B = St.Occ[T];
      int64_t D = moveDelta(St, A, T, B);
      if (B >= 0)
        D += moveDelta(St, uint32_t(B), St.Pos[A], A);
      return D;
    };
    auto Apply = [&](uint32_t A, uint32_t T) {
      uint32_t From = St.Pos[A];
      int64_t B = St.Occ[T];
      St.Occ[T] = A;
      St.Pos[A] = T;
      St.Occ[From] = B;
      if (B >= 0)
        St.Pos[uint32_t(B)] = From;
    };

    // Starting temperature: the mean uphill step of random proposals.
    double Up = 0;
    uint64_t UpCount = 0;
    for (int I = 0; I < 1000; ++I) {
      uint32_t A, T;
      Propose(A, T);
      if (T == St.Pos[A])
        continue;
      int64_t D = Delta(A, T);
      if (D > 0) {
        Up += double(D);
        ++UpCount;
      }
    }
    double Temp = UpCount ? Up / double(UpCount) : 1.0;
    const double End = std::min(0.05, Temp * 1e-3);
    const uint64_t Iters = std::clamp<uint64_t>(uint64_t(N) * 2000, 50000, 4000000);
    const double Cool = std::pow(End / Temp, 1.0 / double(Iters));

    int64_t Cost = int64_t(cost(St.Pos)), BestCost = Cost;
    std::vector<uint32_t> Best = St.Pos;
    for (uint64_t It = 0; It < Iters; ++It, Temp *= Cool) {
      uint32_t A, T;
      Propose(A, T);
      if (T == St.Pos[A])
        continue;
      int64_t D = Delta(A, T);
      if (D > 0 && R.unit() >= std::exp(-double(D) / Temp))
        continue;
      Apply(A, T);
      Cost += D;
      if (Cost < BestCost && (It % N == 0 || Temp < End * 10)) {
        BestCost = Cost;
        Best = St.Pos;
      }
    }
    if (Cost < BestCost)
      Best = St.Pos;
    return Best;
  }

private:
  static uint64_t tileKey(int64_t X, int64_t Y, uint64_t Slot) {
    return (uint64_t(X) << 40) ^ (uint64_t(Y) << 8) ^ Slot;
  }

  /// Cost change of moving core A to site T, ignoring its edge to Skip.
  int64_t moveDelta(const State &St, uint32_t A, uint32_t T, int64_t Skip) const {
    int64_t D = 0;
    const Site &From = Sites[St.Pos[A]], &To = Sites[T];
    for (uint64_t I = G.Start[A]; I < G.Start[A + 1]; ++I) {
      uint32_t B = G.Nbr[I];
      if (int64_t(B) == Skip)
        continue;
      const Site &SB = Sites[St.Pos[B]];
      D += int64_t(G.W[I]) * (int64_t(siteDistance(To, SB)) - int64_t(siteDistance(From, SB)));
    }
    return D;
  }

  uint32_t N;
  const Graph &G;
  std::vector<Site> Sites;
};

} // namespace

uint64_t hopDistance(const isa::Architecture &Arch, const isa::CoreLocation &A,
                     const isa::CoreLocation &B) {
  return siteDistance(makeSite(Arch, A), makeSite(Arch, B));
}

uint64_t chipLinks(const isa::Architecture &Arch, const isa::CoreLocation &A,
                   const isa::CoreLocation &B) {
  Site SA = makeSite(Arch, A), SB = makeSite(Arch, B);
  return uint64_t(absDiff(SA.CX, SB.CX) + absDiff(SA.CY, SB.CY));
}

std::vector<isa::CoreLocation> placeCores(uint32_t NumCores,
                                          const std::vector<TrafficEdge> &Traffic,
                                          const isa::Architecture &Arch,
                                          const MappingOptions &Options) {
  const uint64_t PerChip = uint64_t(Arch.coresPerChip());
  const uint64_t Have = PerChip * uint64_t(Arch.Chips.Count);
  if (NumCores > Have)
    throw Error(fmt::format("error: the network needs {} cores, but architecture '{}' has {} "
                            "({} chips x {} cores per chip); use an architecture with more "
                            "chips (chips.count) or larger cores, or a smaller network",
                            NumCores, Arch.Name, Have, Arch.Chips.Count, PerChip));
  if (NumCores == 0)
    return {};

  // The chips to use: as few as needed, the ones nearest the grid's corner
  // (a compact block), in that order.
  const uint64_t NeedChips = (NumCores + PerChip - 1) / PerChip;
  std::vector<uint32_t> Chips(size_t(Arch.Chips.Count));
  for (uint32_t C = 0; C < Chips.size(); ++C)
    Chips[C] = C;
  const int64_t GW = Arch.Chips.GridWidth;
  std::stable_sort(Chips.begin(), Chips.end(), [GW](uint32_t A, uint32_t B) {
    int64_t DA = A % GW + A / GW, DB = B % GW + B / GW;
    if (DA != DB)
      return DA < DB;
    return A / GW < B / GW;
  });
  Chips.resize(NeedChips);

  // Sites in order: chip, then row by row, then slot.
  std::vector<Site> Sites;
  for (uint32_t C : Chips)
    for (int64_t Y = 0; Y < Arch.Mesh.Height; ++Y)
      for (int64_t X = 0; X < Arch.Mesh.Width; ++X)
        for (int64_t K = 0; K < Arch.Mesh.CoresPerTile; ++K)
          Sites.push_back(makeSite(
              Arch, isa::CoreLocation{uint16_t(C), uint16_t(X), uint16_t(Y), uint8_t(K)}));

  std::vector<uint32_t> Pos(NumCores);
  for (uint32_t I = 0; I < NumCores; ++I)
    Pos[I] = I;
  switch (Options.Placement) {
  case PlacementStrategy::InOrder:
    break;
  case PlacementStrategy::Random: {
    std::vector<uint32_t> Perm(Sites.size());
    for (uint32_t I = 0; I < Perm.size(); ++I)
      Perm[I] = I;
    Rng R(Options.Seed);
    for (size_t I = Perm.size(); I > 1; --I)
      std::swap(Perm[I - 1], Perm[R.below(I)]);
    for (uint32_t I = 0; I < NumCores; ++I)
      Pos[I] = Perm[I];
    break;
  }
  case PlacementStrategy::Optimised: {
    Graph G = makeGraph(NumCores, Traffic);
    Placer P(NumCores, G, Sites);
    std::vector<uint32_t> Seed = P.greedy();
    if (P.cost(Pos) < P.cost(Seed))
      Seed = Pos;
    Pos = P.anneal(Seed, Options.Seed);
    break;
  }
  }
  std::vector<isa::CoreLocation> Out(NumCores);
  for (uint32_t I = 0; I < NumCores; ++I)
    Out[I] = Sites[Pos[I]].Loc;
  return Out;
}

} // namespace neuromesh::compiler::mapping
