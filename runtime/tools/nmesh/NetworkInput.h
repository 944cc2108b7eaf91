//===- nmesh/NetworkInput.h - reading a network file on the command line -*- C++ -*-===//
//
// The network-reading options (--dt, --reset, which only NIR files take),
// the mapping options (--placement, --seed) and their checks, shared by the
// subcommands that compile a network (compile, sweep), so both accept the
// same files and place them the same way.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "CommandLine.h"

#include "neuromesh/compiler/Mapping.h"
#include "neuromesh/compiler/NetworkFile.h"

namespace nmesh {

/// Adds --dt and --reset to Visible.
void addNetworkFileOptions(po::options_description &Visible);

/// Reads --dt and --reset from VM into Options; on a bad value returns the
/// usage error's exit code.
std::optional<int> readNetworkFileOptions(const char *Command, const po::variables_map &VM,
                                          const po::options_description &Visible,
                                          neuromesh::compiler::NetworkFileOptions &Options);

/// Adds --placement and --seed to Visible.
void addMappingOptions(po::options_description &Visible);

/// Reads --placement and --seed from VM into Options; on a bad value
/// returns the usage error's exit code.
std::optional<int> readMappingOptions(const char *Command, const po::variables_map &VM,
                                      const po::options_description &Visible,
                                      neuromesh::compiler::MappingOptions &Options);

/// Reads the network file at Path (YAML or NIR) and prints the reader's
/// warnings on standard error.
neuromesh::compiler::Network readNetwork(const std::string &Path,
                                         const neuromesh::compiler::NetworkFileOptions &Options,
                                         neuromesh::compiler::NetworkFileNotes &Notes);

} // namespace nmesh
