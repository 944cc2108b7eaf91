//===- NirWrite.cpp - network IR -> NIR HDF5 file -------------------------===//
//
// Builds the NIR graph of a network (NirExport.h gives the mapping), then
// writes it with the HDF5 C API in the layout of the reference package's
// nir.write: /version and every `type` a scalar variable-length UTF-8
// string, /node/edges an (E, 2) array of them (an empty edge list a float64
// (0,) dataset, as h5py writes []), parameters float64, shapes int64.
// The file is built in memory (HDF5's core driver) and written with
// writeFileAtomically, so a failure leaves nothing behind.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/NirExport.h"

#include "NetworkDiagnostics.h"
#include "neuromesh/compiler/Connectivity.h"
#include "neuromesh/compiler/NeuronModels.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/FileIO.h"

#include <fmt/format.h>
#include <hdf5.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>

namespace neuromesh::compiler {
namespace {

/// The NIR version written to /version (the layout of nir 1.0's writer:
/// optional v_reset and w_in datasets are present).
constexpr const char *NirVersion = "1.0.0";

/// A dense export stores pre x post doubles per delay; beyond this many
/// entries (1 GiB) the file would be unusable, so it is an error instead.
constexpr uint64_t MaxDenseEntries = uint64_t(1) << 27;

/// Arrays of at least this many values are written gzip-compressed.
constexpr uint64_t MinCompressed = 4096;

using nir::Array;

Array realArray(std::vector<uint64_t> Shape, std::vector<double> V) {
  Array A;
  A.K = Array::Kind::Float;
  A.Shape = std::move(Shape);
  A.Floats = std::move(V);
  return A;
}

/// One value repeated over a population of N neurons.
Array perNeuron(uint32_t N, double V) { return realArray({N}, std::vector<double>(N, V)); }

Array shapeArray(uint32_t N) {
  Array A;
  A.K = Array::Kind::Int;
  A.Shape = {1};
  A.Ints = {int64_t(N)};
  return A;
}

Array stringArray(std::string S) {
  Array A;
  A.K = Array::Kind::String;
  A.Str = std::move(S);
  return A;
}

/// Node names: HDF5 forbids '/' in a member name and "." alone; everything
/// else a Neuromesh name may hold is kept.
std::string sanitise(const std::string &Name) {
  std::string S;
  for (char C : Name)
    S += (std::isalnum((unsigned char)C) || C == '_' || C == '-' || C == '.') ? C : '_';
  return S;
}

class Builder {
public:
  Builder(const Network &Net, double Dt, NirExportResult &R) : Net(Net), Dt(Dt), R(R) {}

  nir::Graph build() {
    for (const Population &P : Net.Populations)
      Taken.insert(P.Name);
    for (const SpikeSource &S : Net.Sources)
      Taken.insert(S.Name);
    for (const SpikeSource &S : Net.Sources)
      addSource(S);
    for (const Population &P : Net.Populations)
      addPopulation(P);
    for (const Projection &P : Net.Projections)
      addProjection(P);
    for (const Population &P : Net.Populations)
      addOutput(P);
    try {
      Problems.throwIfAny();
    } catch (const Error &E) {
      throw Error(fmt::format("cannot export network '{}' to NIR:\n{}", Net.Name, E.what()));
    }
    return std::move(G);
  }

private:
  const Network &Net;
  double Dt;
  NirExportResult &R;
  nir::Graph G;
  std::set<std::string> Taken;
  detail::ProblemList Problems;
  std::string ResetOwner; // the population that fixed R.ResetMode
  /// Per population: the bias an incoming Affine must carry (model if).
  std::map<std::string, double> PendingBias;

  std::string unique(const std::string &Base) {
    std::string Name = sanitise(Base);
    for (int I = 2; Taken.count(Name); ++I)
      Name = fmt::format("{}_{}", sanitise(Base), I);
    Taken.insert(Name);
    return Name;
  }

  void addSource(const SpikeSource &S) {
    nir::Node N{S.Name, "Input", {}};
    N.Data["shape"] = shapeArray(S.Size);
    G.Nodes.push_back(std::move(N));
    static const char *const KindName[] = {"external", "list", "poisson", "regular"};
    if (S.K != SpikeSource::Kind::External)
      R.Notes.push_back(fmt::format(
          "source '{}' ({}) is the Input node '{}': NIR stores no spike generator, so feed "
          "its spikes at run time",
          S.Name, KindName[int(S.K)], S.Name));
  }

  /// The reset mode is not stored in NIR: the importer takes one for the
  /// whole file, so every resetting population must agree.
  void useReset(const Population &P, const char *Mode) {
    if (ResetOwner.empty()) {
      ResetOwner = P.Name;
      R.ResetMode = Mode;
      return;
    }
    if (R.ResetMode != Mode)
      Problems.add(
          firstLoc(P), fmt::format("population '{}'", P.Name),
          fmt::format("resets by {} but population '{}' resets by {}; NIR stores no reset "
                      "mode and an importer applies one to the whole file: give all "
                      "populations the same reset",
                      Mode == std::string("zero") ? "setting v" : "subtracting the threshold",
                      ResetOwner,
                      R.ResetMode == "zero" ? "setting v" : "subtracting the threshold"));
  }

  static const SourceLoc &firstLoc(const Population &P) {
    return detail::firstKnown(P.Model.Loc, P.Loc);
  }

  /// Per-step retention 1 - a of a time constant on the chip (the lowering
  /// keeps exp(-dt_net/tau)), as the forward-Euler factor a = dt/tau_nir.
  double eulerFactor(double Tau) const { return 1.0 - std::exp(-Net.Dt / Tau); }

  void addPopulation(const Population &P) {
    const NeuronModel &M = P.Model;
    const uint32_t N = P.Size;
    nir::Node Node{P.Name, "", {}};
    std::string What = fmt::format("population '{}' (model {})", P.Name, M.Kind);
    auto refractoryCheck = [&](double Steps) {
      if (Steps > 0)
        Problems.add(firstLoc(P), What,
                     fmt::format("has a refractory period of {} step{}; NIR neurons have none: set "
                                 "refractory to 0 to export it",
                                 Steps, Steps == 1 ? "" : "s"));
    };
    if (M.Kind == "lif") {
      double TauM = modelParam(M, "tau_m"), TauSyn = modelParam(M, "tau_syn");
      refractoryCheck(std::round(modelParam(M, "refractory") / Net.Dt));
      double A = eulerFactor(TauM);
      Node.Data["v_threshold"] = perNeuron(N, modelParam(M, "v_th"));
      Node.Data["v_leak"] = perNeuron(N, modelParam(M, "bias") / A);
      Node.Data["v_reset"] = perNeuron(N, 0);
      Node.Data["r"] = perNeuron(N, 1 / A);
      if (TauSyn > 0) {
        double B = eulerFactor(TauSyn);
        Node.Type = "CubaLIF";
        Node.Data["tau_mem"] = perNeuron(N, Dt / A);
        Node.Data["tau_syn"] = perNeuron(N, Dt / B);
        Node.Data["w_in"] = perNeuron(N, 1 / B);
      } else {
        Node.Type = "LIF";
        Node.Data["tau"] = perNeuron(N, Dt / A);
      }
      // reset 1 subtracts v_th, which NIR's subtract reset does exactly.
      useReset(P, modelParam(M, "reset") != 0 ? "subtract" : "zero");
    } else if (M.Kind == "loihi_cuba_lif") {
      double Du = modelParam(M, "du"), Dv = modelParam(M, "dv");
      refractoryCheck(modelParam(M, "refractory"));
      if (Du == 0 || Dv == 0) {
        Problems.add(firstLoc(P), What,
                     fmt::format("{} = 0 keeps its state forever, which no finite NIR time "
                                 "constant expresses: give it a decay of at least 1",
                                 Du == 0 ? "du" : "dv"));
        return;
      }
      double A = Dv / 4096, B = Du / 4096;
      // Membrane unit: 2^6 hardware units, so a weight w adds w to I (the
      // chip adds w * 2^6 to u) and the threshold is vth_mant.
      double Bias = std::ldexp(modelParam(M, "bias_mant"), int(modelParam(M, "bias_exp"))) / 64;
      Node.Type = "CubaLIF";
      Node.Data["tau_mem"] = perNeuron(N, Dt / A);
      Node.Data["tau_syn"] = perNeuron(N, Dt / B);
      Node.Data["r"] = perNeuron(N, 1 / A);
      Node.Data["w_in"] = perNeuron(N, 1 / B);
      Node.Data["v_leak"] = perNeuron(N, Bias / A);
      Node.Data["v_threshold"] = perNeuron(N, modelParam(M, "vth_mant"));
      Node.Data["v_reset"] = perNeuron(N, 0);
      useReset(P, "zero");
      R.Notes.push_back(fmt::format(
          "population '{}' (loihi_cuba_lif): the chip truncates its decays to integers, the "
          "NIR node does not; spikes agree within that rounding",
          P.Name));
    } else if (M.Kind == "if") {
      bool Subtract = modelParam(M, "reset") != 0;
      Node.Type = "IF";
      Node.Data["r"] = perNeuron(N, 1 / Dt);
      // The chip fires when v >= T on integers, NIR when v > v_threshold.
      Node.Data["v_threshold"] = perNeuron(N, modelParam(M, "threshold") - 0.5);
      Node.Data["v_reset"] = perNeuron(N, Subtract ? 0 : modelParam(M, "reset_value"));
      useReset(P, Subtract ? "subtract" : "zero");
      if (Subtract)
        R.Notes.push_back(fmt::format(
            "population '{}' (if, reset by subtraction): v_threshold is threshold - 1/2, so a "
            "NIR simulator subtracts half a unit less per spike than the chip",
            P.Name));
      if (double Bias = modelParam(M, "bias"); Bias != 0)
        PendingBias[P.Name] = Bias;
    } else if (M.Kind == "li") {
      double Tau = modelParam(M, "tau"), DvInt = modelParam(M, "dv");
      double A = Tau > 0 ? eulerFactor(Tau) : DvInt / 4096;
      if (A > 0) {
        Node.Type = "LI";
        Node.Data["tau"] = perNeuron(N, Dt / A);
        Node.Data["r"] = perNeuron(N, 1 / A);
        Node.Data["v_leak"] = perNeuron(N, 0);
      } else {
        Node.Type = "I"; // no leak: a pure integrator
        Node.Data["r"] = perNeuron(N, 1 / Dt);
      }
    } else {
      Problems.add(
          firstLoc(P), What,
          M.Kind == "truenorth"
              ? "TrueNorth neurons (axon types, stochastic leak and threshold) have no NIR "
                "primitive; only lif, loihi_cuba_lif, if and li populations export"
              : "NIR has no adaptive-threshold neuron; only lif, loihi_cuba_lif, if and li "
                "populations export");
      return;
    }
    G.Nodes.push_back(std::move(Node));
  }

  void addProjection(const Projection &P) {
    std::string What = fmt::format("projection '{}'", detail::projectionName(P));
    const SourceLoc &Loc = P.Loc;
    const Population *Post = Net.findPopulation(P.Post);
    if (!Post || !findModel(Post->Model.Kind))
      return;
    if (P.AxonType >= 0) {
      Problems.add(Loc, What, "TrueNorth axon types have no NIR equivalent");
      return;
    }
    ExpandedSynapses E = expandProjection(Net, P);
    // One dense (post, pre) matrix per distinct delay: the chip sums every
    // synapse onto the post, as NIR sums the edges into a node.
    std::map<unsigned, std::vector<double>> ByDelay;
    uint64_t Entries = uint64_t(E.NumPre) * E.NumPost;
    for (uint32_t I = 0; I < E.NumPre; ++I)
      for (uint64_t K = E.RowStart[I]; K < E.RowStart[I + 1]; ++K) {
        auto [It, New] = ByDelay.try_emplace(E.Delay[K]);
        if (New) {
          if (Entries * ByDelay.size() > MaxDenseEntries) {
            Problems.add(
                Loc, What,
                fmt::format("{} x {} neurons with {} distinct delays need {} dense weight "
                            "entries, more than the {} the exporter writes; NIR's Linear is "
                            "dense: split the populations or use fewer delays",
                            E.NumPre, E.NumPost, ByDelay.size(), Entries * ByDelay.size(),
                            MaxDenseEntries));
            return;
          }
          It->second.assign(Entries, 0.0);
        }
        It->second[uint64_t(E.Post[K]) * E.NumPre + I] += double(E.Weight[K]);
      }
    if (ByDelay.empty())
      ByDelay[1].assign(Entries, 0.0); // no synapse: still an edge, as written
    bool Many = ByDelay.size() > 1;
    // "pre->post" (the default name) reads as pre_to_post; a given name is kept.
    std::string Name = detail::projectionName(P);
    std::string Base = sanitise(Name == P.Pre + "->" + P.Post ? P.Pre + "_to_" + P.Post : Name);
    for (auto &[Delay, W] : ByDelay) {
      nir::Node Lin{unique(Many ? fmt::format("{}_d{}", Base, Delay) : Base), "Linear", {}};
      Lin.Data["weight"] = realArray({E.NumPost, E.NumPre}, std::move(W));
      if (auto It = PendingBias.find(P.Post); It != PendingBias.end() && Delay == 1) {
        // NIR's IF has no bias: the Affine adds it to the input every step.
        Lin.Type = "Affine";
        Lin.Data["bias"] = perNeuron(E.NumPost, It->second);
        PendingBias.erase(It);
      }
      G.Edges.push_back(nir::Edge{P.Pre, Lin.Name});
      std::string Into = Lin.Name;
      if (Delay > 1) {
        // The chip's synaptic layer takes one step; the Delay node the rest.
        nir::Node D{unique(Lin.Name + "_delay"), "Delay", {}};
        D.Data["delay"] = perNeuron(E.NumPost, (Delay - 1) * Dt);
        G.Edges.push_back(nir::Edge{Lin.Name, D.Name});
        Into = D.Name;
        G.Nodes.push_back(std::move(D));
      }
      G.Edges.push_back(nir::Edge{Into, P.Post});
      G.Nodes.push_back(std::move(Lin));
    }
  }

  void addOutput(const Population &P) {
    if (auto It = PendingBias.find(P.Name); It != PendingBias.end())
      Problems.add(firstLoc(P), fmt::format("population '{}' (model if)", P.Name),
                   fmt::format("has bias {} but no incoming projection with delay 1 to carry it: "
                               "NIR's IF node has no bias term and a delayed Affine would miss "
                               "the first steps; give it such a projection or set bias to 0",
                               It->second));
    bool Readout = P.Model.Kind == "li" && !P.Probes.empty();
    if (!P.Record && !Readout)
      return;
    nir::Node Out{unique(P.Name + "_output"), "Output", {}};
    Out.Data["shape"] = shapeArray(P.Size);
    G.Edges.push_back(nir::Edge{P.Name, Out.Name});
    G.Nodes.push_back(std::move(Out));
  }
};

//===----------------------------------------------------------------------===//
// HDF5 writing
//===----------------------------------------------------------------------===//

/// Owns one HDF5 identifier and closes it with the matching call.
class Handle {
public:
  Handle(hid_t Id, herr_t (*Close)(hid_t), const std::string &What) : Id(Id), Close(Close) {
    if (Id < 0)
      throw Error(fmt::format("cannot write the NIR file: HDF5 failed to {}", What));
  }
  ~Handle() {
    if (Id >= 0)
      Close(Id);
  }
  Handle(Handle &&O) noexcept : Id(O.Id), Close(O.Close) { O.Id = -1; }
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;
  operator hid_t() const { return Id; }

private:
  hid_t Id;
  herr_t (*Close)(hid_t);
};

void check(herr_t Status, const std::string &What) {
  if (Status < 0)
    throw Error(fmt::format("cannot write the NIR file: HDF5 failed to {}", What));
}

Handle stringType() {
  Handle T(H5Tcopy(H5T_C_S1), H5Tclose, "make a string type");
  check(H5Tset_size(T, H5T_VARIABLE), "make a string type");
  check(H5Tset_cset(T, H5T_CSET_UTF8), "make a string type");
  return T;
}

Handle dataspace(const std::vector<uint64_t> &Shape) {
  std::vector<hsize_t> Dims(Shape.begin(), Shape.end());
  return Handle(Dims.empty() ? H5Screate(H5S_SCALAR)
                             : H5Screate_simple(int(Dims.size()), Dims.data(), nullptr),
                H5Sclose, "make a dataspace");
}

/// A dataset of variable-length UTF-8 strings: scalar (Shape {}) or array.
void writeStrings(hid_t Group, const std::string &Name, const std::vector<uint64_t> &Shape,
                  const std::vector<const char *> &Values) {
  Handle T = stringType();
  Handle S = dataspace(Shape);
  Handle D(H5Dcreate2(Group, Name.c_str(), T, S, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
           "create dataset " + Name);
  check(H5Dwrite(D, T, H5S_ALL, H5S_ALL, H5P_DEFAULT, Values.data()), "write dataset " + Name);
}

void writeArray(hid_t Group, const std::string &Name, const Array &A) {
  if (A.K == Array::Kind::String) {
    writeStrings(Group, Name, {}, {A.Str.c_str()});
    return;
  }
  bool IsInt = A.K == Array::Kind::Int;
  Handle S = dataspace(A.Shape);
  // Large arrays (weight matrices, mostly zeros) are gzip-compressed in one
  // chunk, as nir.write does by default; readers decompress transparently.
  Handle Dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "make dataset properties");
  uint64_t Size = IsInt ? A.Ints.size() : A.Floats.size();
  if (Size >= MinCompressed && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
    std::vector<hsize_t> Chunk(A.Shape.begin(), A.Shape.end());
    check(H5Pset_chunk(Dcpl, int(Chunk.size()), Chunk.data()), "chunk dataset " + Name);
    check(H5Pset_deflate(Dcpl, 4), "compress dataset " + Name);
  }
  Handle D(H5Dcreate2(Group, Name.c_str(), IsInt ? H5T_STD_I64LE : H5T_IEEE_F64LE, S, H5P_DEFAULT,
                      Dcpl, H5P_DEFAULT),
           H5Dclose, "create dataset " + Name);
  const void *Data = IsInt ? static_cast<const void *>(A.Ints.data()) : A.Floats.data();
  check(H5Dwrite(D, IsInt ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                 Data),
        "write dataset " + Name);
}

Handle createGroup(hid_t Parent, const std::string &Name) {
  return Handle(H5Gcreate2(Parent, Name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                "create group " + Name);
}

std::string writeImage(const nir::Graph &G, const std::map<std::string, Array> &Metadata) {
  // The core driver keeps the file in memory (no backing store); its image
  // is then written atomically like every other Neuromesh output.
  Handle Fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "make file properties");
  check(H5Pset_fapl_core(Fapl, 1 << 20, 0), "use the in-memory driver");
  Handle File(H5Fcreate("neuromesh-export.nir", H5F_ACC_TRUNC, H5P_DEFAULT, Fapl), H5Fclose,
              "create the file");
  writeArray(File, "version", stringArray(G.Version.empty() ? NirVersion : G.Version));
  {
    Handle Root = createGroup(File, "node");
    writeArray(Root, "type", stringArray("NIRGraph"));
    if (G.Edges.empty()) {
      writeArray(Root, "edges", realArray({0}, {})); // what h5py makes of []
    } else {
      std::vector<const char *> E;
      for (const nir::Edge &Ed : G.Edges) {
        E.push_back(Ed.Source.c_str());
        E.push_back(Ed.Target.c_str());
      }
      writeStrings(Root, "edges", {G.Edges.size(), 2}, E);
    }
    if (!Metadata.empty()) {
      Handle Meta = createGroup(Root, "metadata");
      for (const auto &[Name, A] : Metadata)
        writeArray(Meta, Name, A);
    }
    Handle Nodes = createGroup(Root, "nodes");
    for (const nir::Node &N : G.Nodes) {
      Handle NG = createGroup(Nodes, N.Name);
      writeArray(NG, "type", stringArray(N.Type));
      for (const auto &[Name, A] : N.Data)
        writeArray(NG, Name, A);
    }
  }
  check(H5Fflush(File, H5F_SCOPE_GLOBAL), "flush the file");
  ssize_t Size = H5Fget_file_image(File, nullptr, 0);
  if (Size < 0)
    throw Error("cannot write the NIR file: HDF5 failed to give the file image");
  std::string Image(size_t(Size), '\0');
  if (H5Fget_file_image(File, Image.data(), Image.size()) != Size)
    throw Error("cannot write the NIR file: HDF5 failed to give the file image");
  return Image;
}

} // namespace

std::string nirFileImage(const nir::Graph &G, const std::map<std::string, nir::Array> &Metadata) {
  // HDF5 prints its own error stack on failure; the Error says it once.
  H5E_auto2_t OldFunc = nullptr;
  void *OldData = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &OldFunc, &OldData);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  try {
    std::string Image = writeImage(G, Metadata);
    H5Eset_auto2(H5E_DEFAULT, OldFunc, OldData);
    return Image;
  } catch (...) {
    H5Eset_auto2(H5E_DEFAULT, OldFunc, OldData);
    throw;
  }
}

void writeNirFile(const nir::Graph &G, const std::string &Path,
                  const std::map<std::string, nir::Array> &Metadata) {
  isa::writeFileAtomically(Path, nirFileImage(G, Metadata));
}

nir::Graph exportNirGraph(const Network &Net, const NirExportOptions &Options,
                          NirExportResult &Result) {
  Net.validate();
  Result = NirExportResult();
  Result.Dt = Options.Dt > 0 ? Options.Dt : Net.Dt;
  if (!(Result.Dt > 0) || !std::isfinite(Result.Dt))
    throw Error(
        fmt::format("NIR export: dt must be a positive number of seconds, got {}", Result.Dt));
  nir::Graph G = Builder(Net, Result.Dt, Result).build();
  G.Version = NirVersion;
  Result.Nodes = G.Nodes.size();
  Result.Edges = G.Edges.size();
  return G;
}

NirExportResult exportNir(const Network &Net, const std::string &Path,
                          const NirExportOptions &Options) {
  NirExportResult R;
  nir::Graph G = exportNirGraph(Net, Options, R);
  // Not part of NIR (readers ignore metadata): the dt and reset mode to
  // import with, for a reader that wants them.
  std::map<std::string, nir::Array> Meta = {{"dt", realArray({}, {R.Dt})},
                                            {"reset", stringArray(R.ResetMode)},
                                            {"exporter", stringArray("neuromesh")}};
  writeNirFile(G, Path, Meta);
  return R;
}

} // namespace neuromesh::compiler
