//===- nmesh/Commands.h - the nmesh subcommands -----------------*- C++ -*-===//
//
// Each subcommand is a thin driver in its own file: parse flags (Boost
// program_options), call one library entry point, print diagnostics, return
// an exit code. Arguments exclude the program and subcommand names.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>
#include <vector>

namespace nmesh {

using Args = std::vector<std::string>;

int commandCompile(const Args &A); ///< network description -> .nmb
int commandAs(const Args &A);      ///< assembly text -> .nmb
int commandObjdump(const Args &A); ///< .nmb -> assembly text
int commandRun(const Args &A);     ///< run an image on an engine
int commandSweep(const Args &A);   ///< sweep architecture fields: compile and run each point
int commandReport(const Args &A);  ///< run.json or sweep.csv -> HTML report
int commandExportNir(const Args &A); ///< network description -> NIR file

} // namespace nmesh
