//===- neuromesh/runtime/Run.h - run an image on an engine ------*- C++ -*-===//
//
// The one library entry point behind `nmesh run`: feed host input spikes to
// a chip image on a named engine for a number of steps and collect the
// population spikes, the event counters and the wall time.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace neuromesh::runtime {

/// What to run.
struct RunOptions {
  uint64_t Steps = 0;
  /// An engine of availableEngines().
  std::string Engine = "functional";
  /// Host input spikes; Symbol indexes an input port of the image. Spikes
  /// at steps >= Steps are not delivered (RunResult::IgnoredInputs).
  std::vector<emulator::SpikeRecord> Inputs;
  /// Run isa::validateImage first. An image from readImageFile or
  /// parseAssembly is already validated and may skip it.
  bool Validate = true;
};

/// What a run produced.
struct RunResult {
  std::string Engine;
  uint64_t Steps = 0;
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
};

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
