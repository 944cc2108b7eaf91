//===- neuromesh/compiler/NetworkFile.h - any network file -> IR -*- C++ -*-===//
//
// The one entry point the tools use to read a network, whatever its format:
// a YAML description (docs/network-format.md) or a NIR graph (docs/nir.md),
// told apart by content (the HDF5 signature) and extension.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/Network.h"
#include "neuromesh/compiler/Nir.h"

#include <optional>
#include <string>
#include <vector>

namespace neuromesh::compiler {

/// Options only some formats take.
struct NetworkFileOptions {
  /// NIR: the forward-Euler step in seconds (a NIR file stores none);
  /// unset = 1e-4 s, the step snnTorch exports with. YAML files state their
  /// own dt, so giving one for them is an error.
  std::optional<double> Dt;
  /// NIR: the reset mode (a NIR file stores none); unset = zero.
  std::optional<nir::ResetMode> Reset;
};

/// What reading said beyond the network.
struct NetworkFileNotes {
  bool IsNir = false;
  double Dt = 0;              ///< the dt used
  nir::ResetMode Reset = nir::ResetMode::Zero;
  nir::LowerNotes Nir;        ///< warnings and v scales (NIR only)
};

/// True when the file at Path starts with the HDF5 signature or, if it
/// cannot be read, is named *.nir.
bool isNirFile(const std::string &Path);

/// Reads a network file of either format. Throws neuromesh::Error.
Network readNetworkFile(const std::string &Path, const NetworkFileOptions &Options = {},
                        NetworkFileNotes *Notes = nullptr);

} // namespace neuromesh::compiler
