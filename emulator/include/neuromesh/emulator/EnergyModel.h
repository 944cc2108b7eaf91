//===- neuromesh/emulator/EnergyModel.h - counts to joules and seconds -*- C++ -*-===//
//
// The one accounting component: it turns the events an engine counted
// (CoreCounters per core, mesh traffic per message) into energy per
// component and time per step, using the per-event costs of the
// architecture file (isa::CostSpec). It is plain C++ with no notion of how
// the counts were produced, so the functional engine and the SystemC model
// share it: the functional engine's steps get an uncontended NoC bound, the
// SystemC model will pass its simulated network time instead.
// docs/energy-model.md defines every term and works an example.
//
// Units: energy in joules (J), time in seconds (s), power in watts (W),
// counts as plain integers.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/CoreState.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <vector>

namespace neuromesh::emulator {

class FunctionalEngine;

/// What the mesh does for a set of messages (all counts).
struct TrafficCounts {
  uint64_t Messages = 0;       ///< messages routed
  uint64_t WithinTile = 0;     ///< messages whose source and destination share a tile
  uint64_t HopsEastWest = 0;   ///< router-to-router hops in x, summed over messages
  uint64_t HopsNorthSouth = 0; ///< router-to-router hops in y, summed over messages
  uint64_t ChipCrossings = 0;  ///< chip-to-chip link traversals, summed over messages

  TrafficCounts &operator+=(const TrafficCounts &O) {
    Messages += O.Messages;
    WithinTile += O.WithinTile;
    HopsEastWest += O.HopsEastWest;
    HopsNorthSouth += O.HopsNorthSouth;
    ChipCrossings += O.ChipCrossings;
    return *this;
  }
  bool operator==(const TrafficCounts &O) const {
    return Messages == O.Messages && WithinTile == O.WithinTile && HopsEastWest == O.HopsEastWest &&
           HopsNorthSouth == O.HopsNorthSouth && ChipCrossings == O.ChipCrossings;
  }
};

/// One link a message crosses: it leaves the tile at global coordinate
/// (X, Y) (see routeMessage) for its neighbour one step in x (DX = +-1) or
/// in y (DY = +-1). ChipEdge: the step crosses a chip edge (a chip-to-chip
/// link), not a router-to-router hop.
struct MeshLink {
  int64_t X = 0, Y = 0;
  int8_t DX = 0, DY = 0;
  bool ChipEdge = false;
};

/// The one x-then-y router: calls Visit(const MeshLink &) for every link a
/// message from the core at From to the core at To crosses, in order (none
/// within a tile). routeMessage counts these; reports draw them per link.
template <typename VisitT>
void forEachRouteLink(const isa::Architecture &Arch, const isa::CoreLocation &From,
                      const isa::CoreLocation &To, VisitT Visit) {
  const int64_t GW = Arch.Chips.GridWidth, W = Arch.Mesh.Width, H = Arch.Mesh.Height;
  MeshLink L;
  L.X = (From.Chip % GW) * W + From.X;
  L.Y = (From.Chip / GW) * H + From.Y;
  const int64_t TX = (To.Chip % GW) * W + To.X, TY = (To.Chip / GW) * H + To.Y;
  // In tracks the tile's place inside its chip: leaving the last tile of a
  // chip (or the first, going back) crosses a chip edge.
  int64_t In = From.X;
  for (L.DX = TX > L.X ? 1 : -1, L.DY = 0; L.X != TX; L.X += L.DX) {
    L.ChipEdge = L.DX > 0 ? In == W - 1 : In == 0;
    In = L.ChipEdge ? (L.DX > 0 ? 0 : W - 1) : In + L.DX;
    Visit(static_cast<const MeshLink &>(L));
  }
  In = From.Y;
  for (L.DX = 0, L.DY = TY > L.Y ? 1 : -1; L.Y != TY; L.Y += L.DY) {
    L.ChipEdge = L.DY > 0 ? In == H - 1 : In == 0;
    In = L.ChipEdge ? (L.DY > 0 ? 0 : H - 1) : In + L.DY;
    Visit(static_cast<const MeshLink &>(L));
  }
}

/// The route of one message from the core at From to the core at To, x
/// then y over the grid of all chips: chip c sits at (c mod
/// chips.grid_width, c / chips.grid_width) and its tiles continue the mesh,
/// so a tile's global coordinate is chip column x mesh.width + x (rows
/// alike). A step between neighbouring tiles of one chip is a hop; a step
/// across a chip edge is a chip crossing, not a hop. Source and destination
/// in the same tile (the same core included) make a within-tile message.
/// Counted over forEachRouteLink.
TrafficCounts routeMessage(const isa::Architecture &Arch, const isa::CoreLocation &From,
                           const isa::CoreLocation &To);

/// The mesh traffic of one spike of every neuron of an image, worked out
/// once: a spike of neuron n sends one message to each address of its
/// output axon table.
class TrafficTable {
public:
  /// Arch gives the chip grid and the route costs; Img must be validated
  /// and compiled for Arch (its locations inside Arch's mesh and chips).
  TrafficTable(const isa::Architecture &Arch, const isa::Image &Img);

  /// The traffic of one spike of neuron Neuron of core Core (image order).
  const TrafficCounts &spike(uint32_t Core, uint32_t Neuron) const {
    return Spike[Begin[Core] + Neuron];
  }
  /// The uncontended time of that spike's slowest message, in seconds:
  /// its hops, chip crossings and within-tile delivery times added up.
  double spikeRoute(uint32_t Core, uint32_t Neuron) const { return Route[Begin[Core] + Neuron]; }
  /// The traffic of one input spike on index Index of input port Symbol:
  /// one message to each of its targets, from the host interface at chip
  /// 0, tile (0,0) (where the SystemC model's host injects).
  const TrafficCounts &input(uint32_t Symbol, uint32_t Index) const {
    return Input[Symbol][Index];
  }
  /// The uncontended time of that input spike's slowest message, s.
  double inputRoute(uint32_t Symbol, uint32_t Index) const { return InputRoute[Symbol][Index]; }
  /// Tiles holding at least one core of the image (the barrier's size).
  int64_t tilesUsed() const { return Tiles; }

private:
  std::vector<uint32_t> Begin; ///< per core, its first neuron's index
  std::vector<TrafficCounts> Spike;
  std::vector<double> Route;
  std::vector<std::vector<TrafficCounts>> Input; ///< per symbol, per index
  std::vector<std::vector<double>> InputRoute;
  int64_t Tiles = 0;
};

/// Seconds per event a core spends on each kind of event it counts: the one
/// formula for a core's time, used by EnergyModel::coreLatency and by the
/// SystemC core module (systemc::CoreTiming). A core has two units: the
/// synapse unit takes spikes in (message in, synaptic events), the neuron
/// unit does everything else (updates, dendrite reads, spike generation,
/// sends). Each does its events one after another; the units work one
/// after the other (busy time = the sum), or, with SynapseOverlap, at the
/// same time (the larger), as Loihi's pipelined core does
/// (docs/energy-model.md, "Core-step timing").
struct CoreLatencies {
  double SynapseSparse = 0;   ///< s per synapse of a sparse segment
  double SynapseDense = 0;    ///< s per synapse of a dense segment
  double SynapseCrossbar = 0; ///< s per connected crossbar bit
  double Dendrite = 0;        ///< s per neuron whose dendritic input is nonzero
  double NeuronAccess = 0;    ///< s per neuron update (every neuron, every step)
  double NeuronActive = 0;    ///< s extra per active neuron update
  double NeuronInactive = 0;  ///< s extra per inactive neuron update
  double SpikeGeneration = 0; ///< s per neuron that fired
  double MessageOut = 0;      ///< s per message (axon address) sent
  double MessageIn = 0;       ///< s per spike taken in on an input axon
  /// The synapse unit works while the neuron unit does (costs.synapse_overlap).
  bool SynapseOverlap = false;

  /// The .Latency of the core rows of a cost set, and its overlap.
  static CoreLatencies fromCosts(const isa::CostSpec &Costs);
  /// The synapse unit's time for the events counted in C, s.
  double synapseTime(const CoreCounters &C) const;
  /// The neuron unit's time for the events counted in C, s.
  double neuronTime(const CoreCounters &C) const;
  /// Busy time of the events counted in C, s: synapse + neuron time, or
  /// the larger of the two with SynapseOverlap.
  double busyTime(const CoreCounters &C) const;
};

/// Energy by component, in joules.
struct EnergyBreakdown {
  double SynapticOps = 0;     ///< sparse, dense and crossbar synapses
  double Dendrite = 0;        ///< nonzero dendritic inputs read
  double NeuronUpdates = 0;   ///< neuron access + active + inactive updates
  double SpikeGeneration = 0; ///< neurons that fired
  double MessageOut = 0;      ///< axon addresses sent
  double MessageIn = 0;       ///< spikes received on input axons
  double WithinTile = 0;      ///< messages inside a tile
  double HopsEastWest = 0;    ///< router hops in x
  double HopsNorthSouth = 0;  ///< router hops in y
  double ChipLinks = 0;       ///< chip-to-chip link crossings
  double Barrier = 0;         ///< the end-of-step barrier
  double Static = 0;          ///< static power x step duration

  /// Everything but Static.
  double dynamic() const;
  double total() const { return dynamic() + Static; }
  EnergyBreakdown &operator+=(const EnergyBreakdown &O);
};

/// The time of one step, in seconds.
struct StepTime {
  double Compute = 0;       ///< the slowest core's per-event latencies added up
  double Network = 0;       ///< the NoC time of the step's traffic
  double Barrier = 0;       ///< barrier latency for the tiles in use
  uint32_t SlowestCore = 0; ///< the core that set Compute (image order)
  /// The step's latency as a timed simulation measured it, s; negative
  /// when the step was estimated (Compute + Network + Barrier).
  double Measured = -1;
  /// The step run unthrottled: Measured when measured, else Compute +
  /// Network + Barrier.
  double latency() const { return Measured >= 0 ? Measured : Compute + Network + Barrier; }
};

/// One accounted step.
struct StepReport {
  EnergyBreakdown Energy; ///< J
  StepTime Time;          ///< s
  /// How long the step occupies the chip, s: max(tick, latency), or the
  /// latency when the architecture has no tick.
  double Duration = 0;
};

/// Totals of the steps accounted so far.
struct EnergyTotals {
  uint64_t Steps = 0;     ///< count
  EnergyBreakdown Energy; ///< J, Static over the paced durations
  double LatencySum = 0;  ///< s, sum of step latencies (unthrottled run time)
  double LatencyMax = 0;  ///< s, the slowest step
  double DurationSum = 0; ///< s, sum of step durations (paced run time)

  /// Mean step latency, s (0 before any step).
  double meanLatency() const { return Steps ? LatencySum / double(Steps) : 0; }
  /// Average power running unthrottled, W: dynamic energy / sum of step
  /// latencies + static power (0 when no time has passed).
  double unthrottledPower(double StaticPower) const;
  /// Average power paced at the tick, W: total energy / (steps x
  /// max(tick, latency)) summed per step (0 when no time has passed).
  double pacedPower() const;
};

/// Prices counted events with an architecture's costs.
class EnergyModel {
public:
  /// Img is the image being run (validated, compiled for Arch): it gives
  /// the tiles in use (barrier) and the routes of its messages.
  EnergyModel(const isa::Architecture &Arch, const isa::Image &Img);

  /// Dynamic energy of one core's counts, J (traffic, barrier and static
  /// components are 0).
  EnergyBreakdown coreEnergy(const CoreCounters &C) const;
  /// One core's busy time for its counts, s: every event's latency added
  /// up (a core does its events one after another).
  double coreLatency(const CoreCounters &C) const;
  /// Energy of mesh traffic, J (only the four traffic components).
  EnergyBreakdown trafficEnergy(const TrafficCounts &T) const;
  /// Uncontended time of one message with route R (one message's
  /// counts), s.
  double routeLatency(const TrafficCounts &R) const;
  /// Static power of the whole system, W: every core of every chip of the
  /// architecture, and every chip.
  double staticPower() const { return StaticPower; }
  /// Barrier latency for the image's tiles, s.
  double barrierLatency() const { return BarrierLatency; }

  /// Accounts one step: PerCore holds each core's counts for the step
  /// (image order), Traffic the step's messages, NetworkTime the NoC time
  /// of the step (the functional engine passes the slowest message's
  /// uncontended route; a network simulation passes what it measured).
  /// Adds the step to totals() and returns it.
  StepReport step(const std::vector<CoreCounters> &PerCore, const TrafficCounts &Traffic,
                  double NetworkTime);

  /// Accounts one step whose latency a timed simulation measured
  /// (Latency, s, start of the step to its barrier's release): the energy
  /// as step() prices it, Compute and Barrier as step() estimates them,
  /// Network what is left of Latency after them (>= 0), and latency() =
  /// Latency.
  StepReport stepMeasured(const std::vector<CoreCounters> &PerCore, const TrafficCounts &Traffic,
                          double Latency);

  /// Accounts the step a FunctionalEngine just ran: per-core counts are
  /// the difference from Before (the engine's core counters before the
  /// step, updated here to the current ones), traffic from the fired
  /// neurons and the TrafficTable, plus HostTraffic, the messages of the
  /// step's input spikes (TrafficTable::input), whose slowest takes
  /// HostRoute seconds.
  StepReport step(const FunctionalEngine &Engine, std::vector<CoreCounters> &Before,
                  const TrafficCounts &HostTraffic = TrafficCounts(), double HostRoute = 0);

  const EnergyTotals &totals() const { return Totals; }
  const TrafficTable &traffic() const { return Table; }

private:
  StepReport account(const std::vector<CoreCounters> &PerCore, const TrafficCounts &Traffic,
                     double NetworkTime, double Measured);

  isa::CostSpec Costs;
  CoreLatencies CoreTimes;
  double Tick = 0;
  double StaticPower = 0;
  double BarrierLatency = 0;
  double BarrierEnergy = 0;
  TrafficTable Table;
  EnergyTotals Totals;
};

} // namespace neuromesh::emulator
