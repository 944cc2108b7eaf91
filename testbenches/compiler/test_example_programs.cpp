//===- test_example_programs.cpp - examples/asm use the library's programs ===//
//
// The hand-written examples copy the neuron programs of the compiler's
// library (NeuronPrograms.cpp) so that readers learn the ISA from the code
// the compiler really emits. These tests fail when the two drift apart: each
// example profile must equal the library's profile for the parameters the
// example's comments state (the parameter words and every instruction).
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/NeuronPrograms.h"
#include "neuromesh/isa/Assembly.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

using namespace neuromesh;

namespace {

isa::Image assembleExample(const std::string &Name) {
  std::ifstream In(NM_SOURCE_DIR "/examples/asm/" + Name);
  REQUIRE(In.good());
  std::stringstream S;
  S << In.rdbuf();
  return isa::parseAssembly(S.str(), Name);
}

/// Compares program first (the more useful message), then parameters.
void checkProfile(const isa::NeuronProfile &Got,
                  const isa::NeuronProfile &Want) {
  REQUIRE(Got.Program.size() == Want.Program.size());
  for (size_t I = 0; I < Want.Program.size(); ++I) {
    INFO("instruction " << I << ": got '"
                        << isa::printInstruction(Got.Program[I])
                        << "', the library has '"
                        << isa::printInstruction(Want.Program[I]) << "'");
    CHECK(Got.Program[I] == Want.Program[I]);
  }
  CHECK(Got.Params == Want.Params);
}

} // namespace

TEST_CASE("if_chain.s uses the library's IF program", "[examples]") {
  isa::Image Img = assembleExample("if_chain.s");
  compiler::IfParams P;
  P.Bias = 0;
  P.Threshold = 10;
  P.Reset = compiler::ResetMode::ToValue;
  P.ResetValue = 0;
  isa::NeuronProfile Want = compiler::ifProfile(P);
  REQUIRE(Img.Cores.size() == 2);
  for (const isa::Core &C : Img.Cores) {
    REQUIRE(C.Profiles.size() == 1);
    CHECK(C.Config.NumStateWords == compiler::if_neuron::NumStateWords);
    checkProfile(C.Profiles[0], Want);
  }
}

TEST_CASE("cuba_lif.s uses the library's Loihi CUBA LIF program",
          "[examples]") {
  isa::Image Img = assembleExample("cuba_lif.s");
  REQUIRE(Img.Cores.size() == 1);
  const isa::Core &C = Img.Cores[0];
  CHECK(C.Config.NumStateWords == compiler::loihi_cuba_lif::NumStateWords);
  REQUIRE(C.Profiles.size() == 2);
  // Profile 0: du 1024, dv 256, no bias, vth_mant 100, refractory 2.
  compiler::LoihiCubaLifParams P0;
  P0.Du = 1024;
  P0.Dv = 256;
  P0.VthMant = 100;
  P0.Refractory = 2;
  checkProfile(C.Profiles[0], compiler::loihiCubaLifProfile(P0));
  // Profile 1: dv 128 and bias 100 * 2^2.
  compiler::LoihiCubaLifParams P1 = P0;
  P1.Dv = 128;
  P1.BiasMant = 100;
  P1.BiasExp = 2;
  checkProfile(C.Profiles[1], compiler::loihiCubaLifProfile(P1));
}

TEST_CASE("truenorth.s uses the library's TrueNorth program", "[examples]") {
  isa::Image Img = assembleExample("truenorth.s");
  REQUIRE(Img.Cores.size() == 1);
  const isa::Core &C = Img.Cores[0];
  CHECK(C.Config.NumStateWords == compiler::truenorth::NumStateWords);
  REQUIRE(C.Profiles.size() == 1);
  compiler::TrueNorthParams P;
  P.Lambda = -1;
  P.Eps = 0;
  P.C = 0;
  P.Alpha = 8;
  P.Beta = 0;
  P.Kappa = 1;
  P.Gamma = 0;
  P.R = 0;
  P.M = 3;
  checkProfile(C.Profiles[0], compiler::trueNorthProfile(P));
  // The example exercises the crossbar: 4 axon types and columns.
  CHECK(C.Crossbar.size() == C.Neurons.size());
  bool Type[isa::NumAxonTypes] = {};
  for (const auto &Axon : C.Axons)
    for (const isa::SynapseSegment &S : Axon)
      if (S.Kind == isa::SegmentKind::Crossbar)
        Type[S.AxonType] = true;
  for (bool T : Type)
    CHECK(T);
}
