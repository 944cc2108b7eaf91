//===- neuromesh/runtime/SpikeFile.h - spike CSV files ----------*- C++ -*-===//
//
// Spikes cross the host boundary as CSV text, one spike per row under the
// header `step,population,neuron`. In an input file `population` names an
// input port of the image, in an output file a population; `neuron` is the
// index within it. docs/formats.md describes the format.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/isa/Image.h"
#include "neuromesh/isa/Npy.h"

#include <string>
#include <vector>

namespace neuromesh::runtime {

using emulator::SpikeRecord;

/// The header line every spike file starts with.
constexpr const char *SpikeCsvHeader = "step,population,neuron";

/// Parses spike CSV text. Names resolve against the image's symbols of kind
/// Kind (input ports for inputs, populations for outputs). Every bad row is
/// reported at once in one neuromesh::Error, each as "File:line: error: ..."
/// (bad header, wrong field count, non-integer, negative step, unknown name
/// with the known ones listed, index out of range, duplicate spike). Rows may
/// come in any order; the result is sorted by step, symbol, index.
std::vector<SpikeRecord> parseSpikeCsv(const std::string &Text,
                                       const std::string &File,
                                       const isa::Image &Img,
                                       isa::SymbolKind Kind);

/// Input spikes from a dense numpy array [steps, *shape] of 0/1 for the
/// image's one external input port (the flattened shape indexes its
/// neurons). Throws neuromesh::Error naming File when the image has no or
/// several external ports, the shape does not match, or a value is not 0/1.
std::vector<SpikeRecord> spikesFromDenseArray(const isa::NpyArray &A,
                                              const std::string &File,
                                              const isa::Image &Img);

/// Reads and parses a spike file; for inputs, a .npy file is a dense array
/// (spikesFromDenseArray).
std::vector<SpikeRecord> readSpikeFile(const std::string &Path,
                                       const isa::Image &Img,
                                       isa::SymbolKind Kind);

/// The CSV text of spikes (sorted by step, symbol, index), names from the
/// image's symbol table.
std::string formatSpikeCsv(const std::vector<SpikeRecord> &Spikes,
                           const isa::Image &Img);

/// Writes a spike file atomically.
void writeSpikeFile(const std::string &Path,
                    const std::vector<SpikeRecord> &Spikes,
                    const isa::Image &Img);

} // namespace neuromesh::runtime
