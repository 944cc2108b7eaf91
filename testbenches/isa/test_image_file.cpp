//===- test_image_file.cpp - the .nmb binary format -----------------------===//
//
// Hand-worked bytes of a tiny image (docs/image-format.md has the same
// example), round trips over random images, and corruption: truncation,
// bit flips, and range violations with the CRC fixed up so that the range
// check, not the CRC, must catch them.
//
//===----------------------------------------------------------------------===//
#include "isa/RandomImage.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/ImageFile.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace neuromesh;
using Bytes = std::vector<uint8_t>;

namespace {

/// The image of docs/image-format.md's worked example.
isa::Image tinyImage() {
  isa::Image Img;
  Img.Header.ArchFingerprint = 0x0123456789abcdefULL;
  Img.Header.ArchName = "ab";
  Img.Header.NumChips = 1;
  Img.Header.MeshWidth = 2;
  Img.Header.MeshHeight = 1;
  Img.Header.CoresPerTile = 1;
  Img.Header.Cores = {{0, 1, 0, 0}};

  isa::Core C;
  C.Config.NumStateWords = 1;
  C.Config.NumDelaySlots = 4;
  C.Config.Seed = 0x1122334455667788ULL;
  isa::NeuronProfile P;
  P.Params = {7};
  P.Program = {{isa::Opcode::Ldp, 0, 0, 0, 0}, {isa::Opcode::Spike, 0, 0, 0, 0}};
  C.Profiles = {P};
  C.Neurons = {{0, {5}}, {0, {-1}}};
  isa::SynapseSegment Dense;
  Dense.Kind = isa::SegmentKind::Dense;
  Dense.Shift = 3;
  Dense.Delay = 2;
  Dense.FirstNeuron = 1;
  Dense.Weights = {-2};
  isa::SynapseSegment Sparse;
  Sparse.Sparse = {{1, 300, 4}};
  isa::SynapseSegment Cross;
  Cross.Kind = isa::SegmentKind::Crossbar;
  Cross.Shift = 1;
  Cross.Delay = 1;
  Cross.AxonType = 2;
  Cross.Connected = {true, false};
  C.Axons = {{Dense}, {Sparse, Cross}};
  isa::CrossbarColumn C0, C1;
  C0.Weight = {1, -1, 2, -2};
  C0.Stochastic = {false, false, true, false};
  C1.Weight = {0, 0, 0, 0x7fff};
  C1.Stochastic = {true, false, false, true};
  C.Crossbar = {C0, C1};
  C.Outputs = {{{0, 0, 1}}, {}};
  Img.Cores = {C};

  isa::Symbol In;
  In.Kind = isa::SymbolKind::InputPort;
  In.Name = "in";
  In.Size = 1;
  In.Targets = {{{0, 0, 0}}};
  isa::Symbol Pop;
  Pop.Kind = isa::SymbolKind::Population;
  Pop.Name = "p";
  Pop.Size = 2;
  Pop.Segments = {{0, 0, 2, 0}};
  Pop.RecordSpikes = false;
  Pop.Probes = {{"v", 0}};
  // One port per generator kind.
  isa::Symbol List;
  List.Kind = isa::SymbolKind::InputPort;
  List.Name = "l";
  List.Size = 2;
  List.Targets = {{}, {{0, 0, 1}}};
  List.Generator.Kind = isa::GeneratorKind::List;
  List.Generator.Spikes = {{0, 1}, {5, 0}, {5, 1}};
  isa::Symbol Poisson;
  Poisson.Kind = isa::SymbolKind::InputPort;
  Poisson.Name = "r";
  Poisson.Size = 1;
  Poisson.Targets = {{}};
  Poisson.Generator.Kind = isa::GeneratorKind::Poisson;
  Poisson.Generator.Seed = 7;
  Poisson.Generator.ProbabilityQ32 = 0x33333333; // 0.2 * 2^32, rounded down
  isa::Symbol Regular;
  Regular.Kind = isa::SymbolKind::InputPort;
  Regular.Name = "g";
  Regular.Size = 1;
  Regular.Targets = {{}};
  Regular.Generator.Kind = isa::GeneratorKind::Regular;
  Regular.Generator.Period = 10;
  Regular.Generator.Phase = 2;
  Img.Symbols = {In, Pop, List, Poisson, Regular};
  return Img;
}

// Section starts in the tiny image's bytes.
constexpr size_t HeadAt = 20, CoreAt = 62, SymsAt = 217, TinySize = 407;

uint32_t getU32(const Bytes &B, size_t At) {
  return uint32_t(B[At]) | uint32_t(B[At + 1]) << 8 |
         uint32_t(B[At + 2]) << 16 | uint32_t(B[At + 3]) << 24;
}
void putU32(Bytes &B, size_t At, uint32_t V) {
  for (int I = 0; I < 4; ++I)
    B[At + I] = uint8_t(V >> (8 * I));
}
void putU16(Bytes &B, size_t At, uint16_t V) {
  B[At] = uint8_t(V);
  B[At + 1] = uint8_t(V >> 8);
}
/// Recomputes the payload CRC of the section whose header is at At.
void fixCrc(Bytes &B, size_t At) {
  putU32(B, At + 8, isa::crc32(B.data() + At + 12, getU32(B, At + 4)));
}
void fixHeaderCrc(Bytes &B) { putU32(B, 16, isa::crc32(B.data(), 16)); }

/// The message of the Error that decoding B throws ("" if none).
std::string decodeError(const Bytes &B, const std::string &Source = "t.nmb") {
  try {
    isa::decodeImage(B, Source);
  } catch (const Error &E) {
    return E.what();
  }
  return "";
}

/// Decoding must fail with a message holding every fragment.
void expectError(const Bytes &B, std::initializer_list<std::string> Parts) {
  std::string Msg = decodeError(B);
  INFO("message: " << Msg);
  REQUIRE(!Msg.empty());
  for (const std::string &P : Parts) {
    INFO("expected fragment: " << P);
    CHECK(Msg.find(P) != std::string::npos);
  }
}

/// Section starts, found by walking the section headers (independently of
/// the decoder): {offset, label}.
std::vector<std::pair<size_t, std::string>> sectionStarts(const Bytes &B) {
  std::vector<std::pair<size_t, std::string>> Out;
  size_t N = getU32(B, 12), Pos = 20;
  for (size_t I = 0; I < N; ++I) {
    std::string Label = I == 0 ? "HEAD"
                        : I + 1 == N
                            ? "SYMS"
                            : "CORE[" + std::to_string(I - 1) + "]";
    Out.push_back({Pos, Label});
    Pos += 12 + getU32(B, Pos + 4);
  }
  return Out;
}

} // namespace

TEST_CASE("crc32 is the IEEE CRC-32 of zlib", "[image-file]") {
  const char *Check = "123456789";
  CHECK(isa::crc32(reinterpret_cast<const uint8_t *>(Check), 9) ==
        0xCBF43926u);
  CHECK(isa::crc32(nullptr, 0) == 0u);
  const uint8_t A[] = {'a'};
  CHECK(isa::crc32(A, 1) == 0xE8B7BE43u);
}

TEST_CASE("crc32 matches a bit-at-a-time reference", "[image-file]") {
  // The definition, one bit at a time: reflected input and output,
  // polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF.
  auto Reference = [](const uint8_t *P, size_t N) {
    uint32_t C = 0xffffffffu;
    for (size_t I = 0; I < N; ++I) {
      C ^= P[I];
      for (int K = 0; K < 8; ++K)
        C = (C >> 1) ^ (0xedb88320u & (0u - (C & 1)));
    }
    return ~C;
  };
  testing::detail::Rng R(3);
  Bytes Data(300);
  for (uint8_t &B : Data)
    B = uint8_t(R.next());
  // Every length and start, so each tail and alignment is covered.
  for (size_t Start = 0; Start < 8; ++Start)
    for (size_t Len = 0; Start + Len <= Data.size(); ++Len) {
      INFO("start " << Start << ", length " << Len);
      REQUIRE(isa::crc32(Data.data() + Start, Len) ==
              Reference(Data.data() + Start, Len));
    }
}

TEST_CASE("the tiny image encodes to the documented bytes", "[image-file]") {
  // Written by hand from docs/image-format.md; CRC fields (zero here) are
  // filled in below from crc32, which the test above checks.
  Bytes Expected = {
      // File header.
      'N', 'M', 'E', 'S', 'H', 'I', 'M', 'G', // 0 magic
      1, 0, 0, 0,                             // 8 version 1.0
      3, 0, 0, 0,                             // 12 sections
      0, 0, 0, 0,                             // 16 header CRC
      // 20 HEAD.
      'H', 'E', 'A', 'D', 30, 0, 0, 0, 0, 0, 0, 0,
      0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01, // 32 fingerprint
      1, 0, 2, 0, 1, 0, 1,                            // 40 chips, w, h, cpt
      2, 0, 'a', 'b',                                 // 47 arch name
      1, 0, 0, 0,                                     // 51 cores
      0, 0, 1, 0, 0, 0, 0,                            // 55 chip x y slot
      // 62 CORE[0].
      'C', 'O', 'R', 'E', 143, 0, 0, 0, 0, 0, 0, 0,
      1, 4,                                           // 74 state, delays
      0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, // 76 seed
      1, 0, 0, 0,                                     // 84 profiles
      1, 0, 0, 0, 7, 0, 0, 0,                         // 88 params
      2, 0, 0, 0,                                     // 96 program length
      0x15, 0, 0, 0, 0, 0, 0, 0,                      // 100 ldp r0, 0
      0x60, 0, 0, 0, 0, 0, 0, 0,                      // 108 spike
      2, 0, 0, 0,                                     // 116 neurons
      0, 0, 5, 0, 0, 0,                               // 120 neuron 0
      0, 0, 0xff, 0xff, 0xff, 0xff,                   // 126 neuron 1
      2, 0, 0, 0,                                     // 132 axons
      1, 0, 0, 0,                                     // 136 axon 0 segments
      1, 3, 2, 1, 0, 1, 0, 0, 0, 0xfe, 0xff,          // 140 dense
      2, 0, 0, 0,                                     // 151 axon 1 segments
      0, 0, 1, 0, 0, 0, 1, 0, 0x2c, 0x01, 4,          // 155 sparse
      2, 1, 1, 2, 0, 0, 2, 0, 0, 0, 0x01,             // 166 crossbar
      2, 0, 0, 0,                                     // 177 columns
      1, 0, 0xff, 0xff, 2, 0, 0xfe, 0xff, 0x04,       // 181 column 0
      0, 0, 0, 0, 0, 0, 0xff, 0x7f, 0x09,             // 190 column 1
      2, 0, 0, 0,                                     // 199 output lists
      1, 0, 0, 0, 0, 0, 0, 0, 1, 0,                   // 203 neuron 0
      0, 0, 0, 0,                                     // 213 neuron 1
      // 217 SYMS.
      'S', 'Y', 'M', 'S', 178, 0, 0, 0, 0, 0, 0, 0,
      5, 0, 0, 0,                                     // 229 symbols
      0, 2, 0, 'i', 'n', 1, 0, 0, 0,                  // 233 port "in"
      1, 0, 0, 0, 0, 0, 0, 0, 0, 0,                   // 242 index 0 list
      0,                                              // 252 external
      1, 1, 0, 'p', 2, 0, 0, 0,                       // 253 population
      1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, // 261 segments
      0,                                              // 277 no spikes
      1, 0, 0, 0,                                     // 278 probes
      1, 0, 'v', 0,                                   // 282 v word 0
      0, 1, 0, 'l', 2, 0, 0, 0,                       // 286 port "l"
      0, 0, 0, 0,                                     // 294 index 0 list
      1, 0, 0, 0, 0, 0, 0, 0, 1, 0,                   // 298 index 1 list
      1, 3, 0, 0, 0,                                  // 308 list, 3 spikes
      0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,             // 313 step 0 index 1
      5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,             // 325 step 5 index 0
      5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,             // 337 step 5 index 1
      0, 1, 0, 'r', 1, 0, 0, 0,                       // 349 port "r"
      0, 0, 0, 0,                                     // 357 index 0 list
      2,                                              // 361 poisson
      7, 0, 0, 0, 0, 0, 0, 0,                         // 362 seed
      0x33, 0x33, 0x33, 0x33, 0, 0, 0, 0,             // 370 probability
      0, 1, 0, 'g', 1, 0, 0, 0,                       // 378 port "g"
      0, 0, 0, 0,                                     // 386 index 0 list
      3,                                              // 390 regular
      10, 0, 0, 0, 0, 0, 0, 0,                        // 391 period
      2, 0, 0, 0, 0, 0, 0, 0,                         // 399 phase
  };
  REQUIRE(Expected.size() == TinySize);
  fixHeaderCrc(Expected);
  for (size_t At : {HeadAt, CoreAt, SymsAt})
    fixCrc(Expected, At);

  Bytes Got = isa::encodeImage(tinyImage());
  REQUIRE(Got.size() == Expected.size());
  for (size_t I = 0; I < Got.size(); ++I) {
    INFO("byte " << I);
    CHECK(unsigned(Got[I]) == unsigned(Expected[I]));
  }
  // Spot checks that do not depend on the table above.
  CHECK(std::memcmp(Got.data(), "NMESHIMG", 8) == 0);
  CHECK(Got[8] == isa::ImageVersionMajor);
  CHECK(Got[10] == isa::ImageVersionMinor);
  CHECK(std::memcmp(Got.data() + CoreAt, "CORE", 4) == 0);
  CHECK(getU32(Got, CoreAt + 8) ==
        isa::crc32(Got.data() + CoreAt + 12, getU32(Got, CoreAt + 4)));
  CHECK(getU32(Got, 16) == isa::crc32(Got.data(), 16));

  CHECK(isa::decodeImage(Got) == tinyImage());
}

TEST_CASE("docs/image-format.md's hex dump is the tiny image's encoding",
          "[image-file]") {
  std::ifstream In(NM_SOURCE_DIR "/docs/image-format.md");
  REQUIRE(In.good());
  std::vector<std::string> Lines;
  for (std::string L; std::getline(In, L);)
    Lines.push_back(L);
  size_t I = 0;
  while (I < Lines.size() && Lines[I] != "## Worked example")
    ++I;
  while (I < Lines.size() && Lines[I] != "```")
    ++I;
  I += 2; // the fence and the column titles
  // Each line: the offset in columns 0..5, bytes (two hex digits, or "cc"
  // for a CRC byte) in columns 8..50, then the field's description.
  Bytes Doc;
  std::vector<bool> IsCrc;
  for (; I < Lines.size() && Lines[I] != "```"; ++I) {
    const std::string &L = Lines[I];
    INFO("doc line: " << L);
    REQUIRE(L.size() >= 8);
    CHECK(std::stoul(L.substr(0, 6)) == Doc.size());
    std::istringstream Hex(L.size() > 8 ? L.substr(8, 43) : "");
    for (std::string Tok; Hex >> Tok;) {
      REQUIRE(Tok.size() == 2);
      IsCrc.push_back(Tok == "cc");
      Doc.push_back(Tok == "cc" ? 0 : uint8_t(std::stoul(Tok, nullptr, 16)));
    }
  }
  Bytes Got = isa::encodeImage(tinyImage());
  REQUIRE(Doc.size() == Got.size());
  for (size_t K = 0; K < Got.size(); ++K) {
    INFO("byte " << K);
    if (!IsCrc[K])
      CHECK(unsigned(Doc[K]) == unsigned(Got[K]));
  }
  // The CRC bytes are exactly the header's and the sections'.
  std::vector<size_t> CrcAt = {16};
  for (auto &[At, Label] : sectionStarts(Got))
    CrcAt.push_back(At + 8);
  for (size_t K = 0; K < Got.size(); ++K) {
    bool Want = false;
    for (size_t At : CrcAt)
      Want |= K >= At && K < At + 4;
    INFO("byte " << K);
    CHECK(IsCrc[K] == Want);
  }
}

TEST_CASE("random images round-trip exactly", "[image-file]") {
  testing::RandomImageOptions Big;
  Big.MaxNeurons = 40;
  Big.MaxAxons = 12;
  Big.MaxSparse = 20;
  Big.MaxProgramLength = isa::MaxProgramLength;
  Big.MaxCores = 8;
  for (uint64_t Seed = 0; Seed < 260; ++Seed) {
    INFO("seed " << Seed);
    isa::Image Img = Seed % 10 == 9 ? testing::makeRandomImage(Seed, Big)
                                    : testing::makeRandomImage(Seed);
    REQUIRE_NOTHROW(isa::validateImage(Img));
    Bytes B = isa::encodeImage(Img);
    isa::Image Back = isa::decodeImage(B);
    REQUIRE(Back == Img);
    REQUIRE(isa::encodeImage(Back) == B);
  }
}

TEST_CASE("truncation anywhere names the part being read", "[image-file]") {
  Bytes B = isa::encodeImage(tinyImage());
  auto Sections = sectionStarts(B);
  REQUIRE(Sections.size() == 3);
  CHECK(Sections[1].first == CoreAt);
  for (size_t Len = 0; Len < B.size(); ++Len) {
    INFO("truncated to " << Len << " bytes");
    std::string Msg = decodeError(Bytes(B.begin(), B.begin() + Len));
    REQUIRE(!Msg.empty());
    // The part being read: the file header, or the section whose header
    // starts at or before the cut.
    std::string Part = "file header";
    for (auto &[At, Label] : Sections)
      if (Len >= At)
        Part = "section " + Label;
    CHECK(Msg.find("t.nmb: " + Part) == 0);
  }
}

TEST_CASE("truncation at every section boundary of random images",
          "[image-file]") {
  for (uint64_t Seed = 1000; Seed < 1020; ++Seed) {
    Bytes B = isa::encodeImage(testing::makeRandomImage(Seed));
    for (auto &[At, Label] : sectionStarts(B)) {
      INFO("seed " << Seed << ", cut at " << At << " (" << Label << ")");
      CHECK(decodeError(Bytes(B.begin(), B.begin() + At))
                .find("section " + Label) != std::string::npos);
      // Cut in the middle of the section header and after it.
      CHECK(decodeError(Bytes(B.begin(), B.begin() + At + 6))
                .find("section " + Label) != std::string::npos);
      CHECK(decodeError(Bytes(B.begin(), B.begin() + At + 12))
                .find("section " + Label) != std::string::npos);
    }
  }
}

TEST_CASE("every single-bit flip is rejected", "[image-file]") {
  // CRC-32 detects every single-bit error, and the header fields outside
  // the CRCs (magic, version, tags, sizes, CRCs) are checked themselves.
  testing::detail::Rng R(42);
  size_t Flips = 0;
  for (uint64_t Seed = 0; Seed < 8; ++Seed) {
    Bytes B = isa::encodeImage(testing::makeRandomImage(Seed + 500));
    for (int K = 0; K < 160; ++K, ++Flips) {
      size_t Bit = size_t(R.range(0, int64_t(B.size()) * 8 - 1));
      Bytes C = B;
      C[Bit / 8] ^= uint8_t(1u << (Bit % 8));
      INFO("seed " << Seed + 500 << ", bit " << Bit);
      CHECK(!decodeError(C).empty());
    }
  }
  // Every bit of the tiny image too.
  Bytes T = isa::encodeImage(tinyImage());
  for (size_t Bit = 0; Bit < T.size() * 8; ++Bit, ++Flips) {
    Bytes C = T;
    C[Bit / 8] ^= uint8_t(1u << (Bit % 8));
    INFO("bit " << Bit);
    CHECK(!decodeError(C).empty());
  }
  CHECK(Flips >= 1000);
}

TEST_CASE("mutations behind valid CRCs are rejected or canonical",
          "[image-file]") {
  // Random byte changes inside payloads, with every CRC fixed up, reach the
  // range checks. Whatever the decoder accepts must be a valid image whose
  // encoding is exactly the input: there is one encoding per image.
  testing::detail::Rng R(7);
  size_t Accepted = 0, Rejected = 0;
  for (uint64_t Seed = 0; Seed < 10; ++Seed) {
    Bytes B = isa::encodeImage(testing::makeRandomImage(Seed + 900));
    auto Sections = sectionStarts(B);
    for (int K = 0; K < 200; ++K) {
      Bytes C = B;
      size_t S = size_t(R.range(0, int64_t(Sections.size()) - 1));
      size_t At = Sections[S].first, Size = getU32(C, At + 4);
      if (Size == 0)
        continue;
      int64_t Changes = R.range(1, 3);
      for (int64_t J = 0; J < Changes; ++J) {
        size_t Pos = At + 12 + size_t(R.range(0, int64_t(Size) - 1));
        C[Pos] = R.chance(50) ? uint8_t(R.next()) : uint8_t(C[Pos] ^ 1);
      }
      fixCrc(C, At);
      INFO("seed " << Seed + 900 << ", mutation " << K);
      isa::Image Img;
      try {
        Img = isa::decodeImage(C);
      } catch (const Error &E) {
        ++Rejected;
        // Usually the mutated section; a changed core count or location
        // may instead surface in the file header or another section.
        std::string Msg = E.what();
        INFO("message: " << Msg);
        CHECK((Msg.find("section " + Sections[S].second) != std::string::npos ||
               (S == 0 && (Msg.find("<memory>: file header") == 0 ||
                           Msg.find("<memory>: section CORE[") == 0 ||
                           Msg.find("<memory>: section SYMS") == 0))));
        continue;
      }
      ++Accepted;
      CHECK_NOTHROW(isa::validateImage(Img));
      CHECK(isa::encodeImage(Img) == C);
    }
  }
  // Both outcomes occur (weights and state words take any value).
  CHECK(Accepted > 0);
  CHECK(Rejected > 0);
}

TEST_CASE("file header checks: magic, version, CRC, section count",
          "[image-file]") {
  const Bytes B = isa::encodeImage(tinyImage());
  SECTION("bad magic") {
    Bytes C = B;
    C[0] = 'X';
    expectError(C, {"t.nmb: file header (offset 0)", "bad magic",
                    "\"XMESHIMG\""});
  }
  SECTION("not even a header") {
    expectError(Bytes{'N', 'M'}, {"file header", "truncated"});
  }
  SECTION("older major version") {
    Bytes C = B;
    C[8] = 0;
    expectError(C, {"file header", "version 0.0",
                    "this reader reads version 1.0 to 1.0",
                    "re-encode the image"});
  }
  SECTION("newer major version") {
    Bytes C = B;
    C[8] = 2;
    expectError(C, {"version 2.0", "use a newer neuromesh"});
  }
  SECTION("newer minor version") {
    Bytes C = B;
    putU16(C, 10, 1);
    fixHeaderCrc(C);
    expectError(C, {"version 1.1", "reads version 1.0 to 1.0"});
  }
  SECTION("header CRC") {
    Bytes C = B;
    C[17] ^= 0x10;
    expectError(C, {"file header (offset 16)", "CRC-32 mismatch"});
  }
  SECTION("section count disagrees with the cores") {
    Bytes C = B;
    putU32(C, 12, 4);
    fixHeaderCrc(C);
    expectError(C, {"counts 4 sections but HEAD lists 1 cores"});
  }
  SECTION("section count too small") {
    Bytes C = B;
    putU32(C, 12, 1);
    fixHeaderCrc(C);
    expectError(C, {"section count 1"});
  }
}

TEST_CASE("section framing: tags, CRCs, sizes, trailing bytes",
          "[image-file]") {
  const Bytes B = isa::encodeImage(tinyImage());
  SECTION("payload CRC names the section and both values") {
    Bytes C = B;
    C[100] ^= 0x01;
    uint32_t Stored = getU32(C, CoreAt + 8);
    uint32_t Actual = isa::crc32(C.data() + CoreAt + 12, 143);
    char Want[64];
    std::snprintf(Want, sizeof Want, "says 0x%08x but the payload's CRC-32 "
                  "is 0x%08x", Stored, Actual);
    expectError(C, {"section CORE[0] (offset 70)", Want});
  }
  SECTION("wrong tag") {
    Bytes C = B;
    std::memcpy(C.data() + CoreAt, "SYMS", 4);
    expectError(C, {"section CORE[0] (offset 62)",
                    "tag \"SYMS\" where \"CORE\" was expected"});
  }
  SECTION("payload larger than the file") {
    Bytes C = B;
    putU32(C, SymsAt + 4, 179);
    expectError(C, {"section SYMS", "payload size 179 but only 178"});
  }
  SECTION("bytes after a section's last field") {
    Bytes C = B;
    C.insert(C.begin() + SymsAt, 0);
    putU32(C, CoreAt + 4, 144);
    fixCrc(C, CoreAt);
    expectError(C, {"section CORE[0] (offset 217)", "1 unexpected bytes"});
  }
  SECTION("bytes after the last section") {
    Bytes C = B;
    C.push_back(0);
    expectError(C, {"end of file (offset 407)", "1 unexpected bytes"});
  }
}

TEST_CASE("range violations name the field (CRC fixed up)", "[image-file]") {
  const Bytes B = isa::encodeImage(tinyImage());
  // Mutates one byte (or more via Put) of a section and fixes its CRC.
  auto Mutate = [&](size_t Section, size_t At, uint8_t V) {
    Bytes C = B;
    C[At] = V;
    fixCrc(C, Section);
    return C;
  };
  auto Mutate32 = [&](size_t Section, size_t At, uint32_t V) {
    Bytes C = B;
    putU32(C, At, V);
    fixCrc(C, Section);
    return C;
  };

  // HEAD.
  expectError(Mutate(HeadAt, 40, 0), {"section HEAD", "num_chips = 0"});
  expectError(Mutate(HeadAt, 49, 1),
              {"section HEAD", "arch name \"\\x01b\" has character 0x01"});
  expectError(Mutate(HeadAt, 55, 1),
              {"section HEAD (offset 55)", "cores[0].chip = 1 out of range "
                                           "[0, 0]"});
  expectError(Mutate(HeadAt, 57, 2),
              {"section HEAD (offset 55)", "cores[0].x = 2 out of range "
                                           "[0, 1]: the mesh is 2 tiles wide"});
  expectError(Mutate(HeadAt, 59, 1), {"cores[0].y = 1 out of range [0, 0]"});
  expectError(Mutate(HeadAt, 61, 1),
              {"cores[0].slot = 1 out of range [0, 0]"});
  expectError(Mutate32(HeadAt, 51, 0xffffffffu),
              {"section HEAD (offset 51)", "cores count 4294967295"});

  // CORE: configuration and profiles.
  expectError(Mutate(CoreAt, 74, 0),
              {"section CORE[0] (offset 74)",
               "config.state_words = 0 out of range [1, 8]"});
  expectError(Mutate(CoreAt, 75, 65),
              {"config.delay_slots = 65 out of range [1, 64]"});
  expectError(Mutate32(CoreAt, 84, 0xffffffffu),
              {"section CORE[0] (offset 84)",
               "profiles count 4294967295 out of range [0, 65536]"});
  expectError(Mutate(CoreAt, 88, 17),
              {"section CORE[0] (offset 88)",
               "profiles[0].params count 17 out of range [0, 16]"});
  expectError(Mutate32(CoreAt, 96, 256),
              {"section CORE[0] (offset 96)",
               "profiles[0].program count 256 out of range [0, 255]"});
  expectError(Mutate(CoreAt, 100, 0x07),
              {"section CORE[0] (offset 88)",
               "profiles[0].program: instruction 0: unknown opcode 0x07"});
  expectError(Mutate(CoreAt, 104, 1),
              {"instruction 0 (ldp): parameter index 1 out of range [0, 0]"});
  {
    // Instruction 1 becomes "jmp @0": a backward branch.
    Bytes C = B;
    C[108] = 0x02;
    fixCrc(C, CoreAt);
    expectError(C, {"instruction 1 (jmp): target 0 is not after the branch"});
  }

  // CORE: neurons.
  expectError(Mutate(CoreAt, 120, 9),
              {"t.nmb: section CORE[0] (offset 120): error: "
               "neurons[0].profile = 9 out of range [0, 0]: the core has 1 "
               "profiles"});
  expectError(Mutate32(CoreAt, 116, 65535),
              {"section CORE[0] (offset 116)",
               "neurons count 65535 needs at least 393210 bytes"});
  expectError(Mutate32(CoreAt, 116, 65537),
              {"neurons count 65537 out of range [0, 65536]"});

  // CORE: segments.
  expectError(Mutate(CoreAt, 140, 3),
              {"section CORE[0] (offset 140)", "axons[0][0].kind = 3"});
  expectError(Mutate(CoreAt, 141, 16),
              {"axons[0][0].shift = 16 out of range [0, 15]"});
  expectError(Mutate(CoreAt, 142, 0),
              {"section CORE[0] (offset 140)",
               "axons[0][0].delay = 0 out of range [1, 4]: the core has "
               "delay_slots = 4"});
  expectError(Mutate(CoreAt, 142, 5),
              {"axons[0][0].delay = 5 out of range [1, 4]"});
  expectError(Mutate(CoreAt, 143, 2),
              {"axons[0][0] run of 1 neurons from first = 2 ends at 3"});
  expectError(Mutate32(CoreAt, 145, 0x7fffffff),
              {"axons[0][0].weights count 2147483647 needs at least"});
  expectError(Mutate(CoreAt, 161, 5),
              {"section CORE[0] (offset 155)",
               "axons[1][0].sparse[0].neuron = 5 out of range [0, 1]"});
  expectError(Mutate(CoreAt, 165, 0),
              {"axons[1][0].sparse[0].delay = 0 out of range [1, 4]"});
  expectError(Mutate32(CoreAt, 157, 0x7fffffff),
              {"axons[1][0].sparse count 2147483647 needs at least"});
  expectError(Mutate(CoreAt, 169, 4),
              {"section CORE[0] (offset 166)",
               "axons[1][1].axon_type = 4 out of range [0, 3]"});
  expectError(Mutate(CoreAt, 176, 0x05),
              {"section CORE[0] (offset 176)",
               "axons[1][1].bits: the unused high bits"});
  expectError(Mutate32(CoreAt, 172, 0xffffffffu),
              {"truncated: axons[1][1].bits needs 536870912 bytes"});
  expectError(Mutate32(CoreAt, 132, 70000),
              {"axons count 70000 out of range [0, 65536]"});

  // CORE: crossbar columns and outputs.
  expectError(Mutate(CoreAt, 177, 1),
              {"section CORE[0] (offset 177)",
               "crossbar has 1 columns but the core has 2 neurons"});
  expectError(Mutate(CoreAt, 189, 0x14),
              {"section CORE[0] (offset 189)", "crossbar[0].stochastic = "
                                               "0x14"});
  expectError(Mutate(CoreAt, 199, 1),
              {"outputs has 1 lists but the core has 2 neurons"});
  expectError(Mutate(CoreAt, 207, 1),
              {"section CORE[0] (offset 207)",
               "outputs[0][0] = 1:0:1 (chip:core:axon): chip out of range "
               "[0, 0]"});
  expectError(Mutate(CoreAt, 209, 1),
              {"outputs[0][0] = 0:1:1 (chip:core:axon): core out of range "
               "[0, 0]: chip 0 has 1 cores"});
  expectError(Mutate(CoreAt, 211, 2),
              {"outputs[0][0] = 0:0:2 (chip:core:axon): axon out of range "
               "[0, 1]"});
  expectError(Mutate32(CoreAt, 203, 0x10000000),
              {"outputs[0] count 268435456 needs at least"});

  // SYMS.
  expectError(Mutate32(SymsAt, 229, 0xffffffffu),
              {"section SYMS (offset 229)", "symbols count 4294967295 needs"});
  expectError(Mutate(SymsAt, 233, 2),
              {"section SYMS (offset 233)", "symbols[0].kind = 2"});
  expectError(Mutate(SymsAt, 237, '"'),
              {"symbols[0].name \"i\\\"\" has character 0x22"});
  expectError(Mutate32(SymsAt, 238, 0xffffffffu),
              {"symbols[0] \"in\": size 4294967295 needs at least"});
  expectError(Mutate(SymsAt, 250, 5),
              {"section SYMS (offset 246)",
               "symbols[0] \"in\".targets[0][0] = 0:0:5 (chip:core:axon): "
               "axon out of range [0, 1]"});
  expectError(Mutate(SymsAt, 265, 1),
              {"section SYMS (offset 265)",
               "symbols[1] \"p\".segments[0].core = 1 out of range [0, 0]"});
  expectError(Mutate(SymsAt, 269, 1),
              {"neurons 1..2 of cores[0] do not exist"});
  expectError(Mutate(SymsAt, 271, 1),
              {"section SYMS (offset 253)",
               "symbols[1] \"p\": population indices 1..1 are not covered"});
  expectError(Mutate(SymsAt, 271, 0), {"segments[0].count = 0"});
  expectError(Mutate(SymsAt, 273, 1),
              {"population indices 1..2 are past the population's size 2"});
  expectError(Mutate(SymsAt, 257, 3),
              {"population indices 2..2 are not covered"});

  // SYMS: a population's record flag and probes.
  expectError(Mutate(SymsAt, 277, 2),
              {"section SYMS (offset 277)",
               "symbols[1] \"p\".record_spikes = 2 out of range [0, 1]"});
  expectError(Mutate32(SymsAt, 278, 0x7fffffff),
              {"section SYMS (offset 278)",
               "symbols[1] \"p\".probes count 2147483647 needs at least"});
  expectError(Mutate(SymsAt, 284, '"'),
              {"section SYMS (offset 282)",
               "symbols[1] \"p\".probes[0].variable \"\\\"\" has "
               "character 0x22"});
  expectError(Mutate(SymsAt, 285, 1),
              {"section SYMS (offset 282)",
               "symbols[1] \"p\".probes[0].state_word = 1 out of range "
               "[0, 0]: segments[0] lies on core 0, which has 1 state words"});

  // SYMS: generators.
  expectError(Mutate(SymsAt, 252, 4),
              {"section SYMS (offset 252)",
               "symbols[0] \"in\".generator.kind = 4 out of range [0, 3]: "
               "0 external, 1 list, 2 poisson, 3 regular"});
  expectError(Mutate32(SymsAt, 309, 0x7fffffff),
              {"section SYMS (offset 309)",
               "symbols[2] \"l\".generator.spikes count 2147483647 needs at "
               "least"});
  expectError(Mutate(SymsAt, 345, 2),
              {"section SYMS (offset 337)",
               "symbols[2] \"l\".generator.spikes[2].index = 2 out of range "
               "[0, 1]: the port has size 2"});
  expectError(Mutate(SymsAt, 325, 6),
              {"section SYMS (offset 337)",
               "symbols[2] \"l\".generator.spikes[2] = 5:1 (step:index) is "
               "not after spikes[1] = 6:0; sort the spikes by step, then "
               "index"});
  // Steps are compared as u64: 2^63 is after 5, not before it.
  expectError(Mutate(SymsAt, 320, 0x80),
              {"section SYMS (offset 325)",
               "spikes[1] = 5:0 (step:index) is not after spikes[0] = "
               "9223372036854775808:1"});
  expectError(Mutate(SymsAt, 345, 0),
              {"section SYMS (offset 337)",
               "symbols[2] \"l\".generator.spikes[2] = 5:0 (step:index) "
               "repeats spikes[1]; list each spike once"});
  expectError(Mutate(SymsAt, 374, 1),
              {"section SYMS (offset 361)",
               "symbols[3] \"r\".generator.probability_q32 = 5153960755 out "
               "of range [0, 4294967296]"});
  expectError(Mutate(SymsAt, 391, 0),
              {"section SYMS (offset 390)",
               "symbols[4] \"g\".generator.period = 0 out of range [1, "
               "18446744073709551615]"});
  {
    // Probability exactly 2^32 (fires in every step) is valid.
    Bytes C = B;
    putU32(C, 370, 0);
    putU32(C, 374, 1);
    fixCrc(C, SymsAt);
    isa::Image Img = isa::decodeImage(C);
    CHECK(Img.Symbols[3].Generator.ProbabilityQ32 == isa::ProbabilityOne);
    CHECK(isa::encodeImage(Img) == C);
  }
}

TEST_CASE("decoder rejects duplicates that need two items", "[image-file]") {
  SECTION("two symbols with one name") {
    isa::Image Img = tinyImage();
    Img.Symbols[1].Name = "iq"; // same length as "in"
    Bytes B = isa::encodeImage(Img);
    // The population's name "iq" is at 256..257.
    size_t Q = 257;
    REQUIRE(B[Q] == 'q');
    B[Q] = 'n';
    fixCrc(B, SymsAt);
    expectError(B, {"section SYMS (offset 253)",
                    "symbols[1] \"in\": the name is already used by "
                    "symbols[0]"});
  }
  SECTION("two cores at one place") {
    isa::Image Img = tinyImage();
    Img.Header.Cores.push_back({0, 0, 0, 0});
    Img.Cores.push_back(Img.Cores[0]);
    Img.Cores[1].Outputs = {{}, {}};
    Bytes B = isa::encodeImage(Img);
    // cores[1] is at 62 in the HEAD payload; its x is at 64.
    REQUIRE(B[64] == 0);
    B[64] = 1;
    fixCrc(B, HeadAt);
    expectError(B, {"section HEAD (offset 62)",
                    "cores[1] at chip 0 x 1 y 0 slot 0 is the same place as "
                    "cores[0]"});
  }
}

TEST_CASE("encoding refuses an invalid image", "[image-file]") {
  isa::Image Img = tinyImage();
  Img.Cores[0].Neurons[1].Profile = 4;
  CHECK_THROWS_WITH(isa::encodeImage(Img),
                    "image: core 0: error: neurons[1].profile = 4 out of "
                    "range [0, 0]: the core has 1 profiles");
}

namespace {
/// A fresh empty directory for file tests, removed at scope exit.
struct TempDir {
  std::filesystem::path Path;
  explicit TempDir(const char *Name) {
    Path = std::filesystem::temp_directory_path() /
           ("nm-image-file-" + std::to_string(::getpid()) + "-" + Name);
    std::filesystem::remove_all(Path);
    std::filesystem::create_directories(Path);
  }
  ~TempDir() {
    std::error_code EC;
    std::filesystem::remove_all(Path, EC);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> Out;
    for (auto &E : std::filesystem::directory_iterator(Path))
      Out.push_back(E.path().filename().string());
    std::sort(Out.begin(), Out.end());
    return Out;
  }
};
} // namespace

TEST_CASE("image files are written atomically and read back",
          "[image-file]") {
  TempDir Dir("rw");
  std::string Target = (Dir.Path / "img.nmb").string();

  SECTION("write then read") {
    isa::Image Img = testing::makeRandomImage(7);
    isa::writeImageFile(Img, Target);
    CHECK(Dir.entries() == std::vector<std::string>{"img.nmb"});
    CHECK(isa::readImageFile(Target) == Img);
    // Overwrite in place.
    isa::writeImageFile(tinyImage(), Target);
    CHECK(Dir.entries() == std::vector<std::string>{"img.nmb"});
    CHECK(isa::readImageFile(Target) == tinyImage());
  }
  SECTION("a missing file is named") {
    std::string Missing = (Dir.Path / "nope.nmb").string();
    CHECK_THROWS_WITH(isa::readImageFile(Missing),
                      Catch::Contains(Missing) &&
                          Catch::Contains("cannot open image file"));
  }
  SECTION("a directory is not an image") {
    CHECK_THROWS_WITH(isa::readImageFile(Dir.Path.string()),
                      Catch::Contains(Dir.Path.string()) &&
                          Catch::Contains("it is a directory"));
  }
  SECTION("errors in a file name the file") {
    Bytes B = isa::encodeImage(tinyImage());
    B[120] = 9;
    fixCrc(B, CoreAt);
    std::ofstream(Target, std::ios::binary)
        .write(reinterpret_cast<const char *>(B.data()), B.size());
    CHECK_THROWS_WITH(isa::readImageFile(Target),
                      Catch::StartsWith(Target + ": section CORE[0] (offset "
                                                 "120): error: "));
  }
  SECTION("an invalid image leaves no file and no temporary") {
    isa::Image Bad = tinyImage();
    Bad.Cores[0].Config.NumDelaySlots = 0;
    CHECK_THROWS_AS(isa::writeImageFile(Bad, Target), Error);
    CHECK(Dir.entries().empty());
  }
  SECTION("an invalid image keeps the previous file intact") {
    isa::writeImageFile(tinyImage(), Target);
    isa::Image Bad = tinyImage();
    Bad.Symbols[0].Name = "";
    CHECK_THROWS_AS(isa::writeImageFile(Bad, Target), Error);
    CHECK(Dir.entries() == std::vector<std::string>{"img.nmb"});
    CHECK(isa::readImageFile(Target) == tinyImage());
  }
  SECTION("an unwritable place is named and leaves nothing") {
    std::string Nowhere = (Dir.Path / "no-such-dir" / "img.nmb").string();
    CHECK_THROWS_WITH(isa::writeImageFile(tinyImage(), Nowhere),
                      Catch::Contains(Nowhere));
    CHECK(Dir.entries().empty());
  }
}
