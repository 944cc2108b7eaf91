//===- neuromesh/emulator/systemc/Timing.h - chip timing -------*- C++ -*-===//
//
// The timing of the SystemC chip model as plain data: per-event latencies
// that turn a core's counted events (CoreCounters) into busy time, the mesh
// parameters of the routers, and the host, chip-to-chip and barrier
// latencies. It knows nothing of SystemC processes; the chip's modules read
// it. Timing never changes what is computed, only when (docs/systemc.md).
//
// timingFromArchitecture fills it from an architecture: the per-event and
// hop latencies from its cost set (isa::CostSpec), the mesh clock, buffers,
// link width, message size and watchdog from mesh.*, the host rate from
// host.message_interval. The defaults below are those of a file that leaves
// the fields out.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/CoreState.h"
#include "neuromesh/emulator/EnergyModel.h"
#include "neuromesh/emulator/systemc/Router.h"
#include "neuromesh/isa/Architecture.h"

#include <cstdint>

namespace neuromesh::emulator::systemc {

/// Seconds per event a core spends on each kind of event it counts: the
/// energy model's CoreLatencies, so both engines time a core with one
/// formula (CoreLatencies::busyTime).
using CoreTiming = CoreLatencies;

/// Everything the SystemC chip model needs to know about time.
struct SystemCTiming {
  /// The defaults are placeholders of Loihi's order of magnitude (s per
  /// sparse, dense, crossbar synapse; dendrite; neuron access, active,
  /// inactive; spike; message out, in), for runs without an architecture.
  CoreTiming Core{2e-9, 2e-9, 2e-9, 0, 5e-9, 0, 0, 2e-9, 2e-9, 2e-9};
  /// [mesh.clock_period] the clock of routers, cores and barrier, ps: all
  /// times are rounded up to whole cycles.
  uint64_t ClockPeriodPs = 1000;
  /// [mesh.router.buffer_depth] messages per router input buffer, >= 1.
  uint32_t BufferDepth = 4;
  /// [mesh.router.eject_depth] messages per tile eject buffer; 0 = unbounded.
  uint32_t EjectDepth = 4;
  /// [mesh.link.bits_per_cycle] link width, >= 1.
  uint32_t LinkBitsPerCycle = 32;
  /// Cycles per router hop, >= 1: from costs.hop_*.latency (the slower).
  uint32_t HopLatencyCycles = 1;
  /// [mesh.message_bits] bits of one spike message on a link, >= 1.
  uint32_t MessageBits = 32;
  /// [host.message_interval] cycles between two host input messages
  /// entering the chip at the host interface (chip 0, tile (0,0)), >= 1.
  uint32_t HostCyclesPerMessage = 1;
  /// [costs.chip_link.latency] s a chip-to-chip link is occupied per
  /// message (one message at a time).
  double ChipLinkSeconds = 100e-9;
  /// [chips.grid_width] chips per row of the chip grid; 0 = every chip of
  /// the image in one row. Routes run x then y over the grid of all chips.
  uint32_t ChipGridWidth = 0;
  /// [costs.barrier_latency at the tiles in use] s from the moment the last
  /// core finished and the mesh drained to the start of the next step.
  double BarrierSeconds = 100e-9;
  /// [mesh.model] how messages cross the mesh: router by router, cycle by
  /// cycle, or as transactions reserving their whole path.
  isa::MeshModel Model = isa::DefaultMeshModel;
  /// [mesh.no_progress_cycles] the mesh watchdog's window, >= 1. The chip
  /// raises it to well above the longest time a core takes to absorb one
  /// spike, so a slow core is never mistaken for a deadlock.
  uint64_t NoProgressCycles = 100000;

  /// Throws neuromesh::Error naming the first bad value and its range.
  void validate() const;
  /// Whole cycles that Seconds occupy (rounded to 1 ps, then up to a cycle).
  uint64_t cycles(double Seconds) const;
  /// The router parameters.
  RouterConfig router() const;
};

/// The timing of an architecture: per-event latencies from its cost set
/// (Arch.Costs, the .Latency of each event), hop latency from the slower of
/// the east-west and north-south hop latencies (in whole cycles, >= 1),
/// chip-to-chip latency from the chip link's, and the barrier latency for
/// TilesInUse tiles from the barrier table; the mesh clock, buffers, link
/// width, message size and watchdog from Arch.Mesh, the host rate from
/// Arch.Host.
SystemCTiming timingFromArchitecture(const isa::Architecture &Arch, int64_t TilesInUse);

} // namespace neuromesh::emulator::systemc
