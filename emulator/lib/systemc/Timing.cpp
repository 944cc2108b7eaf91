//===- Timing.cpp - chip timing -------------------------------------------===//
//
// Times are rounded to whole picoseconds before they are cut into cycles,
// so that 3 x 1 ns is 3 cycles of 1 ns and not 4 (3e-9 / 1e-9 is a hair
// above 3 in binary floating point).
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/systemc/Timing.h"

#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace neuromesh::emulator::systemc {

void SystemCTiming::validate() const {
  const std::pair<const char *, double> Seconds[] = {
      {"core.synapse_sparse latency", Core.SynapseSparse},
      {"core.synapse_dense latency", Core.SynapseDense},
      {"core.synapse_crossbar latency", Core.SynapseCrossbar},
      {"core.dendrite latency", Core.Dendrite},
      {"core.neuron_access latency", Core.NeuronAccess},
      {"core.neuron_active latency", Core.NeuronActive},
      {"core.neuron_inactive latency", Core.NeuronInactive},
      {"core.spike_generation latency", Core.SpikeGeneration},
      {"core.message_out latency", Core.MessageOut},
      {"core.message_in latency", Core.MessageIn},
      {"chip_link latency", ChipLinkSeconds},
      {"barrier latency", BarrierSeconds},
  };
  for (const auto &[Name, Value] : Seconds)
    if (!(Value >= 0) || !std::isfinite(Value))
      throw Error(fmt::format("systemc timing: {} must be a finite number of seconds >= 0, got {}",
                              Name, Value));
  if (HostCyclesPerMessage < 1)
    throw Error(fmt::format("systemc timing: host cycles per message must be >= 1, got {}",
                            HostCyclesPerMessage));
  if (MessageBits < 1)
    throw Error(fmt::format("systemc timing: message bits must be >= 1, got {}", MessageBits));
  if (NoProgressCycles < 1)
    throw Error(fmt::format("mesh.no_progress_cycles must be >= 1, got {}", NoProgressCycles));
  router().validate();
}

uint64_t SystemCTiming::cycles(double Seconds) const {
  const auto Ps = static_cast<uint64_t>(std::llround(Seconds * 1e12));
  return (Ps + ClockPeriodPs - 1) / ClockPeriodPs;
}

RouterConfig SystemCTiming::router() const {
  RouterConfig R;
  R.BufferDepth = BufferDepth;
  R.LinkBitsPerCycle = LinkBitsPerCycle;
  R.HopLatencyCycles = HopLatencyCycles;
  R.ClockPeriodPs = ClockPeriodPs;
  return R;
}

SystemCTiming timingFromArchitecture(const isa::Architecture &Arch, int64_t TilesInUse) {
  const isa::CostSpec &C = Arch.Costs;
  SystemCTiming T;
  const isa::MeshSpec &M = Arch.Mesh;
  // Rounded to whole picoseconds (the range check keeps it >= 1 ps).
  T.ClockPeriodPs = std::max<uint64_t>(1, uint64_t(std::llround(M.ClockPeriod * 1e12)));
  T.BufferDepth = uint32_t(M.BufferDepth);
  T.EjectDepth = uint32_t(M.EjectDepth);
  T.LinkBitsPerCycle = uint32_t(M.LinkBitsPerCycle);
  T.MessageBits = uint32_t(M.MessageBits);
  T.NoProgressCycles = uint64_t(M.NoProgressCycles);
  T.Model = M.Model;
  T.HostCyclesPerMessage =
      uint32_t(std::max<uint64_t>(1, T.cycles(Arch.Host.MessageInterval)));
  T.Core = CoreLatencies::fromCosts(C);
  const double Hop = std::max(C.HopEastWest.Latency, C.HopNorthSouth.Latency);
  T.HopLatencyCycles = static_cast<uint32_t>(std::max<uint64_t>(1, T.cycles(Hop)));
  T.ChipLinkSeconds = C.ChipLink.Latency;
  T.ChipGridWidth = uint32_t(Arch.Chips.GridWidth);
  T.BarrierSeconds = C.barrierLatency(TilesInUse);
  return T;
}

} // namespace neuromesh::emulator::systemc
