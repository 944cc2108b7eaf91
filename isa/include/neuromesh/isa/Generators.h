//===- neuromesh/isa/Generators.h - the spikes of on-chip generators -*- C++ -*-===//
//
// One walk over an image's input ports with on-chip generators, for the
// code that needs a step's generated spikes as (port symbol, index) pairs:
// the energy pricing of input routes. The engines' HostInterface walks a
// list of the generator ports made once, in the same order.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <vector>

namespace neuromesh::isa {

/// Calls Fire(Symbol, Index) for every spike the on-chip generators of
/// Symbols' input ports fire in step Step: port by port in symbol order,
/// each port's indices ascending (generatedSpikes), the order the engines
/// inject them in. Scratch holds the indices between calls.
template <typename FireT>
void forEachGeneratedSpike(const std::vector<Symbol> &Symbols, uint64_t Step,
                           std::vector<uint32_t> &Scratch, FireT Fire) {
  for (uint32_t S = 0; S < Symbols.size(); ++S) {
    const Symbol &Sym = Symbols[S];
    if (Sym.Kind != SymbolKind::InputPort || Sym.Generator.Kind == GeneratorKind::External)
      continue;
    Scratch.clear();
    generatedSpikes(Sym.Generator, Sym.Size, Step, Scratch);
    for (uint32_t I : Scratch)
      Fire(S, I);
  }
}

} // namespace neuromesh::isa
