//===- neuromesh/runtime/Sweep.h - architecture sweeps ----------*- C++ -*-===//
//
// The library behind `nmesh sweep` (docs/co-design.md): derive one
// architecture per point of a grid (or zip) of `--set` values, compile the
// network against it, run it on the SystemC engine and tabulate cores,
// utilisation, energy, latency, power and spikes, marking the
// energy-latency Pareto front.
//
// Layering: the runtime does not link the compiler (runtime -> emulator ->
// isa; compiler -> isa), so a sweep takes a compile callback; the nmesh
// driver, which links both, passes one that calls compileNetwork. Each point
// runs in a forked worker process: SystemC cannot run two simulations in one
// process at once, and a process per point also keeps a crash in one point
// from losing the others. Results never depend on the number of workers.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace neuromesh::runtime {

/// One swept field: `--set Path=v1,v2,...`.
struct SweepParameter {
  std::string Path;
  std::vector<std::string> Values;
};

/// Parses "path=v1,v2,..." (values split at commas; a list field's items
/// are joined with '+', as for --set). Throws neuromesh::Error on a
/// missing '=' or an empty value.
SweepParameter parseSweepParameter(const std::string &Text);

/// The override sets of every point: the grid of all combinations (the
/// last parameter varying fastest), or with Zip the i-th value of every
/// parameter together (all must have as many values, or one value, which
/// every point shares; else neuromesh::Error naming them).
std::vector<std::vector<isa::ArchOverride>> sweepPoints(const std::vector<SweepParameter> &Params,
                                                        bool Zip);

/// What a compile callback returns: the image and the mapping's figures.
struct CompiledPoint {
  isa::Image Image;
  uint32_t CoresUsed = 0, ChipsUsed = 0;
  double MeanNeuronUse = 0, MaxNeuronUse = 0; ///< 0..1 over the cores used
};
/// Compiles the network for an architecture; throws neuromesh::Error when
/// the network does not fit (the message becomes the point's row).
using CompileFunction = std::function<CompiledPoint(const isa::Architecture &)>;

/// What to sweep.
struct SweepOptions {
  std::string ArchPath;                     ///< the base architecture file
  std::vector<isa::ArchOverride> Fixed;     ///< overrides every point shares
  std::vector<SweepParameter> Parameters;   ///< the swept fields
  bool Zip = false;
  uint64_t Steps = 0;
  std::string InputPath; ///< host input spike CSV (docs/formats.md); empty: none
  unsigned Jobs = 0;     ///< worker processes at once; 0 = hardware concurrency
  /// Called in the parent after each point finishes (Done of Total).
  std::function<void(size_t Done, size_t Total)> Progress;
};

/// One point's row.
struct SweepPoint {
  std::vector<std::string> Values; ///< one per parameter
  bool Feasible = false;
  /// Where an infeasible point failed: the compiler (the network does not
  /// fit), reading the input spikes, or the run (or its worker process).
  enum class Failure : uint8_t { Compile, Input, Run, None };
  Failure Stage = Failure::Compile;
  std::string Message; ///< why the point did not compile or run
  uint32_t CoresUsed = 0, ChipsUsed = 0;
  double MeanNeuronUse = 0, MaxNeuronUse = 0;
  double EnergyPerStep = 0;  ///< J, total energy / steps
  double LatencyPerStep = 0; ///< s, mean simulated step latency
  double LatencyMax = 0;     ///< s
  double Power = 0;          ///< W, unthrottled
  double PowerPaced = 0;     ///< W, paced at the tick
  uint64_t Spikes = 0;       ///< neurons that fired
  std::vector<emulator::SpikeRecord> Recorded; ///< the recorded population spikes
  std::string ReportJson; ///< the point's report.json (energyReportJson)
  bool Pareto = false;    ///< on the energy-latency Pareto front
};

/// A whole sweep.
struct SweepResult {
  std::vector<std::string> ParameterPaths;
  uint64_t Steps = 0;
  std::vector<SweepPoint> Points; ///< in sweepPoints order
};

/// Marks Pareto on every feasible point that no other feasible point beats
/// on both EnergyPerStep and LatencyPerStep (no worse on both, better on
/// one); ties are all on the front. Infeasible points are never on it.
void markParetoFront(std::vector<SweepPoint> &Points);

/// Runs the sweep. Every point's architecture is derived and checked first,
/// so a bad --set path or value throws neuromesh::Error (naming the field
/// and its range) before any work starts. A bad input spike file throws the
/// reader's error (file and line) after the points ran. Workers are forked
/// (not exec'd) so the compile callback may capture anything: call it from
/// a process with no other threads running.
SweepResult runSweep(const SweepOptions &Opts, const CompileFunction &Compile);

/// The CSV (docs/formats.md): one column per parameter, then feasible,
/// cores, chips, neuron_use_mean, neuron_use_max, energy_per_step_j,
/// latency_per_step_s, latency_max_s, power_w, power_paced_w, spikes,
/// pareto, message.
std::string sweepCsv(const SweepResult &R);
/// Reads what sweepCsv wrote (every figure back bit for bit; Recorded and
/// ReportJson stay empty, Steps 0). Throws neuromesh::Error naming the file
/// and line of a header or row that is not sweepCsv's.
SweepResult readSweepCsv(const std::string &Text, const std::string &FileName);
/// The table `nmesh sweep` prints.
std::string formatSweepTable(const SweepResult &R);

} // namespace neuromesh::runtime
