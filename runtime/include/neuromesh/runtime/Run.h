//===- neuromesh/runtime/Run.h - run an image on an engine ------*- C++ -*-===//
//
// The one library entry point behind `nmesh run`: feed host input spikes to
// a chip image on a named engine for a number of steps and collect the
// population spikes, the event counters and the wall time; with an
// architecture, also the energy, latency and power of the run, priced by
// emulator::EnergyModel (docs/energy-model.md, docs/formats.md).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/EnergyModel.h"
#include "neuromesh/runtime/Activity.h"
#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/emulator/systemc/Trace.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace neuromesh::runtime {

/// Whether neurons run as JIT-compiled code or on the interpreter (the
/// results are identical; only speed differs).
enum class JitMode {
  Auto, ///< the JIT when the run has at least JitAutoNeuronUpdates
  On,
  Off,
};
/// Neuron updates (neurons x steps) from which JitMode::Auto compiles:
/// compiling a profile costs about 8 ms of CPU and saves about 20 ns per
/// neuron update (measured, docs/performance.md "JIT"), so it pays off from
/// about 0.4M updates; the margin covers images of several profiles.
constexpr uint64_t JitAutoNeuronUpdates = 1000000;

/// What to run.
struct RunOptions {
  uint64_t Steps = 0;
  /// An engine of availableEngines(): the SystemC chip model by default
  /// (timed), or "functional" (the untimed golden model).
  std::string Engine = "systemc";
  /// Host input spikes; Symbol indexes an input port of the image. Spikes
  /// at steps >= Steps are not delivered (RunResult::IgnoredInputs).
  std::vector<emulator::SpikeRecord> Inputs;
  /// Threads that step the cores (emulator::EngineOptions::Threads: 0 = one
  /// per hardware thread); the SystemC engine runs its cores' updates and
  /// receives on them, its timed model on one thread.
  unsigned Threads = 1;
  /// Run isa::validateImage first. An image from readImageFile or
  /// parseAssembly is already validated and may skip it.
  bool Validate = true;
  /// The architecture to price the run with (checkArchitecture must accept
  /// it). With it the SystemC engine takes its timing from the
  /// architecture (timingFromArchitecture) and the result has an energy
  /// report; without it the SystemC engine uses SystemCTiming's defaults
  /// (the summary's timing line says so) and nothing is priced.
  std::optional<isa::Architecture> Arch;
  /// Neuron programs JIT-compiled or interpreted (both engines).
  JitMode Jit = JitMode::Auto;
  /// Record the SystemC model's core, router and barrier activity
  /// (RunResult::Trace; the systemc engine only, else an error).
  bool RecordTrace = false;
  /// Called after every step with the steps done and the total (progress
  /// display); may be empty.
  std::function<void(uint64_t Done, uint64_t Total)> OnStep;
};

/// The energy, latency and power of a run (units: J, s, W).
struct EnergyReport {
  std::string ArchName;  ///< the architecture's name
  std::string CostModel; ///< its selected cost set; empty when unnamed
  double StaticPower = 0; ///< W, the whole system
  double TickSeconds = 0; ///< s, the architecture's tick; 0 = unthrottled
  /// Every step, in order. The functional engine's latencies are the energy
  /// model's uncontended estimates; the SystemC engine's are simulated
  /// (StepTime::Measured).
  std::vector<emulator::StepReport> PerStep;
  emulator::EnergyTotals Totals;

  /// Average power paced at the tick, W, of step I: its energy over its
  /// duration.
  double pacedPower(size_t I) const;
};

/// What a run produced.
struct RunResult {
  std::string Engine;
  uint64_t Steps = 0;
  bool Jit = false; ///< neurons ran as JIT-compiled code
  /// The systemc engine's mesh model ("cycle" or "transaction"; mesh.model,
  /// docs/systemc.md); empty for the functional engine.
  std::string MeshModel;
  /// Population spikes in recording order (step, symbol, index).
  std::vector<emulator::SpikeRecord> Spikes;
  /// Probe samples in order (step, symbol, index, probe); see
  /// emulator::FunctionalEngine::probed().
  std::vector<emulator::ProbeRecord> Probes;
  emulator::EngineCounters Counters;
  /// Simulated time of each step, s, from a timed engine ("systemc");
  /// empty for the untimed functional engine.
  std::vector<double> StepSeconds;
  double SetupSeconds = 0; ///< building the engine from the image
  double WallSeconds = 0;  ///< stepping, inputs included
  uint64_t IgnoredInputs = 0;
  /// Present when RunOptions::Arch was given.
  std::optional<EnergyReport> Energy;
  /// Per-core and per-link activity; present when RunOptions::Arch was given.
  std::optional<RunActivity> Activity;
  /// Present when RunOptions::RecordTrace was set: write it with
  /// emulator::systemc::traceVcd / traceChromeJson.
  std::optional<emulator::systemc::ChipTrace> Trace;
};

/// Checks that Img was compiled for Arch: the image's architecture
/// fingerprint must equal Arch.fingerprint() (else neuromesh::Error naming
/// both architectures and fingerprints), and its chips and mesh must fit
/// Arch's. An image assembled with fingerprint 0 is not checked: the
/// returned string is a warning to show; otherwise it is empty.
std::string checkArchitecture(const isa::Image &Img, const isa::Architecture &Arch);

/// One energy component: its report name (snake_case, as in report.json
/// and the per-step CSV) and its value in a breakdown.
struct EnergyComponent {
  const char *Key;   ///< e.g. "synaptic_ops"
  const char *Label; ///< e.g. "synaptic ops"
  double emulator::EnergyBreakdown::*Field;
};
/// Every component, in the order reports list them (static last).
const std::vector<EnergyComponent> &energyComponents();

/// Formats a value with an SI prefix (f p n u m, none, k M G) and Unit,
/// with 4 significant digits, e.g. "20.16 nJ", "0 J".
std::string formatSI(double Value, const std::string &Unit);

/// The energy section of `nmesh run`'s summary (docs/formats.md).
std::string formatEnergySummary(const RunResult &R);
/// report.json text (docs/formats.md). R must have an energy report.
std::string energyReportJson(const RunResult &R);
/// The per-step CSV: step, latency_s, energy_j, then one column per
/// component in J (docs/formats.md).
std::string perStepCsv(const EnergyReport &E);

/// A stretch of consecutive steps whose paced power exceeds a budget.
struct PowerStretch {
  uint64_t FirstStep = 0, LastStep = 0; ///< inclusive
  double PeakWatts = 0;                 ///< the highest step power in it, W
};
/// Every stretch of steps whose paced power (EnergyReport::pacedPower)
/// exceeds BudgetWatts, in step order.
std::vector<PowerStretch> powerBudgetStretches(const EnergyReport &E, double BudgetWatts);

/// The engine names runImage accepts, in the order help text lists them.
std::vector<std::string> availableEngines();

/// Validates the image (unless told not to) and runs it. Throws
/// neuromesh::Error for an invalid image, an unknown engine (listing the available ones) or an input spike
/// that does not name an input port index of the image.
RunResult runImage(const isa::Image &Img, const RunOptions &Opts);

/// The short human-readable summary `nmesh run` prints: steps, spikes per
/// population, host spikes, synaptic events, neuron updates, messages, wall
/// time and throughput (docs/formats.md).
std::string formatRunSummary(const RunResult &R, const isa::Image &Img);

} // namespace neuromesh::runtime
