//===- NeuronJit.cpp - neuron microcode compiled with LLVM ORC ------------===//
//
// Generates LLVM IR for a run of neurons of one program and compiles it with
// LLJIT. The IR keeps the 16 registers, the state words the program uses,
// the spike flag, the payload and the rand counter in allocas, one basic
// block per instruction; SROA, InstCombine and SimplifyCFG turn that into
// SSA form and straight-line code, so the generator can stay a direct
// transcription of the interpreter.
//
// The loop over a run's neurons is then vectorised by LLVM's loop
// vectoriser, several neurons per SIMD instruction: every memory access of
// an update is unconditional (state words loaded at its start and all
// stored back at its end, the ring entry read and cleared, a spike flag
// and a payload written for every neuron, counts kept as sums), so the
// program's branches become selects across lanes. Integer lanes compute
// exactly what one neuron at a time does, so results are unchanged.
//
// Each opcode's IR is an emitOp<> specialisation; the dispatch switch is
// generated from Opcodes.def, and an opcode added to the table without an
// emitter fails to compile (the primary template's static_assert), so the
// table stays the single source of truth.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/NeuronJit.h"

#include "neuromesh/isa/Error.h"

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar/EarlyCSE.h>
#include <llvm/Transforms/Scalar/SROA.h>
#include <llvm/Transforms/Scalar/SimplifyCFG.h>
#include <llvm/Transforms/Utils/LCSSA.h>
#include <llvm/Transforms/Utils/LoopSimplify.h>
#include <llvm/Transforms/Vectorize/LoopVectorize.h>

#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <unordered_map>

namespace neuromesh::emulator {

namespace {

using isa::Instruction;
using isa::Opcode;
using llvm::BasicBlock;
using llvm::Value;

/// What the per-opcode emitters work with while one program is generated.
struct Emitter {
  llvm::IRBuilder<> &B;
  llvm::Type *I32;
  llvm::Type *I64;
  Value *Regs[isa::NumRegisters]; ///< allocas
  Value *Spiked;                  ///< alloca i1
  Value *Payload;                 ///< alloca i32
  Value *RandCounter;             ///< alloca i64
  Value *Input;                   ///< this neuron's dendritic input, i32
  /// The state words the program reads or writes, as allocas (null for
  /// the others): loaded when the update starts and all stored back when
  /// it ends, so the program's own blocks touch no memory and the loop
  /// vectoriser can if-convert them (see emitRunFunction).
  std::vector<Value *> StateWords;
  Value *Params;                  ///< the profile's parameters, i32*
  /// Params[i] for every i the program reads, loaded once per call in the
  /// entry block: they are the same for every neuron of the run.
  std::vector<Value *> ParamValues;
  Value *Seed, *Step;             ///< i64
  Value *Neuron;                  ///< index within the core, i64
  /// Blocks[pc] holds instruction pc; Blocks[length] ends the update.
  std::vector<BasicBlock *> Blocks;
  size_t Pc = 0;

  Value *reg(unsigned R) { return B.CreateLoad(I32, Regs[R]); }
  void set(unsigned R, Value *V) { B.CreateStore(V, Regs[R]); }
  Value *i32(int64_t V) { return llvm::ConstantInt::get(I32, uint64_t(V), true); }
  Value *i64(int64_t V) { return llvm::ConstantInt::get(I64, uint64_t(V), true); }
  Value *sext(Value *V) { return B.CreateSExt(V, I64); }
  /// Clamps a signed i64 to int32's range (the interpreter's sat32).
  Value *sat32(Value *X) {
    X = B.CreateBinaryIntrinsic(llvm::Intrinsic::smin, X, i64(std::numeric_limits<int32_t>::max()));
    X = B.CreateBinaryIntrinsic(llvm::Intrinsic::smax, X, i64(std::numeric_limits<int32_t>::min()));
    return B.CreateTrunc(X, I32);
  }
  Value *flag(Value *Bit) { return B.CreateZExt(Bit, I32); }
  BasicBlock *target(const Instruction &I) {
    assert(size_t(I.Imm) > Pc && size_t(I.Imm) < Blocks.size() &&
           "branch target not forward: program not validated");
    return Blocks[size_t(I.Imm)];
  }
  BasicBlock *next() { return Blocks[Pc + 1]; }

  /// isa::randomDraw(Seed, Step, Neuron, Counter), inlined: a call cost a
  /// quarter of a TrueNorth neuron update (12.2 -> 9.2 ns measured), and
  /// inline, the draws of one update overlap and constant parts fold. Same
  /// arithmetic as isa::randomDraw (isa/SplitMix64.h's finaliser, Steele,
  /// Lea and Flood, OOPSLA 2014); test_jit checks every draw against the
  /// interpreter, which calls the real function.
  Value *randomDraw(Value *Counter) {
    auto Mix = [&](Value *Z) {
      Z = B.CreateMul(B.CreateXor(Z, B.CreateLShr(Z, 30)), i64(int64_t(0xbf58476d1ce4e5b9ULL)));
      Z = B.CreateMul(B.CreateXor(Z, B.CreateLShr(Z, 27)), i64(int64_t(0x94d049bb133111ebULL)));
      return B.CreateXor(Z, B.CreateLShr(Z, 31));
    };
    Value *H = Mix(B.CreateAdd(Counter, i64(int64_t(0x9e3779b97f4a7c15ULL))));
    H = Mix(B.CreateXor(Neuron, H));
    H = Mix(B.CreateXor(Step, H));
    H = Mix(B.CreateXor(Seed, H));
    return B.CreateTrunc(B.CreateLShr(H, 32), I32);
  }
};

template <Opcode Op> void emitOp(Emitter &, const Instruction &) {
  static_assert(Op != Op, "an opcode of Opcodes.def has no JIT emitter");
}

#define NM_EMIT(Enum)                                                                              \
  template <> [[maybe_unused]] void emitOp<Opcode::Enum>(Emitter & E, const Instruction &I)

// Control. A block left without a terminator falls through to the next.
NM_EMIT(Nop) { (void)E, (void)I; }
NM_EMIT(Halt) {
  (void)I;
  E.B.CreateBr(E.Blocks.back());
}
NM_EMIT(Jmp) { E.B.CreateBr(E.target(I)); }
NM_EMIT(Brz) { E.B.CreateCondBr(E.B.CreateICmpEQ(E.reg(I.Ra), E.i32(0)), E.target(I), E.next()); }
NM_EMIT(Brnz) { E.B.CreateCondBr(E.B.CreateICmpNE(E.reg(I.Ra), E.i32(0)), E.target(I), E.next()); }

// Data movement.
NM_EMIT(Movi) { E.set(I.Rd, E.i32(I.Imm)); }
NM_EMIT(Mov) { E.set(I.Rd, E.reg(I.Ra)); }
NM_EMIT(Ldin) { E.set(I.Rd, E.Input); }
NM_EMIT(Lds) { E.set(I.Rd, E.B.CreateLoad(E.I32, E.StateWords[size_t(I.Imm)])); }
NM_EMIT(Sts) { E.B.CreateStore(E.reg(I.Ra), E.StateWords[size_t(I.Imm)]); }
NM_EMIT(Ldp) {
  assert(size_t(I.Imm) < E.ParamValues.size() && E.ParamValues[size_t(I.Imm)] &&
         "parameter loaded in the entry block");
  E.set(I.Rd, E.ParamValues[size_t(I.Imm)]);
}

// Arithmetic: saturating ops are computed in i64 (or with the saturating
// intrinsics) exactly as the interpreter's sat32(int64) does.
NM_EMIT(Add) {
  E.set(I.Rd, E.B.CreateBinaryIntrinsic(llvm::Intrinsic::sadd_sat, E.reg(I.Ra), E.reg(I.Rb)));
}
NM_EMIT(Sub) {
  E.set(I.Rd, E.B.CreateBinaryIntrinsic(llvm::Intrinsic::ssub_sat, E.reg(I.Ra), E.reg(I.Rb)));
}
NM_EMIT(Addi) {
  E.set(I.Rd, E.B.CreateBinaryIntrinsic(llvm::Intrinsic::sadd_sat, E.reg(I.Ra), E.i32(I.Imm)));
}
NM_EMIT(Mul) { E.set(I.Rd, E.sat32(E.B.CreateMul(E.sext(E.reg(I.Ra)), E.sext(E.reg(I.Rb))))); }
NM_EMIT(Mulsh) {
  // trunc0(P / 2^imm): P >= 0 ? P >> imm : -((-P) >> imm); |P| <= 2^62.
  Value *P = E.B.CreateMul(E.sext(E.reg(I.Ra)), E.sext(E.reg(I.Rb)));
  Value *Sh = E.i64(I.Imm);
  Value *Pos = E.B.CreateAShr(P, Sh);
  Value *Neg = E.B.CreateNeg(E.B.CreateAShr(E.B.CreateNeg(P), Sh));
  Value *Q = E.B.CreateSelect(E.B.CreateICmpSGE(P, E.i64(0)), Pos, Neg);
  E.set(I.Rd, E.sat32(Q));
}
NM_EMIT(Shl) {
  // ra * 2^imm fits in i64 for imm <= 31.
  E.set(I.Rd, E.sat32(E.B.CreateMul(E.sext(E.reg(I.Ra)), E.i64(int64_t(1) << I.Imm))));
}
NM_EMIT(Shr) { E.set(I.Rd, E.B.CreateAShr(E.reg(I.Ra), E.i32(I.Imm))); }
NM_EMIT(Wrap) {
  // Residue R = ra mod 2^imm; R > 2^(imm-1) maps to R - 2^imm. In i32 the
  // subtraction wraps to the same two's-complement value as the
  // interpreter's int64 one, since the result fits.
  const uint32_t Modulus = uint32_t(1) << I.Imm;
  Value *R = E.B.CreateAnd(E.reg(I.Ra), E.i32(int32_t(Modulus - 1)));
  Value *Low = E.B.CreateSub(R, E.i32(int32_t(Modulus)));
  E.set(I.Rd, E.B.CreateSelect(E.B.CreateICmpUGT(R, E.i32(int32_t(Modulus >> 1))), Low, R));
}
NM_EMIT(Sat) {
  const int64_t Lim = (int64_t(1) << (I.Imm - 1)) - 1;
  Value *X = E.B.CreateBinaryIntrinsic(llvm::Intrinsic::smin, E.reg(I.Ra), E.i32(Lim));
  E.set(I.Rd, E.B.CreateBinaryIntrinsic(llvm::Intrinsic::smax, X, E.i32(-Lim)));
}
NM_EMIT(Neg) {
  // 0 - INT32_MIN saturates to INT32_MAX, as sat32(-int64(ra)).
  E.set(I.Rd, E.B.CreateBinaryIntrinsic(llvm::Intrinsic::ssub_sat, E.i32(0), E.reg(I.Ra)));
}
NM_EMIT(Abs) {
  Value *A = E.reg(I.Ra);
  Value *NegA = E.B.CreateBinaryIntrinsic(llvm::Intrinsic::ssub_sat, E.i32(0), A);
  E.set(I.Rd, E.B.CreateSelect(E.B.CreateICmpSLT(A, E.i32(0)), NegA, A));
}
NM_EMIT(Sgn) {
  Value *A = E.reg(I.Ra);
  E.set(I.Rd, E.B.CreateSub(E.flag(E.B.CreateICmpSGT(A, E.i32(0))),
                            E.flag(E.B.CreateICmpSLT(A, E.i32(0)))));
}
NM_EMIT(Min) {
  E.set(I.Rd, E.B.CreateBinaryIntrinsic(llvm::Intrinsic::smin, E.reg(I.Ra), E.reg(I.Rb)));
}
NM_EMIT(Max) {
  E.set(I.Rd, E.B.CreateBinaryIntrinsic(llvm::Intrinsic::smax, E.reg(I.Ra), E.reg(I.Rb)));
}

// Bitwise.
NM_EMIT(And) { E.set(I.Rd, E.B.CreateAnd(E.reg(I.Ra), E.reg(I.Rb))); }
NM_EMIT(Or) { E.set(I.Rd, E.B.CreateOr(E.reg(I.Ra), E.reg(I.Rb))); }
NM_EMIT(Xor) { E.set(I.Rd, E.B.CreateXor(E.reg(I.Ra), E.reg(I.Rb))); }

// Compare and select.
NM_EMIT(Slt) { E.set(I.Rd, E.flag(E.B.CreateICmpSLT(E.reg(I.Ra), E.reg(I.Rb)))); }
NM_EMIT(Sle) { E.set(I.Rd, E.flag(E.B.CreateICmpSLE(E.reg(I.Ra), E.reg(I.Rb)))); }
NM_EMIT(Seq) { E.set(I.Rd, E.flag(E.B.CreateICmpEQ(E.reg(I.Ra), E.reg(I.Rb)))); }
NM_EMIT(Sel) {
  Value *C = E.B.CreateICmpNE(E.reg(unsigned(I.Imm)), E.i32(0));
  E.set(I.Rd, E.B.CreateSelect(C, E.reg(I.Ra), E.reg(I.Rb)));
}

// Randomness and output.
NM_EMIT(Rand) {
  // isa::randomDraw keyed (seed, step, neuron, draws so far in this
  // update), as in the interpreter.
  Value *Counter = E.B.CreateLoad(E.I64, E.RandCounter);
  E.B.CreateStore(E.B.CreateAdd(Counter, E.i64(1)), E.RandCounter);
  Value *Draw = E.randomDraw(Counter);
  E.set(I.Rd, E.B.CreateAnd(Draw, E.i32(int32_t((uint32_t(1) << I.Imm) - 1))));
}
NM_EMIT(Spike) {
  (void)I;
  E.B.CreateStore(E.B.getTrue(), E.Spiked);
  E.B.CreateStore(E.i32(1), E.Payload);
}
NM_EMIT(Spikeg) {
  E.B.CreateStore(E.B.getTrue(), E.Spiked);
  E.B.CreateStore(E.reg(I.Ra), E.Payload);
}

#undef NM_EMIT

void emitInstruction(Emitter &E, const Instruction &I) {
  switch (I.Op) {
#define NM_OPCODE(Enum, Mnemonic, Code, Operands, Imm, Summary)                                    \
  case Opcode::Enum:                                                                               \
    emitOp<Opcode::Enum>(E, I);                                                                    \
    return;
#include "neuromesh/isa/Opcodes.def"
  }
  assert(false && "unknown opcode: program not validated");
}

/// Emits `Name`, a NeuronRunFn for Program with NumStateWords words per
/// neuron (see NeuronJit.h for the contract), into M.
void emitRunFunction(llvm::Module &M, const std::string &Name,
                     const std::vector<Instruction> &Program, unsigned NumStateWords) {
  llvm::LLVMContext &Ctx = M.getContext();
  llvm::IRBuilder<> B(Ctx);
  llvm::Type *I1 = B.getInt1Ty(), *I32 = B.getInt32Ty(), *I64 = B.getInt64Ty();
  llvm::Type *I32Ptr = llvm::PointerType::getUnqual(I32);
  llvm::Type *I64Ptr = llvm::PointerType::getUnqual(I64);
  llvm::Type *I8Ptr = llvm::PointerType::getUnqual(B.getInt8Ty());
  auto *FnTy = llvm::FunctionType::get(
      I32, {I32Ptr, I32Ptr, I32Ptr, I8Ptr, I32Ptr, I64, I64, I32, I32, I64Ptr}, false);
  auto *F = llvm::Function::Create(FnTy, llvm::Function::ExternalLinkage, Name, M);
  F->addFnAttr(llvm::Attribute::NoUnwind);
  // Params, state, ring slot, spike flags, payloads and counts never
  // overlap.
  for (unsigned A : {0u, 1u, 2u, 3u, 4u, 9u})
    F->addParamAttr(A, llvm::Attribute::NoAlias);
  auto Arg = [&](unsigned I) { return F->getArg(I); };
  Value *Params = Arg(0), *State = Arg(1), *Slot = Arg(2), *SpikedOut = Arg(3);
  Value *PayloadOut = Arg(4), *Seed = Arg(5), *Step = Arg(6), *First = Arg(7), *Count = Arg(8);
  Value *Counts = Arg(9);

  BasicBlock *Entry = BasicBlock::Create(Ctx, "entry", F);
  BasicBlock *Head = BasicBlock::Create(Ctx, "neuron", F);
  B.SetInsertPoint(Entry);
  Emitter E{B,  I32,    I64, {},   nullptr, nullptr, nullptr, nullptr,
            {}, Params, {},  Seed, Step,    nullptr, {},      0};
  E.StateWords.assign(NumStateWords, nullptr);
  for (const Instruction &In : Program)
    if ((In.Op == Opcode::Lds || In.Op == Opcode::Sts) && !E.StateWords[size_t(In.Imm)])
      E.StateWords[size_t(In.Imm)] = B.CreateAlloca(I32);
  for (unsigned R = 0; R < isa::NumRegisters; ++R)
    E.Regs[R] = B.CreateAlloca(I32);
  // Parameters do not change within a run, so each one the program reads is
  // loaded once here rather than per neuron (the short pass list has no
  // LICM, and loads under branches could not be hoisted by it anyway). Every
  // index is below the profile's parameter count: images are validated
  // with validateProgram against it, so loading an Ldp that a neuron never
  // reaches is still in bounds.
  for (const Instruction &In : Program)
    if (In.Op == Opcode::Ldp) {
      const size_t K = size_t(In.Imm);
      if (E.ParamValues.size() <= K)
        E.ParamValues.resize(K + 1, nullptr);
      if (!E.ParamValues[K])
        E.ParamValues[K] =
            B.CreateLoad(I32, B.CreateConstInBoundsGEP1_32(I32, Params, unsigned(K)));
    }
  E.Spiked = B.CreateAlloca(I1);
  E.Payload = B.CreateAlloca(I32);
  E.RandCounter = B.CreateAlloca(I64);
  Value *Index = B.CreateAlloca(I64), *NumFired = B.CreateAlloca(I32);
  Value *Reads = B.CreateAlloca(I64), *Active = B.CreateAlloca(I64);
  for (Value *V : {Index, Reads, Active})
    B.CreateStore(E.i64(0), V);
  B.CreateStore(E.i32(0), NumFired);
  BasicBlock *Exit = BasicBlock::Create(Ctx, "exit", F);
  Value *N = B.CreateZExt(Count, I64);
  B.CreateCondBr(B.CreateICmpEQ(N, E.i64(0)), Exit, Head);

  // Per neuron: locate its words, take and clear its input, reset the
  // registers (they start at zero, as in the interpreter).
  B.SetInsertPoint(Head);
  Value *I = B.CreateLoad(I64, Index);
  Value *NeuronState = B.CreateInBoundsGEP(I32, State, B.CreateMul(I, E.i64(NumStateWords)));
  auto StateWord = [&](unsigned W) { return B.CreateConstInBoundsGEP1_32(I32, NeuronState, W); };
  for (unsigned W = 0; W < NumStateWords; ++W)
    if (E.StateWords[W])
      B.CreateStore(B.CreateLoad(I32, StateWord(W)), E.StateWords[W]);
  Value *SlotEntry = B.CreateInBoundsGEP(I32, Slot, I);
  E.Input = B.CreateLoad(I32, SlotEntry);
  B.CreateStore(E.i32(0), SlotEntry);
  Value *Neuron32 = B.CreateAdd(First, B.CreateTrunc(I, I32));
  E.Neuron = B.CreateZExt(Neuron32, I64);
  for (Value *R : E.Regs)
    B.CreateStore(E.i32(0), R);
  B.CreateStore(B.getFalse(), E.Spiked);
  B.CreateStore(E.i32(1), E.Payload);
  B.CreateStore(E.i64(0), E.RandCounter);

  for (size_t Pc = 0; Pc <= Program.size(); ++Pc)
    E.Blocks.push_back(BasicBlock::Create(Ctx, "", F));
  B.CreateBr(E.Blocks[0]);
  for (size_t Pc = 0; Pc < Program.size(); ++Pc) {
    E.Pc = Pc;
    B.SetInsertPoint(E.Blocks[Pc]);
    emitInstruction(E, Program[Pc]);
    if (!B.GetInsertBlock()->getTerminator())
      B.CreateBr(E.Blocks[Pc + 1]);
  }

  // The update ended: store its state words back (unchanged ones too),
  // write its spike flag and payload, count it.
  B.SetInsertPoint(E.Blocks.back());
  for (unsigned W = 0; W < NumStateWords; ++W)
    if (E.StateWords[W])
      B.CreateStore(B.CreateLoad(I32, E.StateWords[W]), StateWord(W));
  Value *Spiked = B.CreateLoad(I1, E.Spiked);
  Value *HasInput = B.CreateICmpNE(E.Input, E.i32(0));
  B.CreateStore(B.CreateAdd(B.CreateLoad(I64, Reads), B.CreateZExt(HasInput, I64)), Reads);
  B.CreateStore(
      B.CreateAdd(B.CreateLoad(I64, Active), B.CreateZExt(B.CreateOr(HasInput, Spiked), I64)),
      Active);
  B.CreateStore(B.CreateZExt(Spiked, B.getInt8Ty()),
                B.CreateInBoundsGEP(B.getInt8Ty(), SpikedOut, I));
  B.CreateStore(B.CreateLoad(I32, E.Payload), B.CreateInBoundsGEP(I32, PayloadOut, I));
  B.CreateStore(B.CreateAdd(B.CreateLoad(I32, NumFired), B.CreateZExt(Spiked, I32)), NumFired);
  Value *INext = B.CreateAdd(B.CreateLoad(I64, Index), E.i64(1));
  B.CreateStore(INext, Index);
  B.CreateCondBr(B.CreateICmpEQ(INext, N), Exit, Head);

  B.SetInsertPoint(Exit);
  Value *Counts1 = B.CreateConstInBoundsGEP1_32(I64, Counts, 1);
  B.CreateStore(B.CreateAdd(B.CreateLoad(I64, Counts), B.CreateLoad(I64, Reads)), Counts);
  B.CreateStore(B.CreateAdd(B.CreateLoad(I64, Counts1), B.CreateLoad(I64, Active)), Counts1);
  B.CreateRet(B.CreateLoad(I32, NumFired));
}

std::string errorText(llvm::Error Err) { return llvm::toString(std::move(Err)); }

/// The cache key of a program: its encoding and the state stride.
std::string programKey(const std::vector<Instruction> &Program, unsigned NumStateWords) {
  std::string Key(1, char(NumStateWords));
  for (const Instruction &I : Program) {
    const uint64_t W = isa::encodeInstruction(I);
    Key.append(reinterpret_cast<const char *>(&W), sizeof W);
  }
  return Key;
}

} // namespace

struct NeuronJit::Impl {
  std::unique_ptr<llvm::orc::LLJIT> Jit;
  std::unique_ptr<llvm::TargetMachine> Machine; ///< for the optimiser's cost model
  std::unordered_map<std::string, size_t> Index;
  struct Pending {
    std::vector<Instruction> Program;
    unsigned NumStateWords;
  };
  std::vector<Pending> Queue;         ///< added, not yet compiled
  std::vector<NeuronRunFn> Functions; ///< by index; null until compiled
  size_t Modules = 0;
  double Seconds = 0;
};

NeuronJit::NeuronJit() : P(std::make_unique<Impl>()) {}
NeuronJit::~NeuronJit() = default;

size_t NeuronJit::add(const std::vector<Instruction> &Program, unsigned NumStateWords) {
  assert(isa::validateProgram(Program, isa::MaxParams, NumStateWords).empty() &&
         "the JIT compiles validated programs only");
  auto [It, Inserted] = P->Index.emplace(programKey(Program, NumStateWords), P->Functions.size());
  if (Inserted) {
    P->Functions.push_back(nullptr);
    P->Queue.push_back({Program, NumStateWords});
  }
  return It->second;
}

void NeuronJit::compile() {
  if (P->Queue.empty())
    return;
  const auto Start = std::chrono::steady_clock::now();
  auto Fail = [](const std::string &Why) {
    throw Error("neuron JIT: " + Why + "; run with --jit off to use the interpreter");
  };
  if (!P->Jit) {
    static std::once_flag Once;
    std::call_once(Once, [] {
      llvm::InitializeNativeTarget();
      llvm::InitializeNativeTargetAsmPrinter();
    });
    auto Builder = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!Builder)
      Fail(errorText(Builder.takeError()));
    auto Machine = Builder->createTargetMachine();
    if (!Machine)
      Fail(errorText(Machine.takeError()));
    P->Machine = std::move(*Machine);
    auto Jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(*Builder).create();
    if (!Jit)
      Fail(errorText(Jit.takeError()));
    P->Jit = std::move(*Jit);
    // Generated code calls no function itself, but LLVM's optimiser may
    // introduce these library routines (a loop of stores becomes memset).
    llvm::orc::SymbolMap Symbols;
    auto Define = [&](const char *Name, auto *Fn) {
      Symbols[P->Jit->mangleAndIntern(Name)] =
          llvm::JITEvaluatedSymbol(llvm::pointerToJITTargetAddress(Fn),
                                   llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
    };
    Define("memset", &std::memset);
    Define("memcpy", &std::memcpy);
    Define("memmove", &std::memmove);
    if (llvm::Error Err = P->Jit->getMainJITDylib().define(llvm::orc::absoluteSymbols(Symbols)))
      Fail(errorText(std::move(Err)));
  }

  auto Context = std::make_unique<llvm::LLVMContext>();
  auto M =
      std::make_unique<llvm::Module>("neuromesh.neurons." + std::to_string(P->Modules), *Context);
  M->setDataLayout(P->Jit->getDataLayout());
  M->setTargetTriple(P->Jit->getTargetTriple().str());
  const size_t FirstIndex = P->Functions.size() - P->Queue.size();
  auto NameOf = [](size_t I) { return "nm_update_" + std::to_string(I); };
  for (size_t Q = 0; Q < P->Queue.size(); ++Q)
    emitRunFunction(*M, NameOf(FirstIndex + Q), P->Queue[Q].Program, P->Queue[Q].NumStateWords);
  assert(!llvm::verifyModule(*M, &llvm::errs()) && "generated IR is well-formed");

  {
    // A short pipeline: SROA turns the register allocas into SSA values,
    // then local simplification, then the loop vectoriser (it needs loops
    // in simplified and LCSSA form) and a clean-up. Measured on the
    // benchmark's CUBA LIF, the full O2 pipeline ran no faster than the
    // scalar part and took three times its compile time; the vectoriser
    // made the update 4.4x faster for twice the compile time
    // (docs/performance.md, "JIT").
    llvm::LoopAnalysisManager LAM;
    llvm::FunctionAnalysisManager FAM;
    llvm::CGSCCAnalysisManager CGAM;
    llvm::ModuleAnalysisManager MAM;
    llvm::PassBuilder PB(P->Machine.get());
    PB.registerModuleAnalyses(MAM);
    PB.registerCGSCCAnalyses(CGAM);
    PB.registerFunctionAnalyses(FAM);
    PB.registerLoopAnalyses(LAM);
    PB.crossRegisterProxies(LAM, FAM, CGAM, MAM);
    llvm::FunctionPassManager FPM;
    FPM.addPass(llvm::SROAPass());
    FPM.addPass(llvm::EarlyCSEPass());
    FPM.addPass(llvm::InstCombinePass());
    FPM.addPass(llvm::SimplifyCFGPass());
    FPM.addPass(llvm::LoopSimplifyPass());
    FPM.addPass(llvm::LCSSAPass());
    FPM.addPass(llvm::LoopVectorizePass());
    FPM.addPass(llvm::InstCombinePass());
    FPM.addPass(llvm::SimplifyCFGPass());
    llvm::ModulePassManager MPM;
    MPM.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(FPM)));
    MPM.run(*M, MAM);
  }

  if (llvm::Error Err =
          P->Jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(M), std::move(Context))))
    Fail(errorText(std::move(Err)));
  for (size_t Q = 0; Q < P->Queue.size(); ++Q) {
    auto Sym = P->Jit->lookup(NameOf(FirstIndex + Q));
    if (!Sym)
      Fail(errorText(Sym.takeError()));
    P->Functions[FirstIndex + Q] = reinterpret_cast<NeuronRunFn>(Sym->getAddress());
  }
  P->Queue.clear();
  ++P->Modules;
  P->Seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - Start).count();
}

NeuronRunFn NeuronJit::function(size_t Index) const {
  assert(Index < P->Functions.size() && P->Functions[Index] && "added and compiled");
  return P->Functions[Index];
}

NeuronRunFn NeuronJit::find(const std::vector<Instruction> &Program, unsigned NumStateWords) const {
  auto It = P->Index.find(programKey(Program, NumStateWords));
  return It == P->Index.end() ? nullptr : P->Functions[It->second];
}

size_t NeuronJit::numFunctions() const { return P->Functions.size() - P->Queue.size(); }
double NeuronJit::compileSeconds() const { return P->Seconds; }

std::shared_ptr<const NeuronJit> compileNeuronPrograms(const isa::Image &Img) {
  auto Jit = std::make_shared<NeuronJit>();
  for (const isa::Core &C : Img.Cores)
    for (const isa::NeuronProfile &Prof : C.Profiles)
      Jit->add(Prof.Program, C.Config.NumStateWords);
  Jit->compile();
  return Jit;
}

} // namespace neuromesh::emulator
