//===- NetworkYaml.cpp - the network description front end ----------------===//
//
// Two phases. Phase one walks the document once, in order (LLVM's YAML
// collections can be iterated only once), checking each value's type and
// its own range and building the IR with every element's SourceLoc. Phase
// two resolves what needs the whole network: names a projection refers to,
// sizes and shapes its connector must agree with, Poisson rates against dt.
// Errors are recorded on the yaml::Reader and go on; at the end
// Network::validate() runs on the elements that had no error (so nothing is
// reported twice) and its messages join the others at their locations.
// Projections, connectors, weights and delays: NetworkYamlProjections.cpp.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/NetworkYaml.h"

#include "Csv.h"
#include "NetworkYamlParser.h"
#include "neuromesh/compiler/NeuronModels.h"
#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

namespace neuromesh::compiler {
namespace netyaml {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

std::optional<std::string> scalarText(Node *N) {
  auto *S = llvm::dyn_cast_or_null<ScalarNode>(N);
  if (!S)
    return std::nullopt;
  llvm::SmallString<64> Storage;
  return S->getValue(Storage).str();
}

namespace {
/// Edit distance counting a swap of two neighbours as one edit (optimal
/// string alignment): "lfi" is one edit from "lif", as typists expect.
size_t typoDistance(const std::string &A, const std::string &B) {
  std::vector<std::vector<size_t>> D(A.size() + 1, std::vector<size_t>(B.size() + 1));
  for (size_t I = 0; I <= A.size(); ++I)
    D[I][0] = I;
  for (size_t J = 0; J <= B.size(); ++J)
    D[0][J] = J;
  for (size_t I = 1; I <= A.size(); ++I)
    for (size_t J = 1; J <= B.size(); ++J) {
      size_t Cost = A[I - 1] == B[J - 1] ? 0 : 1;
      D[I][J] = std::min({D[I - 1][J] + 1, D[I][J - 1] + 1, D[I - 1][J - 1] + Cost});
      if (I > 1 && J > 1 && A[I - 1] == B[J - 2] && A[I - 2] == B[J - 1])
        D[I][J] = std::min(D[I][J], D[I - 2][J - 2] + 1);
    }
  return D[A.size()][B.size()];
}
} // namespace

/// "; did you mean 'x'?" for the candidate nearest to Name (ties: the one
/// closest in length, then the first), or "" when none is close.
std::string suggest(const std::string &Name, const std::vector<std::string> &Cands) {
  std::string Best;
  size_t BestD = ~size_t(0), BestLen = ~size_t(0);
  for (const std::string &C : Cands) {
    size_t D = typoDistance(Name, C);
    size_t Len = C.size() > Name.size() ? C.size() - Name.size() : Name.size() - C.size();
    if (D < BestD || (D == BestD && Len < BestLen)) {
      BestD = D;
      BestLen = Len;
      Best = C;
    }
  }
  if (Best.empty() || BestD > std::max<size_t>(2, Name.size() / 3))
    return "";
  return "; did you mean '" + Best + "'?";
}

std::string joinNames(const std::vector<std::string> &Names) {
  if (Names.empty())
    return "none";
  std::string S;
  for (const std::string &N : Names)
    S += (S.empty() ? "" : ", ") + N;
  return S;
}

std::string shapeStr(const std::vector<uint32_t> &S) {
  return "[" + fmt::format("{}", fmt::join(S, ", ")) + "]";
}

/// A number as the docs print it: shortest round-trip form, but powers of
/// ten of 1e9 and above as "1e12" (the registry's "no real limit" bounds).
std::string fmtNum(double V) {
  double A = std::fabs(V);
  if (A >= 1e9) {
    int E = int(std::lround(std::log10(A)));
    if (std::pow(10.0, E) == A)
      return fmt::format("{}1e{}", V < 0 ? "-" : "", E);
  }
  return fmt::format("{}", V);
}

bool validName(const std::string &N) {
  if (N.empty() || !(std::isalpha(static_cast<unsigned char>(N[0])) || N[0] == '_'))
    return false;
  for (char C : N)
    if (!(std::isalnum(static_cast<unsigned char>(C)) || C == '_' || C == '-' || C == '.'))
      return false;
  return true;
}

bool endsWith(const std::string &S, const char *Suffix) {
  size_t L = std::char_traits<char>::length(Suffix);
  if (S.size() < L)
    return false;
  for (size_t I = 0; I < L; ++I)
    if (std::tolower(static_cast<unsigned char>(S[S.size() - L + I])) != Suffix[I])
      return false;
  return true;
}

/// "w.npy: error: msg" (as Npy.cpp throws) -> "w.npy: msg": the caller
/// reports it as an error already.
std::string dropErrorTag(std::string Msg) {
  auto P = Msg.find(": error: ");
  if (P != std::string::npos)
    Msg.erase(P + 2, 7);
  return Msg;
}

//===----------------------------------------------------------------------===//
// Typed values
//===----------------------------------------------------------------------===//

std::optional<int64_t> Parser::intIn(Node *N, const std::string &Path, int64_t Min, int64_t Max,
                                     const std::string &Why) {
  auto V = Rd.integer(N, Path);
  if (!V)
    return std::nullopt;
  if (*V >= Min && *V <= Max)
    return V;
  std::string Range = Max == std::numeric_limits<int64_t>::max()
                          ? fmt::format("must be >= {}", Min)
                          : fmt::format("out of range [{}, {}]", Min, Max);
  Rd.error(N, fmt::format("{} is {}, {}{}", Path, *V, Range, Why.empty() ? "" : ": " + Why));
  return std::nullopt;
}

std::optional<double> Parser::numIn(Node *N, const std::string &Path, double Min, double Max,
                                    bool MinOpen, const std::string &Why) {
  auto V = Rd.number(N, Path);
  if (!V)
    return std::nullopt;
  if (!std::isfinite(*V)) {
    Rd.error(N, fmt::format("{} must be a finite number, got {}", Path, *V));
    return std::nullopt;
  }
  bool Ok = (MinOpen ? *V > Min : *V >= Min) && *V <= Max;
  if (Ok)
    return V;
  std::string Range;
  if (Max == Inf)
    Range = fmt::format("must be {} {}", MinOpen ? ">" : ">=", Min);
  else
    Range = fmt::format("out of range {}{}, {}]", MinOpen ? "(" : "[", Min, Max);
  Rd.error(N, fmt::format("{} is {}, {}{}", Path, *V, Range, Why.empty() ? "" : ": " + Why));
  return std::nullopt;
}

std::optional<std::pair<uint32_t, uint32_t>> Parser::pairIn(Node *N, const std::string &Path,
                                                            int64_t Min, const std::string &Why) {
  if (auto *S = llvm::dyn_cast_or_null<SequenceNode>(N)) {
    std::vector<int64_t> V;
    bool Ok = true;
    size_t I = 0;
    for (auto &Item : *S) {
      auto X = intIn(&Item, fmt::format("{}[{}]", Path, I++), Min, 65535, Why);
      Ok = Ok && X;
      V.push_back(X ? *X : 0);
    }
    if (!Ok)
      return std::nullopt;
    if (V.size() != 2) {
      Rd.error(
          N, fmt::format("{} has {} values; give one integer or [height, width]", Path, V.size()));
      return std::nullopt;
    }
    return std::make_pair(uint32_t(V[0]), uint32_t(V[1]));
  }
  auto X = intIn(N, Path, Min, 65535, Why);
  if (!X)
    return std::nullopt;
  return std::make_pair(uint32_t(*X), uint32_t(*X));
}

bool Parser::oneOf(MappingNode *M, const std::string &Path, const std::string &What,
                   const std::function<void(const std::string &, Node *, Node *)> &Visit) {
  if (!M)
    return false;
  unsigned Count = 0;
  Node *First = nullptr;
  for (auto &KV : *M) {
    Node *K = KV.getKey();
    auto Key = scalarText(K);
    Node *V = KV.getValue();
    if (!Key) {
      Rd.error(K, "expected a plain key in " + Path);
      continue;
    }
    if (++Count > 1) {
      Rd.error(K, fmt::format("{} has a second kind '{}'; {}", Path, *Key, What));
      continue;
    }
    First = K;
    Visit(*Key, K, V);
  }
  if (Count == 0)
    Rd.error(M, fmt::format("{} is empty; {}", Path, What));
  return Count == 1 && First;
}

std::vector<double> Parser::numberList(Node *N, const std::string &Path, bool &Ok) {
  std::vector<double> Out;
  auto *S = Rd.sequence(N, Path);
  if (!S) {
    Ok = false;
    return Out;
  }
  size_t I = 0;
  for (auto &Item : *S) {
    auto V = numIn(&Item, fmt::format("{}[{}]", Path, I++), -Inf, Inf);
    Ok = Ok && V;
    Out.push_back(V ? *V : 0);
  }
  return Out;
}

bool Parser::tensor(Node *N, const std::string &Path, unsigned Depth, std::vector<uint64_t> &Shape,
                    std::vector<double> &Data) {
  // Depth counts the list levels still expected; Shape[level] is fixed by
  // the first item of each level.
  unsigned Level = unsigned(Shape.size()) - Depth;
  if (Depth == 0) {
    auto V = numIn(N, Path, -Inf, Inf);
    Data.push_back(V ? *V : 0);
    return V.has_value();
  }
  auto *S = llvm::dyn_cast_or_null<SequenceNode>(N);
  if (!S) {
    Rd.error(N, fmt::format("expected a list for {} (the kernel is nested {} deep: "
                            "[out_channels][in_channels][height][width])",
                            Path, Shape.size()));
    return false;
  }
  uint64_t Count = 0;
  bool Ok = true;
  for (auto &Item : *S)
    Ok = tensor(&Item, fmt::format("{}[{}]", Path, Count++), Depth - 1, Shape, Data) && Ok;
  if (Shape[Level] == 0) {
    Shape[Level] = Count;
  } else if (Shape[Level] != Count) {
    Rd.error(N, fmt::format("{} has {} items where its siblings have {}: the "
                            "kernel must be rectangular",
                            Path, Count, Shape[Level]));
    return false;
  }
  if (Count == 0) {
    Rd.error(N, fmt::format("{} is empty", Path));
    return false;
  }
  return Ok;
}

void Parser::reportFileErrors(Node *N, const std::vector<std::string> &Errs, size_t Total) {
  for (size_t I = 0; I < Errs.size() && I < MaxFileErrors; ++I)
    Rd.error(N, Errs[I]);
  if (Total > MaxFileErrors)
    Rd.error(N, fmt::format("... and {} more bad lines in that file", Total - MaxFileErrors));
}

std::optional<NpyArray> Parser::npy(Node *N, const std::string &Path) {
  try {
    return readNpy(Path);
  } catch (const Error &E) {
    Rd.error(N, dropErrorTag(E.what()));
    return std::nullopt;
  }
}

std::optional<std::vector<uint32_t>> Parser::shape(Node *N, const std::string &Path) {
  auto *S = Rd.sequence(N, Path);
  if (!S)
    return std::nullopt;
  std::vector<uint32_t> Dims;
  bool Ok = true;
  uint64_t Product = 1;
  size_t I = 0;
  for (auto &Item : *S) {
    auto V = intIn(&Item, fmt::format("{}[{}]", Path, I++), 1, MaxNeurons,
                   "every dimension has at least one neuron");
    Ok = Ok && V;
    if (V) {
      Dims.push_back(uint32_t(*V));
      Product = std::min<uint64_t>(Product * uint64_t(*V), uint64_t(MaxNeurons) + 1);
    }
  }
  if (!Ok)
    return std::nullopt;
  if (Dims.empty()) {
    Rd.error(N, Path + " is empty; give the dimensions, e.g. [1, 16, 16]");
    return std::nullopt;
  }
  if (Product > uint64_t(MaxNeurons)) {
    Rd.error(N, fmt::format("{} has more than {} neurons", Path, MaxNeurons));
    return std::nullopt;
  }
  return Dims;
}

void Parser::sizeAndShape(MappingNode *M, const std::string &Path, Node *SizeN,
                          std::optional<int64_t> Size, Node *ShapeN,
                          const std::optional<std::vector<uint32_t>> &Shape, uint32_t &OutSize,
                          std::vector<uint32_t> &OutShape) {
  if (!SizeN && !ShapeN) {
    Rd.error(M, fmt::format("missing required key {}.size (or {}.shape): how many "
                            "neurons, e.g. size: 100 or shape: [1, 16, 16]",
                            Path, Path));
    return;
  }
  if (Shape) {
    uint64_t P = 1;
    for (uint32_t D : *Shape)
      P *= D;
    OutShape = *Shape;
    OutSize = uint32_t(P);
    if (Size && uint64_t(*Size) != P)
      Rd.error(ShapeN, fmt::format("{}.shape {} has {} neurons but {}.size is {}; "
                                   "make them agree or give only one",
                                   Path, shapeStr(*Shape), P, Path, *Size));
    return;
  }
  if (Size)
    OutSize = uint32_t(*Size);
}

bool Parser::defineName(Node *KeyN, const std::string &Name, const char *What) {
  if (!validName(Name)) {
    Rd.error(KeyN, fmt::format("{} name '{}' is not valid: use letters, digits, "
                               "'_', '-' and '.', starting with a letter or '_'",
                               What, Name));
    return false;
  }
  auto [It, Inserted] = Defined.emplace(Name, KeyN);
  if (!Inserted) {
    Rd.error(KeyN, fmt::format("the name '{}' is already used at {}; populations "
                               "and sources need distinct names",
                               Name, locStr(It->second)));
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Populations
//===----------------------------------------------------------------------===//

void Parser::parsePopulations(Node *N) {
  auto *M = Rd.mapping(N, "populations");
  if (!M)
    return;
  unsigned Count = 0;
  for (auto &KV : *M) {
    Node *K = KV.getKey();
    auto Name = scalarText(K);
    Node *V = KV.getValue();
    if (!Name) {
      Rd.error(K, "expected a population name as the key in populations");
      continue;
    }
    ++Count;
    parsePopulation(K, *Name, V);
  }
  if (Count == 0)
    Rd.error(M, "populations is empty; a network needs at least one population");
}

std::vector<Parser::ParamRaw> Parser::parseParams(Node *N, const std::string &Path) {
  std::vector<ParamRaw> Out;
  auto *M = Rd.mapping(N, Path);
  if (!M)
    return Out;
  for (auto &KV : *M) {
    ParamRaw P;
    P.Key = KV.getKey();
    auto Name = scalarText(P.Key);
    P.Value = KV.getValue();
    if (!Name) {
      Rd.error(P.Key, "expected a parameter name as the key in " + Path);
      continue;
    }
    P.Name = *Name;
    bool Dup = false;
    for (const ParamRaw &Q : Out)
      Dup = Dup || Q.Name == P.Name;
    if (Dup) {
      Rd.error(P.Key, fmt::format("duplicate key {}.{}", Path, P.Name));
      continue;
    }
    auto T = scalarText(P.Value);
    if (T && (*T == "true" || *T == "false")) {
      P.V = *T == "true" ? 1.0 : 0.0;
      P.IsBool = true;
    } else {
      P.V = numIn(P.Value, Path + "." + P.Name, -Inf, Inf);
    }
    Out.push_back(std::move(P));
  }
  return Out;
}

void Parser::checkModel(const std::string &Path, Node *At, Node *ModelN, Node *ParamsN,
                        NeuronModel &Model, const std::vector<ParamRaw> &Params) {
  const ModelInfo *Info = ModelN ? findModel(Model.Kind) : nullptr;
  if (ModelN && !Info && !Model.Kind.empty()) {
    std::vector<std::string> Names;
    for (const ModelInfo &I : neuronModels())
      Names.push_back(I.Name);
    Rd.error(ModelN, fmt::format("unknown neuron model '{}'{} (models: {})", Model.Kind,
                                 suggest(Model.Kind, Names), joinNames(Names)));
  }
  for (const ParamRaw &P : Params) {
    if (!P.V)
      continue;
    std::string Full = Path + ".params." + P.Name;
    if (!Info) {
      Model.Params[P.Name] = *P.V;
      continue;
    }
    const ModelParam *MP = nullptr;
    std::vector<std::string> Names;
    for (const ModelParam &Q : Info->Params) {
      Names.push_back(Q.Name);
      if (P.Name == Q.Name)
        MP = &Q;
    }
    if (!MP) {
      Rd.error(P.Key, fmt::format("unknown parameter '{}' for model '{}'{} "
                                  "(its parameters: {})",
                                  P.Name, Info->Name, suggest(P.Name, Names), joinNames(Names)));
      continue;
    }
    std::string Unit = MP->Unit;
    double V = *P.V;
    if (P.IsBool && Unit != "0/1") {
      Rd.error(P.Value, fmt::format("expected a number for {}, got a boolean", Full));
      continue;
    }
    if ((Unit == "int" || Unit == "0/1") && V != std::floor(V)) {
      Rd.error(P.Value, fmt::format("{} must be an integer, got {}", Full, V));
      continue;
    }
    if (V < MP->Min || V > MP->Max) {
      std::string U = Unit == "s" ? " s" : "";
      Rd.error(P.Value,
               fmt::format("{} is {}{}, out of range [{}, {}]{} for model "
                           "'{}' ({})",
                           Full, V, U, fmtNum(MP->Min), fmtNum(MP->Max), U, Info->Name, MP->Doc));
      continue;
    }
    Model.Params[P.Name] = V;
  }
  if (!Info)
    return;
  std::vector<std::string> Missing;
  for (const ModelParam &Q : Info->Params) {
    if (!Q.Required)
      continue;
    bool Given = false;
    for (const ParamRaw &P : Params)
      Given = Given || P.Name == Q.Name;
    if (!Given)
      Missing.push_back(fmt::format("{} ({})", Q.Name, Q.Doc));
  }
  if (!Missing.empty())
    Rd.error(ParamsN ? ParamsN : At,
             fmt::format("model '{}' of {} needs parameter{} {}; add {} under {}.params",
                         Info->Name, Path, Missing.size() > 1 ? "s" : "", joinNames(Missing),
                         Missing.size() > 1 ? "them" : "it", Path));
}

void Parser::parsePopulation(Node *KeyN, const std::string &Name, Node *V) {
  std::string Path = "populations." + Name;
  unsigned Before = Rd.errorCount();
  defineName(KeyN, Name, "population");
  Population P;
  P.Name = Name;
  P.Loc = loc(KeyN);
  Node *SizeN = nullptr, *ShapeN = nullptr, *ModelN = nullptr, *ParamsN = nullptr;
  std::optional<int64_t> Size;
  std::optional<std::vector<uint32_t>> Shape;
  std::vector<ParamRaw> Params;
  static const llvm::StringRef Known[] = {"size", "shape", "model", "params", "record", "probes"};
  MappingNode *M = keys(V, Path, Known, [&](llvm::StringRef Key, Node *Val) {
    if (Key == "size") {
      SizeN = Val;
      Size = intIn(Val, Path + ".size", 1, MaxNeurons, "a population has at least one neuron");
    } else if (Key == "shape") {
      ShapeN = Val;
      Shape = shape(Val, Path + ".shape");
    } else if (Key == "model") {
      ModelN = Val;
      if (auto S = Rd.string(Val, Path + ".model"))
        P.Model.Kind = *S;
    } else if (Key == "params") {
      ParamsN = Val;
      Params = parseParams(Val, Path + ".params");
    } else if (Key == "record") {
      if (auto B = Rd.boolean(Val, Path + ".record"))
        P.Record = *B;
    } else if (Key == "probes") {
      if (auto *S = Rd.sequence(Val, Path + ".probes")) {
        size_t I = 0;
        for (auto &Item : *S)
          if (auto Str = Rd.string(&Item, fmt::format("{}.probes[{}]", Path, I++)))
            P.Probes.push_back(*Str);
      }
    }
  });
  if (M) {
    sizeAndShape(M, Path, SizeN, Size, ShapeN, Shape, P.Size, P.Shape);
    if (!ModelN) {
      std::vector<std::string> Names;
      for (const ModelInfo &I : neuronModels())
        Names.push_back(I.Name);
      Rd.error(M, fmt::format("missing required key {}.model: the neuron model "
                              "(one of {})",
                              Path, joinNames(Names)));
    }
    checkModel(Path, M, ModelN, ParamsN, P.Model, Params);
  }
  P.Model.Loc = ModelN ? loc(ModelN) : P.Loc;
  PopOk.push_back(Rd.errorCount() == Before);
  Net.Populations.push_back(std::move(P));
}

//===----------------------------------------------------------------------===//
// Sources
//===----------------------------------------------------------------------===//

void Parser::parseSources(Node *N) {
  auto *M = Rd.mapping(N, "sources");
  if (!M)
    return;
  for (auto &KV : *M) {
    Node *K = KV.getKey();
    auto Name = scalarText(K);
    Node *V = KV.getValue();
    if (!Name) {
      Rd.error(K, "expected a source name as the key in sources");
      continue;
    }
    parseSource(K, *Name, V);
  }
}

void Parser::readSpikeFile(Node *N, const std::string &File, SpikeSource &S,
                           std::vector<size_t> &Lines) {
  std::vector<csv::Line> Ls;
  std::vector<std::string> Errs;
  if (!csv::readLines(File, Ls, Errs)) {
    reportFileErrors(N, Errs, Errs.size());
    return;
  }
  size_t Total = 0;
  auto Bad = [&](size_t Line, const std::string &Msg) {
    ++Total;
    Errs.push_back(fmt::format("{}:{}: {}", File, Line, Msg));
  };
  std::set<std::string> OtherNames;
  size_t First = 0;
  if (Ls.empty() || Ls[0].Fields != std::vector<std::string>{"step", "population", "neuron"}) {
    Bad(Ls.empty() ? 1 : Ls[0].Number,
        "the first line must be the header 'step,population,neuron'");
  } else {
    First = 1;
  }
  for (size_t I = First; I < Ls.size(); ++I) {
    const csv::Line &L = Ls[I];
    if (L.Fields.size() != 3) {
      Bad(L.Number,
          fmt::format("expected 3 fields 'step,population,neuron', got {}", L.Fields.size()));
      continue;
    }
    long long Step = 0, Index = 0;
    if (!csv::parseInteger(L.Fields[0], Step) || Step < 0) {
      Bad(L.Number, fmt::format("step '{}' is not an integer >= 0", L.Fields[0]));
      continue;
    }
    if (L.Fields[1] != S.Name) {
      OtherNames.insert(L.Fields[1]);
      continue;
    }
    if (!csv::parseInteger(L.Fields[2], Index) || Index < 0 || Index > MaxNeurons) {
      Bad(L.Number, fmt::format("neuron '{}' is not an integer >= 0", L.Fields[2]));
      continue;
    }
    S.Spikes.emplace_back(uint64_t(Step), uint32_t(Index));
    Lines.push_back(L.Number);
  }
  if (Total == 0 && S.Spikes.empty() && !OtherNames.empty())
    Bad(Ls[0].Number, fmt::format("no row names source '{}'; the rows name {} (rows "
                                  "for other names are skipped)",
                                  S.Name, joinNames({OtherNames.begin(), OtherNames.end()})));
  reportFileErrors(N, Errs, Total);
}

void Parser::parseSource(Node *KeyN, const std::string &Name, Node *V) {
  std::string Path = "sources." + Name;
  unsigned Before = Rd.errorCount();
  defineName(KeyN, Name, "source");
  SpikeSource S;
  S.Name = Name;
  S.Loc = loc(KeyN);
  SourceInfo Info;
  Node *SizeN = nullptr, *ShapeN = nullptr, *FileN = nullptr;
  std::optional<int64_t> Size;
  std::optional<std::vector<uint32_t>> Shape;
  std::vector<Node *> KindNodes;
  std::vector<Node *> SpikeNodes;
  std::vector<size_t> SpikeLines;
  std::string SpikeFile;
  static const llvm::StringRef Known[] = {"size",   "shape",   "external",  "poisson",
                                          "spikes", "regular", "spike_file"};
  MappingNode *M = keys(V, Path, Known, [&](llvm::StringRef Key, Node *Val) {
    std::string KP = Path + "." + Key.str();
    if (Key == "size") {
      SizeN = Val;
      Size = intIn(Val, KP, 1, MaxNeurons, "a source has at least one index");
      return;
    }
    if (Key == "shape") {
      ShapeN = Val;
      Shape = shape(Val, KP);
      return;
    }
    KindNodes.push_back(Val);
    if (KindNodes.size() > 1)
      return; // reported below
    if (Key == "external") {
      S.K = SpikeSource::Kind::External;
      if (auto B = Rd.boolean(Val, KP); B && !*B)
        Rd.error(Val, KP + " is false; a source is external (external: true) or "
                           "gives its spikes with poisson, spikes, regular or spike_file");
    } else if (Key == "poisson") {
      S.K = SpikeSource::Kind::Poisson;
      bool HasRate = false;
      static const llvm::StringRef PK[] = {"rate", "seed"};
      auto *PM = keys(Val, KP, PK, [&](llvm::StringRef K2, Node *V2) {
        if (K2 == "rate") {
          HasRate = true;
          Info.RateN = V2;
          if (auto R = numIn(V2, KP + ".rate", 0, Inf, false, "a rate in Hz"))
            S.RateHz = *R;
        } else if (auto Sd = seed(V2, KP + ".seed")) {
          S.Seed = *Sd;
        }
      });
      if (PM && !HasRate)
        Rd.error(PM, "missing required key " + KP +
                         ".rate: spikes per second per index, e.g. rate: 20");
    } else if (Key == "regular") {
      S.K = SpikeSource::Kind::Regular;
      bool HasPeriod = false;
      static const llvm::StringRef RK[] = {"period", "phase"};
      auto *RM = keys(Val, KP, RK, [&](llvm::StringRef K2, Node *V2) {
        if (K2 == "period") {
          HasPeriod = true;
          if (auto P = intIn(V2, KP + ".period", 1, MaxSeed, "steps between spikes"))
            S.Period = uint64_t(*P);
        } else if (auto P = intIn(V2, KP + ".phase", 0, MaxSeed, "the first step")) {
          S.Phase = uint64_t(*P);
        }
      });
      if (RM && !HasPeriod)
        Rd.error(RM,
                 "missing required key " + KP + ".period: steps between spikes, e.g. period: 10");
    } else if (Key == "spikes") {
      S.K = SpikeSource::Kind::List;
      if (auto *Seq = Rd.sequence(Val, KP)) {
        size_t I = 0;
        for (auto &Item : *Seq) {
          std::string IP = fmt::format("{}[{}]", KP, I++);
          auto *Pair = llvm::dyn_cast<SequenceNode>(&Item);
          if (!Pair) {
            Rd.error(&Item, "expected a [step, index] pair for " + IP);
            continue;
          }
          std::vector<std::optional<int64_t>> F;
          std::vector<Node *> FN;
          for (auto &X : *Pair) {
            FN.push_back(&X);
            F.push_back(std::nullopt);
          }
          if (F.size() != 2) {
            Rd.error(&Item, fmt::format("expected a [step, index] pair for {}, got {} values", IP,
                                        F.size()));
            continue;
          }
          auto Step = intIn(FN[0], IP + " step", 0, MaxSeed, "steps count from 0");
          auto Index = intIn(FN[1], IP + " index", 0, MaxNeurons - 1);
          if (Step && Index) {
            S.Spikes.emplace_back(uint64_t(*Step), uint32_t(*Index));
            SpikeNodes.push_back(&Item);
          }
        }
      }
    } else if (Key == "spike_file") {
      S.K = SpikeSource::Kind::List;
      FileN = Val;
      if (auto F = Rd.string(Val, KP))
        SpikeFile = resolvePath(*F);
    }
  });
  if (M) {
    sizeAndShape(M, Path, SizeN, Size, ShapeN, Shape, S.Size, S.Shape);
    if (KindNodes.empty())
      Rd.error(M, fmt::format("{} needs one of external: true, poisson: {{rate, seed}}, "
                              "spikes: [[step, index], ...], regular: {{period, phase}} "
                              "or spike_file: file.csv",
                              Path));
    for (size_t I = 1; I < KindNodes.size(); ++I)
      Rd.error(KindNodes[I], fmt::format("{} has more than one kind; give exactly one of "
                                         "external, poisson, spikes, regular, spike_file",
                                         Path));
    if (FileN && !SpikeFile.empty())
      readSpikeFile(FileN, SpikeFile, S, SpikeLines);
    // Indices against the size, and no neuron twice in one step.
    std::map<std::pair<uint64_t, uint32_t>, size_t> Seen;
    for (size_t I = 0; I < S.Spikes.size(); ++I) {
      auto Where = [&]() -> std::string {
        return FileN ? fmt::format("{}:{}: ", SpikeFile, SpikeLines[I]) : "";
      };
      Node *At = FileN ? FileN : SpikeNodes[I];
      auto [Step, Index] = S.Spikes[I];
      if (S.Size && Index >= S.Size) {
        Rd.error(At, fmt::format("{}spike index {} out of range [0, {}) for source '{}'", Where(),
                                 Index, S.Size, Name));
        continue;
      }
      auto [It, New] = Seen.emplace(S.Spikes[I], I);
      if (!New)
        Rd.error(At, fmt::format("{}spike (step {}, index {}) is given twice; an index "
                                 "fires at most once per step",
                                 Where(), Step, Index));
    }
  }
  Info.Ok = Rd.errorCount() == Before;
  Srcs.push_back(Info);
  Net.Sources.push_back(std::move(S));
}

//===----------------------------------------------------------------------===//
// Projections
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// Phase two
//===----------------------------------------------------------------------===//

std::vector<std::string> Parser::allNames(bool PopulationsOnly) const {
  std::vector<std::string> Names;
  for (const Population &P : Net.Populations)
    Names.push_back(P.Name);
  if (!PopulationsOnly)
    for (const SpikeSource &S : Net.Sources)
      Names.push_back(S.Name);
  return Names;
}

void Parser::resolveSources() {
  for (size_t I = 0; I < Net.Sources.size(); ++I) {
    SpikeSource &S = Net.Sources[I];
    SourceInfo &Info = Srcs[I];
    if (S.K != SpikeSource::Kind::Poisson || !Info.RateN)
      continue;
    double P = S.RateHz * Net.Dt;
    if (P > 1) {
      Rd.error(Info.RateN, fmt::format("sources.{}.poisson.rate {} Hz with dt {} s is a "
                                       "spike probability of {} per step; at most 1/dt = "
                                       "{} Hz",
                                       S.Name, S.RateHz, Net.Dt, P, 1 / Net.Dt));
      Info.Ok = false;
    }
  }
}

void Parser::checkPoolOrConv(Projection &P, ProjInfo &R, const char *Kind) {
  const Connector &C = P.Conn;
  const Population *Post = Net.findPopulation(P.Post);
  std::vector<uint32_t> PreShape;
  uint32_t PreSize = 0;
  if (const Population *Pre = Net.findPopulation(P.Pre)) {
    PreShape = Pre->Shape;
    PreSize = Pre->Size;
  } else if (const SpikeSource *S = Net.findSource(P.Pre)) {
    PreShape = S->Shape;
    PreSize = S->Size;
  }
  if (PreShape.size() != 3) {
    Rd.error(R.ConnN, fmt::format("{} needs '{}' to have shape: [channels, height, width]; "
                                  "it has {}",
                                  Kind, P.Pre,
                                  PreShape.empty() ? fmt::format("only size: {}", PreSize)
                                                   : "shape: " + shapeStr(PreShape)));
    return;
  }
  uint32_t Ch = PreShape[0], H = PreShape[1], W = PreShape[2];
  uint32_t OutC = Ch;
  bool IsConv = C.K == Connector::Kind::Conv2d;
  if (IsConv) {
    if (R.KernelIn != Ch) {
      Rd.error(R.ConnN,
               fmt::format("conv2d kernel has {} input channel{} but '{}' has {} "
                           "(shape {}); the kernel is [out_channels][in_channels]"
                           "[height][width]",
                           R.KernelIn, R.KernelIn == 1 ? "" : "s", P.Pre, Ch, shapeStr(PreShape)));
      return;
    }
    OutC = uint32_t(R.KernelOut);
  }
  uint64_t PH = uint64_t(H) + 2 * C.PadH, PW = uint64_t(W) + 2 * C.PadW;
  if (PH < C.KernelH || PW < C.KernelW) {
    Rd.error(R.ConnN, fmt::format("{} window {}x{} is larger than the padded input {}x{} "
                                  "of '{}' (shape {}, padding {}x{})",
                                  Kind, C.KernelH, C.KernelW, PH, PW, P.Pre, shapeStr(PreShape),
                                  C.PadH, C.PadW));
    return;
  }
  std::vector<uint32_t> Expected = {OutC, uint32_t((PH - C.KernelH) / C.StrideH + 1),
                                    uint32_t((PW - C.KernelW) / C.StrideW + 1)};
  std::string How = fmt::format("from '{}' {}, {} {}x{}, stride {}x{}, padding {}x{}", P.Pre,
                                shapeStr(PreShape), IsConv ? "kernel" : "window", C.KernelH,
                                C.KernelW, C.StrideH, C.StrideW, C.PadH, C.PadW);
  if (Post->Shape.empty()) {
    Rd.error(R.ConnN,
             fmt::format("{} needs '{}' to have a shape; the output is {} ({}): "
                         "give '{}' shape: {}",
                         Kind, P.Post, shapeStr(Expected), How, P.Post, shapeStr(Expected)));
    return;
  }
  if (Post->Shape != Expected)
    Rd.error(R.ConnN, fmt::format("shape mismatch: {} output is {} ({}) but '{}' has shape "
                                  "{}; give '{}' shape: {} or change the {}",
                                  Kind, shapeStr(Expected), How, P.Post, shapeStr(Post->Shape),
                                  P.Post, shapeStr(Expected), IsConv ? "kernel" : "window"));
}

void Parser::resolveProjection(Projection &P, ProjInfo &R) {
  unsigned Before = Rd.errorCount();
  auto Lookup = [&](const std::string &Name) {
    End E;
    for (size_t I = 0; I < Net.Populations.size(); ++I)
      if (Net.Populations[I].Name == Name) {
        E.Found = true;
        E.Ok = PopOk[I];
        E.Size = Net.Populations[I].Size;
        E.Shape = Net.Populations[I].Shape;
        return E;
      }
    for (size_t I = 0; I < Net.Sources.size(); ++I)
      if (Net.Sources[I].Name == Name) {
        E.Found = E.IsSource = true;
        E.Ok = Srcs[I].Ok;
        E.Size = Net.Sources[I].Size;
        E.Shape = Net.Sources[I].Shape;
        return E;
      }
    return E;
  };
  auto Known = [&](bool PopsOnly) {
    std::vector<std::string> Pops = allNames(true), Srcs2;
    for (const SpikeSource &S : Net.Sources)
      Srcs2.push_back(S.Name);
    if (PopsOnly)
      return fmt::format("populations: {}", joinNames(Pops));
    return fmt::format("populations: {}; sources: {}", joinNames(Pops), joinNames(Srcs2));
  };
  End Pre, Post;
  if (R.FromN) {
    Pre = Lookup(P.Pre);
    if (!Pre.Found)
      Rd.error(R.FromN, fmt::format("{}.from: no population or source named '{}'{} ({})", R.Path,
                                    P.Pre, suggest(P.Pre, allNames(false)), Known(false)));
  }
  if (R.ToN) {
    Post = Lookup(P.Post);
    if (!Post.Found)
      Rd.error(R.ToN, fmt::format("{}.to: no population named '{}'{} ({})", R.Path, P.Post,
                                  suggest(P.Post, allNames(true)), Known(true)));
    else if (Post.IsSource)
      Rd.error(R.ToN, fmt::format("{}.to: '{}' is a spike source; a projection ends at a "
                                  "population ({})",
                                  R.Path, P.Post, Known(true)));
  }
  if (!R.NameGiven && !P.Pre.empty() && !P.Post.empty())
    P.Name = P.Pre + "->" + P.Post;

  bool Checkable =
      Pre.Found && Pre.Ok && Post.Found && Post.Ok && !Post.IsSource && R.ConnN && R.ConnOk;
  if (!Checkable) {
    R.Ok = R.Ok && Rd.errorCount() == Before;
    return;
  }
  Connector &C = P.Conn;
  bool Self = P.Pre == P.Post;
  std::string Pair =
      fmt::format("'{}' ({} neurons) to '{}' ({} neurons)", P.Pre, Pre.Size, P.Post, Post.Size);
  std::optional<uint64_t> Synapses;
  switch (C.K) {
  case Connector::Kind::AllToAll:
    Synapses = uint64_t(Pre.Size) * Post.Size - (Self && !C.AllowSelf ? Pre.Size : 0);
    break;
  case Connector::Kind::OneToOne:
    if (Pre.Size != Post.Size)
      Rd.error(R.ConnN, fmt::format("one_to_one needs equal sizes, but it connects {}; use "
                                    "all_to_all, a list or a matrix instead",
                                    Pair));
    Synapses = Pre.Size;
    break;
  case Connector::Kind::FixedProbability:
    break;
  case Connector::Kind::FixedFanIn: {
    uint32_t Max = Pre.Size - (Self && !C.AllowSelf ? 1 : 0);
    if (C.FanIn > Max)
      Rd.error(R.FanInN ? R.FanInN : R.ConnN,
               fmt::format("fixed_fan_in n is {} but '{}' has only {} neuron{} to draw from{} "
                           "(each post neuron draws n distinct pre neurons); use n <= {}",
                           C.FanIn, P.Pre, Max, Max == 1 ? "" : "s",
                           Self && !C.AllowSelf ? " besides itself" : "", Max));
    Synapses = uint64_t(C.FanIn) * Post.Size;
    break;
  }
  case Connector::Kind::List: {
    size_t Reported = 0;
    for (size_t I = 0; I < C.Synapses.size() && Reported < MaxFileErrors; ++I) {
      const ExplicitSynapse &S = C.Synapses[I];
      std::string Where = R.ListFile.empty() ? fmt::format("{}.list[{}]: ", R.Path, I)
                                             : fmt::format("{}:{}: ", R.ListFile, R.EntryLines[I]);
      Node *At = R.ListFile.empty() ? R.EntryNodes[I] : R.ConnN;
      if (S.Pre >= Pre.Size) {
        Rd.error(At, fmt::format("{}pre {} out of range [0, {}) for '{}'", Where, S.Pre, Pre.Size,
                                 P.Pre));
        ++Reported;
      }
      if (S.Post >= Post.Size) {
        Rd.error(At, fmt::format("{}post {} out of range [0, {}) for '{}'", Where, S.Post,
                                 Post.Size, P.Post));
        ++Reported;
      }
    }
    break;
  }
  case Connector::Kind::Matrix:
    if (R.MatRows != Pre.Size || R.MatCols != Post.Size) {
      bool Transposed = R.MatRows == Post.Size && R.MatCols == Pre.Size;
      Rd.error(R.ConnN,
               fmt::format("shape mismatch: the matrix{} is {} x {} but it must be {} x {} "
                           "(rows are the {} neurons of '{}', columns the {} neurons of "
                           "'{}'){}",
                           R.MatFile.empty() ? "" : " in " + R.MatFile, R.MatRows, R.MatCols,
                           Pre.Size, Post.Size, Pre.Size, P.Pre, Post.Size, P.Post,
                           Transposed ? "; it looks transposed" : ""));
    }
    break;
  case Connector::Kind::Conv2d:
    checkPoolOrConv(P, R, "conv2d");
    break;
  case Connector::Kind::Pool2d:
    checkPoolOrConv(P, R, "pool2d");
    break;
  }
  if (R.HasArray && Synapses && P.Weight.Values.size() != *Synapses)
    Rd.error(R.WeightN,
             fmt::format("{}.weight has {} values but the {} connector from {} makes {} "
                         "synapses; give one value per synapse, ordered by pre, then post "
                         "neuron (docs/network-format.md)",
                         R.Path, P.Weight.Values.size(),
                         C.K == Connector::Kind::AllToAll   ? "all_to_all"
                         : C.K == Connector::Kind::OneToOne ? "one_to_one"
                                                            : "fixed_fan_in",
                         Pair, *Synapses));
  R.Ok = R.Ok && Rd.errorCount() == Before;
}

void Parser::runValidate() {
  // Only elements without an error go to validate(): a broken element would
  // make it report again what the front end has said already.
  Network Clean;
  Clean.Name = Net.Name;
  Clean.Dt = Net.Dt;
  std::set<std::string> Present;
  for (size_t I = 0; I < Net.Populations.size(); ++I)
    if (PopOk[I] && Present.insert(Net.Populations[I].Name).second)
      Clean.Populations.push_back(Net.Populations[I]);
  for (size_t I = 0; I < Net.Sources.size(); ++I)
    if (Srcs[I].Ok && Present.insert(Net.Sources[I].Name).second)
      Clean.Sources.push_back(Net.Sources[I]);
  for (size_t I = 0; I < Net.Projections.size(); ++I) {
    const Projection &P = Net.Projections[I];
    if (Projs[I].Ok && Present.count(P.Pre) && Present.count(P.Post))
      Clean.Projections.push_back(P);
  }
  bool Whole = Rd.errorCount() == 0;
  if (!Whole && Clean.Populations.empty())
    return;
  try {
    (Whole ? Net : Clean).validate();
  } catch (const Error &E) {
    // Lines "file:line:col: error: message" go back to their place in the
    // document (with the source line and a caret); others are whole-file.
    std::string What = E.what();
    std::string Prefix = Rd.fileName() + ":";
    size_t Pos = 0;
    while (Pos < What.size()) {
      size_t End = What.find('\n', Pos);
      if (End == std::string::npos)
        End = What.size();
      std::string Line = What.substr(Pos, End - Pos);
      Pos = End + 1;
      if (Line.empty())
        continue;
      unsigned L = 0, Col = 0;
      int Used = 0;
      if (Line.compare(0, Prefix.size(), Prefix) == 0 &&
          std::sscanf(Line.c_str() + Prefix.size(), "%u:%u: %n", &L, &Col, &Used) == 2 &&
          Used > 0) {
        std::string Msg = Line.substr(Prefix.size() + size_t(Used));
        if (Msg.compare(0, 7, "error: ") == 0)
          Msg.erase(0, 7);
        Rd.errorAt(L, Col, Msg);
        continue;
      }
      if (Line.compare(0, 7, "error: ") == 0)
        Line.erase(0, 7);
      Rd.error(nullptr, Line);
    }
  }
}

Network Parser::run() {
  Node *Root = Rd.root();
  if (!Root)
    return Net;
  auto *M = Rd.mapping(Root, "the network file");
  if (!M)
    return Net;
  Node *PopsN = nullptr, *NameN = nullptr;
  static const llvm::StringRef Known[] = {"name",        "description", "dt",
                                          "populations", "sources",     "projections"};
  Rd.forEachKey(M, "", Known, [&](llvm::StringRef Key, Node *V) {
    if (Key == "name") {
      NameN = V;
      if (auto S = Rd.string(V, "name"))
        Net.Name = *S;
    } else if (Key == "description") {
      Rd.string(V, "description");
    } else if (Key == "dt") {
      if (auto D = numIn(V, "dt", 0, 1, true, "seconds per timestep, e.g. dt: 1e-3"))
        Net.Dt = *D;
    } else if (Key == "populations") {
      PopsN = V;
      parsePopulations(V);
    } else if (Key == "sources") {
      parseSources(V);
    } else if (Key == "projections") {
      parseProjections(V);
    }
  });
  if (!NameN)
    Net.Name = DefaultName;
  if (!PopsN)
    Rd.error(M, "missing required key populations: a network needs at least one "
                "population (see docs/network-format.md)");

  resolveSources();
  std::map<std::string, size_t> ProjNames;
  for (size_t I = 0; I < Net.Projections.size(); ++I) {
    Projection &P = Net.Projections[I];
    ProjInfo &R = Projs[I];
    resolveProjection(P, R);
    // Names are unique: an explicit duplicate is an error, a repeated
    // default "pre->post" gets "#2", "#3", ...
    if (P.Name.empty())
      continue;
    if (R.NameGiven) {
      auto [It, New] = ProjNames.emplace(P.Name, I);
      if (!New) {
        Rd.error(R.NameN, fmt::format("projection name '{}' is already used by "
                                      "projections[{}]; give each projection its own name",
                                      P.Name, It->second));
        R.Ok = false;
      }
    }
  }
  for (size_t I = 0; I < Net.Projections.size(); ++I) {
    Projection &P = Net.Projections[I];
    if (Projs[I].NameGiven || P.Name.empty())
      continue;
    std::string Base = P.Name;
    for (unsigned K = 2; !ProjNames.emplace(P.Name, I).second; ++K)
      P.Name = Base + "#" + std::to_string(K);
  }
  runValidate();
  return Net;
}

} // namespace netyaml

namespace {
Network parseWith(yaml::Reader &Rd) {
  netyaml::Parser P(Rd);
  Network Net = P.run();
  Rd.throwIfErrors();
  return Net;
}
} // namespace

Network parseNetworkYaml(const std::string &Text, const std::string &FileName) {
  yaml::Reader Rd(Text, FileName);
  return parseWith(Rd);
}

Network loadNetworkYaml(const std::string &Path) {
  auto Rd = yaml::Reader::fromFile(Path);
  return parseWith(*Rd);
}

} // namespace neuromesh::compiler
