//===- neuromesh/compiler/NirExport.h - network IR -> NIR file --*- C++ -*-===//
//
// Writes a network as a NIR graph (HDF5, the layout of the reference NIR
// package's nir.write), so a network built here can be taken to snnTorch,
// Norse or back through `nmesh compile model.nir`. docs/nir.md, "Export",
// gives the mapping; in short, parameters are the inverse of the forward-
// Euler lowering at dt (per step, the NIR node does what the chip does):
//
//   lif, tau_syn = 0     -> LIF:     a = 1 - exp(-dt_net/tau_m), tau = dt/a,
//                                    r = 1/a, v_leak = bias/a, v_threshold = v_th
//   lif, tau_syn > 0     -> CubaLIF: as LIF, plus b = 1 - exp(-dt_net/tau_syn),
//                                    tau_syn = dt/b, w_in = 1/b
//   loihi_cuba_lif       -> CubaLIF: a = dv/4096, b = du/4096, membrane unit
//                                    2^6 hardware units (v_threshold = vth_mant)
//   if                   -> IF:      r = 1/dt, v_threshold = threshold - 1/2
//                                    (v >= T on integers is v > T - 1/2), bias
//                                    on an Affine into it
//   li, tau or dv        -> LI:      a as above, tau = dt/a, r = 1/a, v_leak = 0
//   li, no leak          -> I:       r = 1/dt
//   source               -> Input
//   projection           -> Linear (dense, (post, pre)); one per distinct
//                           delay d, followed by a Delay of (d - 1) dt, since
//                           the chip's synaptic layer already takes one step
//   recorded population  -> Output
//
// NIR stores no reset mode: every resetting population must agree (lif's
// reset 1 and if's reset 1 subtract, the rest reset to a value), and the
// result says which mode to import with.
//
// What NIR cannot express (refractory periods, adaptive thresholds,
// TrueNorth neurons, mixed reset modes, ...) is a neuromesh::Error naming
// the population or projection and the reason.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/Network.h"
#include "neuromesh/compiler/Nir.h"

#include <map>
#include <string>
#include <vector>

namespace neuromesh::compiler {

/// Options of exportNir.
struct NirExportOptions {
  /// Seconds per timestep the NIR file's time constants are written for
  /// (import it with the same --dt); 0 means the network's own dt.
  double Dt = 0;
};

/// What exportNir wrote.
struct NirExportResult {
  double Dt = 0;                  ///< the dt the parameters are written for
  std::string ResetMode = "zero"; ///< "zero" or "subtract": give it to the importer
  size_t Nodes = 0, Edges = 0;
  /// Things the file does not carry, one line each (e.g. a Poisson
  /// source's generator: its Input node must be fed at run time).
  std::vector<std::string> Notes;
};

/// The NIR graph of Net (flat: no nested graphs). Validates Net first.
/// Throws neuromesh::Error listing everything NIR cannot express, each
/// naming the population or projection and the reason.
nir::Graph exportNirGraph(const Network &Net, const NirExportOptions &Options,
                          NirExportResult &Result);

/// Writes Net as a NIR HDF5 file at Path (atomically: a failure leaves no
/// file behind), with /node/metadata holding the dt, the reset mode and the
/// exporter's name (NIR readers ignore metadata).
NirExportResult exportNir(const Network &Net, const std::string &Path,
                          const NirExportOptions &Options = {});

/// The bytes of a NIR HDF5 file holding G (the layout of nir.write: see
/// NirWrite.cpp), with Metadata as /node/metadata. G.Version empty writes
/// the exporter's version.
std::string nirFileImage(const nir::Graph &G,
                         const std::map<std::string, nir::Array> &Metadata = {});

/// Writes nirFileImage(G, Metadata) to Path atomically.
void writeNirFile(const nir::Graph &G, const std::string &Path,
                  const std::map<std::string, nir::Array> &Metadata = {});

} // namespace neuromesh::compiler
