//===- test_run_systemc.cpp - runImage on the SystemC engine --------------===//
//
// `nmesh run --engine systemc` goes through runtime::runImage: the SystemC
// chip model must give the functional engine's spikes and counts on the
// demo image (worked out by hand in examples/asm/if_chain.s), and report a
// simulated latency for every step.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/runtime/Run.h"
#include "neuromesh/runtime/SpikeFile.h"

#include "neuromesh/isa/Assembly.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

namespace isa = neuromesh::isa;
namespace rt = neuromesh::runtime;

namespace {

std::string slurp(const std::string &Path) {
  std::ifstream In(Path);
  std::stringstream S;
  S << In.rdbuf();
  return S.str();
}

} // namespace

TEST_CASE("runImage with the systemc engine matches the functional engine on the demo image",
          "[runtime]") {
  const std::string Dir = std::string(NM_SOURCE_DIR) + "/examples/asm/";
  isa::Image Img = isa::parseAssembly(slurp(Dir + "if_chain.s"), "if_chain.s");
  rt::RunOptions O;
  O.Steps = 20;
  O.Inputs = rt::readSpikeFile(Dir + "if_chain_input.csv", Img, isa::SymbolKind::InputPort);
  O.Engine = "functional";
  rt::RunResult F = rt::runImage(Img, O);
  O.Engine = rt::RunOptions().Engine; // the default: systemc
  rt::RunResult S = rt::runImage(Img, O);
  CHECK(S.Engine == "systemc");
  REQUIRE(F.Spikes.size() == 13); // the 13 spikes the example's comments derive
  CHECK(S.Spikes == F.Spikes);
  CHECK(S.Counters.Cores == F.Counters.Cores);
  CHECK(S.Counters.HostMessages == F.Counters.HostMessages);
  CHECK(F.StepSeconds.empty());
  REQUIRE(S.StepSeconds.size() == 20);
  for (double T : S.StepSeconds)
    CHECK(T > 0);
  CHECK_THAT(rt::formatRunSummary(S, Img), Catch::Contains("step latency mean"));
}
