//===- neuromesh/isa/FileIO.h - reading and writing whole files -*- C++ -*-===//
//
// The one way Neuromesh reads an input file and writes an output file.
// Outputs are written to a unique temporary file beside the target, flushed,
// and renamed into place, so a failure never leaves a half-written file and
// never destroys the previous one.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>
#include <string_view>

namespace neuromesh::isa {

/// Reads a whole file. What names it in messages, as in
/// "net.yaml: error: cannot open the network file: No such file or directory".
std::string readFile(const std::string &Path, std::string_view What = "the file");

/// Writes Content to Path atomically (temporary file + rename). Throws
/// neuromesh::Error naming Path and the reason.
void writeFileAtomically(const std::string &Path, std::string_view Content);

} // namespace neuromesh::isa
