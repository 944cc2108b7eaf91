//===- Microcode.cpp - the opcode table, encoding and validation ----------===//
#include "neuromesh/isa/Microcode.h"
#include "neuromesh/isa/SplitMix64.h"

#include <fmt/format.h>

#include <array>

namespace neuromesh::isa {

const std::vector<OpcodeInfo> &opcodeTable() {
  static const std::vector<OpcodeInfo> Table = {
#define NM_OPCODE(Enum, Mnemonic, Code, Operands, Imm, Summary)                \
  {Opcode::Enum, Mnemonic, OperandForm::Operands, ImmKind::Imm, Summary},
#include "neuromesh/isa/Opcodes.def"
  };
  return Table;
}

const OpcodeInfo *lookupOpcode(uint8_t Code) {
  // A dense 256-entry index, built once from the table.
  static const std::array<const OpcodeInfo *, 256> ByCode = [] {
    std::array<const OpcodeInfo *, 256> A{};
    for (const OpcodeInfo &I : opcodeTable())
      A[static_cast<uint8_t>(I.Op)] = &I;
    return A;
  }();
  return ByCode[Code];
}

const OpcodeInfo *lookupMnemonic(std::string_view Mnemonic) {
  for (const OpcodeInfo &I : opcodeTable())
    if (Mnemonic == I.Mnemonic)
      return &I;
  return nullptr;
}

uint64_t encodeInstruction(const Instruction &I) {
  return uint64_t(static_cast<uint8_t>(I.Op)) | uint64_t(I.Rd) << 8 |
         uint64_t(I.Ra) << 16 | uint64_t(I.Rb) << 24 |
         uint64_t(static_cast<uint32_t>(I.Imm)) << 32;
}

Instruction unpackInstruction(uint64_t Word) {
  Instruction I;
  I.Op = static_cast<Opcode>(Word & 0xff);
  I.Rd = uint8_t(Word >> 8);
  I.Ra = uint8_t(Word >> 16);
  I.Rb = uint8_t(Word >> 24);
  I.Imm = static_cast<int32_t>(static_cast<uint32_t>(Word >> 32));
  return I;
}

namespace {

bool usesRd(OperandForm F) {
  return F == OperandForm::D || F == OperandForm::DA || F == OperandForm::DAB;
}
bool usesRa(OperandForm F) {
  return F == OperandForm::A || F == OperandForm::DA || F == OperandForm::DAB;
}
bool usesRb(OperandForm F) { return F == OperandForm::DAB; }

/// Checks one register field; returns a message or "".
std::string checkRegister(const char *Field, uint8_t Value, bool Used) {
  if (!Used && Value != 0)
    return fmt::format("unused field {} must be 0, got {}", Field, Value);
  if (Used && Value >= NumRegisters)
    return fmt::format("register {} = {} out of range [0, {}]", Field, Value,
                       NumRegisters - 1);
  return "";
}

std::string checkImmediate(const OpcodeInfo &Info, int32_t Imm, unsigned Pc,
                           size_t Length, unsigned NumParams,
                           unsigned NumStateWords) {
  auto Range = [&](int64_t Lo, int64_t Hi, const char *What) -> std::string {
    if (Imm < Lo || Imm > Hi)
      return fmt::format("{} {} out of range [{}, {}]", What, Imm, Lo, Hi);
    return "";
  };
  switch (Info.Imm) {
  case ImmKind::None:
    return Imm == 0 ? "" : fmt::format("unused immediate must be 0, got {}", Imm);
  case ImmKind::Value:
    return "";
  case ImmKind::State:
    if (NumStateWords == 0)
      return "the core has no state words";
    return Range(0, int64_t(NumStateWords) - 1, "state index");
  case ImmKind::Param:
    if (NumParams == 0)
      return fmt::format("parameter index {} but the profile has no parameters", Imm);
    return Range(0, int64_t(NumParams) - 1, "parameter index");
  case ImmKind::Shift31:
    return Range(0, 31, "shift");
  case ImmKind::Shift62:
    return Range(0, 62, "shift");
  case ImmKind::Bits31:
    return Range(1, 31, "bit width");
  case ImmKind::Bits32:
    return Range(1, 32, "bit width");
  case ImmKind::Reg:
    return Range(0, NumRegisters - 1, "register");
  case ImmKind::Target:
    if (Imm <= int64_t(Pc))
      return fmt::format("target {} is not after the branch at {}; branches "
                         "only go forward", Imm, Pc);
    return Range(Pc + 1, int64_t(Length), "target");
  }
  return "";
}

} // namespace

std::string validateProgram(const std::vector<Instruction> &Program,
                            unsigned NumParams, unsigned NumStateWords) {
  if (Program.size() > MaxProgramLength)
    return fmt::format("program has {} instructions; at most {} are allowed",
                       Program.size(), MaxProgramLength);
  for (unsigned Pc = 0; Pc < Program.size(); ++Pc) {
    const Instruction &I = Program[Pc];
    const OpcodeInfo *Info = lookupOpcode(static_cast<uint8_t>(I.Op));
    if (!Info)
      return fmt::format("instruction {}: unknown opcode 0x{:02x}", Pc,
                         static_cast<unsigned>(I.Op));
    std::string Msg = checkRegister("rd", I.Rd, usesRd(Info->Operands));
    if (Msg.empty())
      Msg = checkRegister("ra", I.Ra, usesRa(Info->Operands));
    if (Msg.empty())
      Msg = checkRegister("rb", I.Rb, usesRb(Info->Operands));
    if (Msg.empty())
      Msg = checkImmediate(*Info, I.Imm, Pc, Program.size(), NumParams,
                           NumStateWords);
    if (!Msg.empty())
      return fmt::format("instruction {} ({}): {}", Pc, Info->Mnemonic, Msg);
  }
  return "";
}

uint32_t randomDraw(uint64_t Seed, uint64_t Step, uint64_t Stream,
                    uint64_t Counter) {
  uint64_t H = splitMix64Mix(Counter + 0x9e3779b97f4a7c15ULL);
  H = splitMix64Mix(Stream ^ H);
  H = splitMix64Mix(Step ^ H);
  H = splitMix64Mix(Seed ^ H);
  return static_cast<uint32_t>(H >> 32);
}

} // namespace neuromesh::isa
