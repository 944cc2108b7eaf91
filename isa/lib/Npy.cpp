//===- Npy.cpp - reading numpy .npy arrays --------------------------------===//
//
// The format (numpy.lib.format): the magic "\x93NUMPY", a major and minor
// version byte, the header length (uint16 little-endian in version 1,
// uint32 in versions 2 and 3), then an ASCII (version 3: UTF-8) Python dict
// literal {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
// padded with spaces and ended by '\n', then the raw data. Values are
// decoded byte by byte, so the result does not depend on the host's byte
// order.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/isa/Npy.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/FileIO.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace neuromesh::isa {

namespace {

/// Arrays larger than this are refused before allocating: a corrupt shape
/// must not exhaust memory.
constexpr uint64_t MaxElements = uint64_t(1) << 34;

[[noreturn]] void fail(const std::string &Name, const std::string &Msg) {
  throw Error(fmt::format("{}: error: {}", Name, Msg));
}

/// The header dict as parsed.
struct Header {
  std::optional<std::string> Descr;
  std::optional<bool> FortranOrder;
  std::optional<std::vector<uint64_t>> Shape;
};

/// A recursive-descent reader of the small Python literal subset numpy
/// writes: a dict of string keys to strings, booleans and int tuples.
class HeaderParser {
public:
  HeaderParser(const std::string &Text, const std::string &Name) : Text(Text), Name(Name) {}

  Header parse() {
    Header H;
    skipSpace();
    expect('{');
    while (true) {
      skipSpace();
      if (peek() == '}') {
        ++Pos;
        break;
      }
      std::string Key = quoted();
      skipSpace();
      expect(':');
      skipSpace();
      if (Key == "descr") {
        if (peek() == '[')
          fail(Name, "structured dtypes (a list in 'descr') are not supported; "
                     "save a plain numeric array");
        H.Descr = quoted();
      } else if (Key == "fortran_order") {
        H.FortranOrder = boolean();
      } else if (Key == "shape") {
        H.Shape = tuple();
      } else {
        fail(Name, fmt::format("unexpected key '{}' in the .npy header; "
                               "expected 'descr', 'fortran_order' and 'shape'",
                               Key));
      }
      skipSpace();
      if (peek() == ',') {
        ++Pos;
        continue;
      }
      skipSpace();
      expect('}');
      break;
    }
    skipSpace();
    if (Pos != Text.size())
      bad("text after the closing '}'");
    return H;
  }

private:
  const std::string &Text;
  const std::string &Name;
  size_t Pos = 0;

  [[noreturn]] void bad(const std::string &What) {
    fail(Name, fmt::format("malformed .npy header ({} at offset {} of "
                           "\"{}\"); the file is not a valid numpy array file",
                           What, Pos, Text));
  }
  char peek() const { return Pos < Text.size() ? Text[Pos] : '\0'; }
  void skipSpace() {
    while (Pos < Text.size() && std::isspace(static_cast<unsigned char>(Text[Pos])))
      ++Pos;
  }
  void expect(char C) {
    if (peek() != C)
      bad(fmt::format("expected '{}'", C));
    ++Pos;
  }
  std::string quoted() {
    char Q = peek();
    if (Q != '\'' && Q != '"')
      bad("expected a quoted string");
    size_t End = Text.find(Q, Pos + 1);
    if (End == std::string::npos)
      bad("unterminated string");
    std::string S = Text.substr(Pos + 1, End - Pos - 1);
    Pos = End + 1;
    return S;
  }
  bool boolean() {
    if (Text.compare(Pos, 4, "True") == 0) {
      Pos += 4;
      return true;
    }
    if (Text.compare(Pos, 5, "False") == 0) {
      Pos += 5;
      return false;
    }
    bad("expected True or False");
  }
  std::vector<uint64_t> tuple() {
    expect('(');
    std::vector<uint64_t> Dims;
    while (true) {
      skipSpace();
      if (peek() == ')') {
        ++Pos;
        return Dims;
      }
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        bad("expected a non-negative integer in 'shape'");
      uint64_t V = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        uint64_t D = uint64_t(Text[Pos++] - '0');
        if (V > (UINT64_MAX - D) / 10)
          bad("dimension too large");
        V = V * 10 + D;
      }
      if (peek() == 'L') // Python 2 long literals
        ++Pos;
      Dims.push_back(V);
      skipSpace();
      if (peek() == ',') {
        ++Pos;
        continue;
      }
      skipSpace();
      expect(')');
      return Dims;
    }
  }
};

enum class ElemKind { Bool, Int, UInt, Float };

uint64_t loadLE(const unsigned char *P, unsigned Bytes) {
  uint64_t V = 0;
  for (unsigned I = 0; I < Bytes; ++I)
    V |= uint64_t(P[I]) << (8 * I);
  return V;
}

double halfToDouble(uint16_t H) {
  int Sign = (H >> 15) & 1;
  int Exp = (H >> 10) & 0x1f;
  int Mant = H & 0x3ff;
  double V;
  if (Exp == 0)
    V = std::ldexp(double(Mant), -24);
  else if (Exp == 31)
    V = Mant ? std::nan("") : HUGE_VAL;
  else
    V = std::ldexp(double(Mant | 0x400), Exp - 25);
  return Sign ? -V : V;
}

double decode(const unsigned char *P, ElemKind K, unsigned Bytes) {
  uint64_t Bits = loadLE(P, Bytes);
  switch (K) {
  case ElemKind::Bool:
    return Bits ? 1.0 : 0.0;
  case ElemKind::UInt:
    return double(Bits);
  case ElemKind::Int: {
    // Sign-extend from Bytes * 8 bits.
    unsigned Shift = 64 - 8 * Bytes;
    return double(int64_t(Bits << Shift) >> Shift);
  }
  case ElemKind::Float:
    if (Bytes == 2)
      return halfToDouble(uint16_t(Bits));
    if (Bytes == 4) {
      uint32_t B32 = uint32_t(Bits);
      float F;
      std::memcpy(&F, &B32, 4);
      return F;
    }
    double D;
    std::memcpy(&D, &Bits, 8);
    return D;
  }
  return 0;
}

} // namespace

NpyArray parseNpy(const std::string &Bytes, const std::string &Name) {
  static const char Magic[] = "\x93NUMPY";
  if (Bytes.size() < 6 || Bytes.compare(0, 6, Magic, 6) != 0)
    fail(Name, "not a .npy file (it does not start with the magic "
               "\"\\x93NUMPY\"); save the array with numpy.save");
  if (Bytes.size() < 10)
    fail(Name, fmt::format("truncated: {} bytes, shorter than the smallest "
                           ".npy header",
                           Bytes.size()));
  const auto *U = reinterpret_cast<const unsigned char *>(Bytes.data());
  unsigned Major = U[6], Minor = U[7];
  if (Major < 1 || Major > 3)
    fail(Name, fmt::format(".npy format version {}.{} is not supported (1.0, "
                           "2.0 and 3.0 are)",
                           Major, Minor));
  size_t Prefix = Major == 1 ? 10 : 12;
  if (Bytes.size() < Prefix)
    fail(Name, fmt::format("truncated: {} bytes, shorter than the version "
                           "{} header prefix ({} bytes)",
                           Bytes.size(), Major, Prefix));
  uint64_t HeaderLen = loadLE(U + 8, Major == 1 ? 2 : 4);
  if (Bytes.size() < Prefix + HeaderLen)
    fail(Name, fmt::format("truncated: the header says it is {} bytes long "
                           "but only {} bytes follow the prefix",
                           HeaderLen, Bytes.size() - Prefix));
  std::string HeaderText = Bytes.substr(Prefix, HeaderLen);
  if (HeaderText.empty() || HeaderText.back() != '\n')
    fail(Name, "malformed .npy header: it does not end with a newline; the "
               "file is damaged or not written by numpy");
  Header H = HeaderParser(HeaderText, Name).parse();
  if (!H.Descr || !H.FortranOrder || !H.Shape)
    fail(Name, fmt::format("the .npy header lacks '{}'; expected 'descr', "
                           "'fortran_order' and 'shape'",
                           !H.Descr          ? "descr"
                           : !H.FortranOrder ? "fortran_order"
                                             : "shape"));
  if (*H.FortranOrder)
    fail(Name, "the array is stored in Fortran (column-major) order; save a "
               "C-ordered copy: numpy.save(path, numpy.ascontiguousarray(a))");

  // descr: byte order, kind, item size.
  const std::string &D = *H.Descr;
  if (D.size() < 3 || std::string("<>|=").find(D[0]) == std::string::npos)
    fail(Name, fmt::format("unsupported dtype '{}'; use bool, an integer or a "
                           "float type",
                           D));
  char Kind = D[1];
  unsigned Size = 0;
  for (size_t I = 2; I < D.size(); ++I) {
    if (!std::isdigit(static_cast<unsigned char>(D[I])) || Size > 64)
      fail(Name, fmt::format("unsupported dtype '{}'; use bool, an integer or "
                             "a float type",
                             D));
    Size = Size * 10 + unsigned(D[I] - '0');
  }
  ElemKind K;
  bool SizeOk;
  switch (Kind) {
  case 'b':
    K = ElemKind::Bool;
    SizeOk = Size == 1;
    break;
  case 'i':
    K = ElemKind::Int;
    SizeOk = Size == 1 || Size == 2 || Size == 4 || Size == 8;
    break;
  case 'u':
    K = ElemKind::UInt;
    SizeOk = Size == 1 || Size == 2 || Size == 4 || Size == 8;
    break;
  case 'f':
    K = ElemKind::Float;
    SizeOk = Size == 2 || Size == 4 || Size == 8;
    break;
  default:
    fail(Name, fmt::format("unsupported dtype '{}' ({}); use bool, int8..int64, "
                           "uint8..uint64 or float16/32/64: e.g. "
                           "numpy.save(path, a.astype(numpy.float64))",
                           D,
                           Kind == 'c'                  ? "complex"
                           : Kind == 'O'                ? "Python objects"
                           : Kind == 'U' || Kind == 'S' ? "strings"
                                                        : "not numeric"));
  }
  if (!SizeOk)
    fail(Name, fmt::format("unsupported dtype '{}' (item size {}); use bool, "
                           "int8..int64, uint8..uint64 or float16/32/64",
                           D, Size));
  if (D[0] == '>' && Size > 1)
    fail(Name, fmt::format("big-endian data ('{}') is not supported; save a "
                           "little-endian copy: a.astype('<{}')",
                           D, D.substr(1)));

  uint64_t Count = 1;
  for (uint64_t Dim : *H.Shape) {
    if (Dim != 0 && Count > MaxElements / Dim)
      fail(Name, fmt::format("the array is too large (shape has more than {} "
                             "elements)",
                             MaxElements));
    Count *= Dim;
  }
  uint64_t DataBytes = Bytes.size() - Prefix - HeaderLen;
  uint64_t Need = Count * Size;
  if (DataBytes < Need)
    fail(Name, fmt::format("truncated: shape ({}) of '{}' needs {} bytes of "
                           "data, the file holds {}",
                           fmt::join(*H.Shape, ", "), D, Need, DataBytes));
  if (DataBytes > Need)
    fail(Name, fmt::format("{} unexpected bytes after the data (shape ({}) of "
                           "'{}' needs {}); the file is damaged",
                           DataBytes - Need, fmt::join(*H.Shape, ", "), D, Need));

  NpyArray A;
  A.Shape = *H.Shape;
  A.Descr = D;
  A.Data.resize(Count);
  const unsigned char *P = U + Prefix + HeaderLen;
  for (uint64_t I = 0; I < Count; ++I)
    A.Data[I] = decode(P + I * Size, K, Size);
  return A;
}

NpyArray readNpy(const std::string &Path) {
  return parseNpy(isa::readFile(Path), Path);
}

} // namespace neuromesh::isa
