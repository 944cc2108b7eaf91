//===- neuromesh/runtime/ProbeFile.h - probe sample CSV files ---*- C++ -*-===//
//
// Probe samples (membrane traces, readout values) leave the host as CSV
// text, one sample per row under the header
// `step,population,neuron,variable,value`. docs/formats.md describes it.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/isa/Image.h"

#include <string>
#include <vector>

namespace neuromesh::runtime {

using emulator::ProbeRecord;

/// The header line every probe file starts with.
constexpr const char *ProbeCsvHeader = "step,population,neuron,variable,value";

/// The CSV text of probe samples, sorted by step, then symbol order, then
/// neuron, then probe order; population and variable names come from the
/// image's symbol table.
std::string formatProbeCsv(const std::vector<ProbeRecord> &Samples,
                           const isa::Image &Img);

/// Writes a probe file atomically (isa::writeFileAtomically).
void writeProbeFile(const std::string &Path,
                    const std::vector<ProbeRecord> &Samples,
                    const isa::Image &Img);

} // namespace neuromesh::runtime
