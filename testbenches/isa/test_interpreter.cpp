//===- test_interpreter.cpp - the microcode interpreter, opcode by opcode --===//
//
// Every opcode against values worked out by hand from the normative summary
// column of Opcodes.def and the brief's details (saturation, trunc0, floor,
// the Loihi wrap). Each opcode's test case carries the tag [op:<mnemonic>];
// the last test case fails if an opcode in the table has no tagged test.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/isa/Microcode.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace {

using neuromesh::isa::Instruction;
using neuromesh::isa::MaxStateWords;
using neuromesh::isa::NeuronContext;
using neuromesh::isa::Opcode;
using neuromesh::isa::UpdateResult;

constexpr int32_t Min32 = std::numeric_limits<int32_t>::min();
constexpr int32_t Max32 = std::numeric_limits<int32_t>::max();

Instruction ins(Opcode Op, uint8_t Rd = 0, uint8_t Ra = 0, uint8_t Rb = 0, int32_t Imm = 0) {
  Instruction I;
  I.Op = Op;
  I.Rd = Rd;
  I.Ra = Ra;
  I.Rb = Rb;
  I.Imm = Imm;
  return I;
}
Instruction movi(uint8_t Rd, int32_t V) { return ins(Opcode::Movi, Rd, 0, 0, V); }
Instruction sts(uint8_t Ra, int32_t Word) { return ins(Opcode::Sts, 0, Ra, 0, Word); }

/// One neuron update and everything it could change.
struct Run {
  std::vector<int32_t> State;
  UpdateResult Result;
};

/// Validates the program (a test must only run legal programs), then runs it.
Run run(const std::vector<Instruction> &Program, int32_t Input = 0,
        std::vector<int32_t> Params = {}, std::vector<int32_t> State = {}, uint64_t Seed = 0,
        uint64_t Step = 0, uint32_t Neuron = 0) {
  State.resize(MaxStateWords, 0);
  INFO("program invalid: " << neuromesh::isa::validateProgram(Program, unsigned(Params.size()),
                                                              MaxStateWords));
  REQUIRE(neuromesh::isa::validateProgram(Program, unsigned(Params.size()), MaxStateWords).empty());
  NeuronContext Ctx;
  Ctx.Params = Params.data();
  Ctx.State = State.data();
  Ctx.Input = Input;
  Ctx.Seed = Seed;
  Ctx.Step = Step;
  Ctx.Neuron = Neuron;
  Run R;
  R.Result = neuromesh::isa::interpret(Program, Ctx);
  R.State = State;
  return R;
}

/// rd = op(ra = A, rb = B, imm) through registers r1, r2 -> r3 -> state[0].
int32_t binop(Opcode Op, int32_t A, int32_t B, int32_t Imm = 0) {
  Run R = run({movi(1, A), movi(2, B), ins(Op, 3, 1, 2, Imm), sts(3, 0)});
  CHECK_FALSE(R.Result.Spiked);
  return R.State[0];
}
/// rd = op(ra = A, imm) through r1 -> r3 -> state[0].
int32_t unop(Opcode Op, int32_t A, int32_t Imm = 0) {
  Run R = run({movi(1, A), ins(Op, 3, 1, 0, Imm), sts(3, 0)});
  CHECK_FALSE(R.Result.Spiked);
  return R.State[0];
}

} // namespace

//===----------------------------------------------------------------------===//
// Control
//===----------------------------------------------------------------------===//

TEST_CASE("interpreter: nop does nothing", "[interpreter][op:nop]") {
  Run R = run({movi(1, 7), ins(Opcode::Nop), sts(1, 0)}, 0, {}, {99, 98});
  CHECK(R.State[0] == 7);
  CHECK(R.State[1] == 98);
  CHECK_FALSE(R.Result.Spiked);
  // A program of nops changes nothing and does not fire.
  Run E = run({ins(Opcode::Nop), ins(Opcode::Nop)}, 5, {}, {1, 2, 3});
  CHECK(E.State == std::vector<int32_t>{1, 2, 3, 0, 0, 0, 0, 0});
  CHECK_FALSE(E.Result.Spiked);
}

TEST_CASE("interpreter: the empty program and falling off the end", "[interpreter]") {
  Run E = run({}, 5, {}, {4});
  CHECK(E.State[0] == 4);
  CHECK_FALSE(E.Result.Spiked);
  CHECK(E.Result.Payload == 1);
  Run F = run({movi(1, 3), sts(1, 0)});
  CHECK(F.State[0] == 3);
}

TEST_CASE("interpreter: halt ends the update", "[interpreter][op:halt]") {
  Run R =
      run({movi(1, 1), sts(1, 0), ins(Opcode::Halt), movi(1, 2), sts(1, 0), ins(Opcode::Spike)});
  CHECK(R.State[0] == 1);
  CHECK_FALSE(R.Result.Spiked);
  // A spike before halt stands.
  Run S = run({ins(Opcode::Spike), ins(Opcode::Halt), movi(1, 2), sts(1, 0)});
  CHECK(S.Result.Spiked);
  CHECK(S.State[0] == 0);
}

TEST_CASE("interpreter: jmp", "[interpreter][op:jmp]") {
  // 0 movi r1,1; 1 jmp 3; 2 movi r1,2 (skipped); 3 sts r1,0
  Run R = run({movi(1, 1), ins(Opcode::Jmp, 0, 0, 0, 3), movi(1, 2), sts(1, 0)});
  CHECK(R.State[0] == 1);
  // To the next instruction: a no-op jump.
  Run N = run({movi(1, 4), ins(Opcode::Jmp, 0, 0, 0, 2), sts(1, 0)});
  CHECK(N.State[0] == 4);
  // To the end (target == length) ends the update.
  Run E = run({movi(1, 5), sts(1, 0), ins(Opcode::Jmp, 0, 0, 0, 5), movi(1, 9), sts(1, 0)});
  CHECK(E.State[0] == 5);
}

TEST_CASE("interpreter: brz", "[interpreter][op:brz]") {
  // Taken (r1 == 0): the spike is skipped.
  Run T = run({ins(Opcode::Brz, 0, 1, 0, 2), ins(Opcode::Spike), movi(2, 3), sts(2, 0)});
  CHECK_FALSE(T.Result.Spiked);
  CHECK(T.State[0] == 3);
  // Not taken (r1 == -1, and INT32_MIN: only zero branches).
  for (int32_t V : {-1, Min32, 1}) {
    Run N = run({movi(1, V), ins(Opcode::Brz, 0, 1, 0, 3), ins(Opcode::Spike), sts(1, 0)});
    CHECK(N.Result.Spiked);
    CHECK(N.State[0] == V);
  }
  // Taken to the end.
  Run E = run({movi(2, 6), sts(2, 1), ins(Opcode::Brz, 0, 1, 0, 5), sts(2, 0), ins(Opcode::Spike)});
  CHECK(E.State[0] == 0);
  CHECK(E.State[1] == 6);
  CHECK_FALSE(E.Result.Spiked);
}

TEST_CASE("interpreter: brnz", "[interpreter][op:brnz]") {
  // Not taken (r1 == 0).
  Run N = run({ins(Opcode::Brnz, 0, 1, 0, 2), ins(Opcode::Spike), movi(2, 3), sts(2, 0)});
  CHECK(N.Result.Spiked);
  CHECK(N.State[0] == 3);
  // Taken for any non-zero value.
  for (int32_t V : {-1, Min32, Max32, 1}) {
    Run T = run({movi(1, V), ins(Opcode::Brnz, 0, 1, 0, 3), ins(Opcode::Spike), sts(1, 0)});
    CHECK_FALSE(T.Result.Spiked);
    CHECK(T.State[0] == V);
  }
  // Taken to the end.
  Run E = run({movi(1, 1), ins(Opcode::Brnz, 0, 1, 0, 4), sts(1, 0), ins(Opcode::Spike)});
  CHECK(E.State[0] == 0);
  CHECK_FALSE(E.Result.Spiked);
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

TEST_CASE("interpreter: movi", "[interpreter][op:movi]") {
  for (int32_t V : {0, -1, 123456, Min32, Max32}) {
    Run R = run({movi(4, V), sts(4, 0)});
    CHECK(R.State[0] == V);
  }
}

TEST_CASE("interpreter: mov", "[interpreter][op:mov]") {
  Run R = run({movi(1, -77), ins(Opcode::Mov, 15, 1), sts(15, 0), sts(1, 1)});
  CHECK(R.State[0] == -77);
  CHECK(R.State[1] == -77);
}

TEST_CASE("interpreter: registers start at zero every update", "[interpreter]") {
  // r0 = r0 | r1 | ... | r15 must be 0, although the state holds a value.
  std::vector<Instruction> P;
  for (uint8_t R = 1; R < 16; ++R)
    P.push_back(ins(Opcode::Or, 0, 0, R));
  P.push_back(sts(0, 0));
  Run R = run(P, 0, {}, {12345});
  CHECK(R.State[0] == 0);
}

TEST_CASE("interpreter: ldin", "[interpreter][op:ldin]") {
  for (int32_t In : {0, -123456, Min32, Max32}) {
    Run R = run({ins(Opcode::Ldin, 9), sts(9, 3)}, In);
    CHECK(R.State[3] == In);
  }
}

TEST_CASE("interpreter: lds", "[interpreter][op:lds]") {
  Run R = run({ins(Opcode::Lds, 1, 0, 0, 2), ins(Opcode::Lds, 2, 0, 0, 7), sts(1, 0), sts(2, 1)}, 0,
              {}, {0, 0, 77, 0, 0, 0, 0, -5});
  CHECK(R.State == std::vector<int32_t>{77, -5, 77, 0, 0, 0, 0, -5});
}

TEST_CASE("interpreter: sts", "[interpreter][op:sts]") {
  // Writes exactly the named word; the others keep their values.
  Run R = run({movi(3, Min32), sts(3, 7), movi(3, 9), sts(3, 0)}, 0, {}, {1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(R.State == std::vector<int32_t>{9, 2, 3, 4, 5, 6, 7, Min32});
  // A later store to the same word wins.
  Run L = run({movi(1, 1), sts(1, 2), movi(1, 2), sts(1, 2)});
  CHECK(L.State[2] == 2);
}

TEST_CASE("interpreter: ldp", "[interpreter][op:ldp]") {
  Run R = run({ins(Opcode::Ldp, 1, 0, 0, 2), ins(Opcode::Ldp, 2, 0, 0, 0), sts(1, 0), sts(2, 1)}, 0,
              {10, 20, Min32});
  CHECK(R.State[0] == Min32);
  CHECK(R.State[1] == 10);
}

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

TEST_CASE("interpreter: add saturates", "[interpreter][op:add]") {
  CHECK(binop(Opcode::Add, 2, 3) == 5);
  CHECK(binop(Opcode::Add, -5, 3) == -2);
  CHECK(binop(Opcode::Add, Max32, 1) == Max32);
  CHECK(binop(Opcode::Add, Max32, Max32) == Max32);
  CHECK(binop(Opcode::Add, Min32, -1) == Min32);
  CHECK(binop(Opcode::Add, Min32, Min32) == Min32);
  CHECK(binop(Opcode::Add, Max32, Min32) == -1);
  CHECK(binop(Opcode::Add, Max32 - 1, 1) == Max32);
  // Same register as both operands and destination.
  Run R = run({movi(1, 21), ins(Opcode::Add, 1, 1, 1), sts(1, 0)});
  CHECK(R.State[0] == 42);
}

TEST_CASE("interpreter: sub saturates", "[interpreter][op:sub]") {
  CHECK(binop(Opcode::Sub, 5, 7) == -2);
  CHECK(binop(Opcode::Sub, Min32, 1) == Min32);
  CHECK(binop(Opcode::Sub, Max32, -1) == Max32);
  CHECK(binop(Opcode::Sub, 0, Min32) == Max32);  // 2^31 saturates
  CHECK(binop(Opcode::Sub, -1, Min32) == Max32); // 2^31 - 1 exactly
  CHECK(binop(Opcode::Sub, Min32, Max32) == Min32);
}

TEST_CASE("interpreter: addi saturates", "[interpreter][op:addi]") {
  CHECK(unop(Opcode::Addi, 10, -20) == -10);
  CHECK(unop(Opcode::Addi, Max32, 1) == Max32);
  CHECK(unop(Opcode::Addi, Min32, -1) == Min32);
  CHECK(unop(Opcode::Addi, Min32, Max32) == -1);
  CHECK(unop(Opcode::Addi, 0, Min32) == Min32);
}

TEST_CASE("interpreter: mul saturates", "[interpreter][op:mul]") {
  CHECK(binop(Opcode::Mul, 6, -7) == -42);
  CHECK(binop(Opcode::Mul, 46340, 46340) == 2147395600); // fits
  CHECK(binop(Opcode::Mul, 46341, 46341) == Max32);      // 2147488281 > 2^31 - 1
  CHECK(binop(Opcode::Mul, 65536, 65536) == Max32);      // 2^32
  CHECK(binop(Opcode::Mul, -65536, 65536) == Min32);     // -2^32
  CHECK(binop(Opcode::Mul, -65536, 32768) == Min32);     // -2^31 exactly
  CHECK(binop(Opcode::Mul, Min32, -1) == Max32);         // 2^31
  CHECK(binop(Opcode::Mul, Min32, 1) == Min32);
  CHECK(binop(Opcode::Mul, Max32, 0) == 0);
}

TEST_CASE("interpreter: mulsh rounds toward zero and saturates", "[interpreter][op:mulsh]") {
  CHECK(binop(Opcode::Mulsh, 100, 3, 2) == 75); // 300 / 4
  CHECK(binop(Opcode::Mulsh, 7, 3, 2) == 5);    // 21 / 4 = 5.25
  CHECK(binop(Opcode::Mulsh, -7, 3, 2) == -5);  // -5.25 -> -5 (floor would give -6)
  CHECK(binop(Opcode::Mulsh, 7, -3, 2) == -5);
  CHECK(binop(Opcode::Mulsh, -7, -3, 2) == 5);
  CHECK(binop(Opcode::Mulsh, -1, 1, 1) == 0);  // -0.5 -> 0 (floor would give -1)
  CHECK(binop(Opcode::Mulsh, -8, 1, 2) == -2); // exact
  // Loihi decay: 8191 * 4095 = 33542145 = 8189 * 4096 + 1.
  CHECK(binop(Opcode::Mulsh, 8191, 4095, 12) == 8189);
  CHECK(binop(Opcode::Mulsh, -8191, 4095, 12) == -8189); // floor would give -8190
  // Saturation of the shifted result.
  CHECK(binop(Opcode::Mulsh, Max32, Max32, 0) == Max32);
  CHECK(binop(Opcode::Mulsh, Min32, Max32, 0) == Min32);
  CHECK(binop(Opcode::Mulsh, Min32, -1, 0) == Max32);   // 2^31
  CHECK(binop(Opcode::Mulsh, Min32, -1, 1) == 1 << 30); // 2^31 / 2
  CHECK(binop(Opcode::Mulsh, Min32, 1, 0) == Min32);
  // The full 62-bit shift of the largest products.
  CHECK(binop(Opcode::Mulsh, Min32, Min32, 62) == 1);      // 2^62 / 2^62
  CHECK(binop(Opcode::Mulsh, Min32, Max32, 62) == 0);      // -(2^62 - 2^31) / 2^62 -> 0
  CHECK(binop(Opcode::Mulsh, Min32, Min32, 31) == Max32);  // 2^31 saturates
  CHECK(binop(Opcode::Mulsh, Min32, Max32, 31) == -Max32); // -(2^31 - 1)
}

TEST_CASE("interpreter: shl saturates", "[interpreter][op:shl]") {
  CHECK(unop(Opcode::Shl, 3, 4) == 48);
  CHECK(unop(Opcode::Shl, -3, 4) == -48);
  CHECK(unop(Opcode::Shl, 1, 30) == 1 << 30);
  CHECK(unop(Opcode::Shl, 1, 31) == Max32);  // 2^31
  CHECK(unop(Opcode::Shl, -1, 31) == Min32); // -2^31 exactly
  CHECK(unop(Opcode::Shl, -2, 31) == Min32); // -2^32
  CHECK(unop(Opcode::Shl, 0x40000000, 1) == Max32);
  CHECK(unop(Opcode::Shl, Min32, 0) == Min32);
  CHECK(unop(Opcode::Shl, Max32, 31) == Max32);
  CHECK(unop(Opcode::Shl, 0, 31) == 0);
}

TEST_CASE("interpreter: shr is arithmetic (floor)", "[interpreter][op:shr]") {
  CHECK(unop(Opcode::Shr, 48, 4) == 3);
  CHECK(unop(Opcode::Shr, 7, 1) == 3);
  CHECK(unop(Opcode::Shr, -7, 1) == -4); // floor(-3.5)
  CHECK(unop(Opcode::Shr, -1, 1) == -1); // floor(-0.5)
  CHECK(unop(Opcode::Shr, -1, 31) == -1);
  CHECK(unop(Opcode::Shr, Min32, 31) == -1);
  CHECK(unop(Opcode::Shr, Max32, 31) == 0);
  CHECK(unop(Opcode::Shr, Max32, 30) == 1);
  CHECK(unop(Opcode::Shr, Min32, 0) == Min32);
}

TEST_CASE("interpreter: wrap reduces into the range from -2^(k-1) exclusive to 2^(k-1)",
          "[interpreter][op:wrap]") {
  constexpr int32_t P23 = 1 << 23, P24 = 1 << 24;
  CHECK(unop(Opcode::Wrap, 0, 24) == 0);
  CHECK(unop(Opcode::Wrap, -1, 24) == -1);
  CHECK(unop(Opcode::Wrap, P23 - 1, 24) == P23 - 1);
  CHECK(unop(Opcode::Wrap, P23, 24) == P23);          // +2^23 stays
  CHECK(unop(Opcode::Wrap, -P23, 24) == P23);         // -2^23 becomes +2^23
  CHECK(unop(Opcode::Wrap, P23 + 1, 24) == -P23 + 1); // Lava: 2^23 + k -> k - 2^23
  CHECK(unop(Opcode::Wrap, -P23 + 1, 24) == -P23 + 1);
  CHECK(unop(Opcode::Wrap, -P23 - 1, 24) == P23 - 1);
  CHECK(unop(Opcode::Wrap, P24, 24) == 0);
  CHECK(unop(Opcode::Wrap, P24 + 5, 24) == 5);
  CHECK(unop(Opcode::Wrap, -P24 - 5, 24) == -5);
  CHECK(unop(Opcode::Wrap, 3 * P23, 24) == P23); // two periods down: residue 2^23
  CHECK(unop(Opcode::Wrap, 3 * P23 + 1, 24) == -P23 + 1);
  CHECK(unop(Opcode::Wrap, Max32, 24) == -1); // 2^31 - 1 = 128 * 2^24 - 1
  CHECK(unop(Opcode::Wrap, Min32, 24) == 0);  // -2^31 = -128 * 2^24
  // The extreme widths.
  CHECK(unop(Opcode::Wrap, 5, 1) == 1); // range (-1, 1]: odd -> 1
  CHECK(unop(Opcode::Wrap, 4, 1) == 0);
  CHECK(unop(Opcode::Wrap, -1, 1) == 1);
  CHECK(unop(Opcode::Wrap, Max32, 31) == -1);
  CHECK(unop(Opcode::Wrap, Min32, 31) == 0);
  CHECK(unop(Opcode::Wrap, 1 << 30, 31) == 1 << 30);
  CHECK(unop(Opcode::Wrap, -(1 << 30), 31) == 1 << 30);
  CHECK(unop(Opcode::Wrap, (1 << 30) + 1, 31) == -(1 << 30) + 1);
}

TEST_CASE("interpreter: sat clamps symmetrically", "[interpreter][op:sat]") {
  constexpr int32_t P23 = 1 << 23;
  CHECK(unop(Opcode::Sat, 100, 24) == 100);
  CHECK(unop(Opcode::Sat, P23 - 1, 24) == P23 - 1);
  CHECK(unop(Opcode::Sat, P23, 24) == P23 - 1);
  CHECK(unop(Opcode::Sat, -P23, 24) == -(P23 - 1)); // symmetric: not -2^23
  CHECK(unop(Opcode::Sat, -P23 + 1, 24) == -P23 + 1);
  CHECK(unop(Opcode::Sat, Max32, 24) == P23 - 1);
  CHECK(unop(Opcode::Sat, Min32, 24) == -(P23 - 1));
  CHECK(unop(Opcode::Sat, 600000, 20) == 524287);
  CHECK(unop(Opcode::Sat, -600000, 20) == -524287);
  CHECK(unop(Opcode::Sat, Min32, 32) == -Max32);
  CHECK(unop(Opcode::Sat, Max32, 32) == Max32);
  CHECK(unop(Opcode::Sat, 5, 1) == 0); // [-0, 0]
  CHECK(unop(Opcode::Sat, -5, 1) == 0);
  CHECK(unop(Opcode::Sat, 5, 2) == 1); // [-1, 1]
  CHECK(unop(Opcode::Sat, -5, 2) == -1);
}

TEST_CASE("interpreter: neg saturates", "[interpreter][op:neg]") {
  CHECK(unop(Opcode::Neg, 5) == -5);
  CHECK(unop(Opcode::Neg, -5) == 5);
  CHECK(unop(Opcode::Neg, 0) == 0);
  CHECK(unop(Opcode::Neg, Min32) == Max32);
  CHECK(unop(Opcode::Neg, Max32) == -Max32);
}

TEST_CASE("interpreter: abs saturates", "[interpreter][op:abs]") {
  CHECK(unop(Opcode::Abs, -5) == 5);
  CHECK(unop(Opcode::Abs, 5) == 5);
  CHECK(unop(Opcode::Abs, 0) == 0);
  CHECK(unop(Opcode::Abs, Min32) == Max32);
  CHECK(unop(Opcode::Abs, Max32) == Max32);
  CHECK(unop(Opcode::Abs, -Max32) == Max32);
}

TEST_CASE("interpreter: sgn", "[interpreter][op:sgn]") {
  CHECK(unop(Opcode::Sgn, -100) == -1);
  CHECK(unop(Opcode::Sgn, 0) == 0);
  CHECK(unop(Opcode::Sgn, 7) == 1);
  CHECK(unop(Opcode::Sgn, Min32) == -1);
  CHECK(unop(Opcode::Sgn, Max32) == 1);
}

TEST_CASE("interpreter: min", "[interpreter][op:min]") {
  CHECK(binop(Opcode::Min, -3, 2) == -3);
  CHECK(binop(Opcode::Min, 2, -3) == -3);
  CHECK(binop(Opcode::Min, Min32, Max32) == Min32);
  CHECK(binop(Opcode::Min, 4, 4) == 4);
}

TEST_CASE("interpreter: max", "[interpreter][op:max]") {
  CHECK(binop(Opcode::Max, -3, 2) == 2);
  CHECK(binop(Opcode::Max, 2, -3) == 2);
  CHECK(binop(Opcode::Max, Min32, Max32) == Max32);
  CHECK(binop(Opcode::Max, -4, -4) == -4);
}

//===----------------------------------------------------------------------===//
// Bitwise
//===----------------------------------------------------------------------===//

TEST_CASE("interpreter: and", "[interpreter][op:and]") {
  CHECK(binop(Opcode::And, 0b1100, 0b1010) == 0b1000);
  CHECK(binop(Opcode::And, -1, 0x0f0f) == 0x0f0f);
  CHECK(binop(Opcode::And, Min32, -1) == Min32);
  CHECK(binop(Opcode::And, -256, 0xff) == 0); // 0xffffff00 & 0xff
}

TEST_CASE("interpreter: or", "[interpreter][op:or]") {
  CHECK(binop(Opcode::Or, 0b1100, 0b1010) == 0b1110);
  CHECK(binop(Opcode::Or, Min32, Max32) == -1);
  CHECK(binop(Opcode::Or, 0, 0) == 0);
}

TEST_CASE("interpreter: xor", "[interpreter][op:xor]") {
  CHECK(binop(Opcode::Xor, 0b1100, 0b1010) == 0b0110);
  CHECK(binop(Opcode::Xor, Min32, -1) == Max32);
  CHECK(binop(Opcode::Xor, 12345, 12345) == 0);
}

//===----------------------------------------------------------------------===//
// Compare and select
//===----------------------------------------------------------------------===//

TEST_CASE("interpreter: slt", "[interpreter][op:slt]") {
  CHECK(binop(Opcode::Slt, -1, 0) == 1);
  CHECK(binop(Opcode::Slt, 0, -1) == 0);
  CHECK(binop(Opcode::Slt, 3, 3) == 0);
  CHECK(binop(Opcode::Slt, Min32, Max32) == 1); // signed compare
  CHECK(binop(Opcode::Slt, Max32, Min32) == 0);
}

TEST_CASE("interpreter: sle", "[interpreter][op:sle]") {
  CHECK(binop(Opcode::Sle, 3, 3) == 1);
  CHECK(binop(Opcode::Sle, 4, 3) == 0);
  CHECK(binop(Opcode::Sle, -1, 0) == 1);
  CHECK(binop(Opcode::Sle, Min32, Min32) == 1);
  CHECK(binop(Opcode::Sle, 0, Min32) == 0);
}

TEST_CASE("interpreter: seq", "[interpreter][op:seq]") {
  CHECK(binop(Opcode::Seq, 3, 3) == 1);
  CHECK(binop(Opcode::Seq, 3, -3) == 0);
  CHECK(binop(Opcode::Seq, Min32, Min32) == 1);
}

TEST_CASE("interpreter: sel", "[interpreter][op:sel]") {
  // key r5 == 0 selects rb, any non-zero key selects ra.
  for (int32_t Key : {0, -7, 1, Min32}) {
    Run R = run({movi(1, 11), movi(2, 22), movi(5, Key), ins(Opcode::Sel, 3, 1, 2, 5), sts(3, 0)});
    CHECK(R.State[0] == (Key != 0 ? 11 : 22));
  }
  // The key may be the destination itself: it is read before the write.
  Run D = run({movi(1, 1), movi(2, 5), movi(3, 6), ins(Opcode::Sel, 1, 2, 3, 1), sts(1, 0)});
  CHECK(D.State[0] == 5);
  // Key r0 (never written) is 0: selects rb.
  Run Z = run({movi(2, 5), movi(3, 6), ins(Opcode::Sel, 4, 2, 3, 0), sts(4, 0)});
  CHECK(Z.State[0] == 6);
}

//===----------------------------------------------------------------------===//
// Randomness and output
//===----------------------------------------------------------------------===//

TEST_CASE("interpreter: rand draws isa::randomDraw keyed by seed step neuron and counter",
          "[interpreter][op:rand]") {
  const uint64_t Seed = 0xfeedbeef12345ULL, Step = 1234;
  const uint32_t Neuron = 77;
  std::vector<Instruction> P = {ins(Opcode::Rand, 1, 0, 0, 8),
                                ins(Opcode::Rand, 2, 0, 0, 31),
                                ins(Opcode::Rand, 3, 0, 0, 1),
                                ins(Opcode::Rand, 4, 0, 0, 31),
                                sts(1, 0),
                                sts(2, 1),
                                sts(3, 2),
                                sts(4, 3)};
  Run R = run(P, 0, {}, {}, Seed, Step, Neuron);
  using neuromesh::isa::randomDraw;
  CHECK(uint32_t(R.State[0]) == (randomDraw(Seed, Step, Neuron, 0) & 0xffu));
  CHECK(uint32_t(R.State[1]) == (randomDraw(Seed, Step, Neuron, 1) & 0x7fffffffu));
  CHECK(uint32_t(R.State[2]) == (randomDraw(Seed, Step, Neuron, 2) & 1u));
  CHECK(uint32_t(R.State[3]) == (randomDraw(Seed, Step, Neuron, 3) & 0x7fffffffu));
  CHECK(R.State[1] != R.State[3]); // counters 1 and 3 differ
  CHECK(R.State[0] >= 0);
  CHECK(R.State[0] < 256);
  // The counter restarts every update: the same key gives the same draws.
  Run Again = run(P, 0, {}, {}, Seed, Step, Neuron);
  CHECK(Again.State == R.State);
  // Another step, neuron or seed gives other draws.
  CHECK(run(P, 0, {}, {}, Seed, Step + 1, Neuron).State[1] != R.State[1]);
  CHECK(run(P, 0, {}, {}, Seed, Step, Neuron + 1).State[1] != R.State[1]);
  CHECK(run(P, 0, {}, {}, Seed + 1, Step, Neuron).State[1] != R.State[1]);
  // Only executed draws count: a skipped rand does not advance the counter.
  Run Skip = run({ins(Opcode::Jmp, 0, 0, 0, 2), ins(Opcode::Rand, 1, 0, 0, 31),
                  ins(Opcode::Rand, 2, 0, 0, 31), sts(2, 0)},
                 0, {}, {}, Seed, Step, Neuron);
  CHECK(uint32_t(Skip.State[0]) == (randomDraw(Seed, Step, Neuron, 0) & 0x7fffffffu));
}

TEST_CASE("interpreter: rand 8 is uniform enough", "[interpreter][op:rand]") {
  // 25,600 draws into 256 bins: each bin expects 100 (sd 10); 50..150 is a
  // 5-sigma band, so a correct generator never fails it.
  std::vector<int> Bins(256, 0);
  std::vector<Instruction> P = {ins(Opcode::Rand, 1, 0, 0, 8), sts(1, 0)};
  for (uint32_t N = 0; N < 25600; ++N) {
    Run R = run(P, 0, {}, {}, 42, N / 100, N % 100);
    REQUIRE(R.State[0] >= 0);
    REQUIRE(R.State[0] < 256);
    ++Bins[size_t(R.State[0])];
  }
  for (int B : Bins) {
    CHECK(B > 50);
    CHECK(B < 150);
  }
}

TEST_CASE("interpreter: spike", "[interpreter][op:spike]") {
  Run R = run({ins(Opcode::Spike)});
  CHECK(R.Result.Spiked);
  CHECK(R.Result.Payload == 1);
  Run Twice = run({ins(Opcode::Spike), ins(Opcode::Spike)});
  CHECK(Twice.Result.Spiked);
  CHECK(Twice.Result.Payload == 1);
  Run None = run({movi(1, 1), sts(1, 0)});
  CHECK_FALSE(None.Result.Spiked);
}

TEST_CASE("interpreter: spikeg carries a payload and the last spike wins",
          "[interpreter][op:spikeg]") {
  Run G = run({movi(1, -42), ins(Opcode::Spikeg, 0, 1)});
  CHECK(G.Result.Spiked);
  CHECK(G.Result.Payload == -42);
  Run Zero = run({ins(Opcode::Spikeg, 0, 1)}); // payload 0 still fires
  CHECK(Zero.Result.Spiked);
  CHECK(Zero.Result.Payload == 0);
  Run GThenS = run({movi(1, 7), ins(Opcode::Spikeg, 0, 1), ins(Opcode::Spike)});
  CHECK(GThenS.Result.Spiked);
  CHECK(GThenS.Result.Payload == 1);
  Run SThenG = run({movi(1, Max32), ins(Opcode::Spike), ins(Opcode::Spikeg, 0, 1)});
  CHECK(SThenG.Result.Spiked);
  CHECK(SThenG.Result.Payload == Max32);
  Run GThenG =
      run({movi(1, 3), ins(Opcode::Spikeg, 0, 1), movi(1, Min32), ins(Opcode::Spikeg, 0, 1)});
  CHECK(GThenG.Result.Payload == Min32);
}

TEST_CASE("interpreter: a full-length program runs to its end", "[interpreter]") {
  // 254 increments of r1, then sts: exercises MaxProgramLength.
  std::vector<Instruction> P(neuromesh::isa::MaxProgramLength - 1, ins(Opcode::Addi, 1, 1, 0, 3));
  P.push_back(sts(1, 0));
  Run R = run(P);
  CHECK(R.State[0] == 3 * 254);
}

TEST_CASE("interpreter: every opcode in the table has a tagged test case", "[interpreter]") {
  std::set<std::string> Tags;
  for (const Catch::TestCase &T : Catch::getRegistryHub().getTestCaseRegistry().getAllTests())
    for (const std::string &Tag : T.lcaseTags)
      Tags.insert(Tag);
  for (const neuromesh::isa::OpcodeInfo &Info : neuromesh::isa::opcodeTable()) {
    INFO("opcode " << Info.Mnemonic << " has no TEST_CASE tagged [op:" << Info.Mnemonic
                   << "] in test_interpreter.cpp");
    CHECK(Tags.count(std::string("op:") + Info.Mnemonic) == 1);
  }
}
