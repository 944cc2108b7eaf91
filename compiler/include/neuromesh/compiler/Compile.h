//===- neuromesh/compiler/Compile.h - the whole compile pipeline -*- C++ -*-===//
//
// One entry point for `nmesh compile` and the tests: validate, lower and
// quantise, map, and summarise.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/Mapping.h"
#include "neuromesh/compiler/Network.h"
#include "neuromesh/isa/Architecture.h"

#include <string>

namespace neuromesh::compiler {

/// Everything a compile produced.
struct CompileResult {
  HardwareNetwork Lowered;
  MappedNetwork Mapped;
};

/// Validates, lowers and maps Net onto Arch. Throws neuromesh::Error.
CompileResult compileNetwork(const Network &Net, const isa::Architecture &Arch,
                             const MappingOptions &Options = {});

/// The short human summary `nmesh compile` prints: cores and chips used,
/// utilisation of each resource, estimated messages and hops per step, and
/// the quantisation error of each projection.
std::string formatCompileSummary(const CompileResult &R, const isa::Architecture &Arch);

} // namespace neuromesh::compiler
