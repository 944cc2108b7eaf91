//===- neuromesh/compiler/Nir.h - NIR graphs and the NIR front end -*- C++ -*-===//
//
// NIR (the Neuromorphic Intermediate Representation, Pedersen et al., Nature
// Communications 2024) is the interchange format snnTorch, Norse, Sinabs,
// Rockpool and others export to. This header holds a small data model of a
// NIR graph as stored in its HDF5 file (nodes with a type tag and named
// arrays, edges), the reader that fills it, and the lowering of a graph to
// the network IR (Network.h), so NIR files go through the same passes as
// YAML. docs/nir.md says what is supported and how.
//
// The data model is deliberately close to the file: no HDF5 types leak out
// (HDF5 headers stay in NirRead.cpp), and the NIR exporter builds the same
// structs.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/Network.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace neuromesh::compiler::nir {

/// One dataset of a node: a float64 or int64 array with its shape (empty
/// shape for a scalar), or a string (type tags, Conv padding "same" /
/// "valid"). float32 data is widened to float64, other integer widths to
/// int64 on reading.
struct Array {
  enum class Kind { Float, Int, String };
  Kind K = Kind::Float;
  std::vector<uint64_t> Shape;  ///< row-major (C order) dimensions
  std::vector<double> Floats;   ///< Kind::Float, product(Shape) values
  std::vector<int64_t> Ints;    ///< Kind::Int, product(Shape) values
  std::string Str;              ///< Kind::String

  /// Number of elements (1 for a scalar; 0 for a string).
  uint64_t size() const;
  /// Element I as a double, whichever numeric kind holds it.
  double at(uint64_t I) const;

  static Array floats(std::vector<double> V, std::vector<uint64_t> Shape);
  static Array ints(std::vector<int64_t> V, std::vector<uint64_t> Shape);
  static Array scalar(double V);
  static Array string(std::string S);
};

/// One node of a flattened graph. Name is the full dotted path for nodes
/// of nested graphs ("rnn.lif" for node "lif" of subgraph "rnn").
struct Node {
  std::string Name;
  std::string Type;                   ///< "LIF", "Affine", "Conv2d", ...
  std::map<std::string, Array> Data;  ///< datasets by name (metadata skipped)

  /// The dataset of that name, or nullptr.
  const Array *find(const std::string &Key) const;
};

/// A directed edge between two nodes of the flattened graph, by full name.
struct Edge {
  std::string Source, Target;
};

/// A NIR graph with nested NIRGraph nodes flattened: their nodes appear
/// with dotted names, and edges into or out of a subgraph are rewired to
/// its Input / Output nodes (docs/nir.md). Nodes are kept in the order of
/// the file (HDF5 lists group members alphabetically).
struct Graph {
  std::string Version;            ///< "/version", or "" when absent (pre-0.2 files)
  std::vector<Node> Nodes;
  std::vector<Edge> Edges;
  /// Things the reader accepted but the user should know (dropped dangling
  /// edges, each named). The CLI prints them.
  std::vector<std::string> Warnings;

  /// The node of that full name, or nullptr.
  const Node *find(const std::string &Name) const;
};

/// Reads a NIR HDF5 file into a flattened graph. Throws neuromesh::Error
/// naming the file and the node/dataset for a file that is not HDF5, has
/// no /node group, an unreadable or mis-typed dataset, or an edge naming a
/// node that does not exist (except dangling edges into a nested graph,
/// which are dropped with a warning; see docs/nir.md).
Graph readNirFile(const std::string &Path);

/// How a reset after a spike works; NIR files do not store it.
enum class ResetMode {
  Zero,     ///< v = v_reset (NIR's stated semantics)
  Subtract, ///< v -= v_threshold - v_reset (snnTorch's default)
};

/// What lowering a NIR graph needs that the file does not say.
struct LowerOptions {
  double Dt = 1e-4;              ///< forward-Euler step, seconds
  ResetMode Reset = ResetMode::Zero;
  std::string FileName;          ///< names the file in messages
};

/// What lowering found that a user reading results needs: the factor from
/// a node's NIR units to the hardware integers its probes read, and
/// warnings.
struct LowerNotes {
  /// Hardware units per NIR unit of v, per neuron node that has one fixed
  /// by the compiler front end (IF, LI, I: integer models); probes of v
  /// read v times this. LIF/CubaLIF scales are chosen by lowerNetwork.
  std::map<std::string, double> VScale;
  std::vector<std::string> Warnings;
};

/// Lowers a flattened graph to the network IR: Input nodes become external
/// spike sources, neuron nodes (LIF, CubaLIF, IF, LI, CubaLI, I, Threshold)
/// populations named after their node, and the chains of weight layers
/// between them (Affine, Linear, Scale, Conv1d/2d, pooling, Flatten, Delay)
/// are folded into projections. Throws neuromesh::Error naming the node and
/// reason for anything the chip cannot represent. The result has passed
/// Network::validate().
Network lowerGraph(const Graph &G, const LowerOptions &Options, LowerNotes *Notes = nullptr);

/// Reads and lowers a NIR file.
Network loadNirNetwork(const std::string &Path, const LowerOptions &Options,
                       LowerNotes *Notes = nullptr);

} // namespace neuromesh::compiler::nir
