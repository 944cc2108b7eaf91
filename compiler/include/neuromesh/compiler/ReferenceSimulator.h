//===- neuromesh/compiler/ReferenceSimulator.h - network-level sim -*- C++ -*-===//
//
// The network-level reference simulator: runs a HardwareNetwork (lowered and
// quantised, not mapped) directly, with plain per-population arrays, and
// shares no code with the mapping passes, the emulator or the microcode
// interpreter: each model's integer equations are written out again from
// the documentation in NeuronPrograms.h. A mapped image of the same network
// run on any engine must give exactly the same spikes (the differential
// test); where it cannot, this header says so.
//
// Step t, as docs/architecture.md defines it:
// 1. every population, in order, updates every neuron, in index order:
//    Input = the neuron's delay-ring slot t mod D (then cleared), then the
//    model's equations; a neuron fires at most once per step (payload 1);
// 2. every spike of step t (population spikes, then source spikes) is
//    delivered through every projection leaving its population or source:
//    each synapse adds wrap32((int64) weight << Shift) into the post
//    neuron's ring slot (t + delay) mod D; int32 two's-complement
//    accumulation, so the order of delivery never matters. Synapses onto
//    crossbar (TrueNorth) populations add the post neuron's column weight
//    for the projection's axon type instead of their mantissa.
//
// Source spikes: List, Poisson and Regular sources generate their spikes
// (sourceSpikes below, the rules of the image's spike generators in
// docs/isa.md); the caller's input spikes, on any source, add to them: an
// index both generated and given for the same step is delivered twice.
//
// Known differences from a mapped image (not in the differential corpus):
// random draws of the truenorth model (stochastic leak, threshold mask M)
// and of stochastic crossbar synapses are keyed per core in the ISA, so
// they depend on placement; here they are keyed by population/projection
// index and population-level neuron index instead. Deterministic models
// (IF, LIF, CUBA LIF, adaptive LIF, LI, TrueNorth with c = 0, M = 0 and no
// stochastic axon types) match exactly.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/HardwareNetwork.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace neuromesh::compiler {

/// A host input spike: index Index of source Source fires in step Step.
struct InputSpike {
  uint64_t Step = 0;
  std::string Source;
  uint32_t Index = 0;
};

/// A recorded spike: neuron Index of population Population fired in Step.
struct PopulationSpike {
  uint64_t Step = 0;
  std::string Population;
  uint32_t Index = 0;
  bool operator==(const PopulationSpike &O) const {
    return Step == O.Step && Population == O.Population && Index == O.Index;
  }
  bool operator!=(const PopulationSpike &O) const { return !(*this == O); }
};

/// The spikes a List, Poisson or Regular source makes in steps
/// [0, Steps), as (step, index) sorted by step then index (none for
/// External). Exactly:
///   List:    the listed spikes with step < Steps;
///   Regular: index i fires in step t iff t >= Phase and
///            (t - Phase) % Period == 0 (every index alike);
///   Poisson: index i fires in step t iff
///            randomDraw(Seed, t, i, 0) < floor(min(RateHz * Dt, 1) * 2^32)
///            (isa::randomDraw; Dt is the network's).
std::vector<std::pair<uint64_t, uint32_t>> sourceSpikes(const SpikeSource &S, double Dt,
                                                        uint64_t Steps);

/// Runs the network for Steps steps from its initial state, with the
/// host's input spikes (steps >= Steps are ignored), and returns the spikes
/// of every population with Record set, sorted by step, then population
/// order, then index. Throws neuromesh::Error for an input that names no
/// source, an index out of range, a duplicate input spike, or a model the
/// simulator does not know.
std::vector<PopulationSpike> simulateReference(const HardwareNetwork &Net, uint64_t Steps,
                                               const std::vector<InputSpike> &Inputs = {});

/// One probe sample: state variable Variable of neuron Index of a
/// population after the neuron update of step Step.
struct PopulationProbe {
  uint64_t Step = 0;
  std::string Population;
  uint32_t Index = 0;
  std::string Variable;
  int32_t Value = 0;
  bool operator==(const PopulationProbe &O) const {
    return Step == O.Step && Population == O.Population && Index == O.Index &&
           Variable == O.Variable && Value == O.Value;
  }
  bool operator!=(const PopulationProbe &O) const { return !(*this == O); }
};

/// simulateReference that also samples every population's probes
/// (HwPopulation::Probes) after each step's neuron update, appending them to
/// Probes in the order `nmesh run --probes` writes (step, population order,
/// index, probe order).
std::vector<PopulationSpike> simulateReference(const HardwareNetwork &Net, uint64_t Steps,
                                               const std::vector<InputSpike> &Inputs,
                                               std::vector<PopulationProbe> &Probes);

} // namespace neuromesh::compiler
