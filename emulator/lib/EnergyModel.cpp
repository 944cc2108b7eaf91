//===- EnergyModel.cpp - counts to joules and seconds ---------------------===//
//
// Every figure is a count times a cost row of the architecture (isa::CostSpec),
// plus static power times elapsed time. Nothing here knows how the counts
// were produced.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/EnergyModel.h"

#include "neuromesh/emulator/FunctionalEngine.h"

#include <algorithm>
#include <cassert>
#include <set>
#include <tuple>

namespace neuromesh::emulator {

TrafficCounts routeMessage(const isa::Architecture &Arch, const isa::CoreLocation &From,
                           const isa::CoreLocation &To) {
  TrafficCounts T;
  T.Messages = 1;
  bool Moved = false;
  forEachRouteLink(Arch, From, To, [&](const MeshLink &L) {
    Moved = true;
    if (L.ChipEdge)
      ++T.ChipCrossings;
    else if (L.DX != 0)
      ++T.HopsEastWest;
    else
      ++T.HopsNorthSouth;
  });
  T.WithinTile = !Moved;
  return T;
}

TrafficTable::TrafficTable(const isa::Architecture &Arch, const isa::Image &Img) {
  // (chip, core within chip) -> location, in header order per chip.
  std::vector<std::vector<isa::CoreLocation>> ChipCores(Img.Header.NumChips);
  std::set<std::tuple<uint16_t, uint16_t, uint16_t>> TileSet;
  for (const isa::CoreLocation &L : Img.Header.Cores) {
    assert(L.Chip < ChipCores.size() && "validated image");
    ChipCores[L.Chip].push_back(L);
    TileSet.insert({L.Chip, L.X, L.Y});
  }
  Tiles = int64_t(TileSet.size());
  const isa::CostSpec &C = Arch.Costs;
  auto RouteTime = [&](const TrafficCounts &R) {
    return double(R.WithinTile) * C.WithinTile.Latency +
           double(R.HopsEastWest) * C.HopEastWest.Latency +
           double(R.HopsNorthSouth) * C.HopNorthSouth.Latency +
           double(R.ChipCrossings) * C.ChipLink.Latency;
  };
  for (size_t K = 0; K < Img.Cores.size(); ++K) {
    const isa::Core &Core = Img.Cores[K];
    const isa::CoreLocation &From = Img.Header.Cores[K];
    Begin.push_back(uint32_t(Spike.size()));
    for (size_t N = 0; N < Core.Neurons.size(); ++N) {
      TrafficCounts Sum;
      double Slowest = 0;
      if (N < Core.Outputs.size()) {
        for (const isa::AxonAddress &A : Core.Outputs[N]) {
          assert(A.Chip < ChipCores.size() && A.Core < ChipCores[A.Chip].size() &&
                 "validated image");
          TrafficCounts R = routeMessage(Arch, From, ChipCores[A.Chip][A.Core]);
          Slowest = std::max(Slowest, RouteTime(R));
          Sum += R;
        }
      }
      Spike.push_back(Sum);
      Route.push_back(Slowest);
    }
  }
  Begin.push_back(uint32_t(Spike.size()));
  // Input spikes leave the host interface at chip 0, tile (0,0).
  const isa::CoreLocation Host{0, 0, 0, 0};
  Input.resize(Img.Symbols.size());
  InputRoute.resize(Img.Symbols.size());
  for (size_t S = 0; S < Img.Symbols.size(); ++S) {
    const isa::Symbol &Sym = Img.Symbols[S];
    if (Sym.Kind != isa::SymbolKind::InputPort)
      continue;
    for (const std::vector<isa::AxonAddress> &Targets : Sym.Targets) {
      TrafficCounts Sum;
      double Slowest = 0;
      for (const isa::AxonAddress &A : Targets) {
        TrafficCounts R = routeMessage(Arch, Host, ChipCores[A.Chip][A.Core]);
        Slowest = std::max(Slowest, RouteTime(R));
        Sum += R;
      }
      Input[S].push_back(Sum);
      InputRoute[S].push_back(Slowest);
    }
  }
}

CoreLatencies CoreLatencies::fromCosts(const isa::CostSpec &C) {
  CoreLatencies L;
  L.SynapseSparse = C.SynapseSparse.Latency;
  L.SynapseDense = C.SynapseDense.Latency;
  L.SynapseCrossbar = C.SynapseCrossbar.Latency;
  L.Dendrite = C.Dendrite.Latency;
  L.NeuronAccess = C.NeuronAccess.Latency;
  L.NeuronActive = C.NeuronActive.Latency;
  L.NeuronInactive = C.NeuronInactive.Latency;
  L.SpikeGeneration = C.SpikeGeneration.Latency;
  L.MessageOut = C.MessageOut.Latency;
  L.MessageIn = C.MessageIn.Latency;
  L.SynapseOverlap = C.SynapseOverlap != 0;
  return L;
}

double CoreLatencies::synapseTime(const CoreCounters &C) const {
  return double(C.sparseSynapticEvents()) * SynapseSparse +
         double(C.DenseSynapticEvents) * SynapseDense +
         double(C.CrossbarSynapticEvents) * SynapseCrossbar + double(C.SpikesIn) * MessageIn;
}

double CoreLatencies::neuronTime(const CoreCounters &C) const {
  const uint64_t Inactive = C.NeuronUpdates - C.ActiveNeuronUpdates;
  return double(C.DendriteReads) * Dendrite + double(C.NeuronUpdates) * NeuronAccess +
         double(C.ActiveNeuronUpdates) * NeuronActive + double(Inactive) * NeuronInactive +
         double(C.SpikesOut) * SpikeGeneration + double(C.MessagesOut) * MessageOut;
}

double CoreLatencies::busyTime(const CoreCounters &C) const {
  const double Synapse = synapseTime(C), Neuron = neuronTime(C);
  return SynapseOverlap ? std::max(Synapse, Neuron) : Synapse + Neuron;
}

double EnergyBreakdown::dynamic() const {
  return SynapticOps + Dendrite + NeuronUpdates + SpikeGeneration + MessageOut + MessageIn +
         WithinTile + HopsEastWest + HopsNorthSouth + ChipLinks + Barrier;
}

EnergyBreakdown &EnergyBreakdown::operator+=(const EnergyBreakdown &O) {
  SynapticOps += O.SynapticOps;
  Dendrite += O.Dendrite;
  NeuronUpdates += O.NeuronUpdates;
  SpikeGeneration += O.SpikeGeneration;
  MessageOut += O.MessageOut;
  MessageIn += O.MessageIn;
  WithinTile += O.WithinTile;
  HopsEastWest += O.HopsEastWest;
  HopsNorthSouth += O.HopsNorthSouth;
  ChipLinks += O.ChipLinks;
  Barrier += O.Barrier;
  Static += O.Static;
  return *this;
}

double EnergyTotals::unthrottledPower(double StaticPower) const {
  if (LatencySum <= 0)
    return 0;
  return Energy.dynamic() / LatencySum + StaticPower;
}

double EnergyTotals::pacedPower() const {
  if (DurationSum <= 0)
    return 0;
  return Energy.total() / DurationSum;
}

EnergyModel::EnergyModel(const isa::Architecture &Arch, const isa::Image &Img)
    : Costs(Arch.Costs), CoreTimes(CoreLatencies::fromCosts(Arch.Costs)), Tick(Arch.Timestep.TickSeconds), Table(Arch, Img) {
  const double Cores = double(Arch.coresPerChip()) * double(Arch.Chips.Count);
  StaticPower =
      Costs.StaticPowerPerCore * Cores + Costs.StaticPowerPerChip * double(Arch.Chips.Count);
  BarrierLatency = Costs.barrierLatency(Table.tilesUsed());
  BarrierEnergy = Costs.BarrierEnergy * double(Table.tilesUsed());
}

EnergyBreakdown EnergyModel::coreEnergy(const CoreCounters &C) const {
  const uint64_t Inactive = C.NeuronUpdates - C.ActiveNeuronUpdates;
  EnergyBreakdown E;
  E.SynapticOps = double(C.sparseSynapticEvents()) * Costs.SynapseSparse.Energy +
                  double(C.DenseSynapticEvents) * Costs.SynapseDense.Energy +
                  double(C.CrossbarSynapticEvents) * Costs.SynapseCrossbar.Energy;
  E.Dendrite = double(C.DendriteReads) * Costs.Dendrite.Energy;
  E.NeuronUpdates = double(C.NeuronUpdates) * Costs.NeuronAccess.Energy +
                    double(C.ActiveNeuronUpdates) * Costs.NeuronActive.Energy +
                    double(Inactive) * Costs.NeuronInactive.Energy;
  E.SpikeGeneration = double(C.SpikesOut) * Costs.SpikeGeneration.Energy;
  E.MessageOut = double(C.MessagesOut) * Costs.MessageOut.Energy;
  E.MessageIn = double(C.SpikesIn) * Costs.MessageIn.Energy;
  return E;
}

double EnergyModel::coreLatency(const CoreCounters &C) const { return CoreTimes.busyTime(C); }

EnergyBreakdown EnergyModel::trafficEnergy(const TrafficCounts &T) const {
  EnergyBreakdown E;
  E.WithinTile = double(T.WithinTile) * Costs.WithinTile.Energy;
  E.HopsEastWest = double(T.HopsEastWest) * Costs.HopEastWest.Energy;
  E.HopsNorthSouth = double(T.HopsNorthSouth) * Costs.HopNorthSouth.Energy;
  E.ChipLinks = double(T.ChipCrossings) * Costs.ChipLink.Energy;
  return E;
}

double EnergyModel::routeLatency(const TrafficCounts &R) const {
  return double(R.WithinTile) * Costs.WithinTile.Latency +
         double(R.HopsEastWest) * Costs.HopEastWest.Latency +
         double(R.HopsNorthSouth) * Costs.HopNorthSouth.Latency +
         double(R.ChipCrossings) * Costs.ChipLink.Latency;
}

StepReport EnergyModel::step(const std::vector<CoreCounters> &PerCore, const TrafficCounts &Traffic,
                             double NetworkTime) {
  return account(PerCore, Traffic, NetworkTime, -1);
}

StepReport EnergyModel::stepMeasured(const std::vector<CoreCounters> &PerCore,
                                     const TrafficCounts &Traffic, double Latency) {
  return account(PerCore, Traffic, 0, std::max(0.0, Latency));
}

StepReport EnergyModel::account(const std::vector<CoreCounters> &PerCore,
                                const TrafficCounts &Traffic, double NetworkTime,
                                double Measured) {
  StepReport R;
  for (size_t K = 0; K < PerCore.size(); ++K) {
    R.Energy += coreEnergy(PerCore[K]);
    const double T = coreLatency(PerCore[K]);
    if (T > R.Time.Compute) {
      R.Time.Compute = T;
      R.Time.SlowestCore = uint32_t(K);
    }
  }
  R.Energy += trafficEnergy(Traffic);
  R.Energy.Barrier = BarrierEnergy;
  R.Time.Network = NetworkTime;
  R.Time.Barrier = BarrierLatency;
  if (Measured >= 0) {
    R.Time.Measured = Measured;
    R.Time.Network = std::max(0.0, Measured - R.Time.Compute - R.Time.Barrier);
  }
  const double Latency = R.Time.latency();
  R.Duration = std::max(Tick, Latency);
  R.Energy.Static = StaticPower * R.Duration;

  ++Totals.Steps;
  Totals.Energy += R.Energy;
  Totals.LatencySum += Latency;
  Totals.LatencyMax = std::max(Totals.LatencyMax, Latency);
  Totals.DurationSum += R.Duration;
  return R;
}

StepReport EnergyModel::step(const FunctionalEngine &Engine, std::vector<CoreCounters> &Before,
                             const TrafficCounts &HostTraffic, double HostRoute) {
  const size_t N = Engine.numCores();
  Before.resize(N);
  std::vector<CoreCounters> PerCore(N);
  TrafficCounts Traffic = HostTraffic;
  double Network = HostRoute;
  for (size_t K = 0; K < N; ++K) {
    const CoreCounters &Now = Engine.core(K).counters();
    PerCore[K] = Now - Before[K];
    Before[K] = Now;
    for (const FiredNeuron &F : Engine.fired(K)) {
      Traffic += Table.spike(uint32_t(K), F.Neuron);
      Network = std::max(Network, Table.spikeRoute(uint32_t(K), F.Neuron));
    }
  }
  return step(PerCore, Traffic, Network);
}

} // namespace neuromesh::emulator
