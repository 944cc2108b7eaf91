//===- neuromesh/compiler/NetworkYaml.h - network YAML front end -*- C++ -*-===//
//
// Reads a network description (docs/network-format.md) into the network IR.
// Every element gets the SourceLoc of the YAML node it was written at; every
// error, the front end's own and those of Network::validate(), is reported
// as "file:line:col: error: message" with the source line and a caret, all
// of them at once in one neuromesh::Error. Files the description names
// (spike_file, list_file, matrix_file, array_file, kernel_file) are read
// relative to the description's directory.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/Network.h"

#include <string>

namespace neuromesh::compiler {

/// Parses a network description held in Text; FileName names it in
/// messages and anchors relative file names. The result has passed
/// Network::validate(). Throws neuromesh::Error with every problem found.
Network parseNetworkYaml(const std::string &Text, const std::string &FileName);

/// Reads and parses a network description file.
Network loadNetworkYaml(const std::string &Path);

} // namespace neuromesh::compiler
