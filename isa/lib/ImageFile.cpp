//===- ImageFile.cpp - the .nmb binary image format -----------------------===//
//
// Encoding and decoding of `.nmb` files; docs/image-format.md gives the
// layout byte by byte. Every value is written field by field, little-endian,
// with explicit widths (never a struct memcpy). The decoder bounds-checks
// every read, checks every count against the bytes that remain before it
// allocates anything, and applies the validity rules of ImageRules.h as it
// goes, so a message can name the section and the byte offset of the item.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/isa/ImageFile.h"

#include "neuromesh/isa/FileIO.h"

#include "ImageRules.h"
#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

namespace neuromesh::isa {

namespace {

constexpr char Magic[8] = {'N', 'M', 'E', 'S', 'H', 'I', 'M', 'G'};
constexpr size_t FileHeaderSize = 20;
constexpr size_t SectionHeaderSize = 12;
/// Fixed bytes of an item, used to bound counts before allocating.
constexpr size_t CoreLocationSize = 7;
constexpr size_t AddressSize = 6;
constexpr size_t SparseEntrySize = 5;
constexpr size_t CrossbarColumnSize = 9;
constexpr size_t PopulationSegmentSize = 12;
constexpr size_t GeneratorSpikeSize = 12;
constexpr size_t MinProbeSize = 4; ///< name length, >= 1 byte, state word
constexpr uint64_t NoLimit = std::numeric_limits<uint32_t>::max();

uint8_t stochasticMask(const CrossbarColumn &C) {
  uint8_t M = 0;
  for (unsigned T = 0; T < NumAxonTypes; ++T)
    M |= uint8_t(C.Stochastic[T] ? 1u << T : 0u);
  return M;
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

class Writer {
public:
  std::vector<uint8_t> Out;

  void u8(uint8_t V) { Out.push_back(V); }
  void u16(uint16_t V) {
    u8(uint8_t(V));
    u8(uint8_t(V >> 8));
  }
  void u32(uint32_t V) {
    u16(uint16_t(V));
    u16(uint16_t(V >> 16));
  }
  void u64(uint64_t V) {
    u32(uint32_t(V));
    u32(uint32_t(V >> 32));
  }
  void i16(int16_t V) { u16(static_cast<uint16_t>(V)); }
  void i32(int32_t V) { u32(static_cast<uint32_t>(V)); }
  /// A count; validateImage bounded every count that has a limit.
  void count(size_t N) {
    if (N > NoLimit)
      throw Error(fmt::format("image: error: a list of {} items does not fit "
                              "the .nmb format's 32-bit counts",
                              N));
    u32(uint32_t(N));
  }
  void str(const std::string &S) {
    u16(uint16_t(S.size())); // checkName bounded the length
    Out.insert(Out.end(), S.begin(), S.end());
  }
  void address(const AxonAddress &A) {
    u16(A.Chip);
    u16(A.Core);
    u16(A.Axon);
  }
  void putAt(size_t Pos, uint32_t V) {
    for (int I = 0; I < 4; ++I)
      Out[Pos + I] = uint8_t(V >> (8 * I));
  }

  /// Starts a section; returns where its header is, for endSection.
  size_t beginSection(const char (&Tag)[5]) {
    size_t Start = Out.size();
    Out.insert(Out.end(), Tag, Tag + 4);
    u32(0); // payload size, patched by endSection
    u32(0); // payload CRC-32, patched by endSection
    return Start;
  }
  void endSection(size_t Start) {
    size_t Size = Out.size() - Start - SectionHeaderSize;
    if (Size > NoLimit)
      throw Error(fmt::format("image: error: section {} is {} bytes; the "
                              ".nmb format allows at most {}",
                              std::string(Out.begin() + Start,
                                          Out.begin() + Start + 4),
                              Size, NoLimit));
    putAt(Start + 4, uint32_t(Size));
    putAt(Start + 8, crc32(Out.data() + Start + SectionHeaderSize, Size));
  }
};

void encodeHead(Writer &W, const ChipHeader &H) {
  W.u64(H.ArchFingerprint);
  W.u16(H.NumChips);
  W.u16(H.MeshWidth);
  W.u16(H.MeshHeight);
  W.u8(H.CoresPerTile);
  W.str(H.ArchName);
  W.count(H.Cores.size());
  for (const CoreLocation &L : H.Cores) {
    W.u16(L.Chip);
    W.u16(L.X);
    W.u16(L.Y);
    W.u8(L.Slot);
  }
}

void encodeSegment(Writer &W, const SynapseSegment &S) {
  W.u8(static_cast<uint8_t>(S.Kind));
  W.u8(S.Shift);
  switch (S.Kind) {
  case SegmentKind::Sparse:
    W.count(S.Sparse.size());
    for (const SparseSynapse &E : S.Sparse) {
      W.u16(E.Neuron);
      W.i16(E.Weight);
      W.u8(E.Delay);
    }
    return;
  case SegmentKind::Dense:
    W.u8(S.Delay);
    W.u16(S.FirstNeuron);
    W.count(S.Weights.size());
    for (int16_t V : S.Weights)
      W.i16(V);
    return;
  case SegmentKind::Crossbar: {
    W.u8(S.Delay);
    W.u8(S.AxonType);
    W.u16(S.FirstNeuron);
    W.count(S.Connected.size());
    // Packed LSB first; the unused high bits of the last byte stay 0.
    uint8_t Byte = 0;
    for (size_t I = 0; I < S.Connected.size(); ++I) {
      if (S.Connected[I])
        Byte |= uint8_t(1u << (I % 8));
      if (I % 8 == 7) {
        W.u8(Byte);
        Byte = 0;
      }
    }
    if (S.Connected.size() % 8)
      W.u8(Byte);
    return;
  }
  }
}

void encodeCore(Writer &W, const Core &C) {
  W.u8(C.Config.NumStateWords);
  W.u8(C.Config.NumDelaySlots);
  W.u64(C.Config.Seed);
  W.count(C.Profiles.size());
  for (const NeuronProfile &P : C.Profiles) {
    W.count(P.Params.size());
    for (int32_t V : P.Params)
      W.i32(V);
    W.count(P.Program.size());
    for (const Instruction &I : P.Program)
      W.u64(encodeInstruction(I));
  }
  W.count(C.Neurons.size());
  for (const Neuron &N : C.Neurons) {
    W.u16(N.Profile);
    for (int32_t V : N.State)
      W.i32(V);
  }
  W.count(C.Axons.size());
  for (const std::vector<SynapseSegment> &Segments : C.Axons) {
    W.count(Segments.size());
    for (const SynapseSegment &S : Segments)
      encodeSegment(W, S);
  }
  W.count(C.Crossbar.size());
  for (const CrossbarColumn &Col : C.Crossbar) {
    for (int16_t V : Col.Weight)
      W.i16(V);
    W.u8(stochasticMask(Col));
  }
  W.count(C.Outputs.size());
  for (const std::vector<AxonAddress> &List : C.Outputs) {
    W.count(List.size());
    for (const AxonAddress &A : List)
      W.address(A);
  }
}

/// Only the fields the kind uses are stored (the others are at their
/// defaults, which validateImage checked).
void encodeGenerator(Writer &W, const SpikeGenerator &G) {
  W.u8(static_cast<uint8_t>(G.Kind));
  switch (G.Kind) {
  case GeneratorKind::External:
    return;
  case GeneratorKind::List:
    W.count(G.Spikes.size());
    for (const auto &[Step, Index] : G.Spikes) {
      W.u64(Step);
      W.u32(Index);
    }
    return;
  case GeneratorKind::Poisson:
    W.u64(G.Seed);
    W.u64(G.ProbabilityQ32);
    return;
  case GeneratorKind::Regular:
    W.u64(G.Period);
    W.u64(G.Phase);
    return;
  }
}

void encodeSymbols(Writer &W, const std::vector<Symbol> &Symbols) {
  W.count(Symbols.size());
  for (const Symbol &S : Symbols) {
    W.u8(static_cast<uint8_t>(S.Kind));
    W.str(S.Name);
    W.u32(S.Size);
    if (S.Kind == SymbolKind::InputPort) {
      // Size lists follow: the size is their count.
      for (const std::vector<AxonAddress> &List : S.Targets) {
        W.count(List.size());
        for (const AxonAddress &A : List)
          W.address(A);
      }
      encodeGenerator(W, S.Generator);
      continue;
    }
    W.count(S.Segments.size());
    for (const PopulationSegment &P : S.Segments) {
      W.u32(P.Core);
      W.u16(P.FirstNeuron);
      W.u16(P.Count);
      W.u32(P.Offset);
    }
    W.u8(S.RecordSpikes ? 1 : 0);
    W.count(S.Probes.size());
    for (const Probe &P : S.Probes) {
      W.str(P.Variable);
      W.u8(P.StateWord);
    }
  }
}

//===----------------------------------------------------------------------===//
// Decoding
//===----------------------------------------------------------------------===//

/// A field name for messages, formatted only when an error is reported.
struct Field {
  const char *Fmt;
  size_t A = 0, B = 0, C = 0;
  const std::string *Prefix = nullptr; ///< e.g. a symbol's label
  std::string str() const {
    std::string S = Prefix ? *Prefix : std::string();
    return S + fmt::format(fmt::runtime(Fmt), A, B, C);
  }
};

/// Where an error is: the input, the part of the file, and a byte offset.
class Locator {
public:
  explicit Locator(const std::string &Source) : Source(Source) {}
  std::string Part = "file header"; ///< "section CORE[3]", ...

  [[noreturn]] void fail(size_t Offset, const std::string &Message) const {
    throw Error(fmt::format("{}: {} (offset {}): error: {}", Source, Part,
                            Offset, Message));
  }
  /// Reports a failed rule at Offset.
  void require(const std::string &Verdict, size_t Offset) const {
    if (!Verdict.empty())
      fail(Offset, Verdict);
  }

private:
  const std::string &Source;
};

/// Reads little-endian values from [Pos, End) of the file; every read is
/// bounds-checked and a short read names the field.
class Reader {
public:
  Reader(const std::vector<uint8_t> &Bytes, size_t Begin, size_t End,
         const Locator &Loc, const char *Container)
      : Bytes(Bytes), Pos(Begin), End(End), Loc(Loc), Container(Container) {}

  size_t offset() const { return Pos; }
  size_t remaining() const { return End - Pos; }

  void need(size_t N, const Field &F) const {
    if (N <= remaining())
      return;
    Loc.fail(Pos, fmt::format("truncated: {} needs {} bytes but only {} "
                              "remain in the {}",
                              F.str(), N, remaining(), Container));
  }
  uint8_t u8(const Field &F) {
    need(1, F);
    return Bytes[Pos++];
  }
  uint16_t u16(const Field &F) { return uint16_t(le(2, F)); }
  uint32_t u32(const Field &F) { return uint32_t(le(4, F)); }
  uint64_t u64(const Field &F) { return le(8, F); }
  int16_t i16(const Field &F) { return static_cast<int16_t>(u16(F)); }
  int32_t i32(const Field &F) { return static_cast<int32_t>(u32(F)); }
  std::string str(const Field &F) {
    uint16_t Len = u16(F);
    need(Len, F);
    std::string S(Bytes.begin() + Pos, Bytes.begin() + Pos + Len);
    Pos += Len;
    return S;
  }
  AxonAddress address(const Field &F) {
    AxonAddress A;
    A.Chip = u16(F);
    A.Core = u16(F);
    A.Axon = u16(F);
    return A;
  }
  /// Reads a u32 count and checks it against its rule limit and against
  /// the bytes left (each item needs at least ItemBytes), before anyone
  /// allocates for it.
  uint32_t count(const Field &F, uint64_t Max, size_t ItemBytes) {
    size_t At = Pos;
    uint32_t N = u32(F);
    if (N > Max) // format the field name only on failure
      Loc.require(rules::checkCount(F.str(), N, Max), At);
    if (uint64_t(N) * ItemBytes > remaining())
      Loc.fail(At, fmt::format("{} count {} needs at least {} bytes but only "
                               "{} remain in the {}",
                               F.str(), N, uint64_t(N) * ItemBytes,
                               remaining(), Container));
    return N;
  }

private:
  uint64_t le(unsigned Width, const Field &F) {
    need(Width, F);
    uint64_t V = 0;
    for (unsigned I = 0; I < Width; ++I)
      V |= uint64_t(Bytes[Pos + I]) << (8 * I);
    Pos += Width;
    return V;
  }

  const std::vector<uint8_t> &Bytes;
  size_t Pos, End;
  const Locator &Loc;
  const char *Container;
};

class Decoder {
public:
  Decoder(const std::vector<uint8_t> &Bytes, const std::string &Source)
      : Bytes(Bytes), Loc(Source) {}

  Image run() {
    uint32_t NumSections = readFileHeader();
    size_t Pos = FileHeaderSize;

    Reader Head = openSection(Pos, "HEAD", "HEAD");
    decodeHead(Head);
    closeSection(Head);
    size_t NumCores = Img.Header.Cores.size();
    if (NumSections != NumCores + 2) {
      Loc.Part = "file header";
      Loc.fail(12, fmt::format("the file header counts {} sections but HEAD "
                               "lists {} cores, which need {} (HEAD, one "
                               "CORE per core, SYMS)",
                               NumSections, NumCores, NumCores + 2));
    }

    rules::ImageShape Shape(Img.Header);
    Img.Cores.resize(NumCores);
    OutputListOffsets.resize(NumCores);
    for (size_t I = 0; I < NumCores; ++I) {
      Reader R = openSection(Pos, "CORE", fmt::format("CORE[{}]", I));
      decodeCore(R, I);
      closeSection(R);
      Shape.setCore(I, Img.Cores[I].Axons.size(), Img.Cores[I].Neurons.size(),
                    Img.Cores[I].Config.NumStateWords);
    }
    // Outputs may name any core, so they are checked once all are known.
    for (size_t I = 0; I < NumCores; ++I) {
      Loc.Part = fmt::format("section CORE[{}]", I);
      const std::vector<std::vector<AxonAddress>> &Outputs =
          Img.Cores[I].Outputs;
      for (size_t N = 0; N < Outputs.size(); ++N)
        for (size_t J = 0; J < Outputs[N].size(); ++J)
          Loc.require(rules::named(Shape.checkAddress(Outputs[N][J]),
                                   [&] {
                                     return fmt::format("outputs[{}][{}]", N,
                                                        J);
                                   }),
                      OutputListOffsets[I][N] + 4 + AddressSize * J);
    }
    OutputListOffsets = {};

    Reader Syms = openSection(Pos, "SYMS", "SYMS");
    decodeSymbols(Syms, Shape);
    closeSection(Syms);

    if (Pos != Bytes.size()) {
      Loc.Part = "end of file";
      Loc.fail(Pos, fmt::format("{} unexpected bytes after the last section "
                                "(SYMS)",
                                Bytes.size() - Pos));
    }
    return std::move(Img);
  }

private:
  uint32_t readFileHeader() {
    Loc.Part = "file header";
    Reader R(Bytes, 0, Bytes.size(), Loc, "file");
    R.need(sizeof(Magic), {"magic"});
    if (std::memcmp(Bytes.data(), Magic, sizeof(Magic)) != 0)
      Loc.fail(0, fmt::format("bad magic {}: not a neuromesh image (a .nmb "
                              "file starts with \"NMESHIMG\")",
                              rules::quote(std::string(Bytes.begin(),
                                                       Bytes.begin() + 8))));
    R.need(FileHeaderSize, {"file header"});
    R.u64({"magic"});
    uint16_t Major = R.u16({"major version"});
    uint16_t Minor = R.u16({"minor version"});
    if (Major != ImageVersionMajor || Minor > ImageVersionMinor)
      Loc.fail(8, fmt::format(
                      "the file has format version {}.{} but this reader "
                      "reads version {}.0 to {}.{}: {}",
                      Major, Minor, ImageVersionMajor, ImageVersionMajor,
                      ImageVersionMinor,
                      Major < ImageVersionMajor
                          ? "re-encode the image with this toolchain"
                          : "use a newer neuromesh to read it"));
    uint32_t NumSections = R.u32({"section count"});
    uint32_t Stored = R.u32({"header CRC-32"});
    uint32_t Actual = crc32(Bytes.data(), 16);
    if (Stored != Actual)
      Loc.fail(16, fmt::format("file header CRC-32 mismatch: stored "
                               "0x{:08x}, computed 0x{:08x}: the file is "
                               "corrupt",
                               Stored, Actual));
    if (NumSections < 2)
      Loc.fail(12, fmt::format("section count {} but an image has at least "
                               "2 sections (HEAD and SYMS)",
                               NumSections));
    return NumSections;
  }

  /// Checks the section header at Pos (tag, size, CRC) and returns a reader
  /// over its payload; Pos moves past the section.
  Reader openSection(size_t &Pos, const char *Tag, const std::string &Label) {
    Loc.Part = "section " + Label;
    Reader H(Bytes, Pos, Bytes.size(), Loc, "file");
    H.need(SectionHeaderSize, {"section header"});
    std::string Got(Bytes.begin() + Pos, Bytes.begin() + Pos + 4);
    if (Got != Tag)
      Loc.fail(Pos, fmt::format("tag {} where {} was expected: sections go "
                                "HEAD, one CORE per core in header order, "
                                "SYMS",
                                rules::quote(Got), rules::quote(Tag)));
    H.u32({"tag"});
    uint32_t Size = H.u32({"payload size"});
    uint32_t Stored = H.u32({"payload CRC-32"});
    if (Size > H.remaining())
      Loc.fail(Pos + 4, fmt::format("truncated: payload size {} but only {} "
                                    "bytes remain in the file",
                                    Size, H.remaining()));
    size_t Begin = H.offset();
    uint32_t Actual = crc32(Bytes.data() + Begin, Size);
    if (Stored != Actual)
      Loc.fail(Pos + 8, fmt::format("payload CRC-32 mismatch: the section "
                                    "header says 0x{:08x} but the payload's "
                                    "CRC-32 is 0x{:08x}: the file is corrupt",
                                    Stored, Actual));
    Pos = Begin + Size;
    return Reader(Bytes, Begin, Pos, Loc, "section");
  }

  void closeSection(const Reader &R) {
    if (R.remaining() != 0)
      Loc.fail(R.offset(), fmt::format("{} unexpected bytes after the "
                                       "section's last field",
                                       R.remaining()));
  }

  void decodeHead(Reader &R) {
    size_t Start = R.offset();
    ChipHeader &H = Img.Header;
    H.ArchFingerprint = R.u64({"arch_fingerprint"});
    H.NumChips = R.u16({"num_chips"});
    H.MeshWidth = R.u16({"mesh_width"});
    H.MeshHeight = R.u16({"mesh_height"});
    H.CoresPerTile = R.u8({"cores_per_tile"});
    H.ArchName = R.str({"arch name"});
    Loc.require(rules::checkHeaderFields(H), Start);
    uint32_t N = R.count({"cores"}, NoLimit - 2, CoreLocationSize);
    H.Cores.resize(N);
    rules::LocationIndex Locations;
    for (size_t I = 0; I < N; ++I) {
      size_t At = R.offset();
      CoreLocation &L = H.Cores[I];
      L.Chip = R.u16({"cores[{}].chip", I});
      L.X = R.u16({"cores[{}].x", I});
      L.Y = R.u16({"cores[{}].y", I});
      L.Slot = R.u8({"cores[{}].slot", I});
      Loc.require(rules::checkCoreLocation(H, I), At);
      Loc.require(Locations.add(H, I), At);
    }
  }

  void decodeSegment(Reader &R, SynapseSegment &S, size_t A, size_t I) {
    uint8_t Kind = R.u8({"axons[{}][{}].kind", A, I});
    Loc.require(rules::checkSegmentKind(A, I, Kind), R.offset() - 1);
    S.Kind = static_cast<SegmentKind>(Kind);
    S.Shift = R.u8({"axons[{}][{}].shift", A, I});
    switch (S.Kind) {
    case SegmentKind::Sparse: {
      uint32_t N = R.count({"axons[{}][{}].sparse", A, I}, NoLimit,
                           SparseEntrySize);
      S.Sparse.resize(N);
      for (size_t E = 0; E < N; ++E) {
        S.Sparse[E].Neuron = R.u16({"axons[{}][{}].sparse[{}].neuron", A, I, E});
        S.Sparse[E].Weight = R.i16({"axons[{}][{}].sparse[{}].weight", A, I, E});
        S.Sparse[E].Delay = R.u8({"axons[{}][{}].sparse[{}].delay", A, I, E});
      }
      return;
    }
    case SegmentKind::Dense: {
      S.Delay = R.u8({"axons[{}][{}].delay", A, I});
      S.FirstNeuron = R.u16({"axons[{}][{}].first", A, I});
      uint32_t N = R.count({"axons[{}][{}].weights", A, I}, NoLimit, 2);
      S.Weights.resize(N);
      for (size_t E = 0; E < N; ++E)
        S.Weights[E] = R.i16({"axons[{}][{}].weights[{}]", A, I, E});
      return;
    }
    case SegmentKind::Crossbar: {
      S.Delay = R.u8({"axons[{}][{}].delay", A, I});
      S.AxonType = R.u8({"axons[{}][{}].axon_type", A, I});
      S.FirstNeuron = R.u16({"axons[{}][{}].first", A, I});
      uint32_t N = R.count({"axons[{}][{}].bits", A, I}, NoLimit, 0);
      size_t NumBytes = (size_t(N) + 7) / 8;
      R.need(NumBytes, {"axons[{}][{}].bits", A, I});
      S.Connected.resize(N);
      for (size_t B = 0; B < NumBytes; ++B) {
        uint8_t Byte = R.u8({"axons[{}][{}].bits", A, I});
        size_t Bits = std::min<size_t>(8, N - 8 * B);
        if (Bits < 8 && (Byte >> Bits) != 0)
          Loc.fail(R.offset() - 1,
                   fmt::format("axons[{}][{}].bits: the unused high bits of "
                               "the last byte must be 0, got 0x{:02x}",
                               A, I, Byte));
        for (size_t K = 0; K < Bits; ++K)
          S.Connected[8 * B + K] = (Byte >> K) & 1;
      }
      return;
    }
    }
  }

  void decodeCore(Reader &R, size_t CI) {
    Core &C = Img.Cores[CI];
    size_t Start = R.offset();
    C.Config.NumStateWords = R.u8({"config.state_words"});
    C.Config.NumDelaySlots = R.u8({"config.delay_slots"});
    C.Config.Seed = R.u64({"config.seed"});
    Loc.require(rules::checkCoreConfig(C.Config), Start);

    uint32_t NumProfiles = R.count({"profiles"}, rules::MaxProfiles, 8);
    C.Profiles.resize(NumProfiles);
    for (size_t P = 0; P < NumProfiles; ++P) {
      size_t At = R.offset();
      NeuronProfile &Prof = C.Profiles[P];
      uint32_t NumParams = R.count({"profiles[{}].params", P}, MaxParams, 4);
      Prof.Params.resize(NumParams);
      for (size_t K = 0; K < NumParams; ++K)
        Prof.Params[K] = R.i32({"profiles[{}].params[{}]", P, K});
      uint32_t Length =
          R.count({"profiles[{}].program", P}, MaxProgramLength, 8);
      Prof.Program.resize(Length);
      for (size_t K = 0; K < Length; ++K)
        Prof.Program[K] =
            unpackInstruction(R.u64({"profiles[{}].program[{}]", P, K}));
      Loc.require(rules::checkProfile(Prof, P, C.Config), At);
    }

    size_t StateWords = C.Config.NumStateWords;
    uint32_t NumNeurons =
        R.count({"neurons"}, rules::MaxNeurons, 2 + 4 * StateWords);
    C.Neurons.resize(NumNeurons);
    for (size_t N = 0; N < NumNeurons; ++N) {
      size_t At = R.offset();
      Neuron &Nr = C.Neurons[N];
      Nr.Profile = R.u16({"neurons[{}].profile", N});
      Nr.State.resize(StateWords);
      for (size_t K = 0; K < StateWords; ++K)
        Nr.State[K] = R.i32({"neurons[{}].state[{}]", N, K});
      Loc.require(rules::checkNeuron(Nr, N, NumProfiles, C.Config), At);
    }

    uint32_t NumAxons = R.count({"axons"}, rules::MaxAxons, 4);
    C.Axons.resize(NumAxons);
    bool AnyCrossbar = false;
    for (size_t A = 0; A < NumAxons; ++A) {
      // A segment is at least kind, shift and a u32 count.
      uint32_t NumSegments = R.count({"axons[{}].segments", A}, NoLimit, 6);
      C.Axons[A].resize(NumSegments);
      for (size_t S = 0; S < NumSegments; ++S) {
        size_t At = R.offset();
        SynapseSegment &Seg = C.Axons[A][S];
        decodeSegment(R, Seg, A, S);
        Loc.require(rules::checkSegment(Seg, A, S, NumNeurons, C.Config), At);
        AnyCrossbar |= Seg.Kind == SegmentKind::Crossbar;
      }
    }

    size_t At = R.offset();
    uint32_t NumColumns =
        R.count({"crossbar"}, rules::MaxNeurons, CrossbarColumnSize);
    Loc.require(rules::checkCrossbarCount(NumColumns, NumNeurons, AnyCrossbar),
                At);
    C.Crossbar.resize(NumColumns);
    for (size_t K = 0; K < NumColumns; ++K) {
      CrossbarColumn &Col = C.Crossbar[K];
      for (unsigned T = 0; T < NumAxonTypes; ++T)
        Col.Weight[T] = R.i16({"crossbar[{}].weights[{}]", K, T});
      uint8_t Mask = R.u8({"crossbar[{}].stochastic", K});
      if (Mask >> NumAxonTypes)
        Loc.fail(R.offset() - 1,
                 fmt::format("crossbar[{}].stochastic = 0x{:02x}: bits {}..7 "
                             "must be 0 (one bit per axon type)",
                             K, Mask, NumAxonTypes));
      for (unsigned T = 0; T < NumAxonTypes; ++T)
        Col.Stochastic[T] = (Mask >> T) & 1;
    }

    At = R.offset();
    uint32_t NumLists = R.count({"outputs"}, rules::MaxNeurons, 4);
    Loc.require(rules::checkOutputCount(NumLists, NumNeurons), At);
    C.Outputs.resize(NumLists);
    OutputListOffsets[CI].resize(NumLists);
    for (size_t N = 0; N < NumLists; ++N) {
      OutputListOffsets[CI][N] = R.offset();
      uint32_t Count = R.count({"outputs[{}]", N}, NoLimit, AddressSize);
      C.Outputs[N].resize(Count);
      for (size_t J = 0; J < Count; ++J)
        C.Outputs[N][J] = R.address({"outputs[{}][{}]", N, J});
    }
  }

  void decodeSymbols(Reader &R, const rules::ImageShape &Shape) {
    // A symbol is at least kind, name length and size.
    uint32_t N = R.count({"symbols"}, NoLimit, 7);
    Img.Symbols.resize(N);
    rules::SymbolNames Names;
    for (size_t I = 0; I < N; ++I) {
      size_t At = R.offset();
      Symbol &S = Img.Symbols[I];
      uint8_t Kind = R.u8({"symbols[{}].kind", I});
      Loc.require(rules::checkSymbolKind(I, Kind), At);
      S.Kind = static_cast<SymbolKind>(Kind);
      S.Name = R.str({"symbols[{}].name", I});
      Loc.require(Names.add(S, I), At);
      S.Size = R.u32({"symbols[{}].size", I});
      const std::string Label = rules::symbolLabel(S, I);
      if (S.Kind == SymbolKind::InputPort) {
        // The size is the count of the target lists that follow.
        if (uint64_t(S.Size) * 4 > R.remaining())
          Loc.fail(At, fmt::format("{}: size {} needs at least {} bytes of "
                                   "target lists but only {} remain in the "
                                   "section",
                                   Label, S.Size, uint64_t(S.Size) * 4,
                                   R.remaining()));
        S.Targets.resize(S.Size);
        for (size_t T = 0; T < S.Size; ++T) {
          uint32_t Count =
              R.count({".targets[{}]", T, 0, 0, &Label}, NoLimit, AddressSize);
          S.Targets[T].resize(Count);
          for (size_t J = 0; J < Count; ++J) {
            size_t AddrAt = R.offset();
            S.Targets[T][J] = R.address({".targets[{}][{}]", T, J, 0, &Label});
            Loc.require(rules::named(Shape.checkAddress(S.Targets[T][J]),
                                     [&] {
                                       return fmt::format("{}.targets[{}][{}]",
                                                          Label, T, J);
                                     }),
                        AddrAt);
          }
        }
        decodeGenerator(R, S, I, Label);
      } else {
        uint32_t Count = R.count({".segments", 0, 0, 0, &Label}, NoLimit,
                                 PopulationSegmentSize);
        S.Segments.resize(Count);
        for (size_t J = 0; J < Count; ++J) {
          size_t SegAt = R.offset();
          PopulationSegment &P = S.Segments[J];
          P.Core = R.u32({".segments[{}].core", J, 0, 0, &Label});
          P.FirstNeuron = R.u16({".segments[{}].first", J, 0, 0, &Label});
          P.Count = R.u16({".segments[{}].count", J, 0, 0, &Label});
          P.Offset = R.u32({".segments[{}].offset", J, 0, 0, &Label});
          Loc.require(Shape.checkPopulationSegment(
                          fmt::format("{}.segments[{}]", Label, J), P,
                          S.Size),
                      SegAt);
        }
        decodeRecording(R, S, I, Label, Shape);
      }
      Loc.require(rules::checkSymbolShape(S, I), At);
      Loc.require(rules::checkPopulationCoverage(S, I), At);
    }
  }

  /// A population's record flag and probes (after its segments, which the
  /// probes' state words are checked against).
  void decodeRecording(Reader &R, Symbol &S, size_t I,
                       const std::string &Label,
                       const rules::ImageShape &Shape) {
    size_t At = R.offset();
    uint8_t Flag = R.u8({".record_spikes", 0, 0, 0, &Label});
    Loc.require(rules::checkRecordFlag(S, I, Flag), At);
    S.RecordSpikes = Flag != 0;
    uint32_t N =
        R.count({".probes", 0, 0, 0, &Label}, NoLimit, MinProbeSize);
    S.Probes.resize(N);
    for (size_t J = 0; J < N; ++J) {
      size_t ProbeAt = R.offset();
      S.Probes[J].Variable = R.str({".probes[{}].variable", J, 0, 0, &Label});
      S.Probes[J].StateWord =
          R.u8({".probes[{}].state_word", J, 0, 0, &Label});
      Loc.require(Shape.checkProbe(S, I, J), ProbeAt);
    }
  }

  /// An input port's generator: the kind, then the fields it uses.
  void decodeGenerator(Reader &R, Symbol &S, size_t I,
                       const std::string &Label) {
    size_t At = R.offset();
    SpikeGenerator &G = S.Generator;
    uint8_t Kind = R.u8({".generator.kind", 0, 0, 0, &Label});
    Loc.require(rules::checkGeneratorKind(S, I, Kind), At);
    G.Kind = static_cast<GeneratorKind>(Kind);
    switch (G.Kind) {
    case GeneratorKind::External:
      break;
    case GeneratorKind::List: {
      uint32_t N = R.count({".generator.spikes", 0, 0, 0, &Label}, NoLimit,
                           GeneratorSpikeSize);
      G.Spikes.resize(N);
      for (size_t J = 0; J < N; ++J) {
        size_t SpikeAt = R.offset();
        G.Spikes[J].first =
            R.u64({".generator.spikes[{}].step", J, 0, 0, &Label});
        G.Spikes[J].second =
            R.u32({".generator.spikes[{}].index", J, 0, 0, &Label});
        Loc.require(rules::checkGeneratorSpike(S, I, J), SpikeAt);
      }
      break;
    }
    case GeneratorKind::Poisson:
      G.Seed = R.u64({".generator.seed", 0, 0, 0, &Label});
      G.ProbabilityQ32 = R.u64({".generator.probability_q32", 0, 0, 0, &Label});
      break;
    case GeneratorKind::Regular:
      G.Period = R.u64({".generator.period", 0, 0, 0, &Label});
      G.Phase = R.u64({".generator.phase", 0, 0, 0, &Label});
      break;
    }
    Loc.require(rules::checkGeneratorFields(S, I), At);
  }

  const std::vector<uint8_t> &Bytes;
  Locator Loc;
  Image Img;
  /// Per core, per neuron: the file offset of its output list.
  std::vector<std::vector<size_t>> OutputListOffsets;
};

} // namespace

uint32_t crc32(const uint8_t *Data, size_t Size) {
  // Reflected CRC-32, polynomial 0x04c11db7 (0xedb88320 reflected), eight
  // bytes per step ("slicing-by-8", Kounavis and Berry 2008): Table[k][b]
  // is the CRC contribution of byte b followed by k zero bytes.
  static const std::array<std::array<uint32_t, 256>, 8> Table = [] {
    std::array<std::array<uint32_t, 256>, 8> T{};
    for (uint32_t I = 0; I < 256; ++I) {
      uint32_t C = I;
      for (int K = 0; K < 8; ++K)
        C = (C & 1) ? 0xedb88320u ^ (C >> 1) : C >> 1;
      T[0][I] = C;
    }
    for (size_t K = 1; K < 8; ++K)
      for (uint32_t I = 0; I < 256; ++I)
        T[K][I] = (T[K - 1][I] >> 8) ^ T[0][T[K - 1][I] & 0xff];
    return T;
  }();
  auto Le32 = [](const uint8_t *P) {
    return uint32_t(P[0]) | uint32_t(P[1]) << 8 | uint32_t(P[2]) << 16 |
           uint32_t(P[3]) << 24;
  };
  uint32_t Crc = 0xffffffffu;
  for (; Size >= 8; Data += 8, Size -= 8) {
    uint32_t Lo = Crc ^ Le32(Data), Hi = Le32(Data + 4);
    Crc = Table[7][Lo & 0xff] ^ Table[6][(Lo >> 8) & 0xff] ^
          Table[5][(Lo >> 16) & 0xff] ^ Table[4][Lo >> 24] ^
          Table[3][Hi & 0xff] ^ Table[2][(Hi >> 8) & 0xff] ^
          Table[1][(Hi >> 16) & 0xff] ^ Table[0][Hi >> 24];
  }
  for (; Size > 0; ++Data, --Size)
    Crc = Table[0][(Crc ^ *Data) & 0xff] ^ (Crc >> 8);
  return Crc ^ 0xffffffffu;
}

std::vector<uint8_t> encodeImage(const Image &Img) {
  validateImage(Img);
  Writer W;
  W.Out.insert(W.Out.end(), Magic, Magic + sizeof(Magic));
  W.u16(ImageVersionMajor);
  W.u16(ImageVersionMinor);
  W.count(Img.Cores.size() + 2);
  W.u32(crc32(W.Out.data(), W.Out.size()));

  size_t Head = W.beginSection("HEAD");
  encodeHead(W, Img.Header);
  W.endSection(Head);
  for (const Core &C : Img.Cores) {
    size_t Start = W.beginSection("CORE");
    encodeCore(W, C);
    W.endSection(Start);
  }
  size_t Syms = W.beginSection("SYMS");
  encodeSymbols(W, Img.Symbols);
  W.endSection(Syms);
  return std::move(W.Out);
}

Image decodeImage(const std::vector<uint8_t> &Bytes,
                  const std::string &Source) {
  return Decoder(Bytes, Source).run();
}

Image readImageFile(const std::string &Path) {
  std::string Bytes = readFile(Path, "image file");
  return decodeImage(std::vector<uint8_t>(Bytes.begin(), Bytes.end()), Path);
}

void writeImageFile(const Image &Img, const std::string &Path) {
  // Encode first: a bad image throws before the file system is touched.
  std::vector<uint8_t> Bytes = encodeImage(Img);
  writeFileAtomically(Path, std::string_view(reinterpret_cast<const char *>(Bytes.data()),
                                             Bytes.size()));
}

} // namespace neuromesh::isa
