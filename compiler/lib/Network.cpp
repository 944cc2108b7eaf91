//===- Network.cpp - the network IR: builders and validation --------------===//
//
// validate() is the one place the network's own consistency is checked
// (names, sizes, shapes, connector parameters, models against the
// registry); every front end calls it, and lowering can rely on it.
// Architecture limits are lowering's and mapping's business.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/Network.h"

#include "NetworkDiagnostics.h"
#include "neuromesh/compiler/NeuronModels.h"
#include "neuromesh/isa/Image.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string_view>

namespace neuromesh::compiler {

using detail::firstKnown;
using detail::ProblemList;
using detail::projectionName;

std::string SourceLoc::str() const {
  if (File.empty() && Line == 0)
    return "";
  if (Line == 0)
    return File;
  return fmt::format("{}:{}:{}", File, Line, Col);
}

//===----------------------------------------------------------------------===//
// Builders
//===----------------------------------------------------------------------===//

SpikeSource SpikeSource::list(std::vector<std::pair<uint64_t, uint32_t>> S) {
  SpikeSource Src;
  Src.K = Kind::List;
  Src.Spikes = std::move(S);
  return Src;
}

SpikeSource SpikeSource::poisson(double RateHz, uint64_t Seed) {
  SpikeSource Src;
  Src.K = Kind::Poisson;
  Src.RateHz = RateHz;
  Src.Seed = Seed;
  return Src;
}

SpikeSource SpikeSource::regular(uint64_t Period, uint64_t Phase) {
  SpikeSource Src;
  Src.K = Kind::Regular;
  Src.Period = Period;
  Src.Phase = Phase;
  return Src;
}

Connector Connector::allToAll() { return {}; }

Connector Connector::oneToOne() {
  Connector C;
  C.K = Kind::OneToOne;
  return C;
}

Connector Connector::fixedProbability(double P, uint64_t Seed) {
  Connector C;
  C.K = Kind::FixedProbability;
  C.Probability = P;
  C.Seed = Seed;
  return C;
}

Connector Connector::fixedFanIn(uint32_t FanIn, uint64_t Seed) {
  Connector C;
  C.K = Kind::FixedFanIn;
  C.FanIn = FanIn;
  C.Seed = Seed;
  return C;
}

Connector Connector::list(std::vector<ExplicitSynapse> S) {
  Connector C;
  C.K = Kind::List;
  C.Synapses = std::move(S);
  return C;
}

Connector Connector::matrix(std::vector<double> M) {
  Connector C;
  C.K = Kind::Matrix;
  C.Matrix = std::move(M);
  return C;
}

WeightSpec WeightSpec::constant(double V) {
  WeightSpec W;
  W.Value = V;
  return W;
}

WeightSpec WeightSpec::uniform(double Low, double High, uint64_t Seed) {
  WeightSpec W;
  W.K = Kind::Uniform;
  W.Low = Low;
  W.High = High;
  W.Seed = Seed;
  return W;
}

WeightSpec WeightSpec::normal(double Mean, double Std, uint64_t Seed) {
  WeightSpec W;
  W.K = Kind::Normal;
  W.Mean = Mean;
  W.Std = Std;
  W.Seed = Seed;
  return W;
}

DelaySpec DelaySpec::constant(uint32_t D) {
  DelaySpec S;
  S.Value = D;
  return S;
}

DelaySpec DelaySpec::uniform(uint32_t Low, uint32_t High, uint64_t Seed) {
  DelaySpec S;
  S.K = Kind::Uniform;
  S.Low = Low;
  S.High = High;
  S.Seed = Seed;
  return S;
}

Population &Network::addPopulation(std::string PopName, uint32_t Size, NeuronModel Model) {
  Population P;
  P.Name = std::move(PopName);
  P.Size = Size;
  P.Model = std::move(Model);
  Populations.push_back(std::move(P));
  return Populations.back();
}

SpikeSource &Network::addSource(std::string SrcName, uint32_t Size, SpikeSource S) {
  S.Name = std::move(SrcName);
  S.Size = Size;
  Sources.push_back(std::move(S));
  return Sources.back();
}

Projection &Network::addProjection(std::string Pre, std::string Post, Connector C, WeightSpec W,
                                   DelaySpec D) {
  Projection P;
  P.Name = Pre + "->" + Post;
  P.Pre = std::move(Pre);
  P.Post = std::move(Post);
  P.Conn = std::move(C);
  P.Weight = std::move(W);
  P.Delay = std::move(D);
  Projections.push_back(std::move(P));
  return Projections.back();
}

const Population *Network::findPopulation(const std::string &N) const {
  for (const Population &P : Populations)
    if (P.Name == N)
      return &P;
  return nullptr;
}

const SpikeSource *Network::findSource(const std::string &N) const {
  for (const SpikeSource &S : Sources)
    if (S.Name == N)
      return &S;
  return nullptr;
}

uint32_t Network::sizeOf(const std::string &N) const {
  if (const Population *P = findPopulation(N))
    return P->Size;
  if (const SpikeSource *S = findSource(N))
    return S->Size;
  return 0;
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

namespace {

std::string quoted(std::string_view Kind, const std::string &Name) {
  return fmt::format("{} '{}'", Kind, Name);
}

std::string shapeStr(const std::vector<uint32_t> &Shape) {
  std::string S = "(";
  for (size_t I = 0; I < Shape.size(); ++I)
    S += (I ? ", " : "") + std::to_string(Shape[I]);
  return S + ")";
}

/// Levenshtein distance, for "did you mean" hints.
size_t editDistance(std::string_view A, std::string_view B) {
  std::vector<size_t> Row(B.size() + 1);
  for (size_t J = 0; J <= B.size(); ++J)
    Row[J] = J;
  for (size_t I = 1; I <= A.size(); ++I) {
    size_t Diag = Row[0];
    Row[0] = I;
    for (size_t J = 1; J <= B.size(); ++J) {
      size_t Up = Row[J];
      Row[J] = std::min({Row[J] + 1, Row[J - 1] + 1, Diag + (A[I - 1] == B[J - 1] ? 0 : 1)});
      Diag = Up;
    }
  }
  return Row[B.size()];
}

/// " (did you mean 'x'?)" when one candidate is close, else "".
std::string didYouMean(std::string_view Name, const std::vector<std::string> &Candidates) {
  std::string Best;
  size_t BestDist = 3; // farther than 2 edits is not a typo
  for (const std::string &C : Candidates) {
    size_t D = editDistance(Name, C);
    if (D < BestDist) {
      BestDist = D;
      Best = C;
    }
  }
  return Best.empty() ? "" : fmt::format(" (did you mean '{}'?)", Best);
}

std::string joinNames(const std::vector<std::string> &Names) {
  std::string S;
  for (const std::string &N : Names)
    S += (S.empty() ? "" : ", ") + N;
  return S;
}

bool isIntegerUnit(const char *Unit) {
  return std::string_view(Unit) == "int" || std::string_view(Unit) == "0/1";
}

/// (C, H, W) of a shape, or false when it is not 3-dimensional.
struct Shape3 {
  uint32_t C = 0, H = 0, W = 0;
};
bool shape3(const std::vector<uint32_t> &S, Shape3 &Out) {
  if (S.size() != 3)
    return false;
  Out = {S[0], S[1], S[2]};
  return true;
}

class Validator {
public:
  explicit Validator(const Network &Net) : Net(Net) {}

  void run() {
    if (!(Net.Dt > 0) || !std::isfinite(Net.Dt))
      Problems.add({}, Net.Name.empty() ? "network" : quoted("network", Net.Name),
                   fmt::format("dt must be a positive number of seconds, got {}", Net.Dt));
    checkNames();
    for (const Population &P : Net.Populations)
      checkPopulation(P);
    for (const SpikeSource &S : Net.Sources)
      checkSource(S);
    for (const Projection &P : Net.Projections)
      checkProjection(P);
    Problems.throwIfAny();
  }

private:
  const Network &Net;
  ProblemList Problems;

  void checkNames() {
    std::map<std::string, std::string> Seen; // name -> what first used it
    auto Visit = [&](const std::string &Name, const SourceLoc &Loc, std::string_view Kind) {
      std::string What = quoted(Kind, Name);
      if (Name.empty()) {
        Problems.add(Loc, std::string(Kind), "has no name; give it a name");
        return;
      }
      auto [It, New] = Seen.emplace(Name, What);
      if (!New)
        Problems.add(Loc, What,
                     fmt::format("the name is already used by {}; populations and sources "
                                 "need distinct names",
                                 It->second));
    };
    for (const Population &P : Net.Populations)
      Visit(P.Name, P.Loc, "population");
    for (const SpikeSource &S : Net.Sources)
      Visit(S.Name, S.Loc, "source");
  }

  void checkShape(const std::vector<uint32_t> &Shape, uint32_t Size, const SourceLoc &Loc,
                  const std::string &What) {
    if (Size == 0)
      Problems.add(Loc, What, "size is 0; give at least one neuron");
    if (Shape.empty())
      return;
    uint64_t Product = 1;
    for (uint32_t D : Shape)
      Product *= D;
    if (Product != Size)
      Problems.add(Loc, What,
                   fmt::format("shape {} holds {} neurons but the size is {}; make the "
                               "product of the shape equal the size",
                               shapeStr(Shape), Product, Size));
  }

  void checkModel(const NeuronModel &M, const SourceLoc &PopLoc, const std::string &What) {
    const SourceLoc &Loc = firstKnown(M.Loc, PopLoc);
    const ModelInfo *Info = findModel(M.Kind);
    if (!Info) {
      std::vector<std::string> Known;
      for (const ModelInfo &I : neuronModels())
        Known.push_back(I.Name);
      Problems.add(Loc, What,
                   fmt::format("unknown neuron model '{}'{}; known models: {}", M.Kind,
                               didYouMean(M.Kind, Known), joinNames(Known)));
      return;
    }
    std::vector<std::string> Names;
    for (const ModelParam &P : Info->Params)
      Names.push_back(P.Name);
    for (const auto &[Name, Value] : M.Params) {
      auto It = std::find_if(Info->Params.begin(), Info->Params.end(),
                             [&](const ModelParam &P) { return Name == P.Name; });
      if (It == Info->Params.end()) {
        Problems.add(Loc, What,
                     fmt::format("model '{}' has no parameter '{}'{}; its parameters are {}",
                                 Info->Name, Name, didYouMean(Name, Names), joinNames(Names)));
        continue;
      }
      if (!std::isfinite(Value)) {
        Problems.add(Loc, What,
                     fmt::format("parameter '{}' of model '{}' must be a finite number, got {}",
                                 Name, Info->Name, Value));
        continue;
      }
      if (isIntegerUnit(It->Unit) && Value != std::floor(Value)) {
        Problems.add(Loc, What,
                     fmt::format("parameter '{}' of model '{}' must be an integer, got {}", Name,
                                 Info->Name, Value));
        continue;
      }
      if (Value < It->Min || Value > It->Max)
        Problems.add(Loc, What,
                     fmt::format("parameter '{}' of model '{}' is {}, out of range [{}, {}] ({})",
                                 Name, Info->Name, Value, It->Min, It->Max, It->Doc));
    }
    for (const ModelParam &P : Info->Params)
      if (P.Required && !M.Params.count(P.Name))
        Problems.add(
            Loc, What,
            fmt::format("model '{}' needs parameter '{}' ({})", Info->Name, P.Name, P.Doc));
    if (std::string_view(Info->Name) == "li" && M.Params.count("tau") && M.Params.count("dv"))
      Problems.add(Loc, What, "model 'li' takes tau or dv, not both; remove one");
  }

  void checkPopulation(const Population &P) {
    std::string What = quoted("population", P.Name);
    checkShape(P.Shape, P.Size, P.Loc, What);
    checkModel(P.Model, P.Loc, What);
    checkProbes(P, What);
  }

  /// Probes name the model's state variables (the registry's), each once.
  void checkProbes(const Population &P, const std::string &What) {
    const ModelInfo *Info = findModel(P.Model.Kind);
    if (!Info)
      return; // checkModel reported the model
    std::vector<std::string> Names;
    for (const ModelVariable &V : Info->Variables)
      Names.push_back(V.Name);
    std::set<std::string> Seen;
    for (const std::string &Probe : P.Probes) {
      if (!findVariable(*Info, Probe)) {
        Problems.add(P.Loc, What,
                     fmt::format("cannot probe '{}': model '{}' has no state variable of that "
                                 "name{}; its variables are {}",
                                 Probe, Info->Name, didYouMean(Probe, Names),
                                 joinNames(Names)));
        continue;
      }
      if (!Seen.insert(Probe).second)
        Problems.add(P.Loc, What,
                     fmt::format("'{}' appears twice in probes; probe each variable once", Probe));
    }
  }

  void checkSource(const SpikeSource &S) {
    std::string What = quoted("source", S.Name);
    checkShape(S.Shape, S.Size, S.Loc, What);
    switch (S.K) {
    case SpikeSource::Kind::External:
      break;
    case SpikeSource::Kind::List: {
      std::set<std::pair<uint64_t, uint32_t>> Seen;
      unsigned Reported = 0;
      for (const auto &[Step, Index] : S.Spikes) {
        if (Reported >= 5)
          break; // one bad file should not flood the report
        if (Index >= S.Size) {
          Problems.add(S.Loc, What,
                       fmt::format("spike at step {} has index {}, but the source has {} "
                                   "neurons (indices 0..{})",
                                   Step, Index, S.Size, S.Size ? S.Size - 1 : 0));
          ++Reported;
        } else if (!Seen.emplace(Step, Index).second) {
          Problems.add(S.Loc, What,
                       fmt::format("spike (step {}, index {}) is listed twice; a neuron fires "
                                   "at most once per step",
                                   Step, Index));
          ++Reported;
        }
      }
      break;
    }
    case SpikeSource::Kind::Poisson:
      if (!std::isfinite(S.RateHz) || S.RateHz < 0)
        Problems.add(S.Loc, What,
                     fmt::format("rate must be a number of Hz >= 0, got {}", S.RateHz));
      else if (S.RateHz * Net.Dt > 1)
        Problems.add(S.Loc, What,
                     fmt::format("rate {} Hz with dt {} s is a probability of {} per step; the "
                                 "rate can be at most 1/dt = {} Hz",
                                 S.RateHz, Net.Dt, S.RateHz * Net.Dt, 1 / Net.Dt));
      break;
    case SpikeSource::Kind::Regular:
      if (S.Period == 0)
        Problems.add(S.Loc, What, "period must be at least 1 step");
      break;
    }
  }

  void checkProjection(const Projection &P) {
    std::string What = quoted("projection", projectionName(P));
    const Population *PrePop = Net.findPopulation(P.Pre);
    const SpikeSource *PreSrc = Net.findSource(P.Pre);
    const Population *PostPop = Net.findPopulation(P.Post);
    bool Ok = true;
    if (!PrePop && !PreSrc) {
      Problems.add(P.Loc, What,
                   fmt::format("pre '{}' names no population or source{}", P.Pre,
                               didYouMean(P.Pre, allNames())));
      Ok = false;
    }
    if (!PostPop) {
      if (Net.findSource(P.Post))
        Problems.add(P.Loc, What,
                     fmt::format("post '{}' is a spike source; a projection must end at a "
                                 "population",
                                 P.Post));
      else
        Problems.add(
            P.Loc, What,
            fmt::format("post '{}' names no population{}", P.Post, didYouMean(P.Post, allNames())));
      Ok = false;
    }
    if (PrePop) {
      const ModelInfo *Info = findModel(PrePop->Model.Kind);
      if (Info && !Info->Spiking)
        Problems.add(P.Loc, What,
                     fmt::format("pre '{}' uses the non-spiking model '{}' (a readout) and "
                                 "never fires; project from a spiking population",
                                 P.Pre, Info->Name));
    }
    if (!Ok)
      return;
    uint32_t PreSize = PrePop ? PrePop->Size : PreSrc->Size;
    const std::vector<uint32_t> &PreShape = PrePop ? PrePop->Shape : PreSrc->Shape;
    if (PreSize == 0 || PostPop->Size == 0)
      return; // reported with the population
    bool Recurrent = PrePop == PostPop;
    checkConnector(P, What, PreSize, PreShape, *PostPop, Recurrent);
    checkWeights(P, What);
    checkDelays(P, What);
    checkAxonType(P, What, *PostPop);
  }

  std::vector<std::string> allNames() const {
    std::vector<std::string> N;
    for (const Population &P : Net.Populations)
      N.push_back(P.Name);
    for (const SpikeSource &S : Net.Sources)
      N.push_back(S.Name);
    return N;
  }

  void checkConnector(const Projection &P, const std::string &What, uint32_t PreSize,
                      const std::vector<uint32_t> &PreShape, const Population &Post,
                      bool Recurrent) {
    const Connector &C = P.Conn;
    const SourceLoc &Loc = firstKnown(C.Loc, P.Loc);
    uint32_t PostSize = Post.Size;
    switch (C.K) {
    case Connector::Kind::AllToAll:
      return;
    case Connector::Kind::OneToOne:
      if (PreSize != PostSize)
        Problems.add(Loc, What,
                     fmt::format("one_to_one needs pre and post of the same size, but pre '{}' "
                                 "has {} neurons and post '{}' has {}",
                                 P.Pre, PreSize, P.Post, PostSize));
      return;
    case Connector::Kind::FixedProbability:
      if (!(C.Probability >= 0 && C.Probability <= 1))
        Problems.add(Loc, What,
                     fmt::format("probability {} is out of range [0, 1]", C.Probability));
      return;
    case Connector::Kind::FixedFanIn: {
      uint32_t Available = PreSize - (Recurrent && !C.AllowSelf ? 1 : 0);
      if (C.FanIn > Available)
        Problems.add(Loc, What,
                     fmt::format("fan_in {} exceeds the {} distinct pre neurons available{} "
                                 "from '{}'; use at most {}",
                                 C.FanIn, Available,
                                 Recurrent && !C.AllowSelf ? " (no self-connections)" : "", P.Pre,
                                 Available));
      return;
    }
    case Connector::Kind::List: {
      unsigned Reported = 0;
      for (size_t I = 0; I < C.Synapses.size() && Reported < 5; ++I) {
        const ExplicitSynapse &S = C.Synapses[I];
        std::string Bad;
        if (S.Pre >= PreSize)
          Bad = fmt::format("pre index {} is out of range: '{}' has {} neurons", S.Pre, P.Pre,
                            PreSize);
        else if (S.Post >= PostSize)
          Bad = fmt::format("post index {} is out of range: '{}' has {} neurons", S.Post, P.Post,
                            PostSize);
        else if (!std::isfinite(S.Weight))
          Bad = fmt::format("weight {} is not a finite number", S.Weight);
        else if (S.Delay < 1 || S.Delay > isa::MaxDelaySlots)
          Bad = fmt::format("delay {} is out of range [1, {}] steps", S.Delay, isa::MaxDelaySlots);
        if (Bad.empty())
          continue;
        Problems.add(Loc, What,
                     fmt::format("synapse {} (pre {}, post {}): {}", I, S.Pre, S.Post, Bad));
        ++Reported;
      }
      return;
    }
    case Connector::Kind::Matrix: {
      uint64_t Want = uint64_t(PreSize) * PostSize;
      if (C.Matrix.size() != Want) {
        Problems.add(Loc, What,
                     fmt::format("matrix has {} entries but pre '{}' x post '{}' is {} x {} = "
                                 "{}; give one weight per (pre, post) pair, pre-major",
                                 C.Matrix.size(), P.Pre, P.Post, PreSize, PostSize, Want));
        return;
      }
      for (size_t I = 0; I < C.Matrix.size(); ++I)
        if (!std::isfinite(C.Matrix[I])) {
          Problems.add(Loc, What,
                       fmt::format("matrix entry [{}][{}] is not a finite number", I / PostSize,
                                   I % PostSize));
          return;
        }
      return;
    }
    case Connector::Kind::Conv2d:
    case Connector::Kind::Pool2d:
      checkConvolution(P, What, Loc, PreShape, Post);
      return;
    }
  }

  void checkConvolution(const Projection &P, const std::string &What, const SourceLoc &Loc,
                        const std::vector<uint32_t> &PreShape, const Population &Post) {
    const Connector &C = P.Conn;
    bool IsConv = C.K == Connector::Kind::Conv2d;
    const char *Kind = IsConv ? "conv2d" : "pool2d";
    Shape3 In, Out;
    bool Ok = true;
    if (!shape3(PreShape, In)) {
      Problems.add(Loc, What,
                   fmt::format("{} needs pre '{}' to have a 3-dimensional shape (channels, "
                               "height, width); it has {}",
                               Kind, P.Pre, PreShape.empty() ? "none" : shapeStr(PreShape)));
      Ok = false;
    }
    if (!shape3(Post.Shape, Out)) {
      Problems.add(Loc, What,
                   fmt::format("{} needs post '{}' to have a 3-dimensional shape (channels, "
                               "height, width); it has {}",
                               Kind, P.Post, Post.Shape.empty() ? "none" : shapeStr(Post.Shape)));
      Ok = false;
    }
    if (C.KernelH == 0 || C.KernelW == 0 || C.StrideH == 0 || C.StrideW == 0) {
      Problems.add(Loc, What,
                   fmt::format("{} kernel {}x{} and stride {}x{} must all be at least 1", Kind,
                               C.KernelH, C.KernelW, C.StrideH, C.StrideW));
      Ok = false;
    }
    if (!Ok)
      return;
    uint64_t PaddedH = uint64_t(In.H) + 2ull * C.PadH, PaddedW = uint64_t(In.W) + 2ull * C.PadW;
    if (PaddedH < C.KernelH || PaddedW < C.KernelW) {
      Problems.add(Loc, What,
                   fmt::format("{} kernel {}x{} is larger than the padded input {}x{} of pre "
                               "'{}' (shape {}, padding {}x{})",
                               Kind, C.KernelH, C.KernelW, PaddedH, PaddedW, P.Pre,
                               shapeStr(PreShape), C.PadH, C.PadW));
      return;
    }
    uint32_t OC = IsConv ? Out.C : In.C;
    std::vector<uint32_t> Expected = {OC, uint32_t((PaddedH - C.KernelH) / C.StrideH + 1),
                                      uint32_t((PaddedW - C.KernelW) / C.StrideW + 1)};
    if (Post.Shape != Expected)
      Problems.add(Loc, What,
                   fmt::format("{} of pre '{}' (shape {}) with kernel {}x{}, stride {}x{}, "
                               "padding {}x{} gives shape {}, but post '{}' has shape {}; "
                               "expected {}",
                               Kind, P.Pre, shapeStr(PreShape), C.KernelH, C.KernelW, C.StrideH,
                               C.StrideW, C.PadH, C.PadW, shapeStr(Expected), P.Post,
                               shapeStr(Post.Shape), shapeStr(Expected)));
    if (!IsConv)
      return;
    uint64_t Want = uint64_t(Out.C) * In.C * C.KernelH * C.KernelW;
    if (C.Kernel.size() != Want) {
      Problems.add(Loc, What,
                   fmt::format("conv2d kernel has {} values but [out_channels {}][in_channels "
                               "{}][{}][{}] needs {}",
                               C.Kernel.size(), Out.C, In.C, C.KernelH, C.KernelW, Want));
      return;
    }
    for (double K : C.Kernel)
      if (!std::isfinite(K)) {
        Problems.add(Loc, What, "conv2d kernel holds a value that is not a finite number");
        return;
      }
  }

  void checkWeights(const Projection &P, const std::string &What) {
    Connector::Kind CK = P.Conn.K;
    if (CK == Connector::Kind::List || CK == Connector::Kind::Matrix ||
        CK == Connector::Kind::Conv2d)
      return; // these carry their own weights
    const WeightSpec &W = P.Weight;
    const SourceLoc &Loc = firstKnown(W.Loc, P.Loc);
    switch (W.K) {
    case WeightSpec::Kind::Constant:
      if (!std::isfinite(W.Value))
        Problems.add(Loc, What, fmt::format("weight {} is not a finite number", W.Value));
      return;
    case WeightSpec::Kind::Uniform:
      if (!std::isfinite(W.Low) || !std::isfinite(W.High) || W.Low > W.High)
        Problems.add(
            Loc, What,
            fmt::format("uniform weights need finite low <= high, got [{}, {}]", W.Low, W.High));
      return;
    case WeightSpec::Kind::Normal:
      if (!std::isfinite(W.Mean) || !std::isfinite(W.Std) || W.Std < 0)
        Problems.add(Loc, What,
                     fmt::format("normal weights need a finite mean and std >= 0, got mean {}, "
                                 "std {}",
                                 W.Mean, W.Std));
      return;
    case WeightSpec::Kind::Array:
      for (double V : W.Values)
        if (!std::isfinite(V)) {
          Problems.add(Loc, What, "weight array holds a value that is not a finite number");
          return;
        }
      return;
    }
  }

  void checkDelays(const Projection &P, const std::string &What) {
    if (P.Conn.K == Connector::Kind::List)
      return; // each synapse has its own delay, checked with the connector
    const DelaySpec &D = P.Delay;
    const SourceLoc &Loc = firstKnown(D.Loc, P.Loc);
    uint32_t Lo = D.K == DelaySpec::Kind::Constant ? D.Value : D.Low;
    uint32_t Hi = D.K == DelaySpec::Kind::Constant ? D.Value : D.High;
    if (Lo > Hi) {
      Problems.add(Loc, What,
                   fmt::format("uniform delays need low <= high, got [{}, {}]", D.Low, D.High));
      return;
    }
    if (Lo < 1)
      Problems.add(Loc, What,
                   "delays must be at least 1 step (a spike in step t arrives in step t + "
                   "delay)");
    if (Hi > isa::MaxDelaySlots)
      Problems.add(Loc, What,
                   fmt::format("delay {} exceeds {} steps, the longest any architecture holds", Hi,
                               isa::MaxDelaySlots));
  }

  void checkAxonType(const Projection &P, const std::string &What, const Population &Post) {
    bool TrueNorth = Post.Model.Kind == "truenorth";
    if (TrueNorth && (P.AxonType < 0 || P.AxonType > 3))
      Problems.add(P.Loc, What,
                   fmt::format("projections onto truenorth population '{}' need an axon type "
                               "0..3 (it selects the post neuron's weight w0..w3){}",
                               P.Post, P.AxonType < 0 ? "" : fmt::format(", got {}", P.AxonType)));
    if (!TrueNorth && P.AxonType >= 0)
      Problems.add(P.Loc, What,
                   fmt::format("axon type applies only to projections onto truenorth "
                               "populations; '{}' uses model '{}': remove it",
                               P.Post, Post.Model.Kind));
  }
};

} // namespace

void Network::validate() const { Validator(*this).run(); }

} // namespace neuromesh::compiler
