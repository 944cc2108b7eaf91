//===- test_spike_file.cpp - spike CSV reader and writer ------------------===//
#include "neuromesh/runtime/SpikeFile.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/FileIO.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace isa = neuromesh::isa;
namespace rt = neuromesh::runtime;
using neuromesh::emulator::SpikeRecord;

namespace {

/// Symbols only: the reader and writer look at nothing else.
isa::Image symbolImage() {
  isa::Image Img;
  auto Add = [&](isa::SymbolKind K, const std::string &Name, uint32_t Size) {
    isa::Symbol S;
    S.Kind = K;
    S.Name = Name;
    S.Size = Size;
    Img.Symbols.push_back(S);
  };
  Add(isa::SymbolKind::Population, "exc", 10); // 0
  Add(isa::SymbolKind::InputPort, "in", 4);    // 1
  Add(isa::SymbolKind::Population, "inh", 3);  // 2
  Add(isa::SymbolKind::InputPort, "cue", 2);   // 3
  return Img;
}

std::string errorOf(const std::string &Text, isa::SymbolKind Kind) {
  try {
    rt::parseSpikeCsv(Text, "in.csv", symbolImage(), Kind);
  } catch (const neuromesh::Error &E) {
    return E.what();
  }
  return "<no error>";
}

std::string tempPath(const std::string &Name) {
  return fmt::format("/tmp/nm_test_spike_file_{}_{}", ::getpid(), Name);
}

} // namespace

TEST_CASE("spike CSV: rows parse, resolve and sort", "[runtime]") {
  std::string Text = "step,population,neuron\r\n"
                     "3,in,2\r\n"
                     " 0 , cue , 1 \n"
                     "\n"
                     "0,\"in\",3\n"
                     "0,in,0\n"
                     "12345678901,cue,0"; // no final newline
  std::vector<SpikeRecord> Got = rt::parseSpikeCsv(
      Text, "x.csv", symbolImage(), isa::SymbolKind::InputPort);
  std::vector<SpikeRecord> Want = {
      {0, 1, 0}, {0, 1, 3}, {0, 3, 1}, {3, 1, 2}, {12345678901ULL, 3, 0}};
  CHECK(Got == Want);
}

TEST_CASE("spike CSV: a header alone is an empty spike list", "[runtime]") {
  CHECK(rt::parseSpikeCsv("step,population,neuron\n", "x.csv", symbolImage(),
                          isa::SymbolKind::Population)
            .empty());
}

TEST_CASE("spike CSV: errors name file and line and say what is wrong",
          "[runtime]") {
  using K = isa::SymbolKind;
  CHECK_THAT(errorOf("time,pop,n\n0,in,0\n", K::InputPort),
             Catch::Contains("in.csv:1: error: bad header 'time,pop,n'") &&
                 Catch::Contains("step,population,neuron"));
  CHECK_THAT(errorOf("", K::InputPort),
             Catch::Contains("in.csv:1: error: empty file"));
  CHECK_THAT(errorOf("step,population,neuron\n0,in\n", K::InputPort),
             Catch::Contains("in.csv:2: error: expected 3 fields") &&
                 Catch::Contains("got 2"));
  CHECK_THAT(errorOf("step,population,neuron\n1.5,in,0\n", K::InputPort),
             Catch::Contains("in.csv:2: error: step '1.5' is not an integer"));
  CHECK_THAT(errorOf("step,population,neuron\n-1,in,0\n", K::InputPort),
             Catch::Contains("in.csv:2: error: step -1 is negative"));
  CHECK_THAT(errorOf("step,population,neuron\n0,in,x\n", K::InputPort),
             Catch::Contains("in.csv:2: error: neuron 'x' is not an integer"));
  CHECK_THAT(
      errorOf("step,population,neuron\n0,in,4\n", K::InputPort),
      Catch::Contains(
          "in.csv:2: error: neuron 4 out of range [0, 4) for input port 'in'"));
  CHECK_THAT(errorOf("step,population,neuron\n0,in,-1\n", K::InputPort),
             Catch::Contains("in.csv:2: error: neuron -1 out of range"));
  // A population is not an input port, and the known ports are listed.
  CHECK_THAT(errorOf("step,population,neuron\n\n0,exc,0\n", K::InputPort),
             Catch::Contains("in.csv:3: error: unknown input port 'exc'") &&
                 Catch::Contains("'in', 'cue'"));
  CHECK_THAT(errorOf("step,population,neuron\n0,in,0\n", K::Population),
             Catch::Contains("unknown population 'in'") &&
                 Catch::Contains("'exc', 'inh'"));
  CHECK_THAT(errorOf("step,population,neuron\n2,in,1\n0,in,0\n2,in,1\n",
                     K::InputPort),
             Catch::Contains("in.csv:4: error: duplicate spike") &&
                 Catch::Contains("line 2"));
  CHECK_THAT(errorOf("step,population,neuron\n99999999999999999999,in,0\n",
                     K::InputPort),
             Catch::Contains("is not an integer"));
}

TEST_CASE("spike CSV: every bad row is reported in one pass", "[runtime]") {
  std::string E = errorOf("step,population,neuron\n"
                          "x,in,0\n"
                          "0,in,0\n"
                          "0,nope,0\n",
                          isa::SymbolKind::InputPort);
  CHECK_THAT(E, Catch::Contains("in.csv:2: error:") &&
                    Catch::Contains("in.csv:4: error:"));
  CHECK_THAT(E, !Catch::Contains("in.csv:3"));

  std::string Many = "step,population,neuron\n";
  for (int I = 0; I < 30; ++I)
    Many += "bad\n";
  std::string M = errorOf(Many, isa::SymbolKind::InputPort);
  CHECK_THAT(M, Catch::Contains("in.csv:21: error:") &&
                    Catch::Contains("10 more errors not shown"));
  CHECK_THAT(M, !Catch::Contains("in.csv:22:"));
}

TEST_CASE("spike CSV: writing sorts, names and round-trips", "[runtime]") {
  isa::Image Img = symbolImage();
  std::vector<SpikeRecord> Spikes = {{5, 2, 1}, {0, 0, 9}, {5, 0, 3},
                                     {0, 0, 2}};
  CHECK(rt::formatSpikeCsv(Spikes, Img) == "step,population,neuron\n"
                                           "0,exc,2\n"
                                           "0,exc,9\n"
                                           "5,exc,3\n"
                                           "5,inh,1\n");
  const std::string Path = tempPath("out.csv");
  rt::writeSpikeFile(Path, Spikes, Img);
  std::vector<SpikeRecord> Back =
      rt::readSpikeFile(Path, Img, isa::SymbolKind::Population);
  std::sort(Spikes.begin(), Spikes.end());
  CHECK(Back == Spikes);
  std::remove(Path.c_str());
}

TEST_CASE("spike CSV: names with commas, quotes and blanks are quoted and read back",
          "[runtime]") {
  // NIR node names are free text: a name may hold anything but a line break
  // and must come back as the same population.
  isa::Image Img;
  for (const char *Name : {"conv, 1", "say \"hi\"", " padded ", "plain"}) {
    isa::Symbol S;
    S.Kind = isa::SymbolKind::Population;
    S.Name = Name;
    S.Size = 4;
    Img.Symbols.push_back(S);
  }
  const std::vector<SpikeRecord> Spikes = {{0, 0, 1}, {0, 1, 2}, {1, 2, 3}, {2, 3, 0}};
  const std::string Text = rt::formatSpikeCsv(Spikes, Img);
  // RFC 4180 by hand: quoted when needed, inner quotes doubled.
  CHECK(Text == "step,population,neuron\n"
                "0,\"conv, 1\",1\n"
                "0,\"say \"\"hi\"\"\",2\n"
                "1,\" padded \",3\n"
                "2,plain,0\n");
  CHECK(rt::parseSpikeCsv(Text, "in.csv", Img, isa::SymbolKind::Population) == Spikes);
  // A quote that never closes names the line it opened on.
  CHECK_THROWS_WITH(rt::parseSpikeCsv("step,population,neuron\n0,plain,1\n1,\"conv, 1,2\n",
                                      "in.csv", Img, isa::SymbolKind::Population),
                    Catch::Contains("in.csv:3: error: a quoted field opened here never ends"));
  // Line numbers count the lines a quoted line break spans.
  CHECK_THROWS_WITH(rt::parseSpikeCsv("step,population,neuron\n0,\"two\nlines\",1\n5,plain,9\n",
                                      "in.csv", Img, isa::SymbolKind::Population),
                    Catch::Contains("in.csv:4: error: neuron 9 out of range"));
}

TEST_CASE("spike files: failures name the path and leave nothing behind",
          "[runtime]") {
  isa::Image Img = symbolImage();
  CHECK_THROWS_WITH(rt::readSpikeFile("/nonexistent/in.csv", Img,
                                      isa::SymbolKind::InputPort),
                    Catch::Contains("/nonexistent/in.csv: error: cannot open"));
  CHECK_THROWS_WITH(rt::writeSpikeFile("/nonexistent/dir/out.csv", {}, Img),
                    Catch::Contains("/nonexistent/dir/out.csv: error:"));

  // Replacing an existing file: the old content stays whole until the
  // rename, and no temporary file is left.
  const std::string Path = tempPath("atomic.csv");
  isa::writeFileAtomically(Path, "old\n");
  isa::writeFileAtomically(Path, "new\n");
  CHECK(isa::readFile(Path) == "new\n");
  CHECK(std::ifstream(fmt::format("{}.tmp.{}", Path, ::getpid())).fail());
  std::remove(Path.c_str());
}
