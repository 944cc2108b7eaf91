//===- neuromesh/emulator/NeuronJit.h - native neuron updates ---*- C++ -*-===//
//
// Compiles neuron microcode to native code with LLVM's ORC JIT (LLJIT). For
// each distinct (program, state words per neuron) it generates one function
// that updates a run of consecutive neurons of that program in a core: the
// body of CoreState::update's loop (read and clear the neuron's dendrite
// ring slot, count dendrite reads and active updates, run the program,
// flag the neurons that fired) with the program's instructions inlined,
// vectorised across neurons by LLVM where the host's SIMD allows.
// Its meaning is isa::interpret's, instruction for instruction; the
// interpreter stays the reference (testbenches/emulator/test_jit.cpp checks
// the two against each other).
//
// Parameters are passed at run time, not folded in, so cores whose profiles
// share a program but not its parameter values share one function. All
// programs added before compile() go into one LLVM module, so an image pays
// for one optimisation and code generation run, however many cores it has.
//
// LLVM's headers stay in lib/jit/NeuronJit.cpp; this header is LLVM-free.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/isa/Image.h"
#include "neuromesh/isa/Microcode.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace neuromesh::emulator {

/// One compiled update of Count consecutive neurons First.. of one program:
///   Params  the profile's parameters (may be null if the program has no ldp)
///   State   the first neuron's state words; neuron i's are at
///           State + i * NumStateWords
///   Slot    the first neuron's entry of the current dendrite ring slot;
///           each entry is read as the neuron's input and cleared
///   Spiked  Count flags, one per neuron: 1 if it fired, else 0
///   Payload Count payloads, one per neuron (meaningful where Spiked is 1)
///   Counts  Counts[0] += neurons with nonzero input (dendrite reads),
///           Counts[1] += neurons with nonzero input or that fired (active)
/// Returns how many neurons fired. Seed and Step are the core's seed and the
/// step computed (for `rand`, whose stream is the neuron index First + i).
using NeuronRunFn = uint32_t (*)(const int32_t *Params, int32_t *State, uint32_t *Slot,
                                 uint8_t *Spiked, int32_t *Payload, uint64_t Seed, uint64_t Step,
                                 uint32_t First, uint32_t Count, uint64_t *Counts);

/// A set of compiled neuron programs. Not copyable; share it with a
/// shared_ptr. Compiled functions may be called from any thread.
class NeuronJit {
public:
  NeuronJit();
  ~NeuronJit();
  NeuronJit(const NeuronJit &) = delete;
  NeuronJit &operator=(const NeuronJit &) = delete;

  /// Queues Program (validated, for cores of NumStateWords state words) for
  /// the next compile(); a program already queued or compiled is not queued
  /// twice. Returns the index that function() takes.
  size_t add(const std::vector<isa::Instruction> &Program, unsigned NumStateWords);

  /// Compiles every queued program in one module. Throws neuromesh::Error
  /// if LLVM cannot build a JIT for this host.
  void compile();

  /// The compiled function of an added program (after compile()).
  NeuronRunFn function(size_t Index) const;
  /// The compiled function of Program for NumStateWords, or null if it was
  /// never added and compiled.
  NeuronRunFn find(const std::vector<isa::Instruction> &Program, unsigned NumStateWords) const;

  /// Distinct functions compiled so far.
  size_t numFunctions() const;
  /// Wall time spent in compile() so far (IR generation, optimisation and
  /// code generation), seconds.
  double compileSeconds() const;

private:
  struct Impl;
  std::unique_ptr<Impl> P;
};

/// Compiles the programs of every profile of every core of a validated
/// image, one function per distinct (program, state words).
std::shared_ptr<const NeuronJit> compileNeuronPrograms(const isa::Image &Img);

} // namespace neuromesh::emulator
