//===- neuromesh/isa/Microcode.h - neuron microcode -------------*- C++ -*-===//
//
// The neuron microcode: a small integer register machine that updates one
// neuron per step (Loihi 2-style programmable neurons). Branches only go
// forward, so the work per neuron is bounded by the program length, as in
// hardware. The instruction table is Opcodes.def.
//
// Encoding of one instruction: 8 bytes, little-endian:
//   byte 0 opcode, byte 1 rd, byte 2 ra, byte 3 rb, bytes 4-7 imm (int32).
// Fields an opcode does not use must be zero, so every program has exactly
// one encoding and binary -> text -> binary is the identity.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace neuromesh::isa {

/// Number of general registers r0..r15.
constexpr unsigned NumRegisters = 16;
/// Longest neuron program: bounds the work per neuron per step.
constexpr unsigned MaxProgramLength = 255;
/// Most parameters a profile holds.
constexpr unsigned MaxParams = 16;
/// Most state words a neuron holds.
constexpr unsigned MaxStateWords = 8;

enum class Opcode : uint8_t {
#define NM_OPCODE(Enum, Mnemonic, Code, Operands, Imm, Summary) Enum = Code,
#include "neuromesh/isa/Opcodes.def"
};

/// Which register fields an opcode reads or writes (D = rd, A = ra, B = rb).
enum class OperandForm : uint8_t { None, D, A, DA, DAB };

/// How an opcode uses its immediate, and the range the decoder enforces.
enum class ImmKind : uint8_t {
  None,    ///< must be 0
  Value,   ///< any int32
  State,   ///< a state word index, < the core's state words
  Param,   ///< a parameter index, < the profile's parameter count
  Shift31, ///< 0..31
  Shift62, ///< 0..62
  Bits31,  ///< 1..31
  Bits32,  ///< 1..32
  Reg,     ///< a register index, 0..15
  Target,  ///< an instruction index, > pc and <= program length
};

/// One row of Opcodes.def.
struct OpcodeInfo {
  Opcode Op;
  const char *Mnemonic;
  OperandForm Operands;
  ImmKind Imm;
  const char *Summary;
};

/// The rows of Opcodes.def, in table order.
const std::vector<OpcodeInfo> &opcodeTable();
/// The row for a code, or nullptr when the byte is not an opcode.
const OpcodeInfo *lookupOpcode(uint8_t Code);
/// The row for a mnemonic, or nullptr.
const OpcodeInfo *lookupMnemonic(std::string_view Mnemonic);

/// One decoded instruction.
struct Instruction {
  Opcode Op = Opcode::Nop;
  uint8_t Rd = 0, Ra = 0, Rb = 0;
  int32_t Imm = 0;
  bool operator==(const Instruction &O) const {
    return Op == O.Op && Rd == O.Rd && Ra == O.Ra && Rb == O.Rb && Imm == O.Imm;
  }
  bool operator!=(const Instruction &O) const { return !(*this == O); }
};

/// The 8-byte encoding of an instruction.
uint64_t encodeInstruction(const Instruction &I);
/// The fields of an encoded word, without any checking.
Instruction unpackInstruction(uint64_t Word);

/// Checks one program against the ISA rules: known opcodes, unused fields
/// zero, register and immediate ranges, forward-only branch targets.
/// Returns an empty string when valid, else a message naming the
/// instruction index and the field ("instruction 3 (brz): target 2 is not
/// after the branch; branches only go forward").
std::string validateProgram(const std::vector<Instruction> &Program,
                            unsigned NumParams, unsigned NumStateWords);

/// The counter-based pseudo-random generator that every random draw in the
/// chip uses (microcode `rand` and stochastic synapses). A draw depends only
/// on its key, never on the order of events, so runs are deterministic
/// whatever the engine, thread count or message arrival order.
uint32_t randomDraw(uint64_t Seed, uint64_t Step, uint64_t Stream,
                    uint64_t Counter);

/// What a neuron update sees and may change.
struct NeuronContext {
  const int32_t *Params = nullptr; ///< the profile's parameters
  int32_t *State = nullptr;        ///< the neuron's state words (in/out)
  int32_t Input = 0;               ///< dendritic input for this step
  uint64_t Seed = 0;               ///< the core's random seed
  uint64_t Step = 0;               ///< the timestep being computed
  uint32_t Neuron = 0;             ///< neuron index within the core
};

/// Result of one neuron update.
struct UpdateResult {
  bool Spiked = false;
  int32_t Payload = 1; ///< 1 for a binary spike, the value for a graded one
};

/// Runs a validated program once for one neuron (the reference
/// interpreter). Stream for `rand` is the neuron index; its counter counts
/// draws within this update.
UpdateResult interpret(const std::vector<Instruction> &Program,
                       NeuronContext &Ctx);

} // namespace neuromesh::isa
