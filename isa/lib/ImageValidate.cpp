//===- ImageValidate.cpp - validity rules and validateImage --------------===//
//
// The rules of ImageRules.h and the in-memory traversal that applies them.
// The decoder (ImageFile.cpp) applies the same rules while reading bytes.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/isa/Image.h"

#include "ImageRules.h"
#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace neuromesh::isa {
namespace rules {

namespace {
/// "field = v out of range [lo, hi]" plus an optional reason.
std::string outOfRange(std::string_view Field, int64_t V, int64_t Lo,
                       int64_t Hi, std::string_view Why = {}) {
  std::string M =
      fmt::format("{} = {} out of range [{}, {}]", Field, V, Lo, Hi);
  if (!Why.empty())
    M += fmt::format(": {}", Why);
  return M;
}

std::string checkRange(std::string_view Field, int64_t V, int64_t Lo,
                       int64_t Hi, std::string_view Why = {}) {
  if (V >= Lo && V <= Hi)
    return "";
  return outOfRange(Field, V, Lo, Hi, Why);
}

const char *kindName(SegmentKind K) {
  switch (K) {
  case SegmentKind::Sparse:
    return "sparse";
  case SegmentKind::Dense:
    return "dense";
  case SegmentKind::Crossbar:
    return "crossbar";
  }
  return "?";
}
} // namespace

std::string checkCount(std::string_view Field, uint64_t Count, uint64_t Max) {
  if (Count <= Max)
    return "";
  return fmt::format("{} count {} out of range [0, {}]", Field, Count, Max);
}

std::string quote(std::string_view Bytes) {
  std::string Out = "\"";
  for (char Ch : Bytes) {
    auto U = static_cast<unsigned char>(Ch);
    if (U == '"' || U == '\\')
      Out += fmt::format("\\{}", Ch);
    else if (U >= 0x20 && U < 0x7f)
      Out += Ch;
    else
      Out += fmt::format("\\x{:02x}", U);
  }
  return Out + "\"";
}

std::string checkName(std::string_view Field, const std::string &Name,
                      bool AllowEmpty) {
  if (Name.empty() && !AllowEmpty)
    return fmt::format("{} is empty; give it a name", Field);
  if (Name.size() > MaxStringLength)
    return fmt::format("{} is {} bytes long; at most {} are allowed", Field,
                       Name.size(), MaxStringLength);
  for (size_t I = 0; I < Name.size(); ++I) {
    auto U = static_cast<unsigned char>(Name[I]);
    if (U < 0x20 || U >= 0x7f || U == '"' || U == '\\')
      return fmt::format("{} {} has character 0x{:02x} at position {}; names "
                         "are printable ASCII without '\"' and '\\'",
                         Field, quote(Name), U, I);
  }
  return "";
}

// Header ---------------------------------------------------------------------

std::string checkHeaderFields(const ChipHeader &H) {
  if (H.NumChips < 1)
    return "num_chips = 0: an image needs at least one chip";
  if (H.MeshWidth < 1 || H.MeshHeight < 1)
    return fmt::format("mesh = {} x {}: a chip needs at least 1 x 1 tiles",
                       H.MeshWidth, H.MeshHeight);
  if (H.CoresPerTile < 1)
    return "cores_per_tile = 0: a tile needs at least one core";
  return checkName("arch name", H.ArchName, /*AllowEmpty=*/true);
}

std::string checkCoreLocation(const ChipHeader &H, size_t I) {
  const CoreLocation &L = H.Cores[I];
  std::string Field = fmt::format("cores[{}]", I);
  if (L.Chip >= H.NumChips)
    return outOfRange(Field + ".chip", L.Chip, 0, H.NumChips - 1,
                      fmt::format("the image has {} chips", H.NumChips));
  if (L.X >= H.MeshWidth)
    return outOfRange(Field + ".x", L.X, 0, H.MeshWidth - 1,
                      fmt::format("the mesh is {} tiles wide", H.MeshWidth));
  if (L.Y >= H.MeshHeight)
    return outOfRange(Field + ".y", L.Y, 0, H.MeshHeight - 1,
                      fmt::format("the mesh is {} tiles high", H.MeshHeight));
  if (L.Slot >= H.CoresPerTile)
    return outOfRange(Field + ".slot", L.Slot, 0, H.CoresPerTile - 1,
                      fmt::format("a tile holds {} cores", H.CoresPerTile));
  return "";
}

std::string LocationIndex::add(const ChipHeader &H, size_t I) {
  const CoreLocation &L = H.Cores[I];
  uint64_t Key = uint64_t(L.Chip) << 40 | uint64_t(L.X) << 24 |
                 uint64_t(L.Y) << 8 | L.Slot;
  auto [It, New] = Seen.emplace(Key, I);
  if (!New)
    return fmt::format("cores[{}] at chip {} x {} y {} slot {} is the same "
                       "place as cores[{}]; every core needs its own slot",
                       I, L.Chip, L.X, L.Y, L.Slot, It->second);
  if (++PerChip[L.Chip] > MaxCoresPerChip)
    return fmt::format("cores[{}]: chip {} has more than {} cores, which an "
                       "axon address cannot name",
                       I, L.Chip, MaxCoresPerChip);
  return "";
}

// Core -----------------------------------------------------------------------

std::string checkCoreConfig(const CoreConfig &C) {
  if (std::string M = checkRange("config.state_words", C.NumStateWords, 1,
                                 MaxStateWords);
      !M.empty())
    return M;
  return checkRange("config.delay_slots", C.NumDelaySlots, 1, MaxDelaySlots);
}

std::string checkProfile(const NeuronProfile &P, size_t I,
                         const CoreConfig &C) {
  auto Field = [&] { return fmt::format("profiles[{}]", I); };
  if (P.Params.size() > MaxParams)
    return checkCount(Field() + ".params", P.Params.size(), MaxParams);
  if (P.Program.size() > MaxProgramLength)
    return checkCount(Field() + ".program", P.Program.size(),
                      MaxProgramLength);
  std::string M = validateProgram(P.Program, unsigned(P.Params.size()),
                                  C.NumStateWords);
  if (M.empty())
    return "";
  return fmt::format("{}.program: {}", Field(), M);
}

std::string checkNeuron(const Neuron &N, size_t I, size_t NumProfiles,
                        const CoreConfig &C) {
  if (N.Profile >= NumProfiles) {
    std::string Field = fmt::format("neurons[{}].profile", I);
    if (NumProfiles == 0)
      return fmt::format("{} = {} but the core has no profiles; add one",
                         Field, N.Profile);
    return outOfRange(Field, N.Profile, 0, int64_t(NumProfiles) - 1,
                      fmt::format("the core has {} profiles", NumProfiles));
  }
  if (N.State.size() != C.NumStateWords)
    return fmt::format("neurons[{}].state has {} words but the core has "
                       "state_words = {}",
                       I, N.State.size(), C.NumStateWords);
  return "";
}

std::string checkSegmentKind(size_t Axon, size_t Seg, uint8_t Kind) {
  if (Kind <= static_cast<uint8_t>(SegmentKind::Crossbar))
    return "";
  return outOfRange(fmt::format("axons[{}][{}].kind", Axon, Seg), Kind, 0, 2,
                    "0 sparse, 1 dense, 2 crossbar");
}

std::string checkSegment(const SynapseSegment &S, size_t Axon, size_t Seg,
                         size_t NumNeurons, const CoreConfig &C) {
  // Names and reasons are formatted only on failure: this runs for every
  // segment of every image that is loaded.
  auto Field = [&] { return fmt::format("axons[{}][{}]", Axon, Seg); };
  auto DelayWhy = [&] {
    return fmt::format("the core has delay_slots = {}", C.NumDelaySlots);
  };
  if (std::string M =
          checkSegmentKind(Axon, Seg, static_cast<uint8_t>(S.Kind));
      !M.empty())
    return M;
  if (S.Shift > MaxWeightShift)
    return outOfRange(Field() + ".shift", S.Shift, 0, MaxWeightShift);

  // Fields the kind does not use keep their defaults, so that one segment
  // has exactly one binary and one text form.
  bool IsSparse = S.Kind == SegmentKind::Sparse;
  bool IsDense = S.Kind == SegmentKind::Dense;
  bool IsCrossbar = S.Kind == SegmentKind::Crossbar;
  const char *Unused = nullptr;
  if (IsSparse && S.Delay != 1)
    Unused = "delay";
  else if (!IsCrossbar && S.AxonType != 0)
    Unused = "axon_type";
  else if (IsSparse && S.FirstNeuron != 0)
    Unused = "first";
  else if (!IsSparse && !S.Sparse.empty())
    Unused = "sparse";
  else if (!IsDense && !S.Weights.empty())
    Unused = "weights";
  else if (!IsCrossbar && !S.Connected.empty())
    Unused = "bits";
  if (Unused)
    return fmt::format("{}.{} is set but a {} segment does not use it; leave "
                       "it at its default",
                       Field(), Unused, kindName(S.Kind));

  if (IsSparse) {
    for (size_t E = 0; E < S.Sparse.size(); ++E) {
      const SparseSynapse &Syn = S.Sparse[E];
      auto EField = [&] { return fmt::format("{}.sparse[{}]", Field(), E); };
      if (Syn.Neuron >= NumNeurons)
        return NumNeurons == 0
                   ? fmt::format("{}.neuron = {} but the core has no neurons",
                                 EField(), Syn.Neuron)
                   : outOfRange(EField() + ".neuron", Syn.Neuron, 0,
                                int64_t(NumNeurons) - 1,
                                fmt::format("the core has {} neurons",
                                            NumNeurons));
      if (Syn.Delay < 1 || Syn.Delay > C.NumDelaySlots)
        return outOfRange(EField() + ".delay", Syn.Delay, 1, C.NumDelaySlots,
                          DelayWhy());
    }
    return "";
  }
  if (S.Delay < 1 || S.Delay > C.NumDelaySlots)
    return outOfRange(Field() + ".delay", S.Delay, 1, C.NumDelaySlots,
                      DelayWhy());
  if (IsCrossbar && S.AxonType >= NumAxonTypes)
    return outOfRange(Field() + ".axon_type", S.AxonType, 0,
                      NumAxonTypes - 1);
  size_t Len = IsDense ? S.Weights.size() : S.Connected.size();
  if (S.FirstNeuron + uint64_t(Len) > NumNeurons)
    return fmt::format("{} run of {} neurons from first = {} ends at {}, past "
                       "the core's {} neurons",
                       Field(), Len, S.FirstNeuron, S.FirstNeuron + Len,
                       NumNeurons);
  return "";
}

std::string checkCrossbarCount(size_t Columns, size_t NumNeurons,
                               bool AnyCrossbar) {
  if (AnyCrossbar && Columns != NumNeurons)
    return fmt::format("crossbar has {} columns but the core has {} neurons "
                       "and crossbar segments: give every neuron a column",
                       Columns, NumNeurons);
  if (!AnyCrossbar && Columns != 0)
    return fmt::format("crossbar has {} columns but no axon has a crossbar "
                       "segment: drop the columns",
                       Columns);
  return "";
}

std::string checkOutputCount(size_t Lists, size_t NumNeurons) {
  if (Lists == NumNeurons)
    return "";
  return fmt::format("outputs has {} lists but the core has {} neurons: give "
                     "every neuron one (possibly empty) list",
                     Lists, NumNeurons);
}

// Whole image ----------------------------------------------------------------

ImageShape::ImageShape(const ChipHeader &H)
    : ByChip(H.NumChips), Axons(H.Cores.size(), 0),
      Neurons(H.Cores.size(), 0), StateWords(H.Cores.size(), 0) {
  for (size_t I = 0; I < H.Cores.size(); ++I)
    ByChip[H.Cores[I].Chip].push_back(uint32_t(I));
}

void ImageShape::setCore(size_t Global, size_t NumAxons, size_t NumNeurons,
                         unsigned NumStateWords) {
  Axons[Global] = uint32_t(NumAxons);
  Neurons[Global] = uint32_t(NumNeurons);
  StateWords[Global] = uint8_t(NumStateWords);
}

std::string ImageShape::checkProbe(const Symbol &S, size_t I,
                                   size_t J) const {
  const Probe &P = S.Probes[J];
  std::string Field = fmt::format("{}.probes[{}]", symbolLabel(S, I), J);
  if (std::string M = checkName(Field + ".variable", P.Variable, false);
      !M.empty())
    return M;
  for (size_t K = 0; K < J; ++K)
    if (S.Probes[K].Variable == P.Variable)
      return fmt::format("{} {}: the variable is already probed by "
                         "probes[{}]; probe each variable once",
                         Field, quote(P.Variable), K);
  for (size_t K = 0; K < S.Segments.size(); ++K) {
    uint32_t Core = S.Segments[K].Core;
    if (P.StateWord >= StateWords[Core])
      return fmt::format("{}.state_word = {} out of range [0, {}]: "
                         "segments[{}] lies on core {}, which has {} state "
                         "words",
                         Field, unsigned(P.StateWord),
                         int(StateWords[Core]) - 1, K, Core,
                         unsigned(StateWords[Core]));
  }
  return "";
}

std::string ImageShape::checkAddress(AxonAddress A) const {
  auto What = [&] {
    return fmt::format("{}:{}:{} (chip:core:axon)", A.Chip, A.Core, A.Axon);
  };
  if (A.Chip >= ByChip.size())
    return fmt::format("{}: chip out of range [0, {}]", What(),
                       ByChip.size() - 1);
  const std::vector<uint32_t> &Cores = ByChip[A.Chip];
  if (A.Core >= Cores.size())
    return Cores.empty()
               ? fmt::format("{}: chip {} has no cores", What(), A.Chip)
               : fmt::format("{}: core out of range [0, {}]: chip {} has {} "
                             "cores",
                             What(), Cores.size() - 1, A.Chip, Cores.size());
  uint32_t NumAxons = Axons[Cores[A.Core]];
  if (A.Axon >= NumAxons)
    return NumAxons == 0
               ? fmt::format("{}: that core (cores[{}]) has no input axons",
                             What(), Cores[A.Core])
               : fmt::format("{}: axon out of range [0, {}]: that core "
                             "(cores[{}]) has {} axons",
                             What(), NumAxons - 1, Cores[A.Core], NumAxons);
  return "";
}

std::string ImageShape::checkPopulationSegment(std::string_view Field,
                                               const PopulationSegment &S,
                                               uint32_t PopulationSize) const {
  if (S.Core >= Axons.size())
    return outOfRange(fmt::format("{}.core", Field), S.Core, 0,
                      int64_t(Axons.size()) - 1,
                      fmt::format("the image has {} cores", Axons.size()));
  if (S.Count == 0)
    return fmt::format("{}.count = 0: drop empty segments", Field);
  if (uint64_t(S.FirstNeuron) + S.Count > Neurons[S.Core])
    return fmt::format("{}: neurons {}..{} of cores[{}] do not exist: that "
                       "core has {} neurons",
                       Field, S.FirstNeuron, S.FirstNeuron + S.Count - 1,
                       S.Core, Neurons[S.Core]);
  if (uint64_t(S.Offset) + S.Count > PopulationSize)
    return fmt::format("{}: population indices {}..{} are past the "
                       "population's size {}",
                       Field, S.Offset, uint64_t(S.Offset) + S.Count - 1,
                       PopulationSize);
  return "";
}

std::string symbolLabel(const Symbol &S, size_t I) {
  return fmt::format("symbols[{}] {}", I, quote(S.Name));
}

std::string checkSymbolKind(size_t I, uint8_t Kind) {
  if (Kind <= static_cast<uint8_t>(SymbolKind::Population))
    return "";
  return outOfRange(fmt::format("symbols[{}].kind", I), Kind, 0, 1,
                    "0 input port, 1 population");
}

std::string SymbolNames::add(const Symbol &S, size_t I) {
  if (std::string M =
          checkName(fmt::format("symbols[{}].name", I), S.Name, false);
      !M.empty())
    return M;
  auto [It, New] = Seen.emplace(S.Name, I);
  if (New)
    return "";
  return fmt::format("{}: the name is already used by symbols[{}]; names "
                     "must be unique",
                     symbolLabel(S, I), It->second);
}

std::string checkSymbolShape(const Symbol &S, size_t I) {
  if (std::string M = checkSymbolKind(I, static_cast<uint8_t>(S.Kind));
      !M.empty())
    return M;
  if (S.Kind == SymbolKind::InputPort) {
    if (!S.RecordSpikes)
      return fmt::format("{}: an input port has no spikes to record; leave "
                         "record_spikes at its default (true)",
                         symbolLabel(S, I));
    if (!S.Probes.empty())
      return fmt::format("{}: an input port has no state to probe; give "
                         "probes to populations only",
                         symbolLabel(S, I));
    if (S.Targets.size() != S.Size)
      return fmt::format("{}: input port of size {} has {} target lists; "
                         "give one list per index",
                         symbolLabel(S, I), S.Size, S.Targets.size());
    if (!S.Segments.empty())
      return fmt::format("{}: an input port has no population segments",
                         symbolLabel(S, I));
    return "";
  }
  if (!S.Targets.empty())
    return fmt::format("{}: a population has no target lists",
                       symbolLabel(S, I));
  return "";
}

std::string checkRecordFlag(const Symbol &S, size_t I, uint8_t Flag) {
  if (Flag <= 1)
    return "";
  return outOfRange(symbolLabel(S, I) + ".record_spikes", Flag, 0, 1,
                    "0 do not record spikes, 1 record them");
}

std::string checkPopulationCoverage(const Symbol &S, size_t I) {
  if (S.Kind != SymbolKind::Population)
    return "";
  // Segments are individually within 0..Size-1 (checkPopulationSegment);
  // sorted by offset they must tile it with no gap and no overlap.
  std::vector<size_t> Order(S.Segments.size());
  for (size_t J = 0; J < Order.size(); ++J)
    Order[J] = J;
  std::sort(Order.begin(), Order.end(), [&](size_t A, size_t B) {
    return S.Segments[A].Offset < S.Segments[B].Offset;
  });
  uint64_t Next = 0;
  for (size_t J = 0; J < Order.size(); ++J) {
    const PopulationSegment &Seg = S.Segments[Order[J]];
    if (Seg.Offset > Next)
      return fmt::format("{}: population indices {}..{} are not covered by "
                         "any segment",
                         symbolLabel(S, I), Next, Seg.Offset - 1);
    if (Seg.Offset < Next)
      return fmt::format("{}: population index {} is covered twice "
                         "(segments[{}] and segments[{}])",
                         symbolLabel(S, I), Seg.Offset, Order[J - 1],
                         Order[J]);
    Next = uint64_t(Seg.Offset) + Seg.Count;
  }
  if (Next < S.Size)
    return fmt::format("{}: population indices {}..{} are not covered by any "
                       "segment",
                       symbolLabel(S, I), Next, S.Size - 1);
  return "";
}

namespace {
const char *generatorName(GeneratorKind K) {
  switch (K) {
  case GeneratorKind::External:
    return "external";
  case GeneratorKind::List:
    return "list";
  case GeneratorKind::Poisson:
    return "poisson";
  case GeneratorKind::Regular:
    return "regular";
  }
  return "?";
}
} // namespace

std::string checkGeneratorKind(const Symbol &S, size_t I, uint8_t Kind) {
  if (Kind <= static_cast<uint8_t>(GeneratorKind::Regular))
    return "";
  return outOfRange(symbolLabel(S, I) + ".generator.kind", Kind, 0, 3,
                    "0 external, 1 list, 2 poisson, 3 regular");
}

std::string checkGeneratorFields(const Symbol &S, size_t I) {
  const SpikeGenerator &G = S.Generator;
  if (std::string M =
          checkGeneratorKind(S, I, static_cast<uint8_t>(G.Kind));
      !M.empty())
    return M;
  auto Field = [&] { return symbolLabel(S, I) + ".generator"; };
  if (S.Kind == SymbolKind::Population && G.Kind != GeneratorKind::External)
    return fmt::format("{} is {} but a population has no spike generator; "
                       "leave it external",
                       Field(), generatorName(G.Kind));

  // Fields the kind does not use keep their defaults, so that one
  // generator has exactly one binary and one text form.
  bool IsList = G.Kind == GeneratorKind::List;
  bool IsPoisson = G.Kind == GeneratorKind::Poisson;
  bool IsRegular = G.Kind == GeneratorKind::Regular;
  const SpikeGenerator Default;
  const char *Unused = nullptr;
  if (!IsList && !G.Spikes.empty())
    Unused = "spikes";
  else if (!IsPoisson && G.Seed != Default.Seed)
    Unused = "seed";
  else if (!IsPoisson && G.ProbabilityQ32 != Default.ProbabilityQ32)
    Unused = "probability_q32";
  else if (!IsRegular && G.Period != Default.Period)
    Unused = "period";
  else if (!IsRegular && G.Phase != Default.Phase)
    Unused = "phase";
  if (Unused)
    return fmt::format("{}.{} is set but {} {} generator does not use it; "
                       "leave it at its default",
                       Field(), Unused,
                       G.Kind == GeneratorKind::External ? "an" : "a",
                       generatorName(G.Kind));

  if (IsPoisson && G.ProbabilityQ32 > ProbabilityOne)
    return fmt::format("{}.probability_q32 = {} out of range [0, {}]: the "
                       "probability times 2^32, where 2^32 fires in every "
                       "step",
                       Field(), G.ProbabilityQ32, ProbabilityOne);
  if (IsRegular && G.Period == 0)
    return fmt::format("{}.period = 0 out of range [1, {}]: a regular "
                       "generator fires every period steps",
                       Field(), std::numeric_limits<uint64_t>::max());
  return "";
}

std::string checkGeneratorSpike(const Symbol &S, size_t I, size_t J) {
  const std::vector<std::pair<uint64_t, uint32_t>> &Spikes =
      S.Generator.Spikes;
  auto [Step, Index] = Spikes[J];
  auto Field = [&] {
    return fmt::format("{}.generator.spikes[{}]", symbolLabel(S, I), J);
  };
  if (Index >= S.Size)
    return S.Size == 0
               ? fmt::format("{}.index = {} but the port has size 0",
                             Field(), Index)
               : outOfRange(Field() + ".index", Index, 0,
                            int64_t(S.Size) - 1,
                            fmt::format("the port has size {}", S.Size));
  if (J == 0 || Spikes[J - 1] < Spikes[J])
    return "";
  auto [PrevStep, PrevIndex] = Spikes[J - 1];
  if (Spikes[J - 1] == Spikes[J])
    return fmt::format("{} = {}:{} (step:index) repeats spikes[{}]; list "
                       "each spike once",
                       Field(), Step, Index, J - 1);
  return fmt::format("{} = {}:{} (step:index) is not after spikes[{}] = "
                     "{}:{}; sort the spikes by step, then index",
                     Field(), Step, Index, J - 1, PrevStep, PrevIndex);
}

} // namespace rules

namespace {
/// Throws "image: <where>: error: <verdict>" for a failed rule.
void require(const std::string &Verdict, std::string_view Where) {
  if (Verdict.empty())
    return;
  throw Error(fmt::format("image: {}: error: {}", Where, Verdict));
}
} // namespace

void validateImage(const Image &Img) {
  using namespace rules;
  const ChipHeader &H = Img.Header;
  require(checkHeaderFields(H), "header");
  if (H.Cores.size() != Img.Cores.size())
    require(fmt::format("the header locates {} cores but the image has {}",
                        H.Cores.size(), Img.Cores.size()),
            "header");
  LocationIndex Locations;
  for (size_t I = 0; I < H.Cores.size(); ++I) {
    require(checkCoreLocation(H, I), "header");
    require(Locations.add(H, I), "header");
  }

  ImageShape Shape(H);
  for (size_t CI = 0; CI < Img.Cores.size(); ++CI) {
    const Core &C = Img.Cores[CI];
    std::string Where = fmt::format("core {}", CI);
    require(checkCoreConfig(C.Config), Where);
    require(checkCount("profiles", C.Profiles.size(), MaxProfiles), Where);
    for (size_t P = 0; P < C.Profiles.size(); ++P)
      require(checkProfile(C.Profiles[P], P, C.Config), Where);
    require(checkCount("neurons", C.Neurons.size(), MaxNeurons), Where);
    for (size_t N = 0; N < C.Neurons.size(); ++N)
      require(checkNeuron(C.Neurons[N], N, C.Profiles.size(), C.Config),
              Where);
    require(checkCount("axons", C.Axons.size(), MaxAxons), Where);
    bool AnyCrossbar = false;
    for (size_t A = 0; A < C.Axons.size(); ++A)
      for (size_t S = 0; S < C.Axons[A].size(); ++S) {
        const SynapseSegment &Seg = C.Axons[A][S];
        require(checkSegment(Seg, A, S, C.Neurons.size(), C.Config), Where);
        AnyCrossbar |= Seg.Kind == SegmentKind::Crossbar;
      }
    require(checkCrossbarCount(C.Crossbar.size(), C.Neurons.size(),
                               AnyCrossbar),
            Where);
    require(checkOutputCount(C.Outputs.size(), C.Neurons.size()), Where);
    Shape.setCore(CI, C.Axons.size(), C.Neurons.size(),
                  C.Config.NumStateWords);
  }
  // Outputs may name any core, so they are checked once all are known.
  for (size_t CI = 0; CI < Img.Cores.size(); ++CI) {
    const Core &C = Img.Cores[CI];
    std::string Where = fmt::format("core {}", CI);
    for (size_t N = 0; N < C.Outputs.size(); ++N)
      for (size_t J = 0; J < C.Outputs[N].size(); ++J)
        require(named(Shape.checkAddress(C.Outputs[N][J]),
                      [&] { return fmt::format("outputs[{}][{}]", N, J); }),
                Where);
  }

  SymbolNames Names;
  for (size_t I = 0; I < Img.Symbols.size(); ++I) {
    const Symbol &S = Img.Symbols[I];
    require(checkSymbolShape(S, I), "symbols");
    require(Names.add(S, I), "symbols");
    std::string Label = symbolLabel(S, I);
    for (size_t T = 0; T < S.Targets.size(); ++T)
      for (size_t J = 0; J < S.Targets[T].size(); ++J)
        require(named(Shape.checkAddress(S.Targets[T][J]),
                      [&] {
                        return fmt::format("{}.targets[{}][{}]", Label, T, J);
                      }),
                "symbols");
    for (size_t J = 0; J < S.Segments.size(); ++J)
      require(Shape.checkPopulationSegment(
                  fmt::format("{}.segments[{}]", Label, J), S.Segments[J],
                  S.Size),
              "symbols");
    require(checkPopulationCoverage(S, I), "symbols");
    for (size_t J = 0; J < S.Probes.size(); ++J)
      require(Shape.checkProbe(S, I, J), "symbols");
    require(checkGeneratorFields(S, I), "symbols");
    for (size_t J = 0; J < S.Generator.Spikes.size(); ++J)
      require(checkGeneratorSpike(S, I, J), "symbols");
  }
}

int64_t globalCoreIndex(const Image &Img, AxonAddress A) {
  uint32_t Seen = 0;
  for (size_t I = 0; I < Img.Header.Cores.size(); ++I) {
    if (Img.Header.Cores[I].Chip != A.Chip)
      continue;
    if (Seen++ == A.Core)
      return I < Img.Cores.size() ? int64_t(I) : -1;
  }
  return -1;
}

} // namespace neuromesh::isa
