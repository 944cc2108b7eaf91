//===- Interpreter.cpp - the reference neuron microcode interpreter -------===//
//
// Runs one neuron update: a switch over opcodes on 16 int32 registers that
// start at zero. It runs once per neuron per step in the functional engine,
// so it allocates nothing and trusts the program to be validated (the image
// loader calls validateProgram); debug builds assert the invariants.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/isa/Microcode.h"

#include <cassert>
#include <cstdint>
#include <limits>

namespace neuromesh::isa {

namespace {

constexpr int64_t Int32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t Int32Max = std::numeric_limits<int32_t>::max();

inline int32_t sat32(int64_t X) {
  if (X > Int32Max)
    return int32_t(Int32Max);
  if (X < Int32Min)
    return int32_t(Int32Min);
  return int32_t(X);
}

/// trunc0(P / 2^Shift) for a 64-bit product, Shift in 0..62. |P| <= 2^62
/// (the product of two int32), so negating it cannot overflow.
inline int64_t shiftTowardZero(int64_t P, unsigned Shift) {
  return P >= 0 ? P >> Shift : -((-P) >> Shift);
}

/// X reduced modulo 2^Bits into (-2^(Bits-1), 2^(Bits-1)], Bits in 1..31.
/// This is Loihi's (and Lava's) u wrap: +2^(Bits-1) stays, -2^(Bits-1)
/// becomes +2^(Bits-1).
inline int32_t wrapBits(int32_t X, unsigned Bits) {
  const uint32_t Modulus = uint32_t(1) << Bits;
  const uint32_t Half = Modulus >> 1;
  uint32_t R = uint32_t(X) & (Modulus - 1); // non-negative residue
  if (R > Half)
    return int32_t(int64_t(R) - int64_t(Modulus));
  return int32_t(R);
}

/// Clamp to [-(2^(Bits-1)-1), 2^(Bits-1)-1], Bits in 1..32 (symmetric).
inline int32_t satBits(int32_t X, unsigned Bits) {
  const int64_t Lim = (int64_t(1) << (Bits - 1)) - 1;
  if (X > Lim)
    return int32_t(Lim);
  if (X < -Lim)
    return int32_t(-Lim);
  return X;
}

} // namespace

UpdateResult interpret(const std::vector<Instruction> &Program, NeuronContext &Ctx) {
  UpdateResult Result;
  int32_t R[NumRegisters] = {};
  uint64_t RandCounter = 0;
  const Instruction *Code = Program.data();
  const size_t Length = Program.size();
  assert(Length <= MaxProgramLength && "program longer than the ISA allows");

  size_t Pc = 0;
  while (Pc < Length) {
    const Instruction &I = Code[Pc];
    assert(I.Rd < NumRegisters && I.Ra < NumRegisters && I.Rb < NumRegisters &&
           "register field out of range: program not validated");
    ++Pc;
    switch (I.Op) {
    case Opcode::Nop:
      break;
    case Opcode::Halt:
      return Result;
    case Opcode::Jmp:
      assert(size_t(I.Imm) >= Pc && size_t(I.Imm) <= Length &&
             "branch target not forward: program not validated");
      Pc = size_t(I.Imm);
      break;
    case Opcode::Brz:
      assert(size_t(I.Imm) >= Pc && size_t(I.Imm) <= Length &&
             "branch target not forward: program not validated");
      if (R[I.Ra] == 0)
        Pc = size_t(I.Imm);
      break;
    case Opcode::Brnz:
      assert(size_t(I.Imm) >= Pc && size_t(I.Imm) <= Length &&
             "branch target not forward: program not validated");
      if (R[I.Ra] != 0)
        Pc = size_t(I.Imm);
      break;

    case Opcode::Movi:
      R[I.Rd] = I.Imm;
      break;
    case Opcode::Mov:
      R[I.Rd] = R[I.Ra];
      break;
    case Opcode::Ldin:
      R[I.Rd] = Ctx.Input;
      break;
    case Opcode::Lds:
      assert(Ctx.State && I.Imm >= 0 && unsigned(I.Imm) < MaxStateWords &&
             "state index out of range: program not validated");
      R[I.Rd] = Ctx.State[I.Imm];
      break;
    case Opcode::Sts:
      assert(Ctx.State && I.Imm >= 0 && unsigned(I.Imm) < MaxStateWords &&
             "state index out of range: program not validated");
      Ctx.State[I.Imm] = R[I.Ra];
      break;
    case Opcode::Ldp:
      assert(Ctx.Params && I.Imm >= 0 && unsigned(I.Imm) < MaxParams &&
             "parameter index out of range: program not validated");
      R[I.Rd] = Ctx.Params[I.Imm];
      break;

    case Opcode::Add:
      R[I.Rd] = sat32(int64_t(R[I.Ra]) + R[I.Rb]);
      break;
    case Opcode::Sub:
      R[I.Rd] = sat32(int64_t(R[I.Ra]) - R[I.Rb]);
      break;
    case Opcode::Addi:
      R[I.Rd] = sat32(int64_t(R[I.Ra]) + I.Imm);
      break;
    case Opcode::Mul:
      R[I.Rd] = sat32(int64_t(R[I.Ra]) * R[I.Rb]);
      break;
    case Opcode::Mulsh:
      assert(I.Imm >= 0 && I.Imm <= 62 && "mulsh shift: not validated");
      R[I.Rd] = sat32(shiftTowardZero(int64_t(R[I.Ra]) * R[I.Rb], unsigned(I.Imm)));
      break;
    case Opcode::Shl:
      assert(I.Imm >= 0 && I.Imm <= 31 && "shl shift: not validated");
      // A multiply, not <<: left-shifting a negative value is undefined in C++17.
      R[I.Rd] = sat32(int64_t(R[I.Ra]) * (int64_t(1) << I.Imm));
      break;
    case Opcode::Shr:
      assert(I.Imm >= 0 && I.Imm <= 31 && "shr shift: not validated");
      // GCC and Clang define >> on negative values as arithmetic (floor).
      R[I.Rd] = R[I.Ra] >> I.Imm;
      break;
    case Opcode::Wrap:
      assert(I.Imm >= 1 && I.Imm <= 31 && "wrap width: not validated");
      R[I.Rd] = wrapBits(R[I.Ra], unsigned(I.Imm));
      break;
    case Opcode::Sat:
      assert(I.Imm >= 1 && I.Imm <= 32 && "sat width: not validated");
      R[I.Rd] = satBits(R[I.Ra], unsigned(I.Imm));
      break;
    case Opcode::Neg:
      R[I.Rd] = sat32(-int64_t(R[I.Ra]));
      break;
    case Opcode::Abs: {
      const int64_t A = R[I.Ra];
      R[I.Rd] = sat32(A < 0 ? -A : A);
      break;
    }
    case Opcode::Sgn:
      R[I.Rd] = (R[I.Ra] > 0) - (R[I.Ra] < 0);
      break;
    case Opcode::Min:
      R[I.Rd] = R[I.Ra] < R[I.Rb] ? R[I.Ra] : R[I.Rb];
      break;
    case Opcode::Max:
      R[I.Rd] = R[I.Ra] > R[I.Rb] ? R[I.Ra] : R[I.Rb];
      break;

    case Opcode::And:
      R[I.Rd] = R[I.Ra] & R[I.Rb];
      break;
    case Opcode::Or:
      R[I.Rd] = R[I.Ra] | R[I.Rb];
      break;
    case Opcode::Xor:
      R[I.Rd] = R[I.Ra] ^ R[I.Rb];
      break;

    case Opcode::Slt:
      R[I.Rd] = R[I.Ra] < R[I.Rb];
      break;
    case Opcode::Sle:
      R[I.Rd] = R[I.Ra] <= R[I.Rb];
      break;
    case Opcode::Seq:
      R[I.Rd] = R[I.Ra] == R[I.Rb];
      break;
    case Opcode::Sel:
      assert(I.Imm >= 0 && unsigned(I.Imm) < NumRegisters && "sel register: not validated");
      R[I.Rd] = R[I.Imm] != 0 ? R[I.Ra] : R[I.Rb];
      break;

    case Opcode::Rand: {
      assert(I.Imm >= 1 && I.Imm <= 31 && "rand width: not validated");
      const uint32_t Draw = randomDraw(Ctx.Seed, Ctx.Step, Ctx.Neuron, RandCounter++);
      R[I.Rd] = int32_t(Draw & ((uint32_t(1) << I.Imm) - 1));
      break;
    }
    case Opcode::Spike:
      Result.Spiked = true;
      Result.Payload = 1;
      break;
    case Opcode::Spikeg:
      Result.Spiked = true;
      Result.Payload = R[I.Ra];
      break;
    default:
      assert(false && "unknown opcode: program not validated");
      return Result;
    }
  }
  return Result;
}

} // namespace neuromesh::isa
