//===- NirLower.cpp - a NIR graph to the network IR ------------------------===//
//
// Nodes are of four roles: ports (Input, Output), neurons (LIF, CubaLIF,
// IF, LI, I, Threshold: they hold state or emit spikes, and become
// populations), and weight layers (Affine, Linear, Scale, Conv1d, Conv2d,
// SumPool2d, AvgPool2d, Flatten, Delay: linear maps with no state). Every
// path from an Input or neuron node through weight layers to a neuron node
// becomes one projection: the layers' maps are composed into an explicit
// synapse list, one row per pre neuron. Biases are propagated through the
// layers after them and delivered by a one-neuron source that fires every
// step ("<node>.bias"), so they enter exactly where NIR adds them (the
// synaptic current of a CubaLIF, v of the others). A cycle through weight
// layers alone has no state to break it and is an error.
//
// Forward Euler at dt (docs/nir.md): a decay x -= dt/tau x keeps 1 - dt/tau
// per step. The lif model decays by exp(-dt/tau_m), so it is given the
// tau_m' = -dt / ln(1 - dt/tau) whose decay is exactly 1 - dt/tau, and its
// reported decay error is against the Euler factor.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/Nir.h"

#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

namespace neuromesh::compiler::nir {

namespace {

enum class Role { Input, Output, Neuron, Weight };

/// The most values a node may hold: 128 Loihi chips' worth of neurons, and
/// small enough that composing layers stays within memory.
constexpr uint64_t MaxNodeSize = uint64_t(1) << 24;

/// A sparse vector over a node's flattened output, keyed by (extra delay
/// steps, index) so Delay layers can differ per element.
using Row = std::map<std::pair<uint32_t, uint32_t>, double>;

uint64_t product(const std::vector<uint64_t> &S) {
  uint64_t N = 1;
  for (uint64_t D : S)
    N *= D;
  return N;
}

std::string shapeStr(const std::vector<uint64_t> &S) {
  return "(" + fmt::format("{}", fmt::join(S, ", ")) + (S.size() == 1 ? ",)" : ")");
}

/// Forward-Euler retention 1 - dt/tau expressed as the lif model's
/// exp(-dt/tau') time constant; 1e-12 s (no memory) when dt = tau.
double eulerTau(double Tau, double Dt) {
  double Keep = 1.0 - Dt / Tau;
  if (Keep <= 1e-9)
    return 1e-12;
  return -Dt / std::log(Keep);
}

/// Thrown when resolving a neuron's input reaches that neuron again: the
/// neuron is sized by its input (scalar parameters) and this input loops
/// back through it. Caught by sizeFromInputs, which tries another input.
struct OpenLoop {
  size_t Neuron;
};

struct Info {
  const Node *N = nullptr;
  Role R = Role::Weight;
  std::vector<uint64_t> Shape; ///< output shape (resolved)
  bool Resolved = false, Visiting = false;
  std::vector<size_t> Pred, Succ;
};

class Lowerer {
public:
  Lowerer(const Graph &G, const LowerOptions &O, LowerNotes *Notes)
      : G(G), O(O), Notes(Notes) {}

  Network run() {
    if (!(O.Dt > 0) || !std::isfinite(O.Dt))
      fail(fmt::format("dt must be a positive number of seconds, got {}", O.Dt));
    if (!G.Warnings.empty())
      fail(fmt::format("the graph has dangling edges, and compiling it without them would "
                       "drop connections the network needs:\n  {}\nfix the edge names in the "
                       "exporter (docs/nir.md, 'Dangling edges')",
                       fmt::join(G.Warnings, "\n  ")));
    classify();
    for (size_t I = 0; I < Infos.size(); ++I)
      resolveShape(I);
    Net.Name = O.FileName.substr(O.FileName.find_last_of('/') + 1);
    Net.Dt = O.Dt;
    for (size_t I = 0; I < Infos.size(); ++I)
      if (Infos[I].R == Role::Input)
        addInput(I);
      else if (Infos[I].R == Role::Neuron)
        addNeuron(I);
    for (size_t I = 0; I < Infos.size(); ++I)
      if (Infos[I].R == Role::Input || Infos[I].R == Role::Neuron)
        for (size_t S : Infos[I].Succ)
          walkFrom(I, S);
    for (size_t I = 0; I < Infos.size(); ++I)
      if (Infos[I].R == Role::Weight && Infos[I].N->find("bias"))
        addBias(I);
    emitBiases();
    scaleReadouts();
    scaleIntegers();
    try {
      Net.validate();
    } catch (const Error &E) {
      fail(E.what());
    }
    return std::move(Net);
  }

private:
  const Graph &G;
  const LowerOptions &O;
  LowerNotes *Notes;
  std::vector<Info> Infos;
  std::map<std::string, size_t> Index;
  Network Net;
  /// Per neuron node: input gain per neuron (NIR input -> written weight units).
  std::map<size_t, std::vector<double>> Gain;
  std::map<size_t, Row> Bias; ///< per neuron node, constant input (NIR units)
  std::map<std::string, unsigned> ProjectionNames;

  [[noreturn]] void fail(const std::string &Message) const {
    throw Error(fmt::format("{}: error: {}", O.FileName.empty() ? "NIR graph" : O.FileName,
                            Message));
  }
  [[noreturn]] void failAt(size_t I, const std::string &Message) const {
    fail(fmt::format("node '{}' ({}): {}", Infos[I].N->Name, Infos[I].N->Type, Message));
  }

  //===--- datasets ----------------------------------------------------===//

  const Array &need(size_t I, const std::string &Key) const {
    const Array *A = Infos[I].N->find(Key);
    if (!A)
      failAt(I, fmt::format("missing dataset '{}'", Key));
    if (A->K == Array::Kind::String)
      failAt(I, fmt::format("dataset '{}' must be numeric, got the string '{}'", Key, A->Str));
    return *A;
  }

  /// Dataset Key as per-neuron values for a neuron node of N neurons
  /// (scalars broadcast); Default when absent and Default is given.
  std::vector<double> perNeuron(size_t I, const std::string &Key, uint64_t N,
                                std::optional<double> Default = std::nullopt) const {
    const Array *A = Infos[I].N->find(Key);
    if (!A && Default)
      return std::vector<double>(N, *Default);
    const Array &B = need(I, Key);
    if (B.size() == 1)
      return std::vector<double>(N, B.at(0));
    if (B.size() != N)
      failAt(I, fmt::format("dataset '{}' has shape {} ({} values), but the node has {} "
                            "neurons; a neuron node's parameters share one shape",
                            Key, shapeStr(B.Shape), B.size(), N));
    std::vector<double> V(N);
    for (uint64_t K = 0; K < N; ++K)
      V[K] = B.at(K);
    return V;
  }

  /// One value shared by every neuron of the node (the chip shares a
  /// profile per population).
  double uniform(size_t I, const std::string &Key, uint64_t N,
                 std::optional<double> Default = std::nullopt) const {
    std::vector<double> V = perNeuron(I, Key, N, Default);
    for (double X : V) {
      if (!std::isfinite(X))
        failAt(I, fmt::format("'{}' holds {}; parameters must be finite", Key, X));
      if (X != V[0])
        failAt(I, fmt::format("'{}' differs across neurons ({} and {}); a population shares "
                              "one neuron profile on the chip: split the layer or make it "
                              "uniform",
                              Key, V[0], X));
    }
    return V.empty() ? Default.value_or(0) : V[0];
  }

  std::vector<int64_t> ints(size_t I, const std::string &Key, size_t Dims,
                            std::optional<int64_t> Default) const {
    const Array *A = Infos[I].N->find(Key);
    if (!A) {
      if (!Default)
        failAt(I, fmt::format("missing dataset '{}'", Key));
      return std::vector<int64_t>(Dims, *Default);
    }
    if (A->K == Array::Kind::String)
      failAt(I, fmt::format("dataset '{}' must be integers, got '{}'", Key, A->Str));
    std::vector<int64_t> V;
    for (uint64_t K = 0; K < A->size(); ++K) {
      double X = A->at(K);
      if (X != std::floor(X))
        failAt(I, fmt::format("dataset '{}' must hold integers, got {}", Key, X));
      V.push_back(int64_t(X));
    }
    if (V.size() == 1 && Dims > 1)
      V.assign(Dims, V[0]);
    if (V.size() != Dims)
      failAt(I, fmt::format("dataset '{}' has {} values; expected {}", Key, V.size(), Dims));
    return V;
  }

  //===--- graph structure ---------------------------------------------===//

  void classify() {
    static const std::set<std::string> Neurons = {"LIF", "CubaLIF", "IF",       "LI",
                                                  "CubaLI", "I",     "Threshold"};
    static const std::set<std::string> Weights = {"Affine",    "Linear",    "Scale",
                                                  "Conv1d",    "Conv2d",    "SumPool2d",
                                                  "AvgPool2d", "Flatten",   "Delay"};
    for (const Node &N : G.Nodes) {
      Info I;
      I.N = &N;
      if (N.Type == "Input")
        I.R = Role::Input;
      else if (N.Type == "Output")
        I.R = Role::Output;
      else if (Neurons.count(N.Type))
        I.R = Role::Neuron;
      else if (Weights.count(N.Type))
        I.R = Role::Weight;
      else
        fail(fmt::format("node '{}' has unknown type '{}'; supported: Input, Output, Affine, "
                         "Linear, Scale, Conv1d, Conv2d, SumPool2d, AvgPool2d, Flatten, Delay, "
                         "LIF, CubaLIF, IF, LI, CubaLI, I, Threshold, NIRGraph",
                         N.Name, N.Type));
      if (!Index.emplace(N.Name, Infos.size()).second)
        fail(fmt::format("two nodes are named '{}'", N.Name));
      Infos.push_back(I);
    }
    for (const Edge &E : G.Edges) {
      auto S = Index.find(E.Source), T = Index.find(E.Target);
      for (auto [It, Name] : {std::pair{S, &E.Source}, std::pair{T, &E.Target}})
        if (It == Index.end())
          fail(fmt::format("edge '{}' -> '{}' names node '{}', which does not exist", E.Source,
                           E.Target, *Name));
      // The Input / Output nodes of a flattened nested graph (dotted names)
      // are its ports: values pass through them unchanged.
      for (auto [It, Port] : {std::pair{T, Role::Input}, std::pair{S, Role::Output}}) {
        Info &F = Infos[It->second];
        if (F.R != Port)
          continue;
        if (F.N->Name.find('.') == std::string::npos)
          fail(fmt::format("edge '{}' -> '{}' {} the top-level {} node '{}'; spikes enter the "
                           "graph at Input nodes and leave it at Output nodes",
                           E.Source, E.Target, Port == Role::Input ? "goes into" : "leaves",
                           Port == Role::Input ? "Input" : "Output", F.N->Name));
        F.R = Role::Weight;
      }
      Infos[S->second].Succ.push_back(T->second);
      Infos[T->second].Pred.push_back(S->second);
    }
  }

  /// The shape of the first input of neuron I that does not loop back
  /// to I (a recurrent edge cannot tell I's size: it needs it).
  std::vector<uint64_t> sizeFromInputs(size_t I) {
    for (size_t P : Infos[I].Pred) {
      try {
        return resolveShape(P);
      } catch (const OpenLoop &L) {
        if (L.Neuron != I)
          throw;
      }
    }
    failAt(I, "its parameters are all scalars, so its size comes from its input, but every "
              "input comes back around a loop through it; give one parameter (e.g. "
              "v_threshold) the node's shape");
  }

  /// The shape flowing into node I (all its inputs must agree).
  std::vector<uint64_t> inputShape(size_t I) {
    std::vector<uint64_t> In;
    for (size_t P : Infos[I].Pred) {
      std::vector<uint64_t> S = resolveShape(P);
      if (In.empty() && !S.empty()) {
        In = S;
        continue;
      }
      if (product(S) != product(In))
        failAt(I, fmt::format("its inputs do not agree in shape: '{}' gives {}, another input "
                              "gives {}",
                              Infos[P].N->Name, shapeStr(S), shapeStr(In)));
    }
    return In;
  }

  const std::vector<uint64_t> &resolveShape(size_t I) {
    Info &F = Infos[I];
    if (F.Resolved)
      return F.Shape;
    if (F.Visiting && F.R == Role::Neuron)
      throw OpenLoop{I}; // only a neuron sized by its input is visited: neuronShape
    if (F.Visiting)
      failAt(I, "it lies on a cycle of weight layers with no neuron in it; nothing holds state "
                "to break the cycle (route a recurrent connection through a neuron node)");
    F.Visiting = true;
    try {
      resolveOwnShape(I);
    } catch (...) {
      F.Visiting = false; // the nodes on an abandoned path are resolved again later
      throw;
    }
    if (product(F.Shape) > MaxNodeSize)
      failAt(I, fmt::format("its shape {} holds {} values; a node may hold at most 2^24 "
                            "(16777216), far beyond any chip (is the file corrupt?)",
                            shapeStr(F.Shape), product(F.Shape)));
    F.Visiting = false;
    F.Resolved = true;
    // A neuron is resolved before its inputs are visited, so a recurrent
    // path through weight layers back to it ends here.
    if (F.R == Role::Neuron)
      for (size_t P : F.Pred) {
        resolveShape(P);
        checkChains(P, I);
      }
    return Infos[I].Shape;
  }

  /// Node I's own shape into Infos[I].Shape, resolving its inputs as needed.
  void resolveOwnShape(size_t I) {
    Info &F = Infos[I];
    const Node &N = *F.N;
    F.Shape.clear(); // a path abandoned by OpenLoop may have started it
    switch (F.R) {
    case Role::Input:
    case Role::Output: {
      const Array *S = N.find("shape");
      if (!S && F.R == Role::Input)
        failAt(I, "missing dataset 'shape'");
      if (S) {
        if (S->K == Array::Kind::String || S->Shape.size() > 1)
          failAt(I, "dataset 'shape' must be a 1-D integer array");
        for (uint64_t K = 0; K < S->size(); ++K) {
          if (S->at(K) < 1 || S->at(K) != std::floor(S->at(K)))
            failAt(I, fmt::format("dataset 'shape' must hold positive integers, got {}",
                                  S->at(K)));
          F.Shape.push_back(uint64_t(S->at(K)));
        }
      }
      if (F.R == Role::Output) {
        std::vector<uint64_t> In = inputShape(I);
        if (!F.Shape.empty() && !In.empty() && product(In) != product(F.Shape))
          failAt(I, fmt::format("it declares shape {} but receives {}", shapeStr(F.Shape),
                                shapeStr(In)));
      }
      break;
    }
    case Role::Neuron:
      F.Shape = neuronShape(I);
      break;
    case Role::Weight:
      F.Shape = weightShape(I, inputShape(I));
      break;
    }
  }

  /// A neuron's (or Output's) input size must equal what its inputs give.
  void checkChains(size_t P, size_t I) {
    if (Infos[I].R != Role::Neuron)
      return;
    uint64_t Got = product(Infos[P].Shape), Want = product(Infos[I].Shape);
    if (Got != Want)
      failAt(I, fmt::format("it has {} neurons {} but its input '{}' gives shape {} ({} "
                            "values); shapes do not chain",
                            Want, shapeStr(Infos[I].Shape), Infos[P].N->Name,
                            shapeStr(Infos[P].Shape), Got));
  }

  std::vector<uint64_t> neuronShape(size_t I) {
    static const std::map<std::string, std::vector<const char *>> Required = {
        {"LIF", {"tau", "r", "v_leak", "v_threshold"}},
        {"CubaLIF", {"tau_syn", "tau_mem", "r", "v_leak", "v_threshold"}},
        {"IF", {"r", "v_threshold"}},
        {"LI", {"tau", "r", "v_leak"}},
        {"CubaLI", {"tau_syn", "tau_mem", "r", "v_leak"}},
        {"I", {"r"}},
        {"Threshold", {"threshold"}},
    };
    // The node's shape is that of its parameter arrays; a one-value array
    // of rank >= 1, e.g. (1,), is a one-neuron node unless another
    // parameter has more values (then it broadcasts like a scalar).
    std::vector<uint64_t> Shape, Single;
    for (const char *Key : Required.at(Infos[I].N->Type)) {
      const Array &A = need(I, Key);
      if (A.Shape.empty())
        continue;
      if (A.size() == 1) {
        if (Single.empty())
          Single = A.Shape;
        continue;
      }
      if (Shape.empty())
        Shape = A.Shape;
      else if (A.Shape != Shape)
        failAt(I, fmt::format("dataset '{}' has shape {} but others have {}; a neuron node's "
                              "parameters share one shape",
                              Key, shapeStr(A.Shape), shapeStr(Shape)));
    }
    if (Shape.empty())
      Shape = Single;
    if (Shape.empty()) // all scalars: the size comes from the input
      Shape = {std::max<uint64_t>(1, product(sizeFromInputs(I)))};
    if (product(Shape) == 0)
      failAt(I, "it has no neurons (a zero in its shape)");
    return Shape;
  }

  //===--- weight layers: shapes and maps ------------------------------===//

  struct ConvGeom {
    unsigned Dims = 2;
    int64_t Cin = 0, Cout = 0, Groups = 1;
    std::vector<int64_t> In, Out, K, Stride, PadLo, Dil;
    const Array *Weight = nullptr; ///< null for pooling
    double PoolScale = 1;
  };

  ConvGeom convGeometry(size_t I, const std::vector<uint64_t> &InShape) {
    const Node &N = *Infos[I].N;
    ConvGeom C;
    bool Pool = N.Type == "SumPool2d" || N.Type == "AvgPool2d";
    C.Dims = N.Type == "Conv1d" ? 1 : 2;
    std::vector<uint64_t> In = InShape;
    if (!Pool) {
      C.Weight = &need(I, "weight");
      if (C.Weight->Shape.size() != C.Dims + 2)
        failAt(I, fmt::format("dataset 'weight' has shape {}; expected (out_channels, "
                              "in_channels/groups, {})",
                              shapeStr(C.Weight->Shape), C.Dims == 1 ? "k" : "kh, kw"));
      C.Groups = ints(I, "groups", 1, 1)[0];
      C.Cout = int64_t(C.Weight->Shape[0]);
      C.Cin = int64_t(C.Weight->Shape[1]) * C.Groups;
      if (C.Groups < 1 || C.Cout % C.Groups)
        failAt(I, fmt::format("groups = {} must be >= 1 and divide the {} output channels",
                              C.Groups, C.Cout));
      for (unsigned D = 0; D < C.Dims; ++D)
        C.K.push_back(int64_t(C.Weight->Shape[2 + D]));
      // A flat input is reinterpreted with input_shape (Sinabs writes it).
      if (In.size() != C.Dims + 1 && N.find("input_shape")) {
        std::vector<int64_t> S = ints(I, "input_shape", C.Dims, std::nullopt);
        std::vector<uint64_t> R = {uint64_t(C.Cin)};
        for (int64_t X : S)
          R.push_back(uint64_t(X));
        if (product(R) == product(In))
          In = R;
      }
    } else {
      C.K = ints(I, "kernel_size", 2, std::nullopt);
      if (In.size() == 3)
        C.Cin = C.Cout = int64_t(In[0]);
    }
    if (In.size() != C.Dims + 1)
      failAt(I, fmt::format("its input has shape {}; a {} takes (channels, {})", shapeStr(In),
                            N.Type, C.Dims == 1 ? "length" : "height, width"));
    if (!Pool && int64_t(In[0]) != C.Cin)
      failAt(I, fmt::format("its input has {} channels but the weight expects {} (in_channels "
                            "{} x groups {}); shapes do not chain",
                            In[0], C.Cin, C.Weight->Shape[1], C.Groups));
    C.Stride = ints(I, "stride", C.Dims, Pool ? std::optional<int64_t>() : 1);
    C.Dil = Pool ? std::vector<int64_t>(C.Dims, 1) : ints(I, "dilation", C.Dims, 1);
    for (unsigned D = 0; D < C.Dims; ++D)
      C.In.push_back(int64_t(In[1 + D]));
    const Array *Pad = N.find("padding");
    if (Pad && Pad->K == Array::Kind::String) {
      if (Pad->Str != "same" && Pad->Str != "valid")
        failAt(I, fmt::format("padding '{}' is not 'same', 'valid' or integers", Pad->Str));
      for (unsigned D = 0; D < C.Dims; ++D) {
        int64_t Total = C.Dil[D] * (C.K[D] - 1);
        if (Pad->Str == "same" && C.Stride[D] != 1)
          failAt(I, "padding 'same' needs stride 1 (as in PyTorch)");
        C.PadLo.push_back(Pad->Str == "same" ? Total / 2 : 0);
        C.Out.push_back(Pad->Str == "same" ? C.In[D] : C.In[D] - Total);
      }
    } else {
      C.PadLo = ints(I, "padding", C.Dims, 0);
      for (unsigned D = 0; D < C.Dims; ++D) {
        if (C.Stride[D] < 1 || C.Dil[D] < 1 || C.K[D] < 1 || C.PadLo[D] < 0)
          failAt(I, "kernel, stride and dilation must be >= 1 and padding >= 0");
        C.Out.push_back((C.In[D] + 2 * C.PadLo[D] - C.Dil[D] * (C.K[D] - 1) - 1) / C.Stride[D] +
                        1);
      }
    }
    for (unsigned D = 0; D < C.Dims; ++D)
      if (C.Out[D] < 1)
        failAt(I, fmt::format("its output would be empty: input {} with kernel {} ",
                              shapeStr(In), fmt::join(C.K, "x")));
    if (N.Type == "AvgPool2d")
      C.PoolScale = 1.0 / double(C.K[0] * C.K[1]);
    return C;
  }

  std::vector<uint64_t> weightShape(size_t I, const std::vector<uint64_t> &In) {
    const Node &N = *Infos[I].N;
    if (Infos[I].Pred.empty())
      failAt(I, "it has no input edge");
    const std::string &T = N.Type;
    if (T == "Affine" || T == "Linear") {
      const Array &W = need(I, "weight");
      if (W.Shape.size() != 2)
        failAt(I, fmt::format("dataset 'weight' has shape {}; expected (out, in)",
                              shapeStr(W.Shape)));
      if (product(In) != W.Shape[1])
        failAt(I, fmt::format("its weight takes {} inputs but its input gives shape {} ({} "
                              "values); shapes do not chain",
                              W.Shape[1], shapeStr(In), product(In)));
      if (T == "Affine") {
        const Array &B = need(I, "bias");
        if (B.size() != W.Shape[0] && B.size() != 1)
          failAt(I, fmt::format("dataset 'bias' has {} values; expected {} (one per output)",
                                B.size(), W.Shape[0]));
      }
      return {W.Shape[0]};
    }
    if (T == "Scale") {
      const Array &S = need(I, "scale");
      if (S.size() != 1 && S.size() != product(In))
        failAt(I, fmt::format("dataset 'scale' has {} values but the input has {}", S.size(),
                              product(In)));
      return In;
    }
    if (T == "Input" || T == "Output") { // a nested graph's port
      const Array *S = N.find("shape");
      if (S && S->K != Array::Kind::String && S->size() > 0) {
        std::vector<uint64_t> Declared;
        for (uint64_t K = 0; K < S->size(); ++K)
          Declared.push_back(uint64_t(std::max(0.0, S->at(K))));
        if (product(Declared) != product(In))
          failAt(I, fmt::format("this port of a nested graph declares shape {} but receives "
                                "{}; shapes do not chain",
                                shapeStr(Declared), shapeStr(In)));
      }
      return In;
    }
    if (T == "Flatten") {
      int64_t Start = ints(I, "start_dim", 1, 0)[0], End = ints(I, "end_dim", 1, -1)[0];
      int64_t R = int64_t(In.size());
      if (Start < 0)
        Start += R;
      if (End < 0)
        End += R;
      if (Start < 0 || End >= R || Start > End)
        return {product(In)}; // flattening everything is what the dims can mean
      std::vector<uint64_t> Out(In.begin(), In.begin() + Start);
      uint64_t M = 1;
      for (int64_t D = Start; D <= End; ++D)
        M *= In[size_t(D)];
      Out.push_back(M);
      Out.insert(Out.end(), In.begin() + End + 1, In.end());
      return Out;
    }
    if (T == "Delay") {
      const Array &D = need(I, "delay");
      if (D.size() != 1 && D.size() != product(In))
        failAt(I, fmt::format("dataset 'delay' has {} values but the input has {}", D.size(),
                              product(In)));
      for (uint64_t K = 0; K < D.size(); ++K)
        delaySteps(I, D.at(K));
      return In;
    }
    ConvGeom C = convGeometry(I, In);
    if (C.Weight) {
      const Array *B = N.find("bias");
      if (B && B->size() != uint64_t(C.Cout) && B->size() != 1)
        failAt(I, fmt::format("dataset 'bias' has {} values; expected {} (one per output "
                              "channel)",
                              B->size(), C.Cout));
    }
    std::vector<uint64_t> Out = {uint64_t(C.Cout)};
    for (int64_t X : C.Out)
      Out.push_back(uint64_t(X));
    return Out;
  }

  uint32_t delaySteps(size_t I, double Seconds) const {
    double Steps = Seconds / O.Dt;
    double R = std::round(Steps);
    if (!(Seconds >= 0) || std::fabs(Steps - R) > 1e-6 * std::max(1.0, R) || R > 4096)
      failAt(I, fmt::format("delay {} s is {} steps of dt {} s; the chip delays by whole steps "
                            "(choose a dt that divides the delay)",
                            Seconds, Steps, O.Dt));
    return uint32_t(R);
  }

  /// Applies weight layer I (without its bias) to a sparse input vector.
  Row apply(size_t I, const Row &X) {
    const Node &N = *Infos[I].N;
    const std::string &T = N.Type;
    const std::vector<uint64_t> In = inputShape(I);
    Row Y;
    if (T == "Flatten" || T == "Input" || T == "Output") // reshape or nested-graph port
      return X;
    if (T == "Scale" || T == "Delay") {
      const Array &A = need(I, T == "Scale" ? "scale" : "delay");
      for (auto &[Key, V] : X) {
        double P = A.at(A.size() == 1 ? 0 : Key.second);
        if (T == "Scale")
          Y[Key] += V * P;
        else
          Y[{Key.first + delaySteps(I, P), Key.second}] += V;
      }
      return Y;
    }
    if (T == "Affine" || T == "Linear") {
      const Array &W = need(I, "weight");
      uint64_t Out = W.Shape[0], Cols = W.Shape[1];
      for (auto &[Key, V] : X)
        for (uint64_t R = 0; R < Out; ++R) {
          double Wt = W.at(R * Cols + Key.second);
          if (Wt != 0)
            Y[{Key.first, uint32_t(R)}] += Wt * V;
        }
      return Y;
    }
    auto Cached = Geometry.find(I); // one parse per layer, not per pre neuron
    if (Cached == Geometry.end())
      Cached = Geometry.emplace(I, convGeometry(I, In)).first;
    const ConvGeom &C = Cached->second;
    int64_t InH = C.Dims == 2 ? C.In[0] : 1, InW = C.In[C.Dims - 1];
    int64_t OutH = C.Dims == 2 ? C.Out[0] : 1, OutW = C.Out[C.Dims - 1];
    int64_t KH = C.Dims == 2 ? C.K[0] : 1, KW = C.K[C.Dims - 1];
    // Conv1d is a Conv2d of height 1.
    auto At = [&](const std::vector<int64_t> &V, int D, int64_t Trivial) {
      return C.Dims == 2 ? V[size_t(D)] : (D == 1 ? V[0] : Trivial);
    };
    int64_t SH = At(C.Stride, 0, 1), SW = At(C.Stride, 1, 1), PH = At(C.PadLo, 0, 0),
            PW = At(C.PadLo, 1, 0), DH = At(C.Dil, 0, 1), DW = At(C.Dil, 1, 1);
    int64_t CinG = C.Weight ? C.Cin / C.Groups : 1, CoutG = C.Weight ? C.Cout / C.Groups : 1;
    for (auto &[Key, V] : X) {
      int64_t Idx = Key.second;
      int64_t Ch = Idx / (InH * InW), H = (Idx / InW) % InH, Wd = Idx % InW;
      int64_t Group = C.Weight ? Ch / CinG : 0;
      for (int64_t Ki = 0; Ki < KH; ++Ki) {
        int64_t Num = H + PH - Ki * DH;
        if (Num < 0 || Num % SH)
          continue;
        int64_t OH = Num / SH;
        if (OH >= OutH)
          continue;
        for (int64_t Kj = 0; Kj < KW; ++Kj) {
          int64_t NumW = Wd + PW - Kj * DW;
          if (NumW < 0 || NumW % SW)
            continue;
          int64_t OW = NumW / SW;
          if (OW >= OutW)
            continue;
          if (!C.Weight) {
            Y[{Key.first, uint32_t((Ch * OutH + OH) * OutW + OW)}] += V * C.PoolScale;
            continue;
          }
          for (int64_t OC = Group * CoutG; OC < (Group + 1) * CoutG; ++OC) {
            uint64_t WI = ((uint64_t(OC) * CinG + (Ch - Group * CinG)) * KH + Ki) * KW + Kj;
            double Wt = C.Weight->at(WI);
            if (Wt != 0)
              Y[{Key.first, uint32_t((OC * OutH + OH) * OutW + OW)}] += Wt * V;
          }
        }
      }
    }
    return Y;
  }

  /// Node I's bias as a dense row over its output (Affine, Conv).
  Row biasRow(size_t I) {
    const Node &N = *Infos[I].N;
    const Array &B = *N.find("bias");
    Row Y;
    uint64_t Size = product(Infos[I].Shape);
    uint64_t PerChannel = N.Type == "Affine" ? 1 : Size / std::max<uint64_t>(1, Infos[I].Shape[0]);
    for (uint64_t K = 0; K < Size; ++K) {
      double V = B.at(B.size() == 1 ? 0 : K / PerChannel);
      if (V != 0)
        Y[{0, uint32_t(K)}] = V;
    }
    return Y;
  }

  //===--- populations and projections ---------------------------------===//

  void addInput(size_t I) {
    const Info &F = Infos[I];
    SpikeSource &S = Net.addSource(F.N->Name, uint32_t(product(F.Shape)), SpikeSource::external());
    for (uint64_t D : F.Shape)
      S.Shape.push_back(uint32_t(D));
  }

  void addNeuron(size_t I) {
    const Info &F = Infos[I];
    const std::string &T = F.N->Type;
    uint64_t N = product(F.Shape);
    if (N > std::numeric_limits<uint32_t>::max())
      failAt(I, "too many neurons");
    double Dt = O.Dt;
    NeuronModel M;
    std::vector<double> &K = Gain[I];
    auto checkTau = [&](const char *Key) {
      double Tau = uniform(I, Key, N);
      if (!(Tau > 0))
        failAt(I, fmt::format("{} = {} must be > 0 s", Key, Tau));
      if (Dt > Tau)
        failAt(I, fmt::format("{} = {} s is shorter than dt = {} s: forward Euler would "
                              "overshoot (decay by more than the whole value each step); "
                              "use a dt <= {}",
                              Key, Tau, Dt, Tau));
      return Tau;
    };
    // The CUBA LIF program resets to 0 or subtracts the threshold.
    auto resetParam = [&]() {
      double VReset = uniform(I, "v_reset", N, 0.0);
      if (VReset != 0)
        failAt(I, fmt::format("v_reset = {}, but the chip's LIF program resets v to 0 or "
                              "subtracts the threshold; v_reset must be 0",
                              VReset));
      return O.Reset == ResetMode::Subtract ? 1.0 : 0.0;
    };
    auto threshold = [&](const char *Key) {
      double Vth = uniform(I, Key, N);
      if (!(Vth > 0))
        failAt(I, fmt::format("{} = {}; the chip's LIF program needs a positive threshold",
                              Key, Vth));
      return Vth;
    };
    std::vector<double> R = T == "Threshold" ? std::vector<double>(N, 1.0) : perNeuron(I, "r", N);
    if (T == "LIF") {
      double Tau = checkTau("tau"), Vth = threshold("v_threshold");
      M = NeuronModel("lif", {{"tau_m", eulerTau(Tau, Dt)},
                              {"tau_syn", 0.0},
                              {"v_th", Vth},
                              {"bias", Dt / Tau * uniform(I, "v_leak", N)},
                              {"reset", resetParam()}});
      for (double X : R)
        K.push_back(Dt * X / Tau);
    } else if (T == "CubaLIF") {
      double TauS = checkTau("tau_syn"), TauM = checkTau("tau_mem"), Vth = threshold("v_threshold");
      M = NeuronModel("lif", {{"tau_m", eulerTau(TauM, Dt)},
                              {"tau_syn", eulerTau(TauS, Dt)},
                              {"v_th", Vth},
                              {"bias", Dt / TauM * uniform(I, "v_leak", N)},
                              {"reset", resetParam()}});
      std::vector<double> WIn = perNeuron(I, "w_in", N, 1.0);
      for (uint64_t J = 0; J < N; ++J)
        K.push_back(Dt * R[J] / TauM * Dt * WIn[J] / TauS);
    } else if (T == "Threshold") {
      M = NeuronModel("lif", {{"tau_m", 1e-12}, {"tau_syn", 0.0}, {"v_th", threshold("threshold")}});
      K.assign(N, 1.0);
    } else if (T == "IF") {
      double Vth = uniform(I, "v_threshold", N), VReset = uniform(I, "v_reset", N, 0.0);
      if (O.Reset == ResetMode::Subtract && VReset != 0)
        failAt(I, "reset mode 'subtract' with a non-zero v_reset is not representable");
      if (Vth == 0)
        failAt(I, "v_threshold = 0; the integer IF program needs a non-zero threshold");
      // Integer model: v is held as v * S, chosen by scaleIntegers once
      // the weights are known; these are the NIR values until then.
      M = NeuronModel("if", {{"threshold", Vth},
                             {"reset", O.Reset == ResetMode::Subtract ? 1.0 : 0.0},
                             {"reset_value", VReset}});
      for (double X : R)
        K.push_back(Dt * X);
      Integers.insert(I);
    } else if (T == "LI" || T == "I") {
      double Tau = T == "LI" ? checkTau("tau") : 0;
      if (T == "LI" && uniform(I, "v_leak", N) != 0)
        failAt(I, "v_leak must be 0: the chip's LI readout program has no constant input");
      for (double X : R)
        K.push_back(T == "LI" ? Dt * X / Tau : Dt * X);
      M = T == "LI" ? NeuronModel("li", {{"tau", eulerTau(Tau, Dt)}}) : NeuronModel("li", {{"dv", 0.0}});
      Readouts.insert(I);
    } else { // CubaLI: the CUBA LIF program's readout variant
      double TauS = checkTau("tau_syn"), TauM = checkTau("tau_mem");
      if (uniform(I, "v_leak", N) != 0)
        failAt(I, "v_leak must be 0: the chip's CubaLI readout program has no constant input");
      std::vector<double> WIn = perNeuron(I, "w_in", N, 1.0);
      for (uint64_t J = 0; J < N; ++J)
        K.push_back(Dt * R[J] / TauM * Dt * WIn[J] / TauS);
      M = NeuronModel("cuba_li", {{"tau_syn", eulerTau(TauS, Dt)}, {"tau_m", eulerTau(TauM, Dt)}});
      Readouts.insert(I);
    }
    Population &P = Net.addPopulation(F.N->Name, uint32_t(N), M);
    for (uint64_t D : F.Shape)
      P.Shape.push_back(uint32_t(D));
    if (T == "LI" || T == "I" || T == "CubaLI") {
      P.Record = false;
      P.Probes.push_back("v");
    }
  }

  std::set<size_t> Integers; ///< IF populations, scaled once all weights are known

  /// The largest |weight| of every projection into population Name.
  double largestWeightInto(const std::string &Name) const {
    double MaxW = 0;
    for (const Projection &P : Net.Projections)
      if (P.Post == Name)
        for (const ExplicitSynapse &S : P.Conn.Synapses)
          MaxW = std::max(MaxW, std::fabs(S.Weight));
    return MaxW;
  }

  void scaleWeightsInto(const std::string &Name, double Scale) {
    for (Projection &P : Net.Projections)
      if (P.Post == Name)
        for (ExplicitSynapse &S : P.Conn.Synapses)
          S.Weight *= Scale;
  }

  /// IF holds v as an integer v * S. S is the power of two that puts the
  /// threshold in (2^15, 2^16] (rounding it then costs < 3e-5 of a
  /// threshold), lowered so that no weight exceeds 2^19 hardware units,
  /// which every preset's mantissa and shift range holds (Loihi: 127 <<
  /// 13). A power of two keeps integer (and dyadic) weights and thresholds
  /// exact: w S is then a whole number of mantissa steps whenever w fits
  /// the mantissa, so such a network runs spike for spike as in float64.
  void scaleIntegers() {
    for (size_t I : Integers) {
      const std::string &Name = Infos[I].N->Name;
      Population *P = nullptr;
      for (Population &Q : Net.Populations)
        if (Q.Name == Name)
          P = &Q;
      double Vth = P->Model.Params.at("threshold");
      auto powerOfTwoBelow = [](double X) { // the largest 2^k <= X
        int E;
        std::frexp(X, &E); // X = m 2^E, m in [0.5, 1)
        return std::ldexp(1.0, E - 1);
      };
      double Scale = powerOfTwoBelow(std::ldexp(1.0, 16) / std::fabs(Vth));
      double MaxW = largestWeightInto(Name);
      if (MaxW * Scale > std::ldexp(1.0, 19))
        Scale = powerOfTwoBelow(std::ldexp(1.0, 19) / MaxW);
      if (std::fabs(Vth) * Scale < 64)
        failAt(I, fmt::format("its weights (up to {} per step) are over 4096 times its "
                              "threshold {}; the integer IF program cannot hold both",
                              MaxW, Vth));
      P->Model.Params["threshold"] = std::floor(Vth * Scale) + 1; // v > vth: v >= floor + 1
      P->Model.Params["reset_value"] = std::round(P->Model.Params.at("reset_value") * Scale);
      scaleWeightsInto(Name, Scale);
      if (Notes)
        Notes->VScale[Name] = Scale;
    }
  }

  std::map<size_t, ConvGeom> Geometry; ///< per Conv / pool layer, for apply
  std::set<size_t> Readouts; ///< integer readouts whose scale is set once all weights are known

  /// LI, I and CubaLI hold v as an integer v * S: S puts the largest
  /// weight at 2^12, so v keeps 12 bits of a weight's resolution and 2^11
  /// of the largest weights fit the 24-bit state before it saturates.
  void scaleReadouts() {
    for (size_t I : Readouts) {
      const std::string &Name = Infos[I].N->Name;
      double MaxW = largestWeightInto(Name);
      double Scale = MaxW > 0 ? std::ldexp(1.0, 12) / MaxW : 1.0;
      scaleWeightsInto(Name, Scale);
      if (Notes)
        Notes->VScale[Name] = Scale;
    }
  }

  std::string projectionName(const std::string &Base) {
    unsigned &N = ProjectionNames[Base];
    ++N;
    return N == 1 ? Base : fmt::format("{}#{}", Base, N);
  }

  /// Every path from Pre through weight layers starting at node First.
  void walkFrom(size_t Pre, size_t First) {
    uint64_t N = product(Infos[Pre].Shape);
    std::vector<Row> Rows(N);
    for (uint64_t J = 0; J < N; ++J)
      Rows[J][{0, uint32_t(J)}] = 1.0;
    std::vector<size_t> Path;
    walk(Pre, First, Rows, Path, /*IsBias=*/false);
  }

  void walk(size_t Pre, size_t At, const std::vector<Row> &Rows, std::vector<size_t> &Path,
            bool IsBias) {
    const Info &F = Infos[At];
    if (F.R == Role::Output) {
      if (!Path.empty())
        failAt(Path.back(), fmt::format("it feeds Output '{}' through weight layers only; the "
                                        "chip sends the host spikes of neurons, not weighted "
                                        "sums (end the chain in a neuron node, e.g. LI)",
                                        F.N->Name));
      return;
    }
    if (F.R == Role::Neuron) {
      connect(Pre, At, Rows, Path, IsBias);
      return;
    }
    if (std::find(Path.begin(), Path.end(), At) != Path.end())
      failAt(At, "it lies on a cycle of weight layers with no neuron in it; nothing holds state "
                 "to break the cycle (route a recurrent connection through a neuron node)");
    std::vector<Row> Next;
    Next.reserve(Rows.size());
    for (const Row &X : Rows)
      Next.push_back(apply(At, X));
    Path.push_back(At);
    for (size_t S : F.Succ)
      walk(Pre, S, Next, Path, IsBias);
    Path.pop_back();
  }

  void connect(size_t Pre, size_t Post, const std::vector<Row> &Rows,
               const std::vector<size_t> &Path, bool IsBias) {
    if (IsBias) {
      for (auto &[Key, V] : Rows[0])
        Bias[Post][Key] += V;
      return;
    }
    const std::vector<double> &K = Gain.at(Post);
    std::vector<ExplicitSynapse> Syn;
    for (uint32_t J = 0; J < Rows.size(); ++J)
      for (auto &[Key, V] : Rows[J]) {
        double W = V * K[Key.second];
        if (W != 0)
          Syn.push_back({J, Key.second, W, 1 + Key.first});
      }
    std::string Chain; // the weight layers, without nested-graph ports
    for (size_t X : Path)
      if (Infos[X].N->Type != "Input" && Infos[X].N->Type != "Output")
        Chain += (Chain.empty() ? "" : "+") + Infos[X].N->Name;
    std::string Name =
        Chain.empty() ? Infos[Pre].N->Name + "->" + Infos[Post].N->Name : Chain;
    Projection &P = Net.addProjection(Infos[Pre].N->Name, Infos[Post].N->Name,
                                      Connector::list(std::move(Syn)));
    P.Name = projectionName(Name);
  }

  void addBias(size_t I) {
    std::vector<Row> Rows = {biasRow(I)};
    std::vector<size_t> Path = {I};
    for (size_t S : Infos[I].Succ)
      walk(I, S, Rows, Path, /*IsBias=*/true);
  }

  /// A constant input b per step is a source firing every step with
  /// weights b: it enters where synaptic input enters (u for CubaLIF).
  void emitBiases() {
    for (auto &[Post, R] : Bias) {
      const std::vector<double> &K = Gain.at(Post);
      std::vector<ExplicitSynapse> Syn;
      for (auto &[Key, V] : R)
        if (V * K[Key.second] != 0)
          Syn.push_back({0, Key.second, V * K[Key.second], 1 + Key.first});
      if (Syn.empty())
        continue;
      std::string Name = Infos[Post].N->Name + ".bias";
      if (Index.count(Name))
        failAt(Post, fmt::format("its bias source would be named '{}', which is a node", Name));
      Net.addSource(Name, 1, SpikeSource::regular(1, 0));
      Projection &P = Net.addProjection(Name, Infos[Post].N->Name, Connector::list(std::move(Syn)));
      P.Name = projectionName(Name);
    }
  }
};

} // namespace

Network lowerGraph(const Graph &G, const LowerOptions &Options, LowerNotes *Notes) {
  return Lowerer(G, Options, Notes).run();
}

Network loadNirNetwork(const std::string &Path, const LowerOptions &Options, LowerNotes *Notes) {
  Graph G = readNirFile(Path);
  LowerOptions O = Options;
  if (O.FileName.empty())
    O.FileName = Path;
  if (Notes)
    Notes->Warnings = G.Warnings;
  return lowerGraph(G, O, Notes);
}

} // namespace neuromesh::compiler::nir
