//===- test_run.cpp - runtime::runImage -----------------------------------===//
#include "neuromesh/runtime/Run.h"

#include "neuromesh/isa/Error.h"

#include <catch2/catch.hpp>

namespace isa = neuromesh::isa;
namespace rt = neuromesh::runtime;
using neuromesh::emulator::SpikeRecord;

namespace {

/// One core, two neurons that fire whenever their input is not zero; input
/// port "in" index i reaches neuron i with delay 1. Symbols: 0 "in",
/// 1 "out" (both neurons).
isa::Image relayImage() {
  isa::Image Img;
  Img.Header.Cores = {{0, 0, 0, 0}};
  isa::Core C;
  isa::NeuronProfile P;
  P.Program = {{isa::Opcode::Ldin, 0, 0, 0, 0},
               {isa::Opcode::Brz, 0, 0, 0, 3},
               {isa::Opcode::Spike, 0, 0, 0, 0}};
  C.Profiles = {P};
  C.Neurons.assign(2, {0, {0}});
  C.Axons.resize(2);
  for (uint16_t A = 0; A < 2; ++A) {
    isa::SynapseSegment S;
    S.Sparse = {{A, 1, 1}};
    C.Axons[A] = {S};
  }
  C.Outputs.resize(2);
  Img.Cores = {C};
  isa::Symbol In;
  In.Kind = isa::SymbolKind::InputPort;
  In.Name = "in";
  In.Size = 2;
  In.Targets = {{{0, 0, 0}}, {{0, 0, 1}}};
  isa::Symbol Out;
  Out.Kind = isa::SymbolKind::Population;
  Out.Name = "out";
  Out.Size = 2;
  Out.Segments = {{0, 0, 2, 0}};
  Img.Symbols = {In, Out};
  return Img;
}

} // namespace

TEST_CASE("runImage relays inputs one step later and counts", "[runtime]") {
  rt::RunOptions O;
  O.Steps = 5;
  O.Inputs = {{3, 0, 1}, {0, 0, 0}, {4, 0, 0}, {9, 0, 1}};
  rt::RunResult R = rt::runImage(relayImage(), O);
  // Inputs at steps 0 and 3 fire in 1 and 4; step 4's would fire in 5, and
  // step 9's is past the run.
  CHECK(R.Spikes == std::vector<SpikeRecord>{{1, 1, 0}, {4, 1, 1}});
  CHECK(R.Engine == "systemc"); // the default engine
  CHECK(R.Steps == 5);
  CHECK(R.IgnoredInputs == 1);
  CHECK(R.Counters.HostSpikes == 3);
  CHECK(R.Counters.Cores.SynapticEvents == 3);
  CHECK(R.Counters.Cores.NeuronUpdates == 10);
  CHECK(R.Counters.RecordedSpikes == 2);
  CHECK(R.WallSeconds >= 0);
}

TEST_CASE("runImage rejects unknown engines and bad inputs", "[runtime]") {
  rt::RunOptions O;
  O.Steps = 1;
  O.Engine = "systemc-someday";
  CHECK_THROWS_WITH(rt::runImage(relayImage(), O),
                    Catch::Contains("unknown engine 'systemc-someday'") &&
                        Catch::Contains("available engines: functional"));
  O.Engine = "functional";
  O.Inputs = {{0, 1, 0}}; // symbol 1 is a population
  CHECK_THROWS_WITH(rt::runImage(relayImage(), O),
                    Catch::Contains("not an input port"));
  O.Inputs = {{0, 0, 2}};
  CHECK_THROWS_WITH(rt::runImage(relayImage(), O),
                    Catch::Contains("index 2 out of range [0, 2)"));
  isa::Image Bad = relayImage();
  Bad.Cores[0].Outputs.clear();
  O.Inputs.clear();
  CHECK_THROWS_AS(rt::runImage(Bad, O), neuromesh::Error);
  CHECK(rt::availableEngines() == std::vector<std::string>{"functional", "systemc"});
}

TEST_CASE("the run summary lists every population", "[runtime]") {
  rt::RunOptions O;
  O.Steps = 3;
  O.Inputs = {{0, 0, 1}};
  isa::Image Img = relayImage();
  std::string S = rt::formatRunSummary(rt::runImage(Img, O), Img);
  CHECK_THAT(S, Catch::Contains("steps:                 3\n") &&
                    Catch::Contains("spikes 'out':          1\n") &&
                    Catch::Contains("synaptic events:       1\n") &&
                    Catch::Contains("neuron updates:        6\n"));
  CHECK_THAT(S, !Catch::Contains("'in'"));
}
