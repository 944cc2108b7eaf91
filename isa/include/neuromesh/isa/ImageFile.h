//===- neuromesh/isa/ImageFile.h - the .nmb binary format -------*- C++ -*-===//
//
// The `.nmb` file: a fixed little-endian layout of sections, each with its
// own CRC-32, behind a versioned file header. docs/isa.md gives the layout
// byte by byte. Decoding validates every count, index and range before
// anything can execute; any defect is a neuromesh::Error naming the section
// and the field.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/isa/Image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace neuromesh::isa {

/// File format version. A reader accepts exactly its own major version and
/// any minor version up to its own.
constexpr uint16_t ImageVersionMajor = 1;
constexpr uint16_t ImageVersionMinor = 0;

/// Serialises a valid image (validateImage is called first).
std::vector<uint8_t> encodeImage(const Image &Img);

/// Parses and fully validates an image. Source names the input in messages
/// (usually the file path).
Image decodeImage(const std::vector<uint8_t> &Bytes,
                  const std::string &Source = "<memory>");

/// Reads a file and decodes it.
Image readImageFile(const std::string &Path);

/// Encodes and writes atomically: a temporary file beside Path, then a
/// rename, so a failure never leaves a half-written image.
void writeImageFile(const Image &Img, const std::string &Path);

/// CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of a byte range.
uint32_t crc32(const uint8_t *Data, size_t Size);

} // namespace neuromesh::isa
