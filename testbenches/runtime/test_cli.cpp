//===- test_cli.cpp - the nmesh as, objdump and run commands --------------===//
//
// Runs the nmesh just built (NM_NMESH_PATH) on temporary files and checks
// exit codes, outputs and messages. The network's spikes are worked out by
// hand in the comment above NetworkSpikes.
//
//===----------------------------------------------------------------------===//
#include "runtime/CliTestUtil.h"

#include "neuromesh/runtime/Progress.h"

#include <catch2/catch.hpp>

#include <llvm/Support/JSON.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace neuromesh::testing;

namespace {

/// Two cores. Core 0: IF neurons (threshold 2, reset to 0) n0 and n1, axon
/// 0 reaches n0 (weight 1, delay 1) and n1 (weight 2, delay 2), D = 2.
/// n0 -> core 1; n1 -> core 1 and back to core 0 axon 0. Core 1: one neuron
/// that fires whenever its input is not 0 (dense weight 1, delay 1).
const char *NetworkAsm = R"(; a two-core chain for the CLI tests
.arch "test" fingerprint=0x1
.chips 1
.mesh 1 1
.cores_per_tile 2
.core 0 chip=0 x=0 y=0 slot=0
  .config axons=1 neurons=2 state_words=1 delay_slots=2 seed=0x1
  .profile 0
    .params 2
    ldin r0
    lds r1, 0
    add r1, r1, r0
    ldp r2, 0
    slt r3, r1, r2
    brnz r3, keep
    spike
    movi r1, 0
  keep:
    sts r1, 0
  .end
  .neurons 0 count=2 profile=0 state=0
  .axon 0
    .sparse shift=0 0:1:1, 1:2:2
  .out 0 -> 0:1:0
  .out 1 -> 0:1:0, 0:0:0
.core 1 chip=0 x=0 y=0 slot=1
  .config axons=1 neurons=1 state_words=1 delay_slots=1 seed=0x2
  .profile 0
    .params 1
    ldin r0
    brz r0, done
    spike
  done:
    halt
  .end
  .neuron 0 profile=0 state=0
  .axon 0
    .dense first=0 delay=1 shift=0 weights=1
.input "in" size=1
  .target 0 -> 0:0:0
.population "first" size=2
  .segment core=0 first=0 count=2 offset=0
.population "second" size=1
  .segment core=1 first=0 count=1 offset=0
)";

/// Host spikes on in[0] in steps 0 and 1, 8 steps:
///  step 1: n0 v=1. step 2: n0 v=2 fires; n1 gets 2 (step-0 spike) fires.
///  From then n1 re-excites itself (2 every step) and fires every step; n0
///  gets 1 per n1 spike and fires every other step (2, 4, 6). Core 1 gets
///  the spikes of step t in step t+1 and fires in steps 3..7.
/// Synaptic events: core 0 axon 0 (2 synapses) receives 2 host spikes and 6
/// n1 spikes; core 1 axon 0 (1 synapse) 3 + 6 spikes: 16 + 9 = 25.
const char *NetworkSpikes = "step,population,neuron\n"
                            "2,first,0\n"
                            "2,first,1\n"
                            "3,first,1\n"
                            "3,second,0\n"
                            "4,first,0\n"
                            "4,first,1\n"
                            "4,second,0\n"
                            "5,first,1\n"
                            "5,second,0\n"
                            "6,first,0\n"
                            "6,first,1\n"
                            "6,second,0\n"
                            "7,first,1\n"
                            "7,second,0\n";

} // namespace

TEST_CASE("nmesh as -> objdump -> as gives identical bytes", "[cli]") {
  TempDir T;
  writeFile(T / "net.s", NetworkAsm);
  Result A = nmesh(T, "as '" + T / "net.s" + "' -o '" + T / "a.nmb" + "'");
  INFO(A.Err);
  REQUIRE(A.Exit == 0);
  Result D = nmesh(T, "objdump '" + T / "a.nmb" + "' -o '" + T / "a.s" + "'");
  REQUIRE(D.Exit == 0);
  Result B = nmesh(T, "as '" + T / "a.s" + "' -o '" + T / "b.nmb" + "'");
  REQUIRE(B.Exit == 0);
  std::string Bytes = readFile(T / "a.nmb");
  CHECK(Bytes.size() > 0);
  CHECK(Bytes == readFile(T / "b.nmb"));
  // Without -o the text goes to stdout, identical to the file.
  Result S = nmesh(T, "objdump '" + T / "a.nmb" + "'");
  CHECK(S.Exit == 0);
  CHECK(S.Out == readFile(T / "a.s"));
  CHECK(S.Out.find(".population \"second\"") != std::string::npos);
}

TEST_CASE("nmesh run writes the hand-worked spikes and a summary", "[cli]") {
  TempDir T;
  writeFile(T / "net.s", NetworkAsm);
  REQUIRE(nmesh(T, "as '" + T / "net.s" + "' -o '" + T / "net.nmb" + "'").Exit == 0);
  // Rows in any order; the reader sorts them.
  writeFile(T / "in.csv", "step,population,neuron\n1,in,0\n0,in,0\n");
  Result R = nmesh(T, "run '" + T / "net.nmb" + "' --steps 8 --input '" +
                          T / "in.csv" + "' --spikes '" + T / "out.csv" + "'");
  INFO(R.Err);
  REQUIRE(R.Exit == 0);
  CHECK(readFile(T / "out.csv") == NetworkSpikes);
  // The default engine is the SystemC model; without --arch it says its
  // timing is the default one.
  CHECK_THAT(R.Out, Catch::Contains("engine:                systemc\n") &&
                        Catch::Contains("timing:                defaults, no --arch") &&
                        Catch::Contains("step latency max:") &&
                        Catch::Contains("steps:                 8\n") &&
                        Catch::Contains("spikes 'first':        9\n") &&
                        Catch::Contains("spikes 'second':       5\n") &&
                        Catch::Contains("host input spikes:     2\n") &&
                        Catch::Contains("synaptic events:       25\n") &&
                        Catch::Contains("neuron updates:        24\n") &&
                        Catch::Contains("wall time:") &&
                        Catch::Contains("synaptic events/s:"));
  // --engine functional stays, with the same spikes and no timing lines;
  // the input is optional.
  Result F = nmesh(T, "run '" + T / "net.nmb" + "' --steps 8 --engine functional --input '" +
                          T / "in.csv" + "' --spikes '" + T / "out_f.csv" + "'");
  REQUIRE(F.Exit == 0);
  CHECK(readFile(T / "out_f.csv") == NetworkSpikes);
  CHECK_THAT(F.Out, Catch::Contains("engine:                functional\n"));
  CHECK(F.Out.find("timing:") == std::string::npos);
  CHECK(F.Out.find("step latency") == std::string::npos);
  Result E = nmesh(T, "run '" + T / "net.nmb" + "' -n 3 --engine functional");
  CHECK(E.Exit == 0);
  CHECK_THAT(E.Out, Catch::Contains("spikes recorded:       0\n"));
}

TEST_CASE("nmesh errors exit 1 and name the file", "[cli]") {
  TempDir T;
  writeFile(T / "net.s", NetworkAsm);
  REQUIRE(nmesh(T, "as '" + T / "net.s" + "' -o '" + T / "net.nmb" + "'").Exit == 0);

  SECTION("missing files") {
    Result A = nmesh(T, "as '" + T / "none.s" + "' -o '" + T / "x.nmb" + "'");
    CHECK(A.Exit == 1);
    CHECK_THAT(A.Err, Catch::Contains(T / "none.s"));
    CHECK_FALSE(exists(T / "x.nmb"));
    Result D = nmesh(T, "objdump '" + T / "none.nmb" + "'");
    CHECK(D.Exit == 1);
    CHECK_THAT(D.Err, Catch::Contains(T / "none.nmb"));
    Result R = nmesh(T, "run '" + T / "none.nmb" + "' --steps 1");
    CHECK(R.Exit == 1);
    CHECK_THAT(R.Err, Catch::Contains(T / "none.nmb"));
    Result I = nmesh(T, "run '" + T / "net.nmb" + "' --steps 1 --input '" +
                            T / "none.csv" + "'");
    CHECK(I.Exit == 1);
    CHECK_THAT(I.Err, Catch::Contains(T / "none.csv"));
  }
  SECTION("a corrupt image") {
    std::string Bytes = readFile(T / "net.nmb");
    REQUIRE(Bytes.size() > 40);
    Bytes[Bytes.size() / 2] = char(Bytes[Bytes.size() / 2] ^ 0x5a);
    writeFile(T / "bad.nmb", Bytes);
    Result R = nmesh(T, "run '" + T / "bad.nmb" + "' --steps 1");
    CHECK(R.Exit == 1);
    CHECK_THAT(R.Err, Catch::Contains(T / "bad.nmb"));
    writeFile(T / "short.nmb", Bytes.substr(0, 10));
    Result D = nmesh(T, "objdump '" + T / "short.nmb" + "'");
    CHECK(D.Exit == 1);
    CHECK_THAT(D.Err, Catch::Contains(T / "short.nmb"));
  }
  SECTION("a bad assembly line") {
    writeFile(T / "bad.s", std::string(NetworkAsm) + "  bogus r1\n");
    Result A = nmesh(T, "as '" + T / "bad.s" + "' -o '" + T / "x.nmb" + "'");
    CHECK(A.Exit == 1);
    CHECK_THAT(A.Err, Catch::Contains(T / "bad.s:"));
    CHECK_FALSE(exists(T / "x.nmb"));
  }
  SECTION("a bad CSV line names file and line, and writes no spikes") {
    writeFile(T / "in.csv", "step,population,neuron\n0,in,0\n1,nope,0\n");
    Result R = nmesh(T, "run '" + T / "net.nmb" + "' --steps 4 --input '" +
                            T / "in.csv" + "' --spikes '" + T / "out.csv" + "'");
    CHECK(R.Exit == 1);
    CHECK_THAT(R.Err, Catch::Contains(T / "in.csv:3: error: unknown input "
                                          "port 'nope'") &&
                          Catch::Contains("'in'"));
    CHECK_FALSE(exists(T / "out.csv"));
  }
  SECTION("an unknown engine lists the available ones") {
    Result R = nmesh(T, "run '" + T / "net.nmb" + "' --steps 1 --engine warp");
    CHECK(R.Exit == 1);
    CHECK_THAT(R.Err, Catch::Contains("unknown engine 'warp'") &&
                          Catch::Contains("functional"));
  }
}

TEST_CASE("nmesh bad flags exit 2 with usage, --help explains", "[cli]") {
  TempDir T;
  for (const char *Args :
       {"as", "as x.s", "as x.s -o", "objdump", "objdump a b", "run",
        "run x.nmb", "run x.nmb --steps many", "run x.nmb --steps -3",
        "run x.nmb --steps 1 --bogus"}) {
    INFO(Args);
    Result R = nmesh(T, Args);
    CHECK(R.Exit == 2);
    CHECK_THAT(R.Err, Catch::Contains("usage: nmesh"));
  }
  Result A = nmesh(T, "as --help");
  CHECK(A.Exit == 0);
  CHECK_THAT(A.Out, Catch::Contains("Assembles a chip image"));
  Result D = nmesh(T, "objdump --help");
  CHECK(D.Exit == 0);
  CHECK_THAT(D.Out, Catch::Contains("assembly text"));
  Result R = nmesh(T, "run --help");
  CHECK(R.Exit == 0);
  CHECK_THAT(R.Out, Catch::Contains("Runs a chip image") &&
                        Catch::Contains("--steps") &&
                        Catch::Contains("functional") &&
                        Catch::Contains("(=systemc)"));
}

TEST_CASE("nmesh run --vcd and --trace write the SystemC model's activity", "[cli][trace]") {
  TempDir T;
  writeFile(T / "net.s", NetworkAsm);
  REQUIRE(nmesh(T, "as '" + T / "net.s" + "' -o '" + T / "net.nmb" + "'").Exit == 0);
  writeFile(T / "in.csv", "step,population,neuron\n1,in,0\n0,in,0\n");
  Result R = nmesh(T, "run '" + T / "net.nmb" + "' --steps 8 --input '" + T / "in.csv" +
                          "' --vcd '" + T / "a.vcd" + "' --trace '" + T / "a.json" + "'");
  INFO(R.Err);
  REQUIRE(R.Exit == 0);
  // No progress line: standard error is not a terminal here.
  CHECK(R.Err.find('\r') == std::string::npos);
  const std::string Vcd = readFile(T / "a.vcd");
  CHECK_THAT(Vcd, Catch::Contains("$timescale 1ps $end") &&
                      Catch::Contains("$var integer 32 ! step $end") &&
                      Catch::Contains("$var wire 1 \" barrier $end") &&
                      Catch::Contains("$enddefinitions $end") && Catch::Contains("east_busy"));
  // Eight steps: the step number reaches 7 (b111).
  CHECK_THAT(Vcd, Catch::Contains("b111 !"));
  llvm::Expected<llvm::json::Value> J = llvm::json::parse(readFile(T / "a.json"));
  REQUIRE(bool(J));
  int Steps = 0;
  for (const llvm::json::Value &E : *J->getAsObject()->getArray("traceEvents"))
    Steps += E.getAsObject()->getString("name")->startswith("step ");
  CHECK(Steps == 8);

  SECTION("the functional engine has no activity to trace") {
    Result F = nmesh(T, "run '" + T / "net.nmb" + "' --steps 2 --engine functional --vcd '" +
                            T / "b.vcd" + "'");
    CHECK(F.Exit == 2);
    CHECK_THAT(F.Err, Catch::Contains("--vcd and --trace") &&
                          Catch::Contains("--engine systemc"));
    CHECK_FALSE(exists(T / "b.vcd"));
  }
}

TEST_CASE("progress text: steps, rate and time left", "[cli]") {
  using neuromesh::runtime::formatProgress;
  CHECK(formatProgress(1200, 5000, 2.0) == "step 1200/5000 (24.0 %), 600 steps/s, 6.3 s left");
  CHECK(formatProgress(0, 10, 0.0) == "step 0/10 (0.0 %)");
  // A disabled line (not a terminal) writes nothing.
  std::FILE *F = std::tmpfile();
  REQUIRE(F);
  neuromesh::runtime::ProgressLine P(F, false);
  P.update(5, 10);
  P.finish();
  CHECK(std::ftell(F) == 0);
  std::fclose(F);
}
