//===- neuromesh/compiler/Npy.h - the .npy reader, for the compiler -*- C++ -*-===//
//
// The reader lives in isa (neuromesh/isa/Npy.h) so the runtime can read
// .npy inputs too; the compiler's code names it here.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/isa/Npy.h"

namespace neuromesh::compiler {
using isa::NpyArray;
using isa::parseNpy;
using isa::readNpy;
} // namespace neuromesh::compiler
