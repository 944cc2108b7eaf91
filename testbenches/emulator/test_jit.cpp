//===- test_jit.cpp - the neuron JIT against the interpreter --------------===//
//
// Differential tests: isa::interpret is the reference and shares no code
// with the JIT's IR generator except isa::randomDraw.
//  - Random valid programs (RandomImage.h's generator) over random neuron
//    states, parameters, inputs, seeds, steps and neuron indices: every
//    compiled run gives the interpreter's state words, spikes, payloads,
//    cleared ring slot and counts, for more than 100k neuron updates, with
//    every opcode of the table executed many times.
//  - Whole networks (RandomNetwork.h, compiled and mapped, as the compiler
//    differential test does) and random images (RandomImage.h) give the same
//    spikes, probes and counters with the JIT on and off.
//
//===----------------------------------------------------------------------===//
#include "compiler/RandomNetwork.h"
#include "isa/RandomImage.h"

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/Mapping.h"
#include "neuromesh/compiler/NeuronModels.h"
#include "neuromesh/emulator/CoreState.h"
#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/emulator/NeuronJit.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Assembly.h"
#include "neuromesh/isa/Microcode.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

using namespace neuromesh;
using emulator::FiredNeuron;
using isa::Instruction;
using isa::Opcode;

namespace {

/// One random program with the neurons it is run on.
struct FuzzCase {
  std::vector<Instruction> Program;
  unsigned NumStateWords = 1;
  std::vector<int32_t> Params;
  uint64_t Seed = 0, Step = 0;
  uint32_t First = 0;          ///< index of the first neuron in its core
  std::vector<int32_t> State;  ///< Neurons x NumStateWords
  std::vector<uint32_t> Input; ///< one ring slot entry per neuron
  size_t Index = 0;            ///< NeuronJit::add's index
};

/// What a run of neurons produced.
struct Outcome {
  std::vector<int32_t> State;
  std::vector<uint32_t> Slot;
  std::vector<FiredNeuron> Fired;
  uint64_t Reads = 0, Active = 0;
};

bool isControl(Opcode Op) {
  return Op == Opcode::Halt || Op == Opcode::Jmp || Op == Opcode::Brz || Op == Opcode::Brnz;
}

/// Values that sit on the opcodes' edges more often than uniform ones:
/// +-2^k and +-2^k +- 1 (wrap and sat boundaries, shift overflow), int32's
/// extremes, small values.
int32_t edgyValue(testing::detail::Rng &R) {
  if (!R.chance(50))
    return R.int32();
  const int64_t V = (int64_t(1) << R.range(0, 31)) + R.range(-1, 1);
  return int32_t(R.chance(50) ? V : -V);
}

/// Loads every register from the input, a state word, a parameter or an
/// edge value, so the random body computes on live values rather than on
/// the zeros registers start with.
std::vector<Instruction> preamble(testing::detail::Rng &R, unsigned NumParams,
                                  unsigned NumStateWords) {
  std::vector<Instruction> P;
  for (uint8_t Reg = 0; Reg < isa::NumRegisters; ++Reg) {
    Instruction I;
    I.Rd = Reg;
    switch (R.range(0, NumParams ? 3 : 2)) {
    case 0:
      I.Op = Opcode::Ldin;
      break;
    case 1:
      I.Op = Opcode::Lds;
      I.Imm = int32_t(R.range(0, NumStateWords - 1));
      break;
    case 2:
      I.Op = Opcode::Movi;
      I.Imm = edgyValue(R);
      break;
    default:
      I.Op = Opcode::Ldp;
      I.Imm = int32_t(R.range(0, NumParams - 1));
      break;
    }
    P.push_back(I);
  }
  return P;
}

FuzzCase makeCase(testing::detail::Rng &R, unsigned Neurons) {
  FuzzCase C;
  C.NumStateWords = unsigned(R.range(1, isa::MaxStateWords));
  C.Params.resize(size_t(R.range(0, isa::MaxParams)));
  for (int32_t &P : C.Params)
    P = edgyValue(R);
  // Mostly short programs, sometimes full-length ones.
  const unsigned MaxLength = R.chance(2) ? isa::MaxProgramLength : 40;
  const unsigned NumParams = unsigned(C.Params.size());
  std::vector<Instruction> Body =
      testing::detail::randomProgram(R, MaxLength, NumParams, C.NumStateWords);
  // Most programs start by loading every register; branch targets shift.
  if (R.chance(80) && Body.size() + isa::NumRegisters <= isa::MaxProgramLength) {
    C.Program = preamble(R, NumParams, C.NumStateWords);
    for (Instruction I : Body) {
      const isa::OpcodeInfo *Info = isa::lookupOpcode(uint8_t(I.Op));
      if (Info->Imm == isa::ImmKind::Target)
        I.Imm += int32_t(isa::NumRegisters);
      C.Program.push_back(I);
    }
  } else {
    C.Program = std::move(Body);
  }
  REQUIRE(isa::validateProgram(C.Program, NumParams, C.NumStateWords).empty());
  C.Seed = R.chance(10) ? 0 : R.next();
  C.Step = R.chance(10) ? uint64_t(R.range(0, 5)) : R.next();
  C.First = uint32_t(R.range(0, 65535 - Neurons));
  C.State.resize(size_t(Neurons) * C.NumStateWords);
  for (int32_t &S : C.State)
    S = edgyValue(R);
  C.Input.resize(Neurons);
  for (uint32_t &In : C.Input)
    In = R.chance(30) ? 0 : uint32_t(edgyValue(R));
  return C;
}

Outcome interpretRun(const FuzzCase &C) {
  Outcome O{C.State, C.Input, {}, 0, 0};
  isa::NeuronContext Ctx;
  Ctx.Params = C.Params.data();
  Ctx.Seed = C.Seed;
  Ctx.Step = C.Step;
  for (uint32_t N = 0; N < C.Input.size(); ++N) {
    Ctx.State = &O.State[size_t(N) * C.NumStateWords];
    Ctx.Input = int32_t(O.Slot[N]);
    Ctx.Neuron = C.First + N;
    O.Slot[N] = 0;
    const isa::UpdateResult U = isa::interpret(C.Program, Ctx);
    O.Reads += Ctx.Input != 0;
    O.Active += Ctx.Input != 0 || U.Spiked;
    if (U.Spiked)
      O.Fired.push_back({C.First + N, U.Payload});
  }
  return O;
}

Outcome compiledRun(const FuzzCase &C, emulator::NeuronRunFn Fn) {
  Outcome O{C.State, C.Input, {}, 0, 0};
  uint64_t Counts[2] = {0, 0};
  std::vector<uint8_t> Spiked(C.Input.size(), 2); // neither 0 nor 1: each must be written
  std::vector<int32_t> Payload(C.Input.size());
  const uint32_t NumFired =
      Fn(C.Params.data(), O.State.data(), O.Slot.data(), Spiked.data(), Payload.data(), C.Seed,
         C.Step, C.First, uint32_t(C.Input.size()), Counts);
  for (uint32_t N = 0; N < C.Input.size(); ++N) {
    REQUIRE(Spiked[N] <= 1);
    if (Spiked[N])
      O.Fired.push_back({C.First + N, Payload[N]});
  }
  REQUIRE(NumFired == O.Fired.size());
  O.Reads = Counts[0];
  O.Active = Counts[1];
  return O;
}

std::string programText(const std::vector<Instruction> &P) {
  std::string S;
  for (size_t I = 0; I < P.size(); ++I)
    S += fmt::format("  {:3}: {}\n", I, isa::printInstruction(P[I]));
  return S;
}

/// The first difference between two outcomes, or "" if equal.
std::string difference(const Outcome &Want, const Outcome &Got, unsigned Words) {
  for (size_t I = 0; I < Want.State.size(); ++I)
    if (Want.State[I] != Got.State[I])
      return fmt::format("neuron {} state[{}]: interpreter {}, JIT {}", I / Words, I % Words,
                         Want.State[I], Got.State[I]);
  if (Want.Slot != Got.Slot)
    return "ring slot not cleared the same way";
  if (Want.Fired.size() != Got.Fired.size())
    return fmt::format("{} neurons fired in the interpreter, {} in the JIT", Want.Fired.size(),
                       Got.Fired.size());
  for (size_t I = 0; I < Want.Fired.size(); ++I)
    if (!(Want.Fired[I] == Got.Fired[I]))
      return fmt::format("spike {}: interpreter neuron {} payload {}, JIT neuron {} payload {}", I,
                         Want.Fired[I].Neuron, Want.Fired[I].Payload, Got.Fired[I].Neuron,
                         Got.Fired[I].Payload);
  if (Want.Reads != Got.Reads || Want.Active != Got.Active)
    return fmt::format("reads/active: interpreter {}/{}, JIT {}/{}", Want.Reads, Want.Active,
                       Got.Reads, Got.Active);
  return "";
}

} // namespace

TEST_CASE("jit: random programs over random states give the interpreter's results", "[jit]") {
  constexpr unsigned Modules = 4, ProgramsPerModule = 100, Neurons = 272;
  testing::detail::Rng R(0x6a17);
  std::map<Opcode, uint64_t> Executed; // neuron updates that surely ran the opcode
  uint64_t Cases = 0, Spikes = 0, Graded = 0, StateChanges = 0;
  emulator::NeuronJit Jit;
  for (unsigned M = 0; M < Modules; ++M) {
    // One module per batch: compile cost is paid per module, and adding to
    // an already compiled JIT is exercised too.
    std::vector<FuzzCase> Batch;
    for (unsigned P = 0; P < ProgramsPerModule; ++P) {
      Batch.push_back(makeCase(R, Neurons));
      // Runs of 241 to 272 neurons: the compiled loop's vector body and
      // its scalar remainder both run.
      FuzzCase &C = Batch.back();
      const unsigned Run = Neurons - P % 32;
      C.State.resize(size_t(Run) * C.NumStateWords);
      C.Input.resize(Run);
      Batch.back().Index = Jit.add(Batch.back().Program, Batch.back().NumStateWords);
    }
    Jit.compile();
    for (const FuzzCase &C : Batch) {
      const Outcome Want = interpretRun(C);
      const Outcome Got = compiledRun(C, Jit.function(C.Index));
      const std::string Diff = difference(Want, Got, C.NumStateWords);
      if (!Diff.empty()) {
        FAIL_CHECK(Diff << "\nseed " << C.Seed << " step " << C.Step << " first neuron " << C.First
                        << ", program:\n"
                        << programText(C.Program));
        continue;
      }
      const uint64_t Run = C.Input.size();
      Cases += Run;
      Spikes += Want.Fired.size();
      for (const FiredNeuron &F : Want.Fired)
        Graded += F.Payload != 1;
      StateChanges += Want.State != C.State;
      // Instructions up to and including the first control transfer run in
      // every update.
      for (const Instruction &I : C.Program) {
        Executed[I.Op] += Run;
        if (isControl(I.Op))
          break;
      }
    }
  }
  CHECK(Cases >= 100000);
  for (const isa::OpcodeInfo &Info : isa::opcodeTable()) {
    INFO("opcode " << Info.Mnemonic);
    CHECK(Executed[Info.Op] >= 1000);
  }
  // The corpus is not degenerate: spikes, graded payloads, changed states.
  CHECK(Spikes >= Cases / 10);
  CHECK(Graded >= Cases / 100);
  CHECK(StateChanges >= Modules * ProgramsPerModule / 4);
}

TEST_CASE("jit: hand-worked edge values of the saturating and shifting opcodes", "[jit]") {
  // Each program stores one result in state[0]; the expected values are
  // worked by hand from the Opcodes.def summaries, independently of both
  // implementations.
  const int32_t Min = INT32_MIN, Max = INT32_MAX;
  struct Row {
    Opcode Op;
    int32_t A, B, Imm;
    int32_t Want;
  };
  const Row Rows[] = {
      {Opcode::Add, Max, 1, 0, Max},        {Opcode::Sub, Min, 1, 0, Min},
      {Opcode::Addi, -5, 0, Min, Min},      {Opcode::Mul, Min, -1, 0, Max},
      {Opcode::Mul, 65536, -65536, 0, Min}, {Opcode::Mulsh, -7, 1, 1, -3},
      {Opcode::Mulsh, Min, Min, 62, 1},     {Opcode::Mulsh, Min, Min, 0, Max},
      {Opcode::Shl, -3, 0, 31, Min},        {Opcode::Shl, 3, 0, 2, 12},
      {Opcode::Shr, -7, 0, 1, -4},          {Opcode::Wrap, 8, 0, 4, 8},
      {Opcode::Wrap, -8, 0, 4, 8},          {Opcode::Wrap, 9, 0, 4, -7},
      {Opcode::Wrap, Min, 0, 31, 0},        {Opcode::Wrap, Max, 0, 31, -1},
      {Opcode::Sat, Min, 0, 32, -Max},      {Opcode::Sat, 200, 0, 8, 127},
      {Opcode::Neg, Min, 0, 0, Max},        {Opcode::Abs, Min, 0, 0, Max},
      {Opcode::Sgn, Min, 0, 0, -1},         {Opcode::Sle, 3, 3, 0, 1},
  };
  emulator::NeuronJit Jit;
  std::vector<size_t> Index;
  std::vector<std::vector<Instruction>> Programs;
  for (const Row &Rw : Rows) {
    const isa::OpcodeInfo *Info = isa::lookupOpcode(uint8_t(Rw.Op));
    const bool UsesB = Info->Operands == isa::OperandForm::DAB;
    const bool UsesImm = Info->Imm != isa::ImmKind::None;
    Programs.push_back({Instruction{Opcode::Movi, 1, 0, 0, Rw.A},
                        Instruction{Opcode::Movi, 2, 0, 0, Rw.B},
                        Instruction{Rw.Op, 3, 1, uint8_t(UsesB ? 2 : 0), UsesImm ? Rw.Imm : 0},
                        Instruction{Opcode::Sts, 0, 3, 0, 0}});
    REQUIRE(isa::validateProgram(Programs.back(), 0, 1).empty());
    Index.push_back(Jit.add(Programs.back(), 1));
  }
  Jit.compile();
  for (size_t I = 0; I < Programs.size(); ++I) {
    INFO(programText(Programs[I]));
    int32_t State = 0;
    uint32_t Slot = 0;
    uint8_t Spiked = 2;
    int32_t Payload = 0;
    uint64_t Counts[2] = {0, 0};
    CHECK(Jit.function(Index[I])(nullptr, &State, &Slot, &Spiked, &Payload, 0, 0, 0, 1, Counts) ==
          0);
    CHECK(Spiked == 0);
    CHECK(State == Rows[I].Want);
  }
}

TEST_CASE("jit: one compiled function per distinct program and state stride", "[jit]") {
  const std::vector<Instruction> A = {{Opcode::Ldin, 1, 0, 0, 0}, {Opcode::Sts, 0, 1, 0, 0}};
  const std::vector<Instruction> B = {{Opcode::Spike, 0, 0, 0, 0}};
  emulator::NeuronJit Jit;
  const size_t IA = Jit.add(A, 2);
  CHECK(Jit.add(B, 2) != IA);
  CHECK(Jit.add(A, 3) != IA); // a different stride between neurons
  CHECK(Jit.add(A, 2) == IA);
  CHECK(Jit.numFunctions() == 0);
  Jit.compile();
  CHECK(Jit.numFunctions() == 3);
  CHECK(Jit.find(A, 2) == Jit.function(IA));
  CHECK(Jit.find(B, 1) == nullptr);

  // An image of three cores: two run program A with different parameter
  // values (one function: parameters are not compiled in), one runs B.
  isa::Image Img;
  for (int K = 0; K < 3; ++K) {
    isa::Core C;
    C.Config.NumStateWords = 2;
    isa::NeuronProfile P;
    P.Program = K == 2 ? B : A;
    P.Params = {K};
    C.Profiles.push_back(P);
    Img.Cores.push_back(C);
  }
  CHECK(emulator::compileNeuronPrograms(Img)->numFunctions() == 2);
}

namespace {

template <typename Engine>
void drive(Engine &E, const std::vector<emulator::SpikeRecord> &In, uint64_t Steps) {
  size_t Next = 0;
  for (uint64_t T = 0; T < Steps; ++T) {
    for (; Next < In.size() && In[Next].Step == T; ++Next)
      E.injectInput(In[Next].Symbol, In[Next].Index, int32_t(In[Next].Index) - 1);
    E.step();
  }
}

/// Runs Img with the JIT off and on; checks they agree. Returns the spikes.
uint64_t checkJitOnOff(const isa::Image &Img, const std::vector<emulator::SpikeRecord> &In,
                       uint64_t Steps) {
  emulator::EngineOptions On;
  On.Jit = true;
  emulator::FunctionalEngine Interpreted(Img), Compiled(Img, On);
  for (size_t C = 0; C < Compiled.numCores(); ++C)
    REQUIRE(Compiled.core(C).usesJit());
  drive(Interpreted, In, Steps);
  drive(Compiled, In, Steps);
  CHECK(Compiled.recorded() == Interpreted.recorded());
  CHECK(Compiled.probed() == Interpreted.probed());
  CHECK(Compiled.counters().Cores == Interpreted.counters().Cores);
  for (size_t C = 0; C < Compiled.numCores(); ++C)
    for (uint32_t N = 0; N < Compiled.core(C).numNeurons(); ++N)
      for (unsigned W = 0; W < Img.Cores[C].Config.NumStateWords; ++W)
        if (Compiled.core(C).state(N)[W] != Interpreted.core(C).state(N)[W])
          FAIL_CHECK("core " << C << " neuron " << N << " state word " << W << " differs");
  return Interpreted.counters().Cores.SpikesOut;
}

} // namespace

TEST_CASE("jit: the generated network corpus spikes identically with the JIT on and off", "[jit]") {
  using namespace neuromesh::compiler;
  const isa::Architecture Arch =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/tiny.yaml");
  constexpr uint64_t Steps = 120;
  uint64_t Spikes = 0;
  for (uint64_t Seed = 1; Seed <= 60; ++Seed) {
    const bool Spanning = Seed % 4 == 0;
    Network Net =
        testing::makeRandomNetwork(Seed, Spanning ? testing::RandomNetworkOptions::spanning()
                                                  : testing::RandomNetworkOptions::small());
    for (size_t I = 0; I < Net.Populations.size(); ++I)
      if ((Seed + I) % 3 == 0)
        for (const ModelVariable &V : findModel(Net.Populations[I].Model.Kind)->Variables)
          Net.Populations[I].Probes.push_back(V.Name);
    INFO("network " << Net.Name);
    MappingOptions Opt;
    Opt.Seed = Seed;
    const isa::Image Img = mapNetwork(lowerNetwork(Net, Arch), Arch, Opt).Image;
    std::map<std::string, uint32_t> PortOf;
    for (uint32_t I = 0; I < Img.Symbols.size(); ++I)
      if (Img.Symbols[I].Kind == isa::SymbolKind::InputPort)
        PortOf[Img.Symbols[I].Name] = I;
    std::vector<emulator::SpikeRecord> In;
    for (const InputSpike &S : testing::randomInputs(Net, Seed, Steps))
      In.push_back({S.Step, PortOf.at(S.Source), S.Index});
    Spikes += checkJitOnOff(Img, In, Steps);
  }
  CHECK(Spikes >= 50 * Steps); // not a silent corpus
}

TEST_CASE("jit: random images (random programs, graded spikes) agree with the JIT on and off",
          "[jit]") {
  testing::RandomImageOptions Opt;
  Opt.MaxCores = 8;
  Opt.MaxNeurons = 40;
  Opt.MaxProgramLength = 30;
  constexpr uint64_t Steps = 16;
  uint64_t Spikes = 0;
  for (uint64_t Seed = 1; Seed <= 40; ++Seed) {
    INFO("image seed " << Seed);
    const isa::Image Img = testing::makeRandomImage(Seed, Opt);
    std::vector<emulator::SpikeRecord> In;
    testing::detail::Rng R(Seed ^ 0x1e7ULL);
    for (uint64_t T = 0; T < Steps; ++T)
      for (uint32_t S = 0; S < Img.Symbols.size(); ++S)
        if (Img.Symbols[S].Kind == isa::SymbolKind::InputPort)
          for (uint32_t I = 0; I < Img.Symbols[S].Size; ++I)
            if (R.chance(30))
              In.push_back({T, S, I});
    Spikes += checkJitOnOff(Img, In, Steps);
  }
  CHECK(Spikes >= 100);
}
