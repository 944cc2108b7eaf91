//===- Architecture.cpp - reading and resolving architecture files --------===//
#include "neuromesh/isa/Architecture.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/FileIO.h"
#include "neuromesh/isa/Image.h"
#include "neuromesh/isa/YamlReader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <optional>

namespace neuromesh::isa {

const char *meshModelName(MeshModel M) {
  return M == MeshModel::Cycle ? "cycle" : "transaction";
}

std::optional<MeshModel> parseMeshModel(std::string_view Name) {
  for (MeshModel M : {MeshModel::Cycle, MeshModel::Transaction})
    if (Name == meshModelName(M))
      return M;
  return std::nullopt;
}

namespace {

constexpr int64_t U16Max = 65535;

/// A field of the file plus where its resolved value lives.
struct FieldRow {
  ArchField Info;
  int64_t &(*Int)(Architecture &); ///< integer fields
  double &(*Num)(Architecture &);  ///< number fields
};

using IntRef = int64_t &(*)(Architecture &);
using NumRef = double &(*)(Architecture &);

FieldRow intRow(const char *Path, int64_t Min, int64_t Max, const char *Default,
                const char *Doc, IntRef Ref) {
  return {{Path, "integer", Min, Max, Default, Doc, 0, 0, ""}, Ref, nullptr};
}
FieldRow numRow(const char *Path, const char *Unit, double Min, double Max,
                const char *Default, const char *Doc, NumRef Ref) {
  return {{Path, "number", 0, 0, Default, Doc, Min, Max, Unit}, nullptr, Ref};
}
FieldRow otherRow(const char *Path, const char *Type, const char *Default, const char *Doc) {
  return {{Path, Type, 0, 0, Default, Doc, 0, 0, ""}, nullptr, nullptr};
}

#define NM_INT(Expr) [](Architecture &A) -> int64_t & { return A.Expr; }
#define NM_NUM(Expr) [](Architecture &A) -> double & { return A.Expr; }
/// The two rows (energy, latency) of one priced event.
#define NM_COST(Key, Member, What)                                                     \
  numRow("costs." Key ".energy", "J", 0, 1, "0", "energy of " What, NM_NUM(Costs.Member.Energy)), \
      numRow("costs." Key ".latency", "s", 0, 1, "0", "time of " What,                 \
             NM_NUM(Costs.Member.Latency))

const std::vector<FieldRow> &fieldRows() {
  static const std::vector<FieldRow> Rows = {
      otherRow("name", "string", nullptr, "short name of the architecture, e.g. loihi"),
      otherRow("description", "string", "empty", "one line saying what the file models"),
      intRow("core.neurons", 1, U16Max, nullptr, "neurons (compartments) per core", NM_INT(Core.Neurons)),
      intRow("core.input_axons", 1, U16Max, nullptr, "input axons (fan-in lists) per core", NM_INT(Core.InputAxons)),
      intRow("core.output_axons", 1, INT32_MAX, nullptr, "output axon table entries per core (destinations of all its neurons together)", NM_INT(Core.OutputAxons)),
      intRow("core.fan_out", 1, U16Max, "core.output_axons", "most destinations (chip, core, axon) of one neuron", NM_INT(Core.FanOut)),
      intRow("core.synapse_memory_bytes", 1, INT64_C(1) << 40, nullptr, "synaptic memory per core, in bytes", NM_INT(Core.SynapseMemoryBytes)),
      intRow("core.weight_bits", 1, 16, nullptr, "bits of the signed weight mantissa", NM_INT(Core.WeightBits)),
      intRow("core.weight_exponent_min", 0, MaxWeightShift, "0", "smallest weight exponent: weight = mantissa * 2^exponent", NM_INT(Core.WeightExponentMin)),
      intRow("core.weight_exponent_max", 0, MaxWeightShift, "core.weight_exponent_min", "largest weight exponent", NM_INT(Core.WeightExponentMax)),
      intRow("core.delay_slots", 1, MaxDelaySlots, nullptr, "dendritic delay ring size: synaptic delays are 1..delay_slots steps", NM_INT(Core.DelaySlots)),
      intRow("core.profiles", 1, U16Max, "16", "neuron profiles (parameter set + microcode program) per core", NM_INT(Core.Profiles)),
      intRow("core.state_words", 1, MaxStateWords, "8", "32-bit state words per neuron", NM_INT(Core.StateWords)),
      otherRow("core.encodings", "list of encodings", nullptr, "synapse encodings the core supports: sparse, dense, crossbar"),
      intRow("core.sparse_synapse_bits", 1, 256, "weight_bits + delay bits + neuron index bits", "synaptic memory one sparse synapse takes", NM_INT(Core.SparseSynapseBits)),
      intRow("core.dense_synapse_bits", 1, 256, "core.weight_bits", "synaptic memory one dense synapse takes", NM_INT(Core.DenseSynapseBits)),
      intRow("mesh.width", 1, U16Max, nullptr, "tiles per chip in x", NM_INT(Mesh.Width)),
      intRow("mesh.height", 1, U16Max, nullptr, "tiles per chip in y", NM_INT(Mesh.Height)),
      intRow("mesh.cores_per_tile", 1, 255, nullptr, "cores sharing one router", NM_INT(Mesh.CoresPerTile)),
      numRow("mesh.clock_period", "s", 1e-12, 1e-3, "1ns", "the mesh clock: every time of the SystemC model is rounded up to whole cycles", NM_NUM(Mesh.ClockPeriod)),
      intRow("mesh.router.buffer_depth", 1, U16Max, "4", "messages per router input buffer", NM_INT(Mesh.BufferDepth)),
      intRow("mesh.router.eject_depth", 0, U16Max, "4", "messages per tile eject buffer (0 = unbounded)", NM_INT(Mesh.EjectDepth)),
      intRow("mesh.link.bits_per_cycle", 1, U16Max, "32", "bits a router-to-router link carries per cycle", NM_INT(Mesh.LinkBitsPerCycle)),
      intRow("mesh.message_bits", 1, U16Max, "32", "bits of one spike message", NM_INT(Mesh.MessageBits)),
      otherRow("mesh.model", "string", meshModelName(DefaultMeshModel), "how the SystemC model carries messages: cycle (routers evaluated cycle by cycle, round-robin) or transaction (each message reserves its whole path at once, oldest first)"),
      intRow("mesh.no_progress_cycles", 1, INT64_C(1) << 40, "100000", "cycles with messages in the mesh and none moving before a run stops as deadlocked", NM_INT(Mesh.NoProgressCycles)),
      numRow("host.message_interval", "s", 0, 1, "0", "time between two input messages entering at the host interface; 0 = one mesh cycle", NM_NUM(Host.MessageInterval)),
      intRow("chips.count", 1, U16Max, "1", "chips in the system", NM_INT(Chips.Count)),
      intRow("chips.grid_width", 1, U16Max, "chips.count", "chips per row of the chip grid", NM_INT(Chips.GridWidth)),
      intRow("chips.grid_height", 1, U16Max, "1", "rows of the chip grid", NM_INT(Chips.GridHeight)),
      numRow("timestep.tick_seconds", "s", 0, 3600, "0", "seconds per timestep when paced by a tick; 0 = unthrottled", NM_NUM(Timestep.TickSeconds)),
      otherRow("costs.model", "string", "the file's only cost set", "which named cost set of the file to use"),
      NM_COST("synapse_sparse", SynapseSparse, "one synapse of a sparse segment"),
      NM_COST("synapse_dense", SynapseDense, "one synapse of a dense segment"),
      NM_COST("synapse_crossbar", SynapseCrossbar, "one connected crossbar synapse"),
      NM_COST("dendrite", Dendrite, "reading a nonzero dendritic input"),
      NM_COST("neuron_access", NeuronAccess, "visiting a neuron (every neuron, every step)"),
      NM_COST("neuron_active", NeuronActive, "updating a neuron with input or that fired"),
      NM_COST("neuron_inactive", NeuronInactive, "updating any other neuron"),
      NM_COST("spike_generation", SpikeGeneration, "a neuron firing"),
      NM_COST("message_out", MessageOut, "sending one axon address"),
      NM_COST("message_in", MessageIn, "a spike arriving on an input axon"),
      NM_COST("within_tile", WithinTile, "a message between cores of one tile"),
      NM_COST("hop_east_west", HopEastWest, "a message crossing one router in x"),
      NM_COST("hop_north_south", HopNorthSouth, "a message crossing one router in y"),
      NM_COST("chip_link", ChipLink, "a message crossing one chip-to-chip link"),
      intRow("costs.synapse_overlap", 0, 1, "0", "1: a core's synapse unit works while its neuron unit updates (busy time = the larger), 0: one after the other (the sum)", NM_INT(Costs.SynapseOverlap)),
      otherRow("costs.barrier_latency", "table", "none (0)", "barrier time by tiles taking part, {tiles: seconds, ...}, interpolated"),
      numRow("costs.barrier_energy", "J", 0, 1, "0", "energy of the barrier per participating tile per step", NM_NUM(Costs.BarrierEnergy)),
      numRow("costs.static_power.per_core", "W", 0, 1000, "0", "static power of every core of the system", NM_NUM(Costs.StaticPowerPerCore)),
      numRow("costs.static_power.per_chip", "W", 0, 1000, "0", "static power of every chip, besides its cores", NM_NUM(Costs.StaticPowerPerChip)),
  };
  return Rows;
}
#undef NM_INT
#undef NM_NUM
#undef NM_COST

/// Layer one: the file as written, flattened to dotted paths. A cost set's
/// values keep their set in the path (costs.silicon.hop_east_west.energy).
struct RawValue {
  std::string Text;               ///< scalar text (or an override's value)
  std::vector<std::string> Items; ///< list items; table items as "tiles:value"
  bool IsList = false;
  yaml::Node *Where = nullptr;    ///< nullptr for command-line overrides
};

/// The named cost sets the file (and the overrides) define.
struct CostSet {
  std::string Name;
  yaml::Node *Where = nullptr;
};

bool isSection(llvm::StringRef Path) {
  for (const FieldRow &R : fieldRows())
    if (llvm::StringRef(R.Info.Path).startswith((Path + ".").str()))
      return true;
  return false;
}

const FieldRow *findField(llvm::StringRef Path) {
  for (const FieldRow &R : fieldRows())
    if (Path == R.Info.Path)
      return &R;
  return nullptr;
}

bool isCostField(const FieldRow *R) {
  return R && llvm::StringRef(R->Info.Path).startswith("costs.") &&
         llvm::StringRef(R->Info.Path) != "costs.model";
}

/// For a path inside a cost set, costs.<set>.<rest>: the set and the field
/// costs.<rest>; nullptr when Path is not one.
const FieldRow *costSetField(llvm::StringRef Path, std::string &Set) {
  if (!Path.startswith("costs."))
    return nullptr;
  auto [Name, Rest] = Path.drop_front(6).split('.');
  const FieldRow *R = findField(("costs." + Rest).str());
  if (Rest.empty() || !isCostField(R))
    return nullptr;
  Set = Name.str();
  return R;
}

std::string knownFieldList() {
  std::string S;
  for (const FieldRow &R : fieldRows())
    S += (S.empty() ? "" : ", ") + std::string(R.Info.Path);
  return S;
}

/// Flattens mapping M, written at RawPrefix, whose keys are fields below
/// FieldPrefix (they differ inside a cost set, costs.<set>.x being field
/// costs.x).
void flatten(yaml::Reader &Rd, yaml::MappingNode *M, const std::string &RawPrefix,
             const std::string &FieldPrefix, std::map<std::string, RawValue> &Out,
             std::vector<CostSet> &Sets) {
  // The keys allowed here: the next component of every field path below FieldPrefix.
  std::vector<std::string> Storage;
  const bool InSet = RawPrefix != FieldPrefix;
  for (const FieldRow &R : fieldRows()) {
    llvm::StringRef P(R.Info.Path);
    if (!FieldPrefix.empty()) {
      if (!P.startswith(FieldPrefix + "."))
        continue;
      P = P.drop_front(FieldPrefix.size() + 1);
    }
    if (InSet && !isCostField(&R))
      continue;
    std::string Head = P.split('.').first.str();
    if (std::find(Storage.begin(), Storage.end(), Head) == Storage.end())
      Storage.push_back(Head);
  }
  std::vector<llvm::StringRef> Keys;
  for (const std::string &S : Storage)
    Keys.push_back(S);
  auto Visit = [&](llvm::StringRef Key, yaml::Node *Value) {
    std::string Path = RawPrefix.empty() ? Key.str() : RawPrefix + "." + Key.str();
    std::string FieldPath = FieldPrefix.empty() ? Key.str() : FieldPrefix + "." + Key.str();
    if (isSection(FieldPath)) {
      if (auto *Sub = Rd.mapping(Value, Path))
        flatten(Rd, Sub, Path, FieldPath, Out, Sets);
      return;
    }
    RawValue V;
    V.Where = Value;
    const FieldRow *Row = findField(FieldPath);
    if (Row && std::string(Row->Info.Type) == "table") {
      auto *Map = llvm::dyn_cast_or_null<yaml::MappingNode>(Value);
      if (!Map) {
        Rd.error(Value, "expected a mapping of tiles: seconds for " + Path +
                            ", e.g. {1: 113ns, 32: 465ns}");
        return;
      }
      V.IsList = true;
      for (auto &KV : *Map) {
        auto K = Rd.string(KV.getKey(), Path);
        auto X = Rd.string(KV.getValue(), Path);
        if (K && X)
          V.Items.push_back(*K + ":" + *X);
      }
    } else if (auto *Seq = llvm::dyn_cast_or_null<yaml::SequenceNode>(Value)) {
      V.IsList = true;
      for (auto &Item : *Seq)
        if (auto S = Rd.string(&Item, Path))
          V.Items.push_back(*S);
    } else if (auto S = Rd.string(Value, Path)) {
      V.Text = *S;
    } else {
      return;
    }
    Out[Path] = std::move(V);
  };
  if (RawPrefix != "costs" || !M)
    return Rd.forEachKey(M, RawPrefix, Keys, Visit);
  // At the top of costs, a key that is not a field and holds a mapping
  // names a cost set. (A YAML mapping can be walked only once, so this is
  // forEachKey's walk with that one rule added.)
  std::vector<std::string> Seen;
  for (auto &KV : *M) {
    auto *KeyNode = llvm::dyn_cast_or_null<yaml::ScalarNode>(KV.getKey());
    if (!KeyNode) {
      Rd.error(KV.getKey(), "expected a plain key in costs");
      continue;
    }
    llvm::SmallString<32> Buf;
    std::string Key = KeyNode->getValue(Buf).str();
    yaml::Node *Value = KV.getValue();
    if (std::find(Seen.begin(), Seen.end(), Key) != Seen.end()) {
      Rd.error(KV.getKey(), "duplicate key costs." + Key);
      continue;
    }
    Seen.push_back(Key);
    if (std::find(Storage.begin(), Storage.end(), Key) != Storage.end()) {
      Visit(Key, Value);
      continue;
    }
    std::string Best;
    unsigned BestD = ~0u;
    for (const std::string &K : Storage) {
      unsigned D = yaml::editDistance(Key, K);
      if (D < BestD) {
        BestD = D;
        Best = K;
      }
    }
    // A mapping names a set, unless its name is a near miss of a cost field
    // (synapse_sprase: {energy: ...} is a typo, not a set).
    auto *Set = llvm::dyn_cast_or_null<yaml::MappingNode>(Value);
    if (Set && BestD > 2) {
      Sets.push_back({Key, KV.getKey()});
      flatten(Rd, Set, "costs." + Key, "costs", Out, Sets);
      continue;
    }
    Rd.error(KV.getKey(), "unknown key costs." + Key + "; did you mean '" + Best +
                              "'? (a named cost set is a mapping of cost fields)");
  }
}

std::string numberText(double X, const char *Unit) {
  return fmt::format("{}{}{}", X, *Unit ? " " : "", Unit);
}

/// Checks V against Row and stores it in A. Shown is the path named in
/// messages (a cost set's path, or the field's).
void resolveValue(const FieldRow &Row, const RawValue &V, const std::string &Shown,
                  Architecture &A, const std::function<void(const std::string &)> &Fail) {
  const std::string Where = V.Where ? "" : "--set ";
  const ArchField &F = Row.Info;
  if (Row.Int) {
    int64_t X = 0;
    if (V.IsList || llvm::StringRef(V.Text).trim().getAsInteger(0, X))
      return Fail(fmt::format("{}{} must be an integer in [{}, {}], got '{}'", Where, Shown,
                              F.Min, F.Max, V.Text));
    if (X < F.Min || X > F.Max)
      return Fail(fmt::format("{}{} must be in [{}, {}], got {}", Where, Shown, F.Min, F.Max, X));
    Row.Int(A) = X;
    return;
  }
  if (Row.Num) {
    double X = 0;
    if (V.IsList || !parseQuantity(V.Text, F.Unit, X))
      return Fail(fmt::format("{}{} must be a number in [{}, {}] {} (e.g. 2.5 or 2.5p{}), got '{}'",
                              Where, Shown, F.NumMin, F.NumMax, F.Unit, F.Unit, V.Text));
    if (X < F.NumMin || X > F.NumMax)
      return Fail(fmt::format("{}{} must be in [{}, {}] {}, got {}", Where, Shown, F.NumMin,
                              F.NumMax, F.Unit, numberText(X, F.Unit)));
    Row.Num(A) = X;
    return;
  }
  const std::string Path = F.Path;
  if (Path == "name" || Path == "description" || Path == "costs.model") {
    if (V.IsList)
      return Fail(fmt::format("{}{} must be a string", Where, Shown));
    (Path == "name" ? A.Name : Path == "description" ? A.Description : A.Costs.Model) = V.Text;
    return;
  }
  if (Path == "costs.barrier_latency") {
    if (!V.IsList || V.Items.empty())
      return Fail(fmt::format("{}{} must be a non-empty table of tiles: seconds, e.g. "
                              "{{1: 113ns, 32: 465ns}} (on the command line 1:113ns+32:465ns)",
                              Where, Shown));
    std::vector<BarrierPoint> Points;
    for (const std::string &Item : V.Items) {
      auto [K, X] = llvm::StringRef(Item).split(':');
      BarrierPoint P;
      if (K.trim().getAsInteger(0, P.Tiles) || P.Tiles < 1 || P.Tiles > INT32_MAX) {
        Fail(fmt::format("{}{}: tiles must be an integer >= 1, got '{}'", Where, Shown, K.str()));
        continue;
      }
      if (!parseQuantity(X.str(), "s", P.Seconds) || P.Seconds < 0 || P.Seconds > 1) {
        Fail(fmt::format("{}{}: the latency for {} tiles must be a time in [0, 1] s (e.g. "
                         "465ns), got '{}'",
                         Where, Shown, P.Tiles, X.str()));
        continue;
      }
      Points.push_back(P);
    }
    std::stable_sort(Points.begin(), Points.end(),
                     [](const BarrierPoint &L, const BarrierPoint &R) { return L.Tiles < R.Tiles; });
    for (size_t I = 1; I < Points.size(); ++I)
      if (Points[I].Tiles == Points[I - 1].Tiles)
        return Fail(fmt::format("{}{}: {} tiles given twice", Where, Shown, Points[I].Tiles));
    A.Costs.Barrier = std::move(Points);
    return;
  }
  if (Path == "mesh.model") {
    if (std::optional<MeshModel> M = V.IsList ? std::nullopt : parseMeshModel(V.Text)) {
      A.Mesh.Model = *M;
      return;
    }
    return Fail(fmt::format("{}{} must be one of: cycle, transaction, got '{}'", Where, Shown,
                            V.IsList ? std::string("a list") : V.Text));
  }
  assert(Path == "core.encodings" && "every other field has a resolver");
  if (!V.IsList || V.Items.empty())
    return Fail("core.encodings must be a non-empty list of: sparse, dense, crossbar");
  for (const std::string &E : V.Items) {
    if (E == "sparse")
      A.Core.Sparse = true;
    else if (E == "dense")
      A.Core.Dense = true;
    else if (E == "crossbar")
      A.Core.Crossbar = true;
    else
      Fail(fmt::format("{}core.encodings: unknown encoding '{}'; known: sparse, dense, "
                       "crossbar", Where, E));
  }
}

/// Bits needed to hold values 0..N-1 (at least 1).
int64_t bitsFor(int64_t N) {
  int64_t B = 1;
  while ((int64_t(1) << B) < N)
    ++B;
  return B;
}

} // namespace

const std::vector<ArchField> &architectureFields() {
  static const std::vector<ArchField> Fields = [] {
    std::vector<ArchField> F;
    for (const FieldRow &R : fieldRows())
      F.push_back(R.Info);
    return F;
  }();
  return Fields;
}

ArchOverride parseArchOverride(const std::string &Text) {
  auto Eq = Text.find('=');
  if (Eq == std::string::npos || Eq == 0)
    throw Error(fmt::format("--set '{}': expected path=value, e.g. core.neurons=2048", Text));
  return {Text.substr(0, Eq), Text.substr(Eq + 1)};
}

Architecture parseArchitecture(const std::string &Text, const std::string &FileName,
                               const std::vector<ArchOverride> &Overrides) {
  yaml::Reader Rd(Text, FileName);
  std::map<std::string, RawValue> Raw;
  std::vector<CostSet> Sets;
  if (auto *Root = Rd.root())
    if (auto *M = Rd.mapping(Root, "the architecture file"))
      flatten(Rd, M, "", "", Raw, Sets);

  // Overrides replace what the file says; an unknown path is an error that
  // lists the fields. costs.<set>.<field> changes one value of a cost set.
  std::vector<std::string> OverrideErrors;
  for (const auto &[Path, Value] : Overrides) {
    const FieldRow *Row = findField(Path);
    std::string SetName;
    if (!Row && (Row = costSetField(Path, SetName))) {
      auto Known = [&](const CostSet &S) { return S.Name == SetName; };
      if (std::find_if(Sets.begin(), Sets.end(), Known) == Sets.end())
        Sets.push_back({SetName, nullptr});
    }
    if (!Row) {
      OverrideErrors.push_back(fmt::format(
          "--set {}: no such field; fields are: {} (and costs.<set>.<cost field> for a named "
          "cost set)",
          Path, knownFieldList()));
      continue;
    }
    RawValue V;
    const std::string Type = Row->Info.Type;
    if (Type == "list of encodings" || Type == "table") {
      V.IsList = true;
      llvm::SmallVector<llvm::StringRef, 4> Parts;
      llvm::StringRef(Value).split(Parts, '+', -1, false);
      for (auto P : Parts)
        V.Items.push_back(P.trim().str());
    } else {
      V.Text = Value;
    }
    Raw[Path] = V;
  }

  // Layer two: resolve, with ranges.
  Architecture A;
  std::vector<std::string> Errors = OverrideErrors;
  auto Fail = [&](const RawValue *V, const std::string &Msg) {
    if (V && V->Where)
      Rd.error(V->Where, Msg);
    else
      Errors.push_back(Msg);
  };
  auto Lookup = [&](const std::string &Path) -> const RawValue * {
    auto It = Raw.find(Path);
    return It == Raw.end() ? nullptr : &It->second;
  };

  // The cost set: named by costs.model, or the file's only one.
  std::string SetNames;
  for (const CostSet &S : Sets)
    SetNames += (SetNames.empty() ? "" : ", ") + S.Name;
  std::string Model;
  if (const RawValue *M = Lookup("costs.model")) {
    Model = M->Text;
    auto Named = [&](const CostSet &S) { return S.Name == Model; };
    if (std::find_if(Sets.begin(), Sets.end(), Named) == Sets.end()) {
      Fail(M, fmt::format("{}costs.model '{}' names no cost set of this file; {}",
                          M->Where ? "" : "--set ", Model,
                          Sets.empty() ? "write one as costs: {" + Model + ": {...}}"
                                       : "the sets are: " + SetNames));
      Model.clear();
    }
  } else if (Sets.size() == 1) {
    Model = Sets[0].Name;
  } else if (Sets.size() > 1) {
    Errors.push_back(fmt::format("{}: error: costs.model is missing and the file has several "
                                 "cost sets ({}); choose one, e.g. costs.model: {} or --set "
                                 "costs.model={}",
                                 FileName, SetNames, Sets[0].Name, Sets[0].Name));
  }
  A.Costs.Model = Model;

  // A cost field's value: an override of the field itself, else the
  // selected set's, else the one written directly under costs (shared by
  // every set).
  auto LookupField = [&](const FieldRow &Row, std::string &Shown) -> const RawValue * {
    Shown = Row.Info.Path;
    const RawValue *V = Lookup(Row.Info.Path);
    if (!isCostField(&Row) || Model.empty() || (V && !V->Where))
      return V;
    std::string InSet = "costs." + Model + "." + std::string(Row.Info.Path).substr(6);
    if (const RawValue *S = Lookup(InSet)) {
      Shown = InSet;
      return S;
    }
    return V;
  };

  for (const FieldRow &Row : fieldRows()) {
    if (std::string(Row.Info.Path) == "costs.model")
      continue;
    std::string Shown;
    const RawValue *V = LookupField(Row, Shown);
    if (!V) {
      if (!Row.Info.Default)
        Errors.push_back(fmt::format("{}: error: missing required field {} ({})", FileName,
                                     Row.Info.Path, Row.Info.Doc));
      continue;
    }
    resolveValue(Row, *V, Shown, A, [&](const std::string &Msg) { Fail(V, Msg); });
  }
  // The sets not selected are checked too, so a mistake in one shows up
  // before someone switches to it.
  for (const auto &[Path, V] : Raw) {
    std::string Set;
    const FieldRow *Row = costSetField(Path, Set);
    if (!Row || Set == Model)
      continue;
    Architecture Scratch;
    resolveValue(*Row, V, Path, Scratch, [&](const std::string &Msg) { Fail(&V, Msg); });
  }

  // Defaults that depend on other fields.
  auto Has = [&](const char *P) { return Lookup(P) != nullptr; };
  if (!Has("core.fan_out"))
    A.Core.FanOut = std::min<int64_t>(A.Core.OutputAxons, U16Max);
  if (!Has("core.weight_exponent_max"))
    A.Core.WeightExponentMax = A.Core.WeightExponentMin;
  if (!Has("core.profiles"))
    A.Core.Profiles = 16;
  if (!Has("core.state_words"))
    A.Core.StateWords = MaxStateWords;
  if (!Has("core.sparse_synapse_bits"))
    A.Core.SparseSynapseBits =
        A.Core.WeightBits + bitsFor(A.Core.DelaySlots) + bitsFor(A.Core.Neurons);
  if (!Has("core.dense_synapse_bits"))
    A.Core.DenseSynapseBits = A.Core.WeightBits;
  if (!Has("chips.count"))
    A.Chips.Count = 1;
  if (!Has("chips.grid_width"))
    A.Chips.GridWidth = A.Chips.Count;
  if (!Has("chips.grid_height"))
    A.Chips.GridHeight = 1;

  // Consistency between fields.
  if (Errors.empty() && Rd.errorCount() == 0) {
    if (A.Core.WeightExponentMax < A.Core.WeightExponentMin)
      Fail(Lookup("core.weight_exponent_max"),
           fmt::format("core.weight_exponent_max ({}) is below core.weight_exponent_min ({})",
                       A.Core.WeightExponentMax, A.Core.WeightExponentMin));
    if (A.Core.FanOut > A.Core.OutputAxons)
      Fail(Lookup("core.fan_out"),
           fmt::format("core.fan_out ({}) exceeds core.output_axons ({})", A.Core.FanOut,
                       A.Core.OutputAxons));
    if (A.Chips.GridWidth * A.Chips.GridHeight < A.Chips.Count)
      Fail(Lookup("chips.grid_width"),
           fmt::format("a {} x {} chip grid cannot hold chips.count = {} chips",
                       A.Chips.GridWidth, A.Chips.GridHeight, A.Chips.Count));
    if (A.coresPerChip() > U16Max)
      Fail(Lookup("mesh.width"),
           fmt::format("mesh.width x mesh.height x mesh.cores_per_tile = {} cores per chip; "
                       "at most {} are addressable",
                       A.coresPerChip(), U16Max));
  }

  std::string All = Rd.errorCount() ? Rd.diagnostics() : "";
  for (const std::string &E : Errors)
    All += E + "\n";
  if (!All.empty()) {
    while (!All.empty() && All.back() == '\n')
      All.pop_back();
    throw Error(All);
  }
  return A;
}

bool parseQuantity(const std::string &Text, const std::string &Unit, double &Value) {
  llvm::StringRef T = llvm::StringRef(Text).trim();
  double Scale = 1;
  if (!Unit.empty() && T.endswith(Unit)) {
    T = T.drop_back(Unit.size()).rtrim();
    static const std::pair<char, double> Prefixes[] = {
        {'f', 1e-15}, {'p', 1e-12}, {'n', 1e-9}, {'u', 1e-6},
        {'m', 1e-3},  {'k', 1e3},   {'M', 1e6},  {'G', 1e9}};
    for (const auto &[C, S] : Prefixes) {
      if (!T.empty() && T.back() == C) {
        Scale = S;
        T = T.drop_back().rtrim();
        break;
      }
    }
  }
  double X = 0;
  if (T.empty() || T.getAsDouble(X))
    return false;
  X *= Scale;
  if (!std::isfinite(X))
    return false;
  Value = X;
  return true;
}

double CostSpec::barrierLatency(int64_t Tiles) const {
  if (Barrier.empty())
    return 0;
  if (Barrier.size() == 1 || Tiles <= Barrier.front().Tiles)
    return Barrier.front().Seconds;
  // The segment that holds Tiles, or the last one to extend beyond it.
  size_t I = 1;
  while (I + 1 < Barrier.size() && Barrier[I].Tiles < Tiles)
    ++I;
  const BarrierPoint &L = Barrier[I - 1], &R = Barrier[I];
  double T = R.Seconds + (R.Seconds - L.Seconds) * double(Tiles - R.Tiles) /
                             double(R.Tiles - L.Tiles);
  return T < 0 ? 0 : T;
}

Architecture loadArchitecture(const std::string &Path,
                              const std::vector<ArchOverride> &Overrides) {
  return parseArchitecture(readFile(Path, "the architecture file (presets are in examples/arch/)"),
                           Path, Overrides);
}

uint64_t Architecture::fingerprint() const {
  // FNV-1a over a canonical rendering of every resolved value.
  std::string S = fmt::format(
      "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}{}{}|{}|{}|{}|{}|{}|{}|{}|{}", Name, Core.Neurons,
      Core.InputAxons, Core.OutputAxons, Core.FanOut, Core.SynapseMemoryBytes, Core.WeightBits,
      Core.WeightExponentMin, Core.WeightExponentMax, Core.DelaySlots, Core.Profiles,
      Core.StateWords, int(Core.Sparse), int(Core.Dense), int(Core.Crossbar),
      Core.SparseSynapseBits, Core.DenseSynapseBits, Mesh.Width, Mesh.Height, Mesh.CoresPerTile,
      Chips.Count, Chips.GridWidth, Chips.GridHeight);
  uint64_t H = 0xcbf29ce484222325ULL;
  for (unsigned char C : S) {
    H ^= C;
    H *= 0x100000001b3ULL;
  }
  return H;
}

} // namespace neuromesh::isa
