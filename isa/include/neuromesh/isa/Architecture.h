//===- neuromesh/isa/Architecture.h - a chip's description ------*- C++ -*-===//
//
// One architecture description drives both the compiler (the limits of a
// core and a chip) and, later, the emulator (timing and energy costs). It is
// read from YAML in two layers: the file as written (with --set style
// overrides applied to it), then the resolved, range-checked values.
// Every field is a row of architectureFields(); docs/arch-format.md lists
// them all (a test checks it).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace neuromesh::isa {

/// Limits of one core.
struct CoreSpec {
  int64_t Neurons = 0;            ///< neurons (compartments) per core
  int64_t InputAxons = 0;         ///< input axons (fan-in lists) per core
  int64_t OutputAxons = 0;        ///< output axon table entries per core
  int64_t FanOut = 0;             ///< most destinations of one neuron
  int64_t SynapseMemoryBytes = 0; ///< synaptic memory per core
  int64_t WeightBits = 0;         ///< signed weight mantissa bits
  int64_t WeightExponentMin = 0;  ///< weight = mantissa * 2^exponent
  int64_t WeightExponentMax = 0;
  int64_t DelaySlots = 0;         ///< synaptic delays 1..DelaySlots steps
  int64_t Profiles = 0;           ///< neuron profiles per core
  int64_t StateWords = 0;         ///< state words per neuron
  bool Sparse = false, Dense = false, Crossbar = false; ///< encodings
  int64_t SparseSynapseBits = 0;  ///< memory one sparse synapse takes
  int64_t DenseSynapseBits = 0;   ///< memory one dense synapse takes
};

/// The mesh of one chip.
struct MeshSpec {
  int64_t Width = 0, Height = 0; ///< tiles in x and y
  int64_t CoresPerTile = 0;      ///< cores sharing one router
};

/// How many chips, and how they are wired (a grid of chips, neighbours
/// joined by chip-to-chip links, routed x then y like the mesh).
struct ChipsSpec {
  int64_t Count = 1;
  int64_t GridWidth = 1, GridHeight = 1;
};

/// A resolved architecture.
struct Architecture {
  std::string Name;
  std::string Description;
  CoreSpec Core;
  MeshSpec Mesh;
  ChipsSpec Chips;

  int64_t coresPerChip() const {
    return Mesh.Width * Mesh.Height * Mesh.CoresPerTile;
  }
  /// A hash of every resolved value: equal architectures, equal
  /// fingerprints. Images record it so a run can check it has the chip the
  /// image was compiled for.
  uint64_t fingerprint() const;
};

/// One field of the file, in the order docs/arch-format.md lists them.
struct ArchField {
  const char *Path;    ///< dotted key path, e.g. "core.neurons"
  const char *Type;    ///< "integer", "string" or "list of encodings"
  int64_t Min, Max;    ///< range for integers
  const char *Default; ///< nullptr when required; else how it defaults
  const char *Doc;     ///< what it means
};

/// Every field an architecture file may hold.
const std::vector<ArchField> &architectureFields();

/// A `path=value` override applied to the file before resolution, as
/// `--set core.neurons=2048` does on the command line.
using ArchOverride = std::pair<std::string, std::string>;

/// Parses an architecture from YAML text. Every error (syntax, unknown
/// key, wrong type, out of range, missing field, inconsistent values) is
/// reported at once as one neuromesh::Error with file:line:col locations.
Architecture parseArchitecture(const std::string &Text,
                               const std::string &FileName,
                               const std::vector<ArchOverride> &Overrides = {});

/// Reads and parses an architecture file.
Architecture loadArchitecture(const std::string &Path,
                              const std::vector<ArchOverride> &Overrides = {});

/// Parses "path=value" (the --set syntax); throws on a missing '='.
ArchOverride parseArchOverride(const std::string &Text);

} // namespace neuromesh::isa
