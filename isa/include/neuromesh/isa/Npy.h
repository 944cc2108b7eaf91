//===- neuromesh/isa/Npy.h - reading numpy .npy arrays ----------*- C++ -*-===//
//
// Weight matrices, kernels and weight arrays trained in Python arrive as
// numpy .npy files, and so do dense input spike arrays (nmesh run --input);
// it lives in isa so that both the compiler and the runtime read them. This reader takes format versions 1, 2 and 3, C order,
// little-endian (or byte-order-free) bool, int8..int64, uint8..uint64 and
// float16/32/64 data, and returns the shape and the values as doubles.
// Every defect (bad magic, truncated data, Fortran order, an unsupported
// dtype) is a neuromesh::Error naming the file and what to do.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace neuromesh::isa {

/// A numpy array read from a .npy file.
struct NpyArray {
  std::vector<uint64_t> Shape; ///< empty for a 0-d (scalar) array
  std::vector<double> Data;    ///< C order; product of Shape values
  std::string Descr;           ///< the dtype as written, e.g. "<f8"
  /// Number of elements (the product of Shape; 1 for a scalar).
  uint64_t size() const { return Data.size(); }
};

/// Parses the bytes of a .npy file; Name names it in messages. Integers
/// beyond 2^53 in magnitude lose precision in the conversion to double.
NpyArray parseNpy(const std::string &Bytes, const std::string &Name);

/// Reads a .npy file; a missing file is an error too.
NpyArray readNpy(const std::string &Path);

} // namespace neuromesh::isa
