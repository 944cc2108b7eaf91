//===- Architecture.cpp - reading and resolving architecture files --------===//
#include "neuromesh/isa/Architecture.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/FileIO.h"
#include "neuromesh/isa/Image.h"
#include "neuromesh/isa/YamlReader.h"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>
#include <optional>

namespace neuromesh::isa {

namespace {

constexpr int64_t U16Max = 65535;

/// A field of the file plus where its resolved value lives.
struct FieldRow {
  ArchField Info;
  int64_t &(*Int)(Architecture &); ///< integer fields
};

#define NM_INT(Expr) [](Architecture &A) -> int64_t & { return A.Expr; }

const std::vector<FieldRow> &fieldRows() {
  static const std::vector<FieldRow> Rows = {
      {{"name", "string", 0, 0, nullptr, "short name of the architecture, e.g. loihi"}, nullptr},
      {{"description", "string", 0, 0, "empty", "one line saying what the file models"}, nullptr},
      {{"core.neurons", "integer", 1, U16Max, nullptr, "neurons (compartments) per core"}, NM_INT(Core.Neurons)},
      {{"core.input_axons", "integer", 1, U16Max, nullptr, "input axons (fan-in lists) per core"}, NM_INT(Core.InputAxons)},
      {{"core.output_axons", "integer", 1, INT32_MAX, nullptr, "output axon table entries per core (destinations of all its neurons together)"}, NM_INT(Core.OutputAxons)},
      {{"core.fan_out", "integer", 1, U16Max, "core.output_axons", "most destinations (chip, core, axon) of one neuron"}, NM_INT(Core.FanOut)},
      {{"core.synapse_memory_bytes", "integer", 1, INT64_C(1) << 40, nullptr, "synaptic memory per core, in bytes"}, NM_INT(Core.SynapseMemoryBytes)},
      {{"core.weight_bits", "integer", 1, 16, nullptr, "bits of the signed weight mantissa"}, NM_INT(Core.WeightBits)},
      {{"core.weight_exponent_min", "integer", 0, MaxWeightShift, "0", "smallest weight exponent: weight = mantissa * 2^exponent"}, NM_INT(Core.WeightExponentMin)},
      {{"core.weight_exponent_max", "integer", 0, MaxWeightShift, "core.weight_exponent_min", "largest weight exponent"}, NM_INT(Core.WeightExponentMax)},
      {{"core.delay_slots", "integer", 1, MaxDelaySlots, nullptr, "dendritic delay ring size: synaptic delays are 1..delay_slots steps"}, NM_INT(Core.DelaySlots)},
      {{"core.profiles", "integer", 1, U16Max, "16", "neuron profiles (parameter set + microcode program) per core"}, NM_INT(Core.Profiles)},
      {{"core.state_words", "integer", 1, MaxStateWords, "8", "32-bit state words per neuron"}, NM_INT(Core.StateWords)},
      {{"core.encodings", "list of encodings", 0, 0, nullptr, "synapse encodings the core supports: sparse, dense, crossbar"}, nullptr},
      {{"core.sparse_synapse_bits", "integer", 1, 256, "weight_bits + delay bits + neuron index bits", "synaptic memory one sparse synapse takes"}, NM_INT(Core.SparseSynapseBits)},
      {{"core.dense_synapse_bits", "integer", 1, 256, "core.weight_bits", "synaptic memory one dense synapse takes"}, NM_INT(Core.DenseSynapseBits)},
      {{"mesh.width", "integer", 1, U16Max, nullptr, "tiles per chip in x"}, NM_INT(Mesh.Width)},
      {{"mesh.height", "integer", 1, U16Max, nullptr, "tiles per chip in y"}, NM_INT(Mesh.Height)},
      {{"mesh.cores_per_tile", "integer", 1, 255, nullptr, "cores sharing one router"}, NM_INT(Mesh.CoresPerTile)},
      {{"chips.count", "integer", 1, U16Max, "1", "chips in the system"}, NM_INT(Chips.Count)},
      {{"chips.grid_width", "integer", 1, U16Max, "chips.count", "chips per row of the chip grid"}, NM_INT(Chips.GridWidth)},
      {{"chips.grid_height", "integer", 1, U16Max, "1", "rows of the chip grid"}, NM_INT(Chips.GridHeight)},
  };
  return Rows;
}
#undef NM_INT

/// Layer one: the file as written, flattened to dotted paths.
struct RawValue {
  std::string Text;               ///< scalar text (or an override's value)
  std::vector<std::string> Items; ///< list items
  bool IsList = false;
  yaml::Node *Where = nullptr;    ///< nullptr for command-line overrides
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

std::string knownFieldList() {
  std::string S;
  for (const FieldRow &R : fieldRows())
    S += (S.empty() ? "" : ", ") + std::string(R.Info.Path);
  return S;
}

void flatten(yaml::Reader &Rd, yaml::MappingNode *M, const std::string &Prefix,
             std::map<std::string, RawValue> &Out) {
  std::vector<llvm::StringRef> Keys;
  // The keys allowed here: the next component of every field path below Prefix.
  std::vector<std::string> Storage;
  for (const FieldRow &R : fieldRows()) {
    llvm::StringRef P(R.Info.Path);
    if (!Prefix.empty()) {
      if (!P.startswith(Prefix + "."))
        continue;
      P = P.drop_front(Prefix.size() + 1);
    }
    std::string Head = P.split('.').first.str();
    if (std::find(Storage.begin(), Storage.end(), Head) == Storage.end())
      Storage.push_back(Head);
  }
  for (const std::string &S : Storage)
    Keys.push_back(S);
  auto Visit = [&](llvm::StringRef Key, yaml::Node *Value) {
    std::string Path = Prefix.empty() ? Key.str() : Prefix + "." + Key.str();
    if (isSection(Path)) {
      if (auto *Sub = Rd.mapping(Value, Path))
        flatten(Rd, Sub, Path, Out);
      return;
    }
    RawValue V;
    V.Where = Value;
    if (auto *Seq = llvm::dyn_cast_or_null<yaml::SequenceNode>(Value)) {
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
  Rd.forEachKey(M, Prefix, Keys, Visit);
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
  if (auto *Root = Rd.root())
    if (auto *M = Rd.mapping(Root, "the architecture file"))
      flatten(Rd, M, "", Raw);

  // Overrides replace what the file says; an unknown path is an error that
  // lists the fields.
  std::vector<std::string> OverrideErrors;
  for (const auto &[Path, Value] : Overrides) {
    const FieldRow *Row = findField(Path);
    if (!Row) {
      OverrideErrors.push_back(fmt::format(
          "--set {}: no such field; fields are: {}", Path, knownFieldList()));
      continue;
    }
    RawValue V;
    if (std::string(Row->Info.Type) == "list of encodings") {
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
  auto Lookup = [&](const char *Path) -> const RawValue * {
    auto It = Raw.find(Path);
    return It == Raw.end() ? nullptr : &It->second;
  };

  for (const FieldRow &Row : fieldRows()) {
    const RawValue *V = Lookup(Row.Info.Path);
    std::string Where = V && !V->Where ? "--set " : "";
    if (!V) {
      if (!Row.Info.Default)
        Errors.push_back(fmt::format("{}: error: missing required field {} ({})", FileName,
                                     Row.Info.Path, Row.Info.Doc));
      continue;
    }
    if (Row.Int) {
      int64_t X = 0;
      if (V->IsList || llvm::StringRef(V->Text).trim().getAsInteger(0, X)) {
        Fail(V, fmt::format("{}{} must be an integer in [{}, {}], got '{}'", Where,
                            Row.Info.Path, Row.Info.Min, Row.Info.Max, V->Text));
        continue;
      }
      if (X < Row.Info.Min || X > Row.Info.Max) {
        Fail(V, fmt::format("{}{} must be in [{}, {}], got {}", Where, Row.Info.Path,
                            Row.Info.Min, Row.Info.Max, X));
        continue;
      }
      Row.Int(A) = X;
      continue;
    }
    std::string Path = Row.Info.Path;
    if (Path == "name" || Path == "description") {
      if (V->IsList) {
        Fail(V, fmt::format("{} must be a string", Path));
        continue;
      }
      (Path == "name" ? A.Name : A.Description) = V->Text;
      continue;
    }
    // core.encodings
    if (!V->IsList || V->Items.empty()) {
      Fail(V, "core.encodings must be a non-empty list of: sparse, dense, crossbar");
      continue;
    }
    for (const std::string &E : V->Items) {
      if (E == "sparse")
        A.Core.Sparse = true;
      else if (E == "dense")
        A.Core.Dense = true;
      else if (E == "crossbar")
        A.Core.Crossbar = true;
      else
        Fail(V, fmt::format("{}core.encodings: unknown encoding '{}'; known: sparse, dense, "
                            "crossbar", Where, E));
    }
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
