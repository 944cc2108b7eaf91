//===- ImageRules.h - the validity rules of a chip image --------*- C++ -*-===//
//
// The one implementation of "what is a valid image". Each rule checks one
// item and returns a verdict: empty when the item is fine, else a message
// that starts with the field ("neurons[17].profile = 9 out of range [0, 4]:
// the core has 5 profiles"). Two traversals call these rules: validateImage
// over an in-memory image (ImageValidate.cpp) and the decoder while it reads
// the bytes (ImageFile.cpp), which adds the section and the byte offset to
// the verdict. Private to the isa library.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/isa/Image.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace neuromesh::isa::rules {

/// Limits implied by the widths of the indices in Image.h.
constexpr uint64_t MaxProfiles = 65536;     ///< Neuron::Profile is 16 bits
constexpr uint64_t MaxNeurons = 65536;      ///< neuron indices are 16 bits
constexpr uint64_t MaxAxons = 65536;        ///< AxonAddress::Axon is 16 bits
constexpr uint64_t MaxCoresPerChip = 65536; ///< AxonAddress::Core is 16 bits
constexpr uint64_t MaxStringLength = 65535; ///< strings carry a u16 length

/// "<field> = <verdict>" for a failed verdict; the field name is only
/// formatted then, so hot loops do not build strings for valid items.
template <typename NameFn>
std::string named(std::string Verdict, NameFn &&Name) {
  if (Verdict.empty())
    return Verdict;
  return Name() + " = " + Verdict;
}

/// "Count out of range" for a list whose length is limited.
std::string checkCount(std::string_view Field, uint64_t Count, uint64_t Max);

/// A name: printable ASCII without '"' and '\\' (so the assembly text can
/// quote it), at most MaxStringLength bytes, non-empty unless allowed.
std::string checkName(std::string_view Field, const std::string &Name,
                      bool AllowEmpty);

/// Printable rendering of arbitrary bytes for messages ("ab\x01").
std::string quote(std::string_view Bytes);

// Header ---------------------------------------------------------------------

/// NumChips, mesh size and cores per tile are >= 1; the name is valid.
std::string checkHeaderFields(const ChipHeader &H);
/// cores[I] lies inside the chip count, the mesh and the tile's slots.
std::string checkCoreLocation(const ChipHeader &H, size_t I);

/// Detects two cores at the same place and chips with too many cores.
class LocationIndex {
public:
  /// Adds cores[I] (already range-checked).
  std::string add(const ChipHeader &H, size_t I);

private:
  std::unordered_map<uint64_t, size_t> Seen;
  std::unordered_map<uint16_t, uint64_t> PerChip;
};

// Core -----------------------------------------------------------------------

std::string checkCoreConfig(const CoreConfig &C);
/// Parameter count, program length and validateProgram.
std::string checkProfile(const NeuronProfile &P, size_t I,
                         const CoreConfig &C);
std::string checkNeuron(const Neuron &N, size_t I, size_t NumProfiles,
                        const CoreConfig &C);
/// The kind byte of axons[Axon][Seg] names a SegmentKind.
std::string checkSegmentKind(size_t Axon, size_t Seg, uint8_t Kind);
/// Shift, delays, targets, run bounds, and that the fields the kind does
/// not use hold their defaults (so every segment has one encoding).
std::string checkSegment(const SynapseSegment &S, size_t Axon, size_t Seg,
                         size_t NumNeurons, const CoreConfig &C);
/// One column per neuron if any crossbar segment exists, else none.
std::string checkCrossbarCount(size_t Columns, size_t NumNeurons,
                               bool AnyCrossbar);
/// One output list per neuron.
std::string checkOutputCount(size_t Lists, size_t NumNeurons);

// Whole image ----------------------------------------------------------------

/// What cross-core references are checked against: which global core is
/// core k of chip c, and each core's axon and neuron counts.
class ImageShape {
public:
  /// H must have passed checkHeaderFields, checkCoreLocation and
  /// LocationIndex.
  explicit ImageShape(const ChipHeader &H);
  void setCore(size_t Global, size_t NumAxons, size_t NumNeurons,
               unsigned NumStateWords);
  size_t numCores() const { return Axons.size(); }
  /// An output or port address names an existing axon. The verdict
  /// starts with the address ("0:1:3 (chip:core:axon): ..."); the caller
  /// names the field with named().
  std::string checkAddress(AxonAddress A) const;
  /// A population segment lies within an existing core's neurons and
  /// within the population.
  std::string checkPopulationSegment(std::string_view Field,
                                     const PopulationSegment &S,
                                     uint32_t PopulationSize) const;

  /// Probe J of population symbols[I] (whose segments passed
  /// checkPopulationSegment): a valid name, unique within the symbol, and
  /// a state word that every core holding one of its neurons has.
  std::string checkProbe(const Symbol &S, size_t I, size_t J) const;

private:
  std::vector<std::vector<uint32_t>> ByChip; ///< chip -> global indices
  std::vector<uint32_t> Axons, Neurons;      ///< by global index
  std::vector<uint8_t> StateWords;           ///< by global index
};

/// "symbols[2] \"exc\"" for messages.
std::string symbolLabel(const Symbol &S, size_t I);
std::string checkSymbolKind(size_t I, uint8_t Kind);

/// Symbol names are valid and unique.
class SymbolNames {
public:
  std::string add(const Symbol &S, size_t I);

private:
  std::unordered_map<std::string, size_t> Seen;
};

/// In-memory only (the binary cannot express a violation): a port has one
/// target list per index, no segments, no probes and RecordSpikes at its
/// default (true); a population has no targets.
std::string checkSymbolShape(const Symbol &S, size_t I);
/// The record byte of population symbols[I] is 0 or 1.
std::string checkRecordFlag(const Symbol &S, size_t I, uint8_t Flag);
/// Population segments cover 0..Size-1 exactly once.
std::string checkPopulationCoverage(const Symbol &S, size_t I);

/// The kind byte of symbols[I]'s generator names a GeneratorKind.
std::string checkGeneratorKind(const Symbol &S, size_t I, uint8_t Kind);
/// A generator's fixed fields: a known kind; a population's generator is
/// External; Poisson probability <= 2^32; Regular period >= 1; and the
/// fields the kind does not use hold their defaults (so every generator has
/// one encoding). The list entries are checkGeneratorSpike's.
std::string checkGeneratorFields(const Symbol &S, size_t I);
/// List entry J: index < the port's size, and after entry J-1 in (step,
/// index) order (sorted, no duplicates).
std::string checkGeneratorSpike(const Symbol &S, size_t I, size_t J);

} // namespace neuromesh::isa::rules
