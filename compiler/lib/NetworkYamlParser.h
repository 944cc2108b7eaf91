//===- NetworkYamlParser.h - the network description parser -----*- C++ -*-===//
//
// Private to the compiler library. The parser behind parseNetworkYaml,
// shared by NetworkYaml.cpp (the document, populations, sources and phase
// two) and NetworkYamlProjections.cpp (projections, connectors, weights,
// delays and the data files they name).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/Network.h"
#include "neuromesh/compiler/Npy.h"
#include "neuromesh/isa/Image.h"
#include "neuromesh/isa/YamlReader.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace neuromesh::compiler::netyaml {

using yaml::MappingNode;
using yaml::Node;
using yaml::ScalarNode;
using yaml::SequenceNode;

inline constexpr int64_t MaxNeurons = std::numeric_limits<uint32_t>::max();
inline constexpr int64_t MaxSeed = std::numeric_limits<int64_t>::max();
inline constexpr int64_t MaxDelay = isa::MaxDelaySlots;
inline constexpr double Inf = std::numeric_limits<double>::infinity();
/// Bad lines of one data file reported before the rest are counted.
inline constexpr size_t MaxFileErrors = 20;

/// The text of a scalar node; nullopt for anything else.
std::optional<std::string> scalarText(Node *N);
/// "; did you mean 'x'?" for the candidate nearest to Name, or "".
std::string suggest(const std::string &Name, const std::vector<std::string> &Cands);
/// "a, b, c" ("none" when empty).
std::string joinNames(const std::vector<std::string> &Names);
/// "[2, 8, 8]".
std::string shapeStr(const std::vector<uint32_t> &S);
/// A number as the docs print it (powers of ten from 1e9 up as "1e12").
std::string fmtNum(double V);
/// Letters, digits, '_', '-', '.', starting with a letter or '_'.
bool validName(const std::string &N);
/// Case-insensitive suffix test (Suffix in lower case).
bool endsWith(const std::string &S, const char *Suffix);
/// "w.npy: error: msg" -> "w.npy: msg", for a message reported again as
/// an error at a YAML node.
std::string dropErrorTag(std::string Msg);

/// What phase two needs to know about a projection beyond the IR.
struct ProjInfo {
  std::string Path;
  bool Ok = true;      ///< phase one found no error
  bool ConnOk = false; ///< the connector parsed
  bool NameGiven = false;
  Node *Item = nullptr, *NameN = nullptr, *FromN = nullptr, *ToN = nullptr;
  Node *ConnN = nullptr, *WeightN = nullptr, *FanInN = nullptr;
  /// List connector: where each synapse was written (a YAML entry, or a
  /// line of ListFile).
  std::vector<Node *> EntryNodes;
  std::vector<size_t> EntryLines;
  std::string ListFile;
  /// Matrix connector: rows and columns as written, and the file if any.
  uint64_t MatRows = 0, MatCols = 0;
  std::string MatFile;
  /// Conv2d: kernel channels as written.
  uint64_t KernelOut = 0, KernelIn = 0;
  /// Weight array: values given.
  bool HasArray = false;
};

/// A projection's end as phase two sees it.
struct End {
  bool Found = false, IsSource = false, Ok = false;
  uint32_t Size = 0;
  std::vector<uint32_t> Shape;
};

/// What phase two needs to know about a source.
struct SourceInfo {
  bool Ok = true;
  Node *RateN = nullptr;
};

class Parser {
public:
  explicit Parser(yaml::Reader &Rd) : Rd(Rd) {
    const std::string &F = Rd.fileName();
    auto Slash = F.rfind('/');
    BaseDir = Slash == std::string::npos ? "" : F.substr(0, Slash + 1);
    std::string Stem = Slash == std::string::npos ? F : F.substr(Slash + 1);
    auto Dot = Stem.rfind('.');
    DefaultName = Dot == std::string::npos || Dot == 0 ? Stem : Stem.substr(0, Dot);
  }

  Network run();

private:
  yaml::Reader &Rd;
  std::string BaseDir, DefaultName;
  Network Net;
  std::vector<bool> PopOk;
  std::vector<SourceInfo> Srcs;
  std::vector<ProjInfo> Projs;
  /// Population and source names, to the node that defined them.
  std::map<std::string, Node *> Defined;

  SourceLoc loc(const Node *N) const {
    auto [Line, Col] = Rd.lineCol(N);
    SourceLoc L;
    L.File = Rd.fileName();
    L.Line = Line;
    L.Col = Col;
    return L;
  }
  std::string locStr(const Node *N) const { return loc(N).str(); }
  std::string resolvePath(const std::string &P) const {
    if (P.empty() || P[0] == '/')
      return P;
    return BaseDir + P;
  }

  // Typed values with ranges. Each records an error and returns nullopt
  // on a bad value.
  std::optional<int64_t> intIn(Node *N, const std::string &Path, int64_t Min, int64_t Max,
                               const std::string &Why = "");
  std::optional<double> numIn(Node *N, const std::string &Path, double Min, double Max,
                              bool MinOpen = false, const std::string &Why = "");
  std::optional<uint64_t> seed(Node *N, const std::string &Path) {
    auto V = intIn(N, Path, 0, MaxSeed, "a seed is a non-negative integer");
    return V ? std::optional<uint64_t>(uint64_t(*V)) : std::nullopt;
  }
  /// An integer or a [height, width] pair.
  std::optional<std::pair<uint32_t, uint32_t>> pairIn(Node *N, const std::string &Path, int64_t Min,
                                                      const std::string &Why);
  /// Visits the keys of a mapping (unknown keys are errors with a hint).
  MappingNode *keys(Node *N, const std::string &Path, llvm::ArrayRef<llvm::StringRef> Known,
                    const std::function<void(llvm::StringRef, Node *)> &Visit) {
    MappingNode *M = Rd.mapping(N, Path);
    Rd.forEachKey(M, Path, Known, Visit);
    return M;
  }
  /// A mapping of exactly one entry {kind: body}: calls Visit once.
  bool oneOf(MappingNode *M, const std::string &Path, const std::string &What,
             const std::function<void(const std::string &, Node *, Node *)> &Visit);
  std::vector<double> numberList(Node *N, const std::string &Path, bool &Ok);
  bool tensor(Node *N, const std::string &Path, unsigned Depth, std::vector<uint64_t> &Shape,
              std::vector<double> &Data);
  void reportFileErrors(Node *N, const std::vector<std::string> &Errs, size_t Total);
  std::optional<NpyArray> npy(Node *N, const std::string &Path);
  std::optional<std::vector<uint32_t>> shape(Node *N, const std::string &Path);
  void sizeAndShape(MappingNode *M, const std::string &Path, Node *SizeN,
                    std::optional<int64_t> Size, Node *ShapeN,
                    const std::optional<std::vector<uint32_t>> &Shape, uint32_t &OutSize,
                    std::vector<uint32_t> &OutShape);
  bool defineName(Node *KeyN, const std::string &Name, const char *What);

  void parsePopulations(Node *N);
  void parsePopulation(Node *KeyN, const std::string &Name, Node *V);
  struct ParamRaw {
    std::string Name;
    Node *Key = nullptr, *Value = nullptr;
    std::optional<double> V;
    bool IsBool = false;
  };
  std::vector<ParamRaw> parseParams(Node *N, const std::string &Path);
  void checkModel(const std::string &Path, Node *At, Node *ModelN, Node *ParamsN,
                  NeuronModel &Model, const std::vector<ParamRaw> &Params);

  void parseSources(Node *N);
  void parseSource(Node *KeyN, const std::string &Name, Node *V);
  void readSpikeFile(Node *N, const std::string &File, SpikeSource &S, std::vector<size_t> &Lines);

  void parseProjections(Node *N);
  void parseProjection(size_t Index, Node *Item);
  void parseConnector(Node *N, ProjInfo &R, Connector &C);
  void parseConnectorBody(const std::string &Kind, Node *KeyN, Node *Body, const std::string &Path,
                          ProjInfo &R, Connector &C);
  void readListFile(Node *N, const std::string &File, ProjInfo &R, Connector &C);
  void readMatrixFile(Node *N, const std::string &File, ProjInfo &R, Connector &C);
  void parseWeight(Node *N, const std::string &Path, ProjInfo &R, WeightSpec &W);
  void parseDelay(Node *N, const std::string &Path, DelaySpec &D);

  void resolveSources();
  void resolveProjection(Projection &P, ProjInfo &R);
  void checkPoolOrConv(Projection &P, ProjInfo &R, const char *Kind);
  std::vector<std::string> allNames(bool PopulationsOnly) const;
  void runValidate();
};

} // namespace neuromesh::compiler::netyaml
