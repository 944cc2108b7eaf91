//===- nmesh/CommandLine.h - the one way a subcommand reads its flags -*- C++ -*-===//
//
// Every subcommand takes one positional file plus options. parseCommandLine
// parses them, prints --help, and reports usage errors (with the usage text)
// the same way everywhere: help exits 0, a usage error exits 2.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "Commands.h"

#include <boost/program_options.hpp>

#include <optional>
#include <string>

namespace nmesh {

namespace po = boost::program_options;

/// The result of parsing: the values, or the exit code to return now.
struct ParsedCommandLine {
  po::variables_map Values;
  std::optional<int> Exit;
};

/// Parses A: Visible's options plus one positional argument stored under
/// PositionalName. Required lists the options (and the positional) that
/// must be present, each with the message to print when it is missing.
ParsedCommandLine
parseCommandLine(const char *Command, const Args &A, const po::options_description &Visible,
                 const char *PositionalName,
                 std::initializer_list<std::pair<const char *, const char *>> Required);

/// Prints "nmesh COMMAND: error: MESSAGE" and the usage; returns 2.
int usageError(const char *Command, const std::string &Message,
               const po::options_description &Visible);

} // namespace nmesh
