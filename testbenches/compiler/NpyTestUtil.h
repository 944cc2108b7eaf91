//===- NpyTestUtil.h - building .npy files byte by byte for tests -*- C++ -*-===//
//
// Written from the format description (numpy.lib.format), independently of
// the reader under test: magic, version, little-endian header length, the
// header dict padded with spaces to a multiple of 64 bytes and ended by
// '\n', then the raw little-endian data.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace nm_test {

/// The header dict numpy writes, e.g. {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
inline std::string npyDict(const std::string &Descr, const std::vector<uint64_t> &Shape,
                           bool Fortran = false) {
  std::string Dims;
  for (size_t I = 0; I < Shape.size(); ++I)
    Dims += (I ? ", " : "") + std::to_string(Shape[I]);
  if (Shape.size() == 1)
    Dims += ",";
  return "{'descr': '" + Descr + "', 'fortran_order': " + (Fortran ? "True" : "False") +
         ", 'shape': (" + Dims + "), }";
}

/// A whole file: version Major (1: 2-byte header length, 2/3: 4-byte), the
/// dict, padding, then Data (raw bytes).
inline std::string npyFile(const std::string &Dict, const std::string &Data, unsigned Major = 1) {
  size_t Prefix = Major == 1 ? 10 : 12;
  std::string H = Dict;
  while ((Prefix + H.size() + 1) % 64 != 0)
    H += ' ';
  H += '\n';
  std::string Out = "\x93NUMPY";
  Out += char(Major);
  Out += char(0);
  uint64_t Len = H.size();
  for (size_t I = 0; I < (Major == 1 ? 2u : 4u); ++I)
    Out += char((Len >> (8 * I)) & 0xff);
  return Out + H + Data;
}

/// Little-endian bytes of each value, Bytes wide.
template <typename T> std::string leBytes(const std::vector<T> &Values) {
  std::string Out;
  for (T V : Values) {
    uint64_t Bits = 0;
    std::memcpy(&Bits, &V, sizeof(T));
    for (size_t I = 0; I < sizeof(T); ++I)
      Out += char((Bits >> (8 * I)) & 0xff);
  }
  return Out;
}

/// A float64 array file.
inline std::string npyF8(const std::vector<uint64_t> &Shape, const std::vector<double> &Data,
                         bool Fortran = false) {
  return npyFile(npyDict("<f8", Shape, Fortran), leBytes(Data));
}

inline void writeFile(const std::string &Path, const std::string &Bytes) {
  std::ofstream Out(Path, std::ios::binary);
  Out << Bytes;
}

} // namespace nm_test
