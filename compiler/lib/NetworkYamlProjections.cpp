//===- NetworkYamlProjections.cpp - projections of a network description --===//
//
// Phase one for the projections list: connectors, weights and delays as
// written, and the data files they name (synapse lists, matrices, kernels,
// weight arrays). Checks that need the pre and post populations come in
// phase two (NetworkYaml.cpp, resolveProjection).
//
//===----------------------------------------------------------------------===//
#include "Csv.h"
#include "NetworkYamlParser.h"
#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <cmath>

namespace neuromesh::compiler::netyaml {

void Parser::parseProjections(Node *N) {
  auto *S = Rd.sequence(N, "projections");
  if (!S)
    return;
  size_t I = 0;
  for (auto &Item : *S)
    parseProjection(I++, &Item);
}

void Parser::parseWeight(Node *N, const std::string &Path, ProjInfo &R, WeightSpec &W) {
  W.Loc = loc(N);
  if (llvm::isa_and_nonnull<ScalarNode>(N)) {
    if (auto V = numIn(N, Path, -Inf, Inf))
      W = WeightSpec::constant(*V), W.Loc = loc(N);
    return;
  }
  auto *M = llvm::dyn_cast_or_null<MappingNode>(N);
  if (!M) {
    Rd.error(N, "expected a weight for " + Path +
                    ": a number, {uniform: {low, high, seed}}, "
                    "{normal: {mean, std, seed}}, {array: [...]} or {array_file: w.npy}");
    return;
  }
  const std::string What = "give one of uniform, normal, array, array_file (or a number)";
  oneOf(M, Path, What, [&](const std::string &Kind, Node *KeyN, Node *Body) {
    std::string KP = Path + "." + Kind;
    if (Kind == "uniform") {
      std::optional<double> Lo, Hi;
      bool LoGiven = false, HiGiven = false;
      uint64_t Seed = 0;
      static const llvm::StringRef K[] = {"low", "high", "seed"};
      auto *BM = keys(Body, KP, K, [&](llvm::StringRef Key, Node *V) {
        if (Key == "low") {
          LoGiven = true;
          Lo = numIn(V, KP + ".low", -Inf, Inf);
        } else if (Key == "high") {
          HiGiven = true;
          Hi = numIn(V, KP + ".high", -Inf, Inf);
        } else if (auto Sd = seed(V, KP + ".seed")) {
          Seed = *Sd;
        }
      });
      if (!BM)
        return;
      if (!LoGiven || !HiGiven)
        Rd.error(BM, fmt::format("{} needs low and high (weights are drawn from [low, high))", KP));
      if (!Lo || !Hi)
        return;
      if (*Lo > *Hi) {
        Rd.error(BM, fmt::format("{}: low {} is above high {}", KP, *Lo, *Hi));
        return;
      }
      W = WeightSpec::uniform(*Lo, *Hi, Seed);
    } else if (Kind == "normal") {
      std::optional<double> Mean, Std;
      bool MeanGiven = false, StdGiven = false;
      uint64_t Seed = 0;
      static const llvm::StringRef K[] = {"mean", "std", "seed"};
      auto *BM = keys(Body, KP, K, [&](llvm::StringRef Key, Node *V) {
        if (Key == "mean") {
          MeanGiven = true;
          Mean = numIn(V, KP + ".mean", -Inf, Inf);
        } else if (Key == "std") {
          StdGiven = true;
          Std = numIn(V, KP + ".std", 0, Inf, false, "a standard deviation");
        } else if (auto Sd = seed(V, KP + ".seed")) {
          Seed = *Sd;
        }
      });
      if (!BM)
        return;
      if (!MeanGiven || !StdGiven)
        Rd.error(BM, fmt::format("{} needs mean and std", KP));
      if (!Mean || !Std)
        return;
      W = WeightSpec::normal(*Mean, *Std, Seed);
    } else if (Kind == "array") {
      bool Ok = true;
      auto Values = numberList(Body, KP, Ok);
      if (!Ok)
        return;
      W.K = WeightSpec::Kind::Array;
      W.Values = std::move(Values);
      R.HasArray = true;
    } else if (Kind == "array_file") {
      auto F = Rd.string(Body, KP);
      if (!F)
        return;
      std::string File = resolvePath(*F);
      std::vector<double> Values;
      if (endsWith(File, ".npy")) {
        auto A = npy(Body, File);
        if (!A)
          return;
        Values = A->Data;
        for (size_t I = 0; I < Values.size(); ++I)
          if (!std::isfinite(Values[I])) {
            Rd.error(Body,
                     fmt::format("{}: value {} (flat index {}) is not finite", File, Values[I], I));
            return;
          }
      } else if (endsWith(File, ".csv")) {
        std::vector<csv::Line> Ls;
        std::vector<std::string> Errs;
        if (!csv::readLines(File, Ls, Errs)) {
          reportFileErrors(Body, Errs, Errs.size());
          return;
        }
        size_t Total = 0;
        for (const csv::Line &L : Ls)
          for (const std::string &Fd : L.Fields) {
            double X;
            if (csv::parseNumber(Fd, X)) {
              Values.push_back(X);
            } else if (++Total <= MaxFileErrors) {
              Errs.push_back(fmt::format("{}:{}: '{}' is not a finite number", File, L.Number, Fd));
            }
          }
        if (Total) {
          reportFileErrors(Body, Errs, Total);
          return;
        }
      } else {
        Rd.error(Body, fmt::format("{} '{}' must end in .npy or .csv", KP, *F));
        return;
      }
      W.K = WeightSpec::Kind::Array;
      W.Values = std::move(Values);
      R.HasArray = true;
    } else {
      Rd.error(KeyN,
               fmt::format("unknown weight kind '{}'{}; {}", Kind,
                           suggest(Kind, {"uniform", "normal", "array", "array_file"}), What));
    }
  });
  W.Loc = loc(N);
}

void Parser::parseDelay(Node *N, const std::string &Path, DelaySpec &D) {
  const std::string Why = fmt::format("delays are whole timesteps from 1 (the next "
                                      "step) to {}; the architecture's core.delay_slots "
                                      "may allow fewer",
                                      MaxDelay);
  if (llvm::isa_and_nonnull<ScalarNode>(N)) {
    if (auto V = intIn(N, Path, 1, MaxDelay, Why))
      D = DelaySpec::constant(uint32_t(*V));
    D.Loc = loc(N);
    return;
  }
  auto *M = llvm::dyn_cast_or_null<MappingNode>(N);
  if (!M) {
    Rd.error(N, "expected a delay for " + Path + ": an integer or {uniform: {low, high, seed}}");
    return;
  }
  oneOf(M, Path, "give uniform (or an integer)",
        [&](const std::string &Kind, Node *KeyN, Node *Body) {
          std::string KP = Path + "." + Kind;
          if (Kind != "uniform") {
            Rd.error(KeyN, fmt::format("unknown delay kind '{}'{}; give an integer or "
                                       "{{uniform: {{low, high, seed}}}}",
                                       Kind, suggest(Kind, {"uniform"})));
            return;
          }
          std::optional<int64_t> Lo, Hi;
          bool LoGiven = false, HiGiven = false;
          uint64_t Seed = 0;
          static const llvm::StringRef K[] = {"low", "high", "seed"};
          auto *BM = keys(Body, KP, K, [&](llvm::StringRef Key, Node *V) {
            if (Key == "low") {
              LoGiven = true;
              Lo = intIn(V, KP + ".low", 1, MaxDelay, Why);
            } else if (Key == "high") {
              HiGiven = true;
              Hi = intIn(V, KP + ".high", 1, MaxDelay, Why);
            } else if (auto Sd = seed(V, KP + ".seed")) {
              Seed = *Sd;
            }
          });
          if (BM && (!LoGiven || !HiGiven))
            Rd.error(BM, KP + " needs low and high (delays drawn from low..high inclusive)");
          if (!BM || !Lo || !Hi)
            return;
          if (*Lo > *Hi) {
            Rd.error(BM, fmt::format("{}: low {} is above high {}", KP, *Lo, *Hi));
            return;
          }
          D = DelaySpec::uniform(uint32_t(*Lo), uint32_t(*Hi), Seed);
        });
  D.Loc = loc(N);
}

void Parser::readListFile(Node *N, const std::string &File, ProjInfo &R, Connector &C) {
  std::vector<csv::Line> Ls;
  std::vector<std::string> Errs;
  if (!csv::readLines(File, Ls, Errs)) {
    reportFileErrors(N, Errs, Errs.size());
    return;
  }
  size_t Total = 0;
  auto Bad = [&](size_t Line, const std::string &Msg) {
    if (++Total <= MaxFileErrors)
      Errs.push_back(fmt::format("{}:{}: {}", File, Line, Msg));
  };
  size_t First = 0;
  double Dummy;
  if (!Ls.empty() && !csv::parseNumber(Ls[0].Fields[0], Dummy)) {
    using V = std::vector<std::string>;
    if (Ls[0].Fields != V{"pre", "post", "weight"} &&
        Ls[0].Fields != V{"pre", "post", "weight", "delay"})
      Bad(Ls[0].Number, "bad header; a header line, if any, is 'pre,post,weight' or "
                        "'pre,post,weight,delay'");
    First = 1;
  }
  for (size_t I = First; I < Ls.size(); ++I) {
    const csv::Line &L = Ls[I];
    if (L.Fields.size() != 3 && L.Fields.size() != 4) {
      Bad(L.Number,
          fmt::format("expected 3 or 4 fields 'pre,post,weight[,delay]', got {}", L.Fields.size()));
      continue;
    }
    long long Pre, Post, Delay = 1;
    double W;
    if (!csv::parseInteger(L.Fields[0], Pre) || Pre < 0 || Pre > MaxNeurons) {
      Bad(L.Number, fmt::format("pre '{}' is not an index >= 0", L.Fields[0]));
      continue;
    }
    if (!csv::parseInteger(L.Fields[1], Post) || Post < 0 || Post > MaxNeurons) {
      Bad(L.Number, fmt::format("post '{}' is not an index >= 0", L.Fields[1]));
      continue;
    }
    if (!csv::parseNumber(L.Fields[2], W)) {
      Bad(L.Number, fmt::format("weight '{}' is not a finite number", L.Fields[2]));
      continue;
    }
    if (L.Fields.size() == 4 &&
        (!csv::parseInteger(L.Fields[3], Delay) || Delay < 1 || Delay > MaxDelay)) {
      Bad(L.Number, fmt::format("delay '{}' is not an integer in [1, {}]", L.Fields[3], MaxDelay));
      continue;
    }
    C.Synapses.push_back({uint32_t(Pre), uint32_t(Post), W, uint32_t(Delay)});
    R.EntryLines.push_back(L.Number);
  }
  R.ListFile = File;
  reportFileErrors(N, Errs, Total);
}

void Parser::readMatrixFile(Node *N, const std::string &File, ProjInfo &R, Connector &C) {
  R.MatFile = File;
  if (endsWith(File, ".npy")) {
    auto A = npy(N, File);
    if (!A)
      return;
    if (A->Shape.size() != 2) {
      Rd.error(N, fmt::format("{}: the matrix must be 2-D [pre][post], its shape is ({})", File,
                              fmt::join(A->Shape, ", ")));
      return;
    }
    for (size_t I = 0; I < A->Data.size(); ++I)
      if (!std::isfinite(A->Data[I])) {
        Rd.error(N, fmt::format("{}: value {} at [{}][{}] is not finite", File, A->Data[I],
                                I / A->Shape[1], I % A->Shape[1]));
        return;
      }
    R.MatRows = A->Shape[0];
    R.MatCols = A->Shape[1];
    C.Matrix = std::move(A->Data);
    return;
  }
  if (!endsWith(File, ".csv")) {
    Rd.error(N, fmt::format("matrix_file '{}' must end in .npy or .csv", File));
    return;
  }
  std::vector<csv::Line> Ls;
  std::vector<std::string> Errs;
  if (!csv::readLines(File, Ls, Errs)) {
    reportFileErrors(N, Errs, Errs.size());
    return;
  }
  size_t Total = 0;
  auto Bad = [&](size_t Line, const std::string &Msg) {
    if (++Total <= MaxFileErrors)
      Errs.push_back(fmt::format("{}:{}: {}", File, Line, Msg));
  };
  for (const csv::Line &L : Ls) {
    if (R.MatRows == 0)
      R.MatCols = L.Fields.size();
    else if (L.Fields.size() != R.MatCols)
      Bad(L.Number, fmt::format("row has {} values, the first row has {}; every row "
                                "of the matrix has one value per post neuron",
                                L.Fields.size(), R.MatCols));
    ++R.MatRows;
    for (const std::string &F : L.Fields) {
      double X;
      if (!csv::parseNumber(F, X)) {
        Bad(L.Number, fmt::format("'{}' is not a finite number", F));
        X = 0;
      }
      C.Matrix.push_back(X);
    }
  }
  if (Ls.empty())
    Bad(1, "the file holds no rows");
  reportFileErrors(N, Errs, Total);
}

void Parser::parseConnectorBody(const std::string &Kind, Node *KeyN, Node *Body,
                                const std::string &Path, ProjInfo &R, Connector &C) {
  std::string KP = Path + "." + Kind;
  bool BodyEmpty = !Body || llvm::isa<llvm::yaml::NullNode>(Body);
  if (Kind == "all_to_all" || Kind == "one_to_one") {
    C = Kind == "all_to_all" ? Connector::allToAll() : Connector::oneToOne();
    if (BodyEmpty)
      return;
    if (Kind == "one_to_one") {
      Rd.error(Body, KP + " takes no parameters; write connector: one_to_one");
      return;
    }
    static const llvm::StringRef AK[] = {"allow_self"};
    keys(Body, KP, AK, [&](llvm::StringRef, Node *V) {
      if (auto B = Rd.boolean(V, KP + ".allow_self"))
        C.AllowSelf = *B;
    });
    return;
  }
  if (Kind == "fixed_probability" || Kind == "fixed_fan_in") {
    bool Prob = Kind == "fixed_probability";
    C = Prob ? Connector::fixedProbability(0, 0) : Connector::fixedFanIn(0, 0);
    Node *MainN = nullptr;
    const char *Main = Prob ? "p" : "n";
    static const llvm::StringRef PK[] = {"p", "seed", "allow_self"};
    static const llvm::StringRef NK[] = {"n", "seed", "allow_self"};
    auto *M = keys(Body, KP, Prob ? llvm::ArrayRef<llvm::StringRef>(PK) : NK,
                   [&](llvm::StringRef Key, Node *V) {
                     if (Key == "p") {
                       MainN = V;
                       if (auto P = numIn(V, KP + ".p", 0, 1, false, "a probability, from 0 to 1"))
                         C.Probability = *P;
                     } else if (Key == "n") {
                       MainN = V;
                       if (auto P = intIn(V, KP + ".n", 1, MaxNeurons,
                                          "pre neurons drawn for each post neuron"))
                         C.FanIn = uint32_t(*P);
                     } else if (Key == "seed") {
                       if (auto Sd = seed(V, KP + ".seed"))
                         C.Seed = *Sd;
                     } else if (auto B = Rd.boolean(V, KP + ".allow_self")) {
                       C.AllowSelf = *B;
                     }
                   });
    if (M && !MainN)
      Rd.error(M, fmt::format("missing required key {}.{}{}", KP, Main,
                              Prob ? ": the connection probability, e.g. p: 0.1"
                                   : ": pre neurons per post neuron, e.g. n: 20"));
    R.FanInN = MainN;
    return;
  }
  if (Kind == "list") {
    C = Connector::list({});
    auto *S = Rd.sequence(Body, KP);
    if (!S)
      return;
    size_t I = 0;
    for (auto &Item : *S) {
      std::string IP = fmt::format("{}[{}]", KP, I++);
      auto *E = llvm::dyn_cast<SequenceNode>(&Item);
      if (!E) {
        Rd.error(&Item, "expected [pre, post, weight] or [pre, post, weight, delay] for " + IP);
        continue;
      }
      std::vector<Node *> F;
      for (auto &X : *E)
        F.push_back(&X);
      if (F.size() != 3 && F.size() != 4) {
        Rd.error(&Item, fmt::format("expected [pre, post, weight] or [pre, post, weight, "
                                    "delay] for {}, got {} values",
                                    IP, F.size()));
        continue;
      }
      auto Pre = intIn(F[0], IP + " pre", 0, MaxNeurons - 1);
      auto Post = intIn(F[1], IP + " post", 0, MaxNeurons - 1);
      auto W = numIn(F[2], IP + " weight", -Inf, Inf);
      std::optional<int64_t> D = 1;
      if (F.size() == 4)
        D = intIn(F[3], IP + " delay", 1, MaxDelay, "delays are whole timesteps >= 1");
      if (Pre && Post && W && D) {
        C.Synapses.push_back({uint32_t(*Pre), uint32_t(*Post), *W, uint32_t(*D)});
        R.EntryNodes.push_back(&Item);
      }
    }
    return;
  }
  if (Kind == "list_file" || Kind == "matrix_file") {
    bool IsList = Kind == "list_file";
    C = IsList ? Connector::list({}) : Connector::matrix({});
    auto F = Rd.string(Body, KP);
    if (!F)
      return;
    if (IsList)
      readListFile(Body, resolvePath(*F), R, C);
    else
      readMatrixFile(Body, resolvePath(*F), R, C);
    return;
  }
  if (Kind == "matrix") {
    C = Connector::matrix({});
    auto *S = Rd.sequence(Body, KP);
    if (!S)
      return;
    for (auto &Row : *S) {
      std::string RP = fmt::format("{}[{}]", KP, R.MatRows);
      bool Ok = true;
      auto Values = numberList(&Row, RP, Ok);
      if (!Ok)
        continue;
      if (R.MatRows == 0)
        R.MatCols = Values.size();
      else if (Values.size() != R.MatCols)
        Rd.error(&Row, fmt::format("{} has {} values, the first row has {}; every row has "
                                   "one value per post neuron",
                                   RP, Values.size(), R.MatCols));
      ++R.MatRows;
      C.Matrix.insert(C.Matrix.end(), Values.begin(), Values.end());
    }
    return;
  }
  if (Kind == "conv2d" || Kind == "pool2d") {
    bool Conv = Kind == "conv2d";
    C.K = Conv ? Connector::Kind::Conv2d : Connector::Kind::Pool2d;
    Node *KernelN = nullptr, *SizeN = nullptr, *StrideN = nullptr;
    std::optional<std::pair<uint32_t, uint32_t>> Size, Stride, Pad;
    static const llvm::StringRef CK[] = {"kernel", "kernel_file", "stride", "padding"};
    static const llvm::StringRef QK[] = {"size", "stride", "padding"};
    auto *M = keys(Body, KP, Conv ? llvm::ArrayRef<llvm::StringRef>(CK) : QK,
                   [&](llvm::StringRef Key, Node *V) {
                     std::string P2 = KP + "." + Key.str();
                     if (Key == "stride") {
                       StrideN = V;
                       Stride = pairIn(V, P2, 1, "a stride is >= 1");
                     } else if (Key == "padding") {
                       Pad = pairIn(V, P2, 0, "zero padding on each side, >= 0");
                     } else if (Key == "size") {
                       SizeN = V;
                       Size = pairIn(V, P2, 1, "the pooling window, >= 1");
                     } else if (Key == "kernel" || Key == "kernel_file") {
                       if (KernelN) {
                         Rd.error(V, KP + ": give kernel or kernel_file, not both");
                         return;
                       }
                       KernelN = V;
                       std::vector<uint64_t> Shape;
                       std::vector<double> Data;
                       if (Key == "kernel") {
                         Shape.assign(4, 0);
                         if (!tensor(V, P2, 4, Shape, Data))
                           return;
                       } else {
                         auto F = Rd.string(V, P2);
                         if (!F)
                           return;
                         std::string File = resolvePath(*F);
                         if (!endsWith(File, ".npy")) {
                           Rd.error(V, fmt::format("{} '{}' must be a .npy file holding a "
                                                   "4-D array [out_channels][in_channels]"
                                                   "[height][width]",
                                                   P2, *F));
                           return;
                         }
                         auto A = npy(V, File);
                         if (!A)
                           return;
                         if (A->Shape.size() != 4) {
                           Rd.error(V, fmt::format("{}: the kernel must be 4-D [out_channels]"
                                                   "[in_channels][height][width], its shape "
                                                   "is ({})",
                                                   File, fmt::join(A->Shape, ", ")));
                           return;
                         }
                         for (double X : A->Data)
                           if (!std::isfinite(X)) {
                             Rd.error(V, fmt::format("{}: the kernel holds a non-finite "
                                                     "value {}",
                                                     File, X));
                             return;
                           }
                         Shape = A->Shape;
                         Data = std::move(A->Data);
                       }
                       for (uint64_t D : Shape)
                         if (D == 0 || D > 65535) {
                           Rd.error(V, fmt::format("{}: kernel dimension {} out of range "
                                                   "[1, 65535]",
                                                   P2, D));
                           return;
                         }
                       R.KernelOut = Shape[0];
                       R.KernelIn = Shape[1];
                       C.KernelH = uint32_t(Shape[2]);
                       C.KernelW = uint32_t(Shape[3]);
                       C.Kernel = std::move(Data);
                     }
                   });
    if (!M)
      return;
    if (Conv && !KernelN)
      Rd.error(M, "missing required key " + KP +
                      ".kernel (a 4-D list [out_channels]"
                      "[in_channels][height][width]) or " +
                      KP + ".kernel_file (a .npy file)");
    if (!Conv && !SizeN)
      Rd.error(M, "missing required key " + KP + ".size: the pooling window, e.g. size: 2");
    if (!Conv && Size) {
      C.KernelH = Size->first;
      C.KernelW = Size->second;
    }
    if (Stride) {
      C.StrideH = Stride->first;
      C.StrideW = Stride->second;
    } else if (!Conv && Size && !StrideN) {
      // Pooling windows tile the input unless told otherwise.
      C.StrideH = Size->first;
      C.StrideW = Size->second;
    }
    if (Pad) {
      C.PadH = Pad->first;
      C.PadW = Pad->second;
    }
    return;
  }
  static const std::vector<std::string> Kinds = {
      "all_to_all", "one_to_one", "fixed_probability", "fixed_fan_in", "list",
      "list_file",  "matrix",     "matrix_file",       "conv2d",       "pool2d"};
  Rd.error(KeyN, fmt::format("unknown connector '{}'{} (connectors: {})", Kind,
                             suggest(Kind, Kinds), joinNames(Kinds)));
}

void Parser::parseConnector(Node *N, ProjInfo &R, Connector &C) {
  std::string Path = R.Path + ".connector";
  unsigned Before = Rd.errorCount();
  if (auto T = scalarText(N)) {
    if (*T == "all_to_all" || *T == "one_to_one") {
      parseConnectorBody(*T, N, nullptr, Path, R, C);
    } else if (*T == "fixed_probability" || *T == "fixed_fan_in" || *T == "conv2d" ||
               *T == "pool2d" || *T == "list" || *T == "matrix" || *T == "list_file" ||
               *T == "matrix_file") {
      Rd.error(N, fmt::format("connector {} needs its parameters: write it as {{{}: ...}} "
                              "(see docs/network-format.md)",
                              *T, *T));
    } else {
      parseConnectorBody(*T, N, nullptr, Path, R, C); // reports the unknown kind
    }
  } else if (auto *M = llvm::dyn_cast_or_null<MappingNode>(N)) {
    oneOf(M, Path, "a connector has exactly one kind",
          [&](const std::string &Kind, Node *KeyN, Node *Body) {
            parseConnectorBody(Kind, KeyN, Body, Path, R, C);
          });
  } else {
    Rd.error(N, "expected a connector for " + Path +
                    ": all_to_all, one_to_one or "
                    "{kind: {...}} (see docs/network-format.md)");
  }
  C.Loc = loc(N);
  R.ConnOk = Rd.errorCount() == Before;
}

void Parser::parseProjection(size_t Index, Node *Item) {
  Projection P;
  ProjInfo R;
  R.Path = fmt::format("projections[{}]", Index);
  R.Item = Item;
  P.Loc = loc(Item);
  unsigned Before = Rd.errorCount();
  Node *ConnN = nullptr, *DelayN = nullptr;
  bool FromGiven = false, ToGiven = false;
  static const llvm::StringRef Known[] = {"name",   "from",  "to",       "connector",
                                          "weight", "delay", "axon_type"};
  MappingNode *M = keys(Item, R.Path, Known, [&](llvm::StringRef Key, Node *V) {
    std::string KP = R.Path + "." + Key.str();
    if (Key == "name") {
      R.NameN = V;
      if (auto S = Rd.string(V, KP)) {
        P.Name = *S;
        R.NameGiven = true;
      }
    } else if (Key == "from") {
      FromGiven = true;
      if (auto S = Rd.string(V, KP)) {
        P.Pre = *S;
        R.FromN = V;
      }
    } else if (Key == "to") {
      ToGiven = true;
      if (auto S = Rd.string(V, KP)) {
        P.Post = *S;
        R.ToN = V;
      }
    } else if (Key == "connector") {
      ConnN = V;
      parseConnector(V, R, P.Conn);
    } else if (Key == "weight") {
      R.WeightN = V;
      parseWeight(V, KP, R, P.Weight);
    } else if (Key == "delay") {
      DelayN = V;
      parseDelay(V, KP, P.Delay);
    } else if (Key == "axon_type") {
      if (auto T = intIn(V, KP, 0, isa::NumAxonTypes - 1, "TrueNorth crossbars have 4 axon types"))
        P.AxonType = int32_t(*T);
    }
  });
  R.ConnN = ConnN;
  if (M) {
    std::vector<std::string> Missing;
    if (!FromGiven)
      Missing.push_back("from (the pre population or source)");
    if (!ToGiven)
      Missing.push_back("to (the post population)");
    if (!ConnN)
      Missing.push_back("connector");
    bool OwnWeights = ConnN && R.ConnOk &&
                      (P.Conn.K == Connector::Kind::List || P.Conn.K == Connector::Kind::Matrix ||
                       P.Conn.K == Connector::Kind::Conv2d);
    if (ConnN && R.ConnOk && !OwnWeights && !R.WeightN)
      Missing.push_back("weight (a number, or a distribution; units per the post model)");
    for (const std::string &K : Missing)
      Rd.error(M, fmt::format("missing required key {}.{}", R.Path, K));
    if (OwnWeights && R.WeightN)
      Rd.error(R.WeightN, fmt::format("{}.weight is not used: the {} connector carries "
                                      "its own weights; remove weight",
                                      R.Path,
                                      P.Conn.K == Connector::Kind::List     ? "list"
                                      : P.Conn.K == Connector::Kind::Matrix ? "matrix"
                                                                            : "conv2d"));
    if (ConnN && R.ConnOk && P.Conn.K == Connector::Kind::List && DelayN)
      Rd.error(DelayN, fmt::format("{}.delay is not used: list entries carry their own "
                                   "delays ([pre, post, weight, delay], default 1); "
                                   "remove delay",
                                   R.Path));
  }
  if (!DelayN)
    P.Delay.Loc = P.Loc;
  if (!R.WeightN)
    P.Weight.Loc = P.Loc;
  R.Ok = Rd.errorCount() == Before;
  Projs.push_back(std::move(R));
  Net.Projections.push_back(std::move(P));
}

} // namespace neuromesh::compiler::netyaml
