//===- test_assembly.cpp - the assembly text form -------------------------===//
//
// (1) hand-written sources parse to images whose fields were worked out by
//     hand, and a hand-built image prints to a hand-written canonical text;
// (2) random valid images survive print -> parse -> print unchanged;
// (3) each class of error is reported at its exact file:line:col, all of
//     them in one pass.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/isa/Assembly.h"

#include "RandomImage.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/ImageFile.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace neuromesh;
using namespace neuromesh::isa;

namespace {

/// The diagnostics parseAssembly throws for Text, or "" if it parses.
std::string errorsOf(const std::string &Text) {
  try {
    parseAssembly(Text, "t.s");
  } catch (const Error &E) {
    return E.what();
  }
  return "";
}

Instruction ins(Opcode Op, uint8_t Rd = 0, uint8_t Ra = 0, uint8_t Rb = 0,
                int32_t Imm = 0) {
  Instruction I;
  I.Op = Op;
  I.Rd = Rd;
  I.Ra = Ra;
  I.Rb = Rb;
  I.Imm = Imm;
  return I;
}

// A small valid file; the error tests below replace one of its lines, so
// every line number in them refers to this layout.
const char *const BaseLines[] = {
    ".arch \"t\" fingerprint=0x1",                                  // 1
    ".chips 1",                                                     // 2
    ".mesh 1 1",                                                    // 3
    ".cores_per_tile 1",                                            // 4
    ".core 0 chip=0 x=0 y=0 slot=0",                                // 5
    "  .config axons=2 neurons=2 state_words=3 delay_slots=4",      // 6
    "  .profile 0",                                                 // 7
    "    .params 7",                                                // 8
    "    ldin r0",                                                  // 9
    "    brz r0, done",                                             // 10
    "    spike",                                                    // 11
    "  done:",                                                      // 12
    "    halt",                                                     // 13
    "  .end",                                                       // 14
    "  .neurons 0 count=2 profile=0",                               // 15
    "  .axon 0",                                                    // 16
    "    .sparse shift=0 0:1:1, 1:2:4",                             // 17
    "  .out 0 -> 0:0:1",                                            // 18
    ".input \"in\" size=2",                                         // 19
    "  .target 0 -> 0:0:0",                                         // 20
    ".population \"p\" size=2",                                     // 21
    "  .segment core=0 first=0 count=2 offset=0",                   // 22
};

/// The base file with some lines (1-based) replaced; keys past the end
/// append lines.
std::string baseWith(const std::map<unsigned, std::string> &Replace) {
  std::string S;
  unsigned N = 1;
  for (const char *L : BaseLines) {
    auto It = Replace.find(N++);
    S += (It != Replace.end() ? It->second : std::string(L)) + "\n";
  }
  for (auto It = Replace.lower_bound(N); It != Replace.end(); ++It)
    S += It->second + "\n";
  return S;
}

std::string baseWith(unsigned Line, const std::string &Text) {
  return baseWith(std::map<unsigned, std::string>{{Line, Text}});
}

} // namespace

//===----------------------------------------------------------------------===//
// (1) Hand-written sources
//===----------------------------------------------------------------------===//

TEST_CASE("the base error-test file is valid", "[assembly]") {
  CHECK(errorsOf(baseWith(0, "")) == "");
}

TEST_CASE("a hand-written source parses to the hand-checked image",
          "[assembly]") {
  const char *Src = R"(; a two-core image, every construct once
.arch "loihi" fingerprint=0x0123456789abcdef   # name and fingerprint
.chips 1
.mesh 2 2
.cores_per_tile 4
.core 0 chip=0 x=0 y=0 slot=0
  .config axons=2 neurons=3 state_words=3 delay_slots=4 seed=0x1
  .profile 0
    .params 100, -3, 0x10
    ldin r0
    mulsh r1, r1, r2, 12
    brz r3, done
    sel r4, r5, r6, r7
    ldp r2, 2
    lds r3, 2
    spike
  done: halt
  .end
  .neuron 0 profile=0 state=0,0,-5
  .neurons 1 count=2 profile=0 state=1,2,3
  .axon 0
    .sparse shift=6 1:5:1, 2:-3:2
    .dense first=0 delay=1 shift=6 weights=1, 2, 3
    .crossbar type=2 first=0 delay=3 bits=101
  .column 0 weights=1,2,3,4 stochastic=0,0,1,0
  .column 1 weights=-1,-2,-3,-4
  .column 2 weights=5,6,7,8 stochastic=1,1,1,1
  .out 0 -> 0:1:3, 0:1:4
  .out 2 -> 0:0:1
.core 1 chip=0 x=1 y=0 slot=3
  .config axons=5 neurons=1 state_words=1 delay_slots=1
  .profile 0
    jmp @2
    nop
  .end
  .neuron 0 profile=0
.input "in" size=4
  .target 0 -> 0:0:0, 0:1:0
  .target 3 -> 0:0:1
.population "exc" size=4
  .segment core=0 first=1 count=2 offset=0
  .segment core=1 first=0 count=1 offset=3
  .segment core=0 first=0 count=1 offset=2
)";
  Image Img = parseAssembly(Src, "hand.s");

  const ChipHeader &H = Img.Header;
  CHECK(H.ArchName == "loihi");
  CHECK(H.ArchFingerprint == 0x0123456789abcdefULL);
  CHECK(H.NumChips == 1);
  CHECK(H.MeshWidth == 2);
  CHECK(H.MeshHeight == 2);
  CHECK(H.CoresPerTile == 4);
  REQUIRE(H.Cores.size() == 2);
  CHECK(H.Cores[0] == CoreLocation{0, 0, 0, 0});
  CHECK(H.Cores[1] == CoreLocation{0, 1, 0, 3});

  REQUIRE(Img.Cores.size() == 2);
  const Core &C = Img.Cores[0];
  CHECK(C.Config.NumStateWords == 3);
  CHECK(C.Config.NumDelaySlots == 4);
  CHECK(C.Config.Seed == 1);
  REQUIRE(C.Profiles.size() == 1);
  CHECK(C.Profiles[0].Params == std::vector<int32_t>{100, -3, 16});
  // done: is instruction 7 (ldin, mulsh, brz, sel, ldp, lds, spike, halt).
  std::vector<Instruction> Want = {
      ins(Opcode::Ldin, 0),
      ins(Opcode::Mulsh, 1, 1, 2, 12),
      ins(Opcode::Brz, 0, 3, 0, 7),
      ins(Opcode::Sel, 4, 5, 6, 7),
      ins(Opcode::Ldp, 2, 0, 0, 2),
      ins(Opcode::Lds, 3, 0, 0, 2),
      ins(Opcode::Spike),
      ins(Opcode::Halt),
  };
  CHECK(C.Profiles[0].Program == Want);

  REQUIRE(C.Neurons.size() == 3);
  CHECK(C.Neurons[0].State == std::vector<int32_t>{0, 0, -5});
  CHECK(C.Neurons[1].State == std::vector<int32_t>{1, 2, 3});
  CHECK(C.Neurons[2] == C.Neurons[1]);

  REQUIRE(C.Axons.size() == 2);
  CHECK(C.Axons[1].empty());
  REQUIRE(C.Axons[0].size() == 3);
  const SynapseSegment &Sp = C.Axons[0][0];
  CHECK(Sp.Kind == SegmentKind::Sparse);
  CHECK(Sp.Shift == 6);
  CHECK(Sp.Sparse ==
        std::vector<SparseSynapse>{{1, 5, 1}, {2, -3, 2}});
  CHECK(Sp.Delay == 1);       // unused by sparse: the default
  CHECK(Sp.FirstNeuron == 0); // unused by sparse: the default
  const SynapseSegment &De = C.Axons[0][1];
  CHECK(De.Kind == SegmentKind::Dense);
  CHECK(De.FirstNeuron == 0);
  CHECK(De.Delay == 1);
  CHECK(De.Shift == 6);
  CHECK(De.Weights == std::vector<int16_t>{1, 2, 3});
  const SynapseSegment &Cb = C.Axons[0][2];
  CHECK(Cb.Kind == SegmentKind::Crossbar);
  CHECK(Cb.AxonType == 2);
  CHECK(Cb.Delay == 3);
  CHECK(Cb.Shift == 0); // optional, defaults to 0
  CHECK(Cb.Connected == std::vector<bool>{true, false, true});

  REQUIRE(C.Crossbar.size() == 3);
  CHECK(C.Crossbar[0].Weight == std::array<int16_t, 4>{1, 2, 3, 4});
  CHECK(C.Crossbar[0].Stochastic == std::array<bool, 4>{false, false, true,
                                                        false});
  CHECK(C.Crossbar[1].Weight == std::array<int16_t, 4>{-1, -2, -3, -4});
  CHECK(C.Crossbar[1].Stochastic == std::array<bool, 4>{});
  CHECK(C.Crossbar[2].Stochastic == std::array<bool, 4>{true, true, true,
                                                        true});

  REQUIRE(C.Outputs.size() == 3);
  CHECK(C.Outputs[0] == std::vector<AxonAddress>{{0, 1, 3}, {0, 1, 4}});
  CHECK(C.Outputs[1].empty());
  CHECK(C.Outputs[2] == std::vector<AxonAddress>{{0, 0, 1}});

  const Core &C1 = Img.Cores[1];
  CHECK(C1.Config.Seed == 0); // optional, defaults to 0
  CHECK(C1.Axons.size() == 5);
  CHECK(C1.Profiles[0].Program ==
        std::vector<Instruction>{ins(Opcode::Jmp, 0, 0, 0, 2),
                                 ins(Opcode::Nop)});
  REQUIRE(C1.Neurons.size() == 1);
  CHECK(C1.Neurons[0].State == std::vector<int32_t>{0}); // state defaults to 0
  CHECK(C1.Outputs.size() == 1);

  REQUIRE(Img.Symbols.size() == 2);
  const Symbol &In = Img.Symbols[0];
  CHECK(In.Kind == SymbolKind::InputPort);
  CHECK(In.Name == "in");
  CHECK(In.Size == 4);
  REQUIRE(In.Targets.size() == 4);
  CHECK(In.Targets[0] == std::vector<AxonAddress>{{0, 0, 0}, {0, 1, 0}});
  CHECK(In.Targets[1].empty());
  CHECK(In.Targets[3] == std::vector<AxonAddress>{{0, 0, 1}});
  const Symbol &Pop = Img.Symbols[1];
  CHECK(Pop.Kind == SymbolKind::Population);
  CHECK(Pop.Name == "exc");
  CHECK(Pop.Size == 4);
  CHECK(Pop.Segments == std::vector<PopulationSegment>{
                            {0, 1, 2, 0}, {1, 0, 1, 3}, {0, 0, 1, 2}});
}

TEST_CASE("a hand-built image prints to the hand-written canonical text",
          "[assembly]") {
  Image Img;
  Img.Header.ArchName = "tn";
  Img.Header.ArchFingerprint = 0xabc;
  Img.Header.MeshWidth = 2;
  Img.Header.Cores = {{0, 1, 0, 0}};
  Core C;
  C.Config.NumStateWords = 2;
  C.Config.NumDelaySlots = 2;
  C.Config.Seed = 0xfeed;
  NeuronProfile P;
  P.Params = {-1, 2};
  P.Program = {ins(Opcode::Brnz, 0, 1, 0, 2), ins(Opcode::Spikeg, 0, 1),
               ins(Opcode::Jmp, 0, 0, 0, 3)};
  C.Profiles = {P};
  // Neurons 0-2 identical (one run), 3 different, 4 like 0-2 again.
  Neuron A{0, {0, 0}}, B{0, {1, -1}};
  C.Neurons = {A, A, A, B, A};
  SynapseSegment Sp;
  Sp.Sparse = {{4, -7, 2}};
  SynapseSegment Cb;
  Cb.Kind = SegmentKind::Crossbar;
  Cb.AxonType = 3;
  Cb.FirstNeuron = 1;
  Cb.Delay = 2;
  Cb.Shift = 1;
  Cb.Connected = {false, true};
  SynapseSegment De;
  De.Kind = SegmentKind::Dense;
  De.FirstNeuron = 5; // an empty run at the end is allowed
  C.Axons = {{}, {Sp, Cb}, {De}};
  C.Crossbar.resize(5);
  C.Crossbar[2].Weight = {1, -2, 3, -4};
  C.Crossbar[2].Stochastic = {false, true, false, false};
  C.Outputs.resize(5);
  C.Outputs[3] = {{0, 0, 2}, {0, 0, 0}};
  Img.Cores = {C};
  Symbol Port;
  Port.Kind = SymbolKind::InputPort;
  Port.Name = "a b;c#d";
  Port.Size = 3;
  Port.Targets = {{}, {{0, 0, 1}}, {}};
  Symbol Pop;
  Pop.Name = "p";
  Pop.Size = 5;
  Pop.Segments = {{0, 0, 5, 0}};
  Img.Symbols = {Port, Pop};

  const std::string Want = R"(.arch "tn" fingerprint=0x0000000000000abc
.chips 1
.mesh 2 1
.cores_per_tile 1
.core 0 chip=0 x=1 y=0 slot=0
  .config axons=3 neurons=5 state_words=2 delay_slots=2 seed=0xfeed
  .profile 0
    .params -1, 2
    brnz r1, L2
    spikeg r1
  L2:
    jmp L3
  L3:
  .end
  .neurons 0 count=3 profile=0 state=0,0
  .neuron 3 profile=0 state=1,-1
  .neuron 4 profile=0 state=0,0
  .axon 1
    .sparse shift=0 4:-7:2
    .crossbar type=3 first=1 delay=2 shift=1 bits=01
  .axon 2
    .dense first=5 delay=1 shift=0 weights=
  .column 0 weights=0,0,0,0 stochastic=0,0,0,0
  .column 1 weights=0,0,0,0 stochastic=0,0,0,0
  .column 2 weights=1,-2,3,-4 stochastic=0,1,0,0
  .column 3 weights=0,0,0,0 stochastic=0,0,0,0
  .column 4 weights=0,0,0,0 stochastic=0,0,0,0
  .out 3 -> 0:0:2, 0:0:0
.input "a b;c#d" size=3
  .target 1 -> 0:0:1
.population "p" size=5
  .segment core=0 first=0 count=5 offset=0
)";
  CHECK(printAssembly(Img) == Want);
  CHECK(parseAssembly(Want, "want.s") == Img);
}

TEST_CASE("spike generators parse to the hand-checked fields", "[assembly]") {
  const char *Src = R"(.core 0 chip=0 x=0 y=0 slot=0
  .config axons=1 neurons=0 state_words=1 delay_slots=1
.input "ext" size=1 generator=external
  .target 0 -> 0:0:0
.input "list" size=4 generator=list
  .spikes 0:1, 5:3
  .target 2 -> 0:0:0
  .spikes 5:0x3a
.input "poisson" size=4 generator=poisson seed=0x7 probability_q32=858993459
.input "always" size=1 probability_q32=0x100000000 generator=poisson
.input "regular" size=2 generator=regular period=10 phase=2
.input "every" size=2 generator=regular period=1
.input "empty" size=3 generator=list
)";
  // "5:0x3a" is index 58, out of range for size 4: check the error first.
  CHECK_THAT(errorsOf(Src),
             Catch::Contains("t.s:8:13: error: port index 0x3a out of range "
                             "[0, 3] (input \"list\" has size 4)"));
  std::string Fixed = Src;
  Fixed.replace(Fixed.find("5:0x3a"), 6, "7:0x2");
  Image Img = parseAssembly(Fixed, "gen.s");
  REQUIRE(Img.Symbols.size() == 7);

  SpikeGenerator Ext; // generator=external is the default
  CHECK(Img.Symbols[0].Generator == Ext);
  CHECK(Img.Symbols[0].Targets[0] == std::vector<AxonAddress>{{0, 0, 0}});

  const SpikeGenerator &L = Img.Symbols[1].Generator;
  CHECK(L.Kind == GeneratorKind::List);
  // .spikes lines append, wherever they are in the port's block.
  CHECK(L.Spikes ==
        std::vector<std::pair<uint64_t, uint32_t>>{{0, 1}, {5, 3}, {7, 2}});
  CHECK(L.Seed == 0);
  CHECK(L.Period == 1);
  CHECK(Img.Symbols[1].Targets[2] == std::vector<AxonAddress>{{0, 0, 0}});

  const SpikeGenerator &P = Img.Symbols[2].Generator;
  CHECK(P.Kind == GeneratorKind::Poisson);
  CHECK(P.Seed == 7);
  CHECK(P.ProbabilityQ32 == 858993459);
  CHECK(P.Spikes.empty());
  CHECK(P.Period == 1);
  CHECK(P.Phase == 0);
  const SpikeGenerator &A = Img.Symbols[3].Generator;
  CHECK(A.Kind == GeneratorKind::Poisson);
  CHECK(A.Seed == 0); // optional, defaults to 0
  CHECK(A.ProbabilityQ32 == ProbabilityOne);

  const SpikeGenerator &R = Img.Symbols[4].Generator;
  CHECK(R.Kind == GeneratorKind::Regular);
  CHECK(R.Period == 10);
  CHECK(R.Phase == 2);
  CHECK(R.Seed == 0);
  CHECK(R.ProbabilityQ32 == 0);
  CHECK(Img.Symbols[5].Generator.Period == 1);
  CHECK(Img.Symbols[5].Generator.Phase == 0); // optional, defaults to 0

  CHECK(Img.Symbols[6].Generator.Kind == GeneratorKind::List);
  CHECK(Img.Symbols[6].Generator.Spikes.empty());
}

TEST_CASE("spike generators print in the canonical form", "[assembly]") {
  Image Img;
  Img.Header.Cores = {{}};
  Img.Cores.resize(1);
  Img.Cores[0].Axons.resize(1);
  auto Port = [](const char *Name, uint32_t Size) {
    Symbol S;
    S.Kind = SymbolKind::InputPort;
    S.Name = Name;
    S.Size = Size;
    S.Targets.resize(Size);
    return S;
  };
  Symbol Ext = Port("ext", 1);
  Symbol List = Port("list", 3);
  List.Targets[1] = {{0, 0, 0}};
  List.Generator.Kind = GeneratorKind::List;
  // 17 spikes: a full line of 16 and one more.
  for (uint64_t T = 0; T < 8; ++T) {
    List.Generator.Spikes.push_back({T, 0});
    List.Generator.Spikes.push_back({T, 2});
  }
  List.Generator.Spikes.push_back({~uint64_t(0), 1});
  Symbol Empty = Port("empty", 1);
  Empty.Generator.Kind = GeneratorKind::List;
  Symbol Poisson = Port("poisson", 2);
  Poisson.Generator.Kind = GeneratorKind::Poisson;
  Poisson.Generator.Seed = 0xbeef;
  Poisson.Generator.ProbabilityQ32 = ProbabilityOne;
  Symbol Zero = Port("zero", 1);
  Zero.Generator.Kind = GeneratorKind::Poisson;
  Symbol Regular = Port("regular", 1);
  Regular.Generator.Kind = GeneratorKind::Regular;
  Regular.Generator.Period = 10;
  Img.Symbols = {Ext, List, Empty, Poisson, Zero, Regular};

  const std::string Want = R"(.arch "" fingerprint=0x0000000000000000
.chips 1
.mesh 1 1
.cores_per_tile 1
.core 0 chip=0 x=0 y=0 slot=0
  .config axons=1 neurons=0 state_words=1 delay_slots=1 seed=0x0
.input "ext" size=1
.input "list" size=3 generator=list
  .spikes 0:0, 0:2, 1:0, 1:2, 2:0, 2:2, 3:0, 3:2, 4:0, 4:2, 5:0, 5:2, 6:0, 6:2, 7:0, 7:2
  .spikes 18446744073709551615:1
  .target 1 -> 0:0:0
.input "empty" size=1 generator=list
.input "poisson" size=2 generator=poisson seed=0xbeef probability_q32=4294967296
.input "zero" size=1 generator=poisson seed=0x0 probability_q32=0
.input "regular" size=1 generator=regular period=10 phase=0
)";
  CHECK(printAssembly(Img) == Want);
  CHECK(parseAssembly(Want, "want.s") == Img);
}

TEST_CASE("printInstruction follows the operand shapes of the table",
          "[assembly]") {
  CHECK(printInstruction(ins(Opcode::Halt)) == "halt");
  CHECK(printInstruction(ins(Opcode::Jmp, 0, 0, 0, 9)) == "jmp L9");
  CHECK(printInstruction(ins(Opcode::Brz, 0, 3, 0, 5)) == "brz r3, L5");
  CHECK(printInstruction(ins(Opcode::Movi, 2, 0, 0, -7)) == "movi r2, -7");
  CHECK(printInstruction(ins(Opcode::Mov, 1, 15)) == "mov r1, r15");
  CHECK(printInstruction(ins(Opcode::Ldin, 4)) == "ldin r4");
  CHECK(printInstruction(ins(Opcode::Sts, 0, 6, 0, 2)) == "sts r6, 2");
  CHECK(printInstruction(ins(Opcode::Mulsh, 1, 1, 2, 12)) ==
        "mulsh r1, r1, r2, 12");
  CHECK(printInstruction(ins(Opcode::Sel, 1, 2, 3, 4)) == "sel r1, r2, r3, r4");
  CHECK(printInstruction(ins(Opcode::Rand, 5, 0, 0, 8)) == "rand r5, 8");
  CHECK(printInstruction(ins(Opcode::Spikeg, 0, 9)) == "spikeg r9");
}

TEST_CASE("the parser accepts every mnemonic of the table", "[assembly]") {
  // One instruction per opcode, written from the operand shape only, so a
  // new row in Opcodes.def is covered without editing this test.
  std::string Program;
  for (const OpcodeInfo &Info : opcodeTable()) {
    std::string Line = std::string("    ") + Info.Mnemonic;
    std::vector<std::string> Ops;
    switch (Info.Operands) {
    case OperandForm::None:
      break;
    case OperandForm::D:
    case OperandForm::A:
      Ops = {"r1"};
      break;
    case OperandForm::DA:
      Ops = {"r1", "r2"};
      break;
    case OperandForm::DAB:
      Ops = {"r1", "r2", "r3"};
      break;
    }
    switch (Info.Imm) {
    case ImmKind::None:
      break;
    case ImmKind::Reg:
      Ops.push_back("r4");
      break;
    case ImmKind::Target:
      Ops.push_back("end");
      break;
    default:
      Ops.push_back("1");
      break;
    }
    for (size_t I = 0; I < Ops.size(); ++I)
      Line += (I ? ", " : " ") + Ops[I];
    Program += Line + "\n";
  }
  std::string Src = ".core 0 chip=0 x=0 y=0 slot=0\n"
                    "  .config axons=0 neurons=0 state_words=2 "
                    "delay_slots=1\n"
                    "  .profile 0\n    .params 0, 0\n" +
                    Program + "  end:\n  .end\n";
  Image Img = parseAssembly(Src, "all.s");
  const std::vector<Instruction> &P = Img.Cores[0].Profiles[0].Program;
  REQUIRE(P.size() == opcodeTable().size());
  for (size_t I = 0; I < P.size(); ++I) {
    INFO(opcodeTable()[I].Mnemonic);
    CHECK(P[I].Op == opcodeTable()[I].Op);
    if (opcodeTable()[I].Imm == ImmKind::Target)
      CHECK(P[I].Imm == int32_t(P.size()));
  }
}

TEST_CASE("defaults: a file with only a core", "[assembly]") {
  Image Img = parseAssembly(".core 0 chip=0 x=0 y=0 slot=0\n"
                            ".config axons=0 neurons=0 state_words=1 "
                            "delay_slots=1\n",
                            "min.s");
  CHECK(Img.Header == [] {
    ChipHeader H;
    H.Cores = {CoreLocation{}};
    return H;
  }());
  CHECK(Img.Cores.size() == 1);
}

//===----------------------------------------------------------------------===//
// (2) Round trips
//===----------------------------------------------------------------------===//

TEST_CASE("random images round-trip through the text form", "[assembly]") {
  unsigned Checked = 0;
  for (uint64_t Seed = 1; Seed <= 300; ++Seed) {
    Image Img = testing::makeRandomImage(Seed);
    validateImage(Img); // the generator's promise
    std::string Text = printAssembly(Img);
    INFO("seed " << Seed << "\n" << Text);
    Image Back = parseAssembly(Text, "random.s");
    REQUIRE(Back == Img);
    REQUIRE(printAssembly(Back) == Text);
    ++Checked;
  }
  CHECK(Checked == 300);
}

TEST_CASE("binary -> text -> binary gives identical bytes", "[assembly]") {
  for (uint64_t Seed = 500; Seed < 600; ++Seed) {
    INFO("seed " << Seed);
    std::vector<uint8_t> Bytes = encodeImage(testing::makeRandomImage(Seed));
    Image Text = parseAssembly(printAssembly(decodeImage(Bytes)), "bin.s");
    CHECK(encodeImage(Text) == Bytes);
  }
}

TEST_CASE("large random images round-trip through the text form",
          "[assembly]") {
  testing::RandomImageOptions Opt;
  Opt.MaxProgramLength = MaxProgramLength;
  Opt.MaxNeurons = 300;
  Opt.MaxAxons = 40;
  Opt.MaxSparse = 40;
  Opt.MaxCores = 6;
  for (uint64_t Seed = 1000; Seed < 1030; ++Seed) {
    Image Img = testing::makeRandomImage(Seed, Opt);
    std::string Text = printAssembly(Img);
    INFO("seed " << Seed);
    Image Back = parseAssembly(Text, "random.s");
    REQUIRE(Back == Img);
    REQUIRE(printAssembly(Back) == Text);
  }
}

TEST_CASE("runs of identical neurons print as one .neurons line",
          "[assembly]") {
  Image Img = parseAssembly(baseWith(0, ""), "t.s");
  std::string Text = printAssembly(Img);
  CHECK(Text.find("  .neurons 0 count=2 profile=0 state=0,0,0\n") !=
        std::string::npos);
  CHECK(Text.find(".neuron ") == std::string::npos);
  // Canonical output carries no comments.
  CHECK(Text.find(';') == std::string::npos);
  CHECK(Text.find('#') == std::string::npos);
}

//===----------------------------------------------------------------------===//
// (3) Errors, each at its exact file:line:col
//===----------------------------------------------------------------------===//

TEST_CASE("error: unknown directive", "[assembly][errors]") {
  std::string E = errorsOf(baseWith(15, "  .nuerons 0 count=2 profile=0"));
  CHECK_THAT(E, Catch::Contains("t.s:15:3: error: unknown directive "
                                "'.nuerons'; did you mean '.neurons'?"));
}

TEST_CASE("error: unknown mnemonic, with a suggestion", "[assembly][errors]") {
  std::string E = errorsOf(baseWith(9, "    ad r0, r1, r2"));
  CHECK_THAT(E, Catch::Contains(
                    "t.s:9:5: error: unknown mnemonic 'ad'; did you mean "
                    "'add'?"));
  // The source line and a caret under the mnemonic follow.
  CHECK_THAT(E, Catch::Contains("\n    ad r0, r1, r2\n    ^\n"));
}

TEST_CASE("error: wrong operand count", "[assembly][errors]") {
  CHECK_THAT(errorsOf(baseWith(9, "    add r1, r2")),
             Catch::Contains("t.s:9:5: error: 'add' takes 3 operands (rd, ra, "
                             "rb), got 2"));
  CHECK_THAT(errorsOf(baseWith(11, "    spike r1")),
             Catch::Contains("t.s:11:5: error: 'spike' takes 0 operands, got "
                             "1"));
}

TEST_CASE("error: register out of range", "[assembly][errors]") {
  std::string E = errorsOf(baseWith(9, "    mov r17, r1"));
  CHECK_THAT(E, Catch::Contains(
                    "t.s:9:9: error: register r17 out of range r0..r15"));
  CHECK_THAT(E, Catch::Contains("\n    mov r17, r1\n        ^\n"));
  CHECK_THAT(errorsOf(baseWith(9, "    mov x1, r1")),
             Catch::Contains("t.s:9:9: error: expected a register r0..r15, "
                             "got 'x1'"));
}

TEST_CASE("error: immediate out of range", "[assembly][errors]") {
  CHECK_THAT(errorsOf(baseWith(9, "    shl r1, r1, 40")),
             Catch::Contains("t.s:9:17: error: shift 40 out of range [0, 31]"));
  CHECK_THAT(errorsOf(baseWith(9, "    movi r1, 3000000000")),
             Catch::Contains("t.s:9:14: error: immediate 3000000000 out of "
                             "range [-2147483648, 2147483647]"));
  CHECK_THAT(errorsOf(baseWith(9, "    lds r1, 3")),
             Catch::Contains("t.s:9:13: error: state index 3 out of range "
                             "[0, 2] (the core has 3 state words)"));
  CHECK_THAT(errorsOf(baseWith(9, "    wrap r1, r1, 0")),
             Catch::Contains("t.s:9:18: error: bit width 0 out of range "
                             "[1, 31]"));
  // Parameter indices are checked at .end against the profile's .params.
  CHECK_THAT(errorsOf(baseWith(9, "    ldp r1, 1")),
             Catch::Contains("t.s:9:13: error: parameter index 1 out of range "
                             "[0, 0] (profile 0 has 1 parameters)"));
}

TEST_CASE("error: undefined label", "[assembly][errors]") {
  CHECK_THAT(errorsOf(baseWith(10, "    brz r0, dne")),
             Catch::Contains("t.s:10:13: error: undefined label 'dne' in "
                             "profile 0"));
}

TEST_CASE("error: backward branch", "[assembly][errors]") {
  // 'top' marks instruction 0, before the branch at instruction 1.
  CHECK_THAT(errorsOf(baseWith({{9, "  top: ldin r0"}, {10, "    brz r0, top"}})),
             Catch::Contains("t.s:10:13: error: branch target 'top' "
                             "(instruction 0) is not after the branch at "
                             "instruction 1; branches only go forward"));
  // A label on the branch itself is not after it either.
  CHECK_THAT(errorsOf(baseWith(10, "  self: brz r0, self")),
             Catch::Contains("t.s:10:17: error: branch target 'self' "
                             "(instruction 1) is not after the branch"));
  CHECK_THAT(errorsOf(baseWith(10, "    brz r0, @1")),
             Catch::Contains("t.s:10:13: error: branch target @1 is not after "
                             "the branch at instruction 1"));
  CHECK_THAT(errorsOf(baseWith(10, "    brz r0, @5")),
             Catch::Contains("t.s:10:13: error: target @5 out of range [2, 4] "
                             "(the program has 4 instructions; 4 means the "
                             "end)"));
}

TEST_CASE("error: duplicate label", "[assembly][errors]") {
  CHECK_THAT(errorsOf(baseWith(11, "  done: spike")),
             Catch::Contains("t.s:12:3: error: duplicate label 'done' (first "
                             "defined at line 11)"));
}

TEST_CASE("error: neuron out of order or missing", "[assembly][errors]") {
  CHECK_THAT(errorsOf(baseWith(15, "  .neuron 1 profile=0")),
             Catch::Contains("t.s:15:11: error: neuron 1 declared out of "
                             "order; expected neuron 0 (declare neurons 0..1 "
                             "in order)"));
  CHECK_THAT(errorsOf(baseWith(15, "  .neuron 0 profile=0")),
             Catch::Contains("t.s:5:1: error: core 0 declares 1 of 2 neurons; "
                             "neuron 1 is missing"));
  CHECK_THAT(errorsOf(baseWith(15, "  .neurons 0 count=3 profile=0")),
             Catch::Contains("t.s:15:12: error: neuron 2 out of range [0, 1] "
                             "(the core has 2 neurons)"));
  CHECK_THAT(errorsOf(baseWith(15, "  .neurons 0 count=2 profile=1")),
             Catch::Contains("t.s:15:30: error: profile 1 out of range [0, 0] "
                             "(core 0 has 1 profile)"));
}

TEST_CASE("error: axon out of range", "[assembly][errors]") {
  CHECK_THAT(errorsOf(baseWith(16, "  .axon 2")),
             Catch::Contains("t.s:16:9: error: axon 2 out of range [0, 1] (the "
                             "core has 2 axons)"));
  CHECK_THAT(errorsOf(baseWith(
                 6, "  .config axons=0 neurons=2 state_words=3 delay_slots=4")),
             Catch::Contains("t.s:16:9: error: axon 0 out of range: the core "
                             "has 0 axons"));
  // A destination naming an axon the target core does not have.
  CHECK_THAT(errorsOf(baseWith(18, "  .out 0 -> 0:0:1, 0:0:2")),
             Catch::Contains("t.s:18:24: error: axon 2 out of range [0, 1] "
                             "(chip 0 core 0 has 2 axons)"));
  CHECK_THAT(errorsOf(baseWith(20, "  .target 0 -> 0:1:0")),
             Catch::Contains("t.s:20:18: error: core 1 out of range [0, 0] "
                             "(chip 0 has 1 core)"));
}

TEST_CASE("error: bad number", "[assembly][errors]") {
  CHECK_THAT(errorsOf(baseWith(8, "    .params 12x")),
             Catch::Contains("t.s:8:13: error: bad number '12x'; write a "
                             "decimal or 0x-prefixed hex integer"));
  CHECK_THAT(errorsOf(baseWith(1, ".arch \"t\" fingerprint=0xfg")),
             Catch::Contains("t.s:1:23: error: bad number '0xfg'"));
  CHECK_THAT(errorsOf(baseWith(
                 1, ".arch \"t\" fingerprint=0x10000000000000000")),
             Catch::Contains("t.s:1:23: error: fingerprint "
                             "0x10000000000000000 out of range [0, "
                             "18446744073709551615]"));
}

TEST_CASE("error: delay out of range", "[assembly][errors]") {
  CHECK_THAT(errorsOf(baseWith(17, "    .sparse shift=0 0:1:0, 1:2:4")),
             Catch::Contains("t.s:17:25: error: delay 0 out of range [1, 4] "
                             "(the core has 4 delay slots)"));
  CHECK_THAT(errorsOf(baseWith(17, "    .dense first=0 delay=5 weights=1")),
             Catch::Contains("t.s:17:26: error: delay 5 out of range [1, 4] "
                             "(the core has 4 delay slots)"));
}

TEST_CASE("error: structure and context", "[assembly][errors]") {
  CHECK_THAT(errorsOf(baseWith(14, "")),
             Catch::Contains("t.s:15:3: error: '.neurons' inside .profile 0; "
                             "close the profile with .end first"));
  CHECK_THAT(errorsOf(baseWith(16, "")),
             Catch::Contains("t.s:17:5: error: '.sparse' must follow an .axon "
                             "line"));
  CHECK_THAT(errorsOf(baseWith(7, "  .profile 1")),
             Catch::Contains("t.s:7:12: error: profile 1 declared out of "
                             "order; expected profile 0"));
  CHECK_THAT(errorsOf(baseWith(5, ".core 1 chip=0 x=0 y=0 slot=0")),
             Catch::Contains("t.s:5:7: error: core 1 declared out of order; "
                             "expected core 0"));
  CHECK_THAT(errorsOf(baseWith(6, "  .config axons=2 neurons=2 state_words=3")),
             Catch::Contains("t.s:6:3: error: '.config' needs "
                             "'delay_slots='"));
  CHECK_THAT(errorsOf(baseWith(17, "    .sparse shft=0 0:1:1")),
             Catch::Contains("t.s:17:13: error: unknown key 'shft' for "
                             ".sparse (expected shift); did you mean "
                             "'shift'?"));
  // A quote inside a comment is no string.
  CHECK(errorsOf(baseWith(19, ".input \"in\" size=2 ; \"x")) == "");
  CHECK_THAT(errorsOf(baseWith(19, ".input \"in size=2")),
             Catch::Contains("t.s:19:8: error: unterminated string"));
  CHECK_THAT(errorsOf(baseWith(19, ".input \"i\\n\" size=2")),
             Catch::Contains("t.s:19:10: error: character 0x5c not allowed "
                             "in a name"));
  CHECK_THAT(errorsOf(baseWith(2, ".chips 1 2")),
             Catch::Contains("t.s:2:10: error: unexpected '2' at end of "
                             "line"));
  CHECK_THAT(errorsOf(baseWith(23, ".chips 1")),
             Catch::Contains("t.s:23:1: error: '.chips' must come before the "
                             "first .core"));
  CHECK_THAT(errorsOf(baseWith(13, "    halt r0")),
             Catch::Contains("t.s:13:5: error: 'halt' takes 0 operands"));
}

TEST_CASE("error: rules of validateImage point at the block",
          "[assembly][errors]") {
  // A crossbar segment without columns passes the parser and fails
  // validateImage; the message names the core and its .core line.
  std::string E = errorsOf(baseWith(17, "    .crossbar type=1 first=0 delay=1 "
                                        "bits=11"));
  CHECK_THAT(E, Catch::Contains("t.s:5:1: error: core 0: crossbar has 0 "
                                "columns but the core has 2 neurons"));
  // A population whose segments leave a gap.
  CHECK_THAT(errorsOf(baseWith(22, "  .segment core=0 first=0 count=1 "
                                   "offset=0")),
             Catch::Contains("t.s:21:1: error: symbols: symbols[1] \"p\": "
                             "population indices 1..1 are not covered"));
  // A core outside the mesh.
  CHECK_THAT(errorsOf(baseWith(5, ".core 0 chip=0 x=1 y=0 slot=0")),
             Catch::Contains("t.s:5:1: error: header: cores[0].x = 1 out of "
                             "range [0, 0]"));
}

TEST_CASE("error: spike generator keys", "[assembly][errors]") {
  CHECK_THAT(errorsOf(baseWith(19, ".input \"in\" size=2 generator=poison")),
             Catch::Contains("t.s:19:30: error: unknown generator 'poison' "
                             "(expected external, list, poisson or regular); "
                             "did you mean 'poisson'?"));
  CHECK_THAT(errorsOf(baseWith(19, ".input \"in\" size=2 generator=")),
             Catch::Contains("t.s:19:20: error: 'generator=' takes one of "
                             "external, list, poisson, regular"));
  CHECK_THAT(errorsOf(baseWith(19, ".input \"in\" size=2 generator=2")),
             Catch::Contains("t.s:19:30: error: 'generator=' takes one of"));
  CHECK_THAT(errorsOf(baseWith(19, ".input \"in\" size=2 generator=poisson "
                                   "period=3")),
             Catch::Contains("t.s:19:38: error: 'period=' needs "
                             "generator=regular (this port's generator is "
                             "poisson)"));
  CHECK_THAT(errorsOf(baseWith(19, ".input \"in\" size=2 seed=1")),
             Catch::Contains("t.s:19:20: error: 'seed=' needs "
                             "generator=poisson (this port's generator is "
                             "external)"));
  CHECK_THAT(errorsOf(baseWith(19, ".input \"in\" size=2 generator=poisson")),
             Catch::Contains("t.s:19:1: error: '.input' with generator=poisson "
                             "needs 'probability_q32='"));
  CHECK_THAT(errorsOf(baseWith(19, ".input \"in\" size=2 generator=poisson "
                                   "probability_q32=4294967297")),
             Catch::Contains("t.s:19:54: error: probability_q32 4294967297 out "
                             "of range [0, 4294967296] (2^32 = 4294967296 "
                             "fires in every step)"));
  CHECK_THAT(errorsOf(baseWith(19, ".input \"in\" size=2 generator=regular")),
             Catch::Contains("t.s:19:1: error: '.input' with generator=regular "
                             "needs 'period='"));
  CHECK_THAT(errorsOf(baseWith(19, ".input \"in\" size=2 generator=regular "
                                   "period=0")),
             Catch::Contains("t.s:19:45: error: period 0 out of range [1, "
                             "18446744073709551615]"));
  // One error: the port's .target line is skipped, not reported too.
  CHECK_THAT(errorsOf(baseWith(19, ".input \"in\" size=2 generator=regular "
                                   "period=1 phase=-1")),
             Catch::Contains("t.s:19:53: error: phase -1 out of range [0, "
                             "18446744073709551615]") &&
                 Catch::EndsWith("\n1 error in t.s\n"));
  CHECK_THAT(errorsOf(baseWith(21, ".population \"p\" size=2 "
                                   "generator=list")),
             Catch::Contains("t.s:21:24: error: unknown key 'generator' for "
                             ".population (expected size, record)"));
}

TEST_CASE("error: .spikes lines", "[assembly][errors]") {
  const std::string ListPort = ".input \"in\" size=2 generator=list";
  CHECK(errorsOf(baseWith({{19, ListPort}, {20, "  .spikes 0:1, 5:0, 5:1"}}))
            .empty());
  CHECK_THAT(errorsOf(baseWith({{19, ListPort}, {20, "  .spikes 0:1, 5:2"}})),
             Catch::Contains("t.s:20:18: error: port index 2 out of range "
                             "[0, 1] (input \"in\" has size 2)"));
  CHECK_THAT(errorsOf(baseWith({{19, ListPort}, {20, "  .spikes 5:1, 5:0"}})),
             Catch::Contains("t.s:20:16: error: spike 5:0 must come before "
                             "spike 5:1; sort the spikes by step, then index"));
  CHECK_THAT(errorsOf(baseWith({{19, ListPort}, {20, "  .spikes 5:1, 5:1"}})),
             Catch::Contains("t.s:20:16: error: spike 5:1 is listed twice; "
                             "list each spike once"));
  // The order holds across lines.
  CHECK_THAT(errorsOf(baseWith({{19, ListPort},
                                {20, "  .spikes 7:0"},
                                {21, "  .spikes 3:0"},
                                {22, ".population \"p\" size=2"},
                                {23, "  .segment core=0 first=0 count=2 "
                                     "offset=0"}})),
             Catch::Contains("t.s:21:11: error: spike 3:0 must come before "
                             "spike 7:0"));
  CHECK_THAT(errorsOf(baseWith({{19, ListPort}, {20, "  .spikes 5"}})),
             Catch::Contains("t.s:20:12: error: expected ':' between step and "
                             "index in step:index, got end of line"));
  CHECK_THAT(errorsOf(baseWith({{19, ListPort}, {20, "  .spikes -1:0"}})),
             Catch::Contains("t.s:20:11: error: step -1 out of range [0, "
                             "18446744073709551615]"));
  // Only a list generator takes spikes.
  CHECK_THAT(errorsOf(baseWith(20, "  .spikes 0:1")),
             Catch::Contains("t.s:20:3: error: '.spikes' must follow an .input "
                             "line with generator=list"));
  CHECK_THAT(errorsOf(baseWith(23, "  .spikes 0:1")),
             Catch::Contains("t.s:23:3: error: '.spikes' must follow an .input "
                             "line with generator=list"));
  CHECK_THAT(errorsOf(baseWith(20, "  .spiks 0:1")),
             Catch::Contains("t.s:20:3: error: unknown directive '.spiks'; did "
                             "you mean '.spikes'?"));
}

TEST_CASE("error: every error of a file is reported in one pass",
          "[assembly][errors]") {
  std::string S = baseWith({{9, "    ldin r16"},
                             {11, "    spkie"},
                             {20, "  .target 9 -> 0:0:0"}});
  std::string E = errorsOf(S);
  size_t A = E.find("t.s:9:10: error: register r16 out of range r0..r15");
  size_t B = E.find("t.s:11:5: error: unknown mnemonic 'spkie'; did you mean "
                    "'spike'?");
  size_t C = E.find("t.s:20:11: error: port index 9 out of range [0, 1] "
                    "(input \"in\" has size 2)");
  CHECK(A != std::string::npos);
  CHECK(B != std::string::npos);
  CHECK(C != std::string::npos);
  CHECK(A < B);
  CHECK(B < C);
  CHECK_THAT(E, Catch::EndsWith("3 errors in t.s\n"));
  // The bad instruction keeps its index, so the label after it still
  // resolves: no follow-on error about 'done'.
  CHECK(E.find("done") == std::string::npos);
}

TEST_CASE("population record flags and probes parse and print",
          "[assembly]") {
  std::string Src = baseWith({{21, ".population \"p\" size=2 record=0"},
                              {23, "  .probe \"v\" word=2"},
                              {24, "  .probe \"I syn\" word=0"}});
  Image Img = parseAssembly(Src, "t.s");
  REQUIRE(Img.Symbols.size() == 2);
  CHECK(Img.Symbols[0].RecordSpikes); // an input port keeps the default
  CHECK(Img.Symbols[0].Probes.empty());
  const Symbol &P = Img.Symbols[1];
  CHECK_FALSE(P.RecordSpikes);
  CHECK(P.Probes == std::vector<Probe>{{"v", 2}, {"I syn", 0}});
  std::string Text = printAssembly(Img);
  CHECK_THAT(Text, Catch::Contains(".population \"p\" size=2 record=0\n"
                                   "  .segment core=0 first=0 count=2 "
                                   "offset=0\n"
                                   "  .probe \"v\" word=2\n"
                                   "  .probe \"I syn\" word=0\n"));
  CHECK(parseAssembly(Text, "p.s") == Img);
  // record=1 is the default and is not printed.
  Image Rec = parseAssembly(baseWith(21, ".population \"p\" size=2 record=1"),
                            "t.s");
  CHECK(Rec.Symbols[1].RecordSpikes);
  CHECK_THAT(printAssembly(Rec),
             Catch::Contains(".population \"p\" size=2\n"));
}

TEST_CASE("error: record flags and probes", "[assembly][errors]") {
  CHECK_THAT(errorsOf(baseWith(23, "  .probe \"v\" word=3")),
             Catch::Contains("t.s:21:1: error: symbols: symbols[1] \"p\"."
                             "probes[0].state_word = 3 out of range [0, 2]: "
                             "segments[0] lies on core 0, which has 3 state "
                             "words"));
  CHECK_THAT(errorsOf(baseWith(23, "  .probe \"v\" word=8")),
             Catch::Contains("t.s:23:"));
  CHECK_THAT(errorsOf(baseWith(23, "  .probe \"v\" word=8")),
             Catch::Contains("out of range [0, 7]"));
  CHECK_THAT(errorsOf(baseWith(
                 {{23, "  .probe \"v\" word=0"}, {24, "  .probe \"v\" word=1"}})),
             Catch::Contains("t.s:24:10: error: variable \"v\" is already "
                             "probed in population \"p\"; probe each variable "
                             "once"));
  CHECK_THAT(errorsOf(baseWith(23, "  .probe v word=0")),
             Catch::Contains("t.s:23:10: error: expected the probed "
                             "variable's name as a quoted string"));
  CHECK_THAT(errorsOf(baseWith(23, "  .probe \"v\"")),
             Catch::Contains("t.s:23:3: error: '.probe' needs 'word='"));
  CHECK_THAT(errorsOf(baseWith(21, ".population \"p\" size=2 record=2")),
             Catch::Contains("t.s:21:"));
  CHECK_THAT(errorsOf(baseWith(21, ".population \"p\" size=2 record=2")),
             Catch::Contains("out of range [0, 1]"));
  CHECK_THAT(errorsOf(baseWith(21, "  .probe \"v\" word=0")),
             Catch::Contains("t.s:21:3: error: '.probe' must follow a "
                             ".population line"));
  CHECK_THAT(errorsOf(baseWith(19, ".input \"in\" size=2 record=0")),
             Catch::Contains("t.s:19:20: error: unknown key 'record'"));
}
