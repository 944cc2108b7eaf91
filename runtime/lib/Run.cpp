//===- Run.cpp - run an image on an engine --------------------------------===//
//
// Engines are registered explicitly in one table: the functional engine and
// the SystemC chip model (docs/systemc.md).
//
//===----------------------------------------------------------------------===//
#include "neuromesh/runtime/Run.h"

#include "neuromesh/emulator/systemc/SystemCEngine.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Generators.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <memory>

namespace neuromesh::runtime {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point Start) {
  return std::chrono::duration<double>(Clock::now() - Start).count();
}

EnergyReport startReport(const isa::Architecture &Arch, const emulator::EnergyModel &M) {
  EnergyReport E;
  E.ArchName = Arch.Name;
  E.CostModel = Arch.Costs.Model;
  E.StaticPower = M.staticPower();
  E.TickSeconds = Arch.Timestep.TickSeconds;
  return E;
}

/// The input spikes of one step as (input port symbol, index): the host's,
/// then the on-chip generators', in the order the host interface sends them.
using StepInputs = std::vector<std::pair<uint32_t, uint32_t>>;

/// Steps any engine with the FunctionalEngine's host API; OnStep(Engine,
/// In) runs after every step, In holding the step's input spikes when
/// there is an architecture (else empty). With an architecture it also
/// counts how often each neuron fired and each input index spiked, for the
/// activity summary (RunResult::Activity).
template <typename EngineT, typename OnStepT>
RunResult runSteps(const isa::Image &Img, EngineT &Engine, const RunOptions &Opts,
                   const std::vector<emulator::SpikeRecord> &Inputs, OnStepT OnStep) {
  RunResult R;
  std::vector<std::vector<uint64_t>> FiredCount, InputCount;
  std::vector<uint32_t> Scratch;
  StepInputs In;
  if (Opts.Arch) {
    for (const isa::Core &C : Img.Cores)
      FiredCount.emplace_back(C.Neurons.size(), 0);
    for (const isa::Symbol &S : Img.Symbols)
      InputCount.emplace_back(S.Kind == isa::SymbolKind::InputPort ? S.Size : 0, 0);
  }
  Clock::time_point Start = Clock::now();
  size_t Next = 0;
  for (uint64_t T = 0; T < Opts.Steps; ++T) {
    In.clear();
    for (; Next < Inputs.size() && Inputs[Next].Step == T; ++Next) {
      Engine.injectInput(Inputs[Next].Symbol, Inputs[Next].Index);
      if (Opts.Arch)
        In.emplace_back(Inputs[Next].Symbol, Inputs[Next].Index);
    }
    if (Opts.Arch)
      isa::forEachGeneratedSpike(Img.Symbols, T, Scratch,
                                 [&](uint32_t S, uint32_t I) { In.emplace_back(S, I); });
    for (const auto &[S, I] : In)
      ++InputCount[S][I];
    Engine.step();
    OnStep(Engine, In);
    for (size_t K = 0; K < FiredCount.size(); ++K)
      for (const emulator::FiredNeuron &F : Engine.fired(K))
        ++FiredCount[K][F.Neuron];
    if (Opts.OnStep)
      Opts.OnStep(T + 1, Opts.Steps);
  }
  R.WallSeconds = secondsSince(Start);
  if (Opts.Arch) {
    std::vector<emulator::CoreCounters> PerCore;
    for (size_t K = 0; K < Engine.numCores(); ++K)
      PerCore.push_back(Engine.core(K).counters());
    R.Activity = summariseActivity(Img, *Opts.Arch, PerCore, FiredCount, InputCount);
  }
  R.IgnoredInputs = Inputs.size() - Next;
  R.Spikes = Engine.takeRecorded();
  R.Probes = Engine.takeProbed();
  R.Counters = Engine.counters();
  return R;
}

/// The engine options of a run: JitMode::Auto resolved by the run's size.
emulator::EngineOptions engineOptions(const isa::Image &Img, const RunOptions &Opts) {
  emulator::EngineOptions E;
  uint64_t Neurons = 0;
  for (const isa::Core &C : Img.Cores)
    Neurons += C.Neurons.size();
  E.Jit = Opts.Jit == JitMode::On ||
          (Opts.Jit == JitMode::Auto && Neurons * Opts.Steps >= JitAutoNeuronUpdates);
  E.Threads = Opts.Threads;
  return E;
}

/// The traffic of one step's input spikes In from the host interface; the
/// slowest message's route time goes to Slowest.
emulator::TrafficCounts inputTraffic(const emulator::TrafficTable &Table, const StepInputs &In,
                                     double &Slowest) {
  emulator::TrafficCounts T;
  Slowest = 0;
  for (const auto &[Symbol, Index] : In) {
    T += Table.input(Symbol, Index);
    Slowest = std::max(Slowest, Table.inputRoute(Symbol, Index));
  }
  return T;
}

RunResult runFunctional(const isa::Image &Img, const RunOptions &Opts,
                        const std::vector<emulator::SpikeRecord> &Inputs) {
  Clock::time_point Start = Clock::now();
  const emulator::EngineOptions EngineOpts = engineOptions(Img, Opts);
  emulator::FunctionalEngine Engine(Img, EngineOpts);
  std::unique_ptr<emulator::EnergyModel> Model;
  if (Opts.Arch)
    Model = std::make_unique<emulator::EnergyModel>(*Opts.Arch, Img);
  const double Setup = secondsSince(Start);
  std::vector<emulator::StepReport> PerStep;
  std::vector<emulator::CoreCounters> Before;
  RunResult R = runSteps(Img, Engine, Opts, Inputs,
                         [&](const emulator::FunctionalEngine &E, const StepInputs &In) {
    if (!Model)
      return;
    // Input spikes travel from the host interface as on the SystemC model.
    double HostRoute = 0;
    const emulator::TrafficCounts Host = inputTraffic(Model->traffic(), In, HostRoute);
    PerStep.push_back(Model->step(E, Before, Host, HostRoute));
  });
  R.SetupSeconds = Setup;
  R.Jit = EngineOpts.Jit;
  if (Model) {
    R.Energy = startReport(*Opts.Arch, *Model);
    R.Energy->PerStep = std::move(PerStep);
    R.Energy->Totals = Model->totals();
  }
  return R;
}

/// The SystemC chip model: with an architecture, its timing comes from the
/// architecture and each step is priced with the simulated latency and the
/// traffic its routers and chip links carried (hops, chip crossings,
/// within-tile messages). The routes are the energy model's (x then y over
/// the grid of all chips), so neuron messages cost what the functional
/// engine charges for them; the systemc engine also charges the host
/// interface's messages their route from chip 0, tile (0,0).
RunResult runSystemC(const isa::Image &Img, const RunOptions &Opts,
                     const std::vector<emulator::SpikeRecord> &Inputs) {
  namespace sc = emulator::systemc;
  Clock::time_point Start = Clock::now();
  std::unique_ptr<emulator::EnergyModel> Model;
  sc::SystemCTiming Timing;
  if (Opts.Arch) {
    Model = std::make_unique<emulator::EnergyModel>(*Opts.Arch, Img);
    Timing = sc::timingFromArchitecture(*Opts.Arch, Model->traffic().tilesUsed());
  }
  const emulator::EngineOptions EngineOpts = engineOptions(Img, Opts);
  sc::SystemCEngine Engine(Img, Timing, EngineOpts, Opts.RecordTrace);
  const double Setup = secondsSince(Start);
  std::vector<emulator::StepReport> PerStep;
  std::vector<emulator::CoreCounters> Before(Engine.numCores()), PerCore(Engine.numCores());
  sc::SystemCTraffic Carried;
  RunResult R = runSteps(Img, Engine, Opts, Inputs, [&](const sc::SystemCEngine &E, const StepInputs &) {
    if (!Model)
      return;
    for (size_t K = 0; K < E.numCores(); ++K) {
      const emulator::CoreCounters &Now = E.core(K).counters();
      PerCore[K] = Now - Before[K];
      Before[K] = Now;
    }
    const sc::SystemCTraffic Now = E.traffic();
    emulator::TrafficCounts Traffic;
    Traffic.Messages = Now.MeshMessages - Carried.MeshMessages;
    Traffic.WithinTile = Now.WithinTile - Carried.WithinTile;
    Traffic.HopsEastWest = Now.HopsEastWest - Carried.HopsEastWest;
    Traffic.HopsNorthSouth = Now.HopsNorthSouth - Carried.HopsNorthSouth;
    Traffic.ChipCrossings = Now.ChipLinkMessages - Carried.ChipLinkMessages;
    Carried = Now;
    PerStep.push_back(Model->stepMeasured(PerCore, Traffic, E.latencies().back().Seconds));
  });
  R.SetupSeconds = Setup;
  R.Jit = EngineOpts.Jit;
  R.MeshModel = isa::meshModelName(Timing.Model);
  for (const sc::StepLatency &L : Engine.latencies())
    R.StepSeconds.push_back(L.Seconds);
  if (const sc::ChipTrace *T = Engine.trace())
    R.Trace = *T;
  if (Model) {
    R.Energy = startReport(*Opts.Arch, *Model);
    R.Energy->PerStep = std::move(PerStep);
    R.Energy->Totals = Model->totals();
  }
  return R;
}

struct EngineEntry {
  const char *Name;
  RunResult (*Run)(const isa::Image &, const RunOptions &,
                   const std::vector<emulator::SpikeRecord> &);
};

const EngineEntry Engines[] = {
    {"functional", runFunctional},
    {"systemc", runSystemC},
};

} // namespace

std::vector<std::string> availableEngines() {
  std::vector<std::string> Names;
  for (const EngineEntry &E : Engines)
    Names.push_back(E.Name);
  return Names;
}

RunResult runImage(const isa::Image &Img, const RunOptions &Opts) {
  const EngineEntry *Entry = nullptr;
  for (const EngineEntry &E : Engines)
    if (Opts.Engine == E.Name)
      Entry = &E;
  if (!Entry) {
    std::string Names;
    for (const std::string &N : availableEngines())
      Names += (Names.empty() ? "" : ", ") + N;
    throw Error(fmt::format("error: unknown engine '{}'; available engines: {}",
                            Opts.Engine, Names));
  }
  if (Opts.RecordTrace && Opts.Engine != "systemc")
    throw Error(fmt::format("error: traces (--vcd, --trace) record the SystemC chip model's "
                            "activity; the '{}' engine has none: use --engine systemc",
                            Opts.Engine));
  if (Opts.Validate)
    isa::validateImage(Img);
  if (Opts.Arch)
    checkArchitecture(Img, *Opts.Arch);

  for (const emulator::SpikeRecord &S : Opts.Inputs) {
    if (S.Symbol >= Img.Symbols.size() ||
        Img.Symbols[S.Symbol].Kind != isa::SymbolKind::InputPort)
      throw Error(fmt::format("error: input spike at step {} names symbol {}, "
                              "which is not an input port of the image",
                              S.Step, S.Symbol));
    if (S.Index >= Img.Symbols[S.Symbol].Size)
      throw Error(fmt::format("error: input spike at step {}: index {} out of "
                              "range [0, {}) for input port '{}'",
                              S.Step, S.Index, Img.Symbols[S.Symbol].Size,
                              Img.Symbols[S.Symbol].Name));
  }
  std::vector<emulator::SpikeRecord> Inputs = Opts.Inputs;
  std::stable_sort(Inputs.begin(), Inputs.end());

  RunResult R = Entry->Run(Img, Opts, Inputs);
  R.Engine = Entry->Name;
  R.Steps = Opts.Steps;
  return R;
}

std::string formatRunSummary(const RunResult &R, const isa::Image &Img) {
  std::vector<uint64_t> PerSymbol(Img.Symbols.size(), 0);
  for (const emulator::SpikeRecord &S : R.Spikes)
    ++PerSymbol[S.Symbol];

  const emulator::CoreCounters &C = R.Counters.Cores;
  auto Rate = [&](uint64_t Count) {
    return R.WallSeconds > 0 ? fmt::format("{:.3g}", Count / R.WallSeconds)
                             : std::string("n/a");
  };
  fmt::memory_buffer Out;
  auto Line = [&](const std::string &Key, const std::string &Value) {
    fmt::format_to(std::back_inserter(Out), "{:<22} {}\n", Key + ":", Value);
  };
  Line("engine", R.Engine);
  Line("neuron programs", R.Jit ? "JIT-compiled" : "interpreted");
  if (R.Engine == "systemc")
    Line("timing", (R.Energy ? fmt::format("architecture '{}'", R.Energy->ArchName)
                             : std::string("defaults, no --arch (indicative only; pass the "
                                           "image's architecture for its timing and energy)")) +
                       fmt::format("; mesh model {}", R.MeshModel));
  Line("steps", fmt::format("{}", R.Steps));
  uint64_t Total = 0;
  for (size_t S = 0; S < Img.Symbols.size(); ++S) {
    if (Img.Symbols[S].Kind != isa::SymbolKind::Population ||
        !Img.Symbols[S].RecordSpikes)
      continue;
    Line(fmt::format("spikes '{}'", Img.Symbols[S].Name),
         fmt::format("{}", PerSymbol[S]));
    Total += PerSymbol[S];
  }
  Line("spikes recorded", fmt::format("{}", Total));
  if (!R.Probes.empty())
    Line("probe samples", fmt::format("{}", R.Probes.size()));
  Line("neuron spikes", fmt::format("{}", C.SpikesOut));
  Line("host input spikes", fmt::format("{}", R.Counters.HostSpikes));
  if (R.IgnoredInputs > 0)
    Line("ignored input spikes",
         fmt::format("{} (at steps >= {})", R.IgnoredInputs, R.Steps));
  if (R.Counters.GeneratedSpikes > 0)
    Line("generated spikes", fmt::format("{}", R.Counters.GeneratedSpikes));
  Line("messages", fmt::format("{}", C.MessagesOut + R.Counters.HostMessages +
                                         R.Counters.GeneratedMessages));
  Line("synaptic events", fmt::format("{}", C.SynapticEvents));
  Line("neuron updates", fmt::format("{}", C.NeuronUpdates));
  if (!R.StepSeconds.empty()) {
    double Sum = 0, Max = 0;
    for (double T : R.StepSeconds) {
      Sum += T;
      Max = std::max(Max, T);
    }
    Line("simulated time", fmt::format("{:.6g} s", Sum));
    Line("step latency mean", fmt::format("{:.6g} s", Sum / double(R.StepSeconds.size())));
    Line("step latency max", fmt::format("{:.6g} s", Max));
  }
  Line("wall time", fmt::format("{:.6f} s", R.WallSeconds));
  Line("synaptic events/s", Rate(C.SynapticEvents));
  Line("neuron updates/s", Rate(C.NeuronUpdates));
  return fmt::to_string(Out);
}

double EnergyReport::pacedPower(size_t I) const {
  const emulator::StepReport &S = PerStep[I];
  return S.Duration > 0 ? S.Energy.total() / S.Duration : 0;
}

std::string checkArchitecture(const isa::Image &Img, const isa::Architecture &Arch) {
  const isa::ChipHeader &H = Img.Header;
  const uint64_t Want = Arch.fingerprint();
  std::string Warning;
  if (H.ArchFingerprint == 0)
    Warning = fmt::format("warning: the image has no architecture fingerprint (0, as assembled "
                          "by hand), so it cannot be checked against '{}' (fingerprint {:#018x}); "
                          "pricing it with '{}' anyway",
                          Arch.Name, Want, Arch.Name);
  else if (H.ArchFingerprint != Want)
    throw Error(fmt::format(
        "error: the image was compiled for architecture '{}' (fingerprint {:#018x}), but --arch "
        "gives '{}' (fingerprint {:#018x}); recompile the network for '{}', or pass the "
        "architecture the image was compiled for (with the same --set overrides)",
        H.ArchName, H.ArchFingerprint, Arch.Name, Want, Arch.Name));
  if (int64_t(H.MeshWidth) > Arch.Mesh.Width || int64_t(H.MeshHeight) > Arch.Mesh.Height ||
      int64_t(H.CoresPerTile) > Arch.Mesh.CoresPerTile || int64_t(H.NumChips) > Arch.Chips.Count)
    throw Error(fmt::format(
        "error: the image's system ({} chips of {} x {} tiles, {} cores per tile) does not fit "
        "architecture '{}' ({} chips of {} x {} tiles, {} cores per tile); pass the architecture "
        "the image was made for",
        int(H.NumChips), int(H.MeshWidth), int(H.MeshHeight), int(H.CoresPerTile), Arch.Name, Arch.Chips.Count,
        Arch.Mesh.Width, Arch.Mesh.Height, Arch.Mesh.CoresPerTile));
  return Warning;
}

const std::vector<EnergyComponent> &energyComponents() {
  using B = emulator::EnergyBreakdown;
  static const std::vector<EnergyComponent> Components = {
      {"synaptic_ops", "synaptic ops", &B::SynapticOps},
      {"dendrite", "dendrite", &B::Dendrite},
      {"neuron_updates", "neuron updates", &B::NeuronUpdates},
      {"spike_generation", "spike generation", &B::SpikeGeneration},
      {"message_out", "message out", &B::MessageOut},
      {"message_in", "message in", &B::MessageIn},
      {"within_tile", "within tile", &B::WithinTile},
      {"hops_east_west", "hops east-west", &B::HopsEastWest},
      {"hops_north_south", "hops north-south", &B::HopsNorthSouth},
      {"chip_links", "chip links", &B::ChipLinks},
      {"barrier", "barrier", &B::Barrier},
      {"static", "static", &B::Static},
  };
  return Components;
}

std::string formatSI(double Value, const std::string &Unit) {
  if (Value == 0 || !std::isfinite(Value))
    return fmt::format("{} {}", Value, Unit);
  static const std::pair<double, const char *> Prefixes[] = {
      {1e9, "G"}, {1e6, "M"}, {1e3, "k"}, {1, ""},     {1e-3, "m"},
      {1e-6, "u"}, {1e-9, "n"}, {1e-12, "p"}, {1e-15, "f"}};
  const double A = std::fabs(Value);
  for (const auto &[Scale, Prefix] : Prefixes)
    if (A >= Scale * (1 - 5e-5))
      return fmt::format("{:.4g} {}{}", Value / Scale, Prefix, Unit);
  return fmt::format("{:.4g} f{}", Value / 1e-15, Unit);
}

std::string formatEnergySummary(const RunResult &R) {
  if (!R.Energy)
    return "energy:                no architecture given (pass --arch to report energy, "
           "latency and power)\n";
  const EnergyReport &E = *R.Energy;
  const emulator::EnergyTotals &T = E.Totals;
  fmt::memory_buffer Out;
  auto Line = [&](const std::string &Key, const std::string &Value) {
    fmt::format_to(std::back_inserter(Out), "{:<22} {}\n", Key + ":", Value);
  };
  Line("architecture", E.CostModel.empty() ? E.ArchName
                                           : fmt::format("{} (costs {})", E.ArchName, E.CostModel));
  Line("latency source", R.Engine == "systemc" ? "simulated (systemc)"
                                               : "energy model estimate (uncontended)");
  const double Total = T.Energy.total();
  fmt::format_to(std::back_inserter(Out), "energy by component:\n");
  for (const EnergyComponent &C : energyComponents()) {
    const double V = T.Energy.*C.Field;
    fmt::format_to(std::back_inserter(Out), "  {:<20} {:>12} {:>7.2f} %\n", C.Label,
                   formatSI(V, "J"), Total > 0 ? 100 * V / Total : 0.0);
  }
  Line("energy total", formatSI(Total, "J"));
  Line("step latency mean", formatSI(T.meanLatency(), "s"));
  Line("step latency max", formatSI(T.LatencyMax, "s"));
  Line("power unthrottled", formatSI(T.unthrottledPower(E.StaticPower), "W"));
  Line("power paced", E.TickSeconds > 0
                          ? fmt::format("{} (tick {})", formatSI(T.pacedPower(), "W"),
                                        formatSI(E.TickSeconds, "s"))
                          : fmt::format("{} (no tick: unthrottled)", formatSI(T.pacedPower(), "W")));
  return fmt::to_string(Out);
}

namespace {

/// A JSON string literal (names here are plain identifiers and file-safe
/// architecture names, but escape anyway).
std::string jsonString(const std::string &S) {
  std::string Out = "\"";
  for (char C : S) {
    if (C == '"' || C == '\\')
      Out += '\\';
    if (static_cast<unsigned char>(C) < 0x20) {
      Out += fmt::format("\\u{:04x}", int(C));
      continue;
    }
    Out += C;
  }
  return Out + "\"";
}

/// Shortest round-trip text of a double (JSON has no inf or nan; these
/// values are finite).
std::string num(double V) { return fmt::format("{}", V); }

} // namespace

std::string energyReportJson(const RunResult &R) {
  const EnergyReport &E = *R.Energy;
  const emulator::EnergyTotals &T = E.Totals;
  fmt::memory_buffer Out;
  auto W = [&](const std::string &S) { fmt::format_to(std::back_inserter(Out), "{}", S); };
  W("{\n");
  W(fmt::format("  \"engine\": {},\n", jsonString(R.Engine)));
  W(fmt::format("  \"architecture\": {},\n", jsonString(E.ArchName)));
  W(fmt::format("  \"cost_model\": {},\n", jsonString(E.CostModel)));
  W(fmt::format("  \"latency_source\": {},\n",
                jsonString(R.Engine == "systemc" ? "simulated" : "estimate")));
  W(fmt::format("  \"mesh_model\": {},\n", jsonString(R.MeshModel)));
  W(fmt::format("  \"steps\": {},\n", R.Steps));
  W(fmt::format("  \"spikes\": {},\n", R.Counters.Cores.SpikesOut));
  W(fmt::format("  \"synaptic_events\": {},\n", R.Counters.Cores.SynapticEvents));
  W(fmt::format("  \"energy_j\": {},\n", num(T.Energy.total())));
  W(fmt::format("  \"dynamic_energy_j\": {},\n", num(T.Energy.dynamic())));
  W("  \"energy_by_component_j\": {\n");
  const std::vector<EnergyComponent> &Cs = energyComponents();
  for (size_t I = 0; I < Cs.size(); ++I)
    W(fmt::format("    \"{}\": {}{}\n", Cs[I].Key, num(T.Energy.*Cs[I].Field),
                  I + 1 < Cs.size() ? "," : ""));
  W("  },\n");
  W(fmt::format("  \"latency_sum_s\": {},\n", num(T.LatencySum)));
  W(fmt::format("  \"latency_mean_s\": {},\n", num(T.meanLatency())));
  W(fmt::format("  \"latency_max_s\": {},\n", num(T.LatencyMax)));
  W(fmt::format("  \"duration_s\": {},\n", num(T.DurationSum)));
  W(fmt::format("  \"tick_s\": {},\n", num(E.TickSeconds)));
  W(fmt::format("  \"static_power_w\": {},\n", num(E.StaticPower)));
  W(fmt::format("  \"power_unthrottled_w\": {},\n", num(T.unthrottledPower(E.StaticPower))));
  W(fmt::format("  \"power_paced_w\": {},\n", num(T.pacedPower())));
  // What the visual report draws (nmesh report): every step, every spike,
  // every core and every link with traffic.
  W("  \"components\": [");
  for (size_t I = 0; I < Cs.size(); ++I)
    W(fmt::format("{}\"{}\"", I ? ", " : "", Cs[I].Key));
  W("],\n  \"per_step\": [");
  for (size_t I = 0; I < E.PerStep.size(); ++I) {
    const emulator::StepReport &S = E.PerStep[I];
    W(fmt::format("{}\n    {{\"latency_s\": {}, \"duration_s\": {}, \"energy_j\": {}, "
                  "\"by_component_j\": [",
                  I ? "," : "", num(S.Time.latency()), num(S.Duration), num(S.Energy.total())));
    for (size_t C = 0; C < Cs.size(); ++C)
      W(fmt::format("{}{}", C ? ", " : "", num(S.Energy.*Cs[C].Field)));
    W("]}");
  }
  W("\n  ],\n  \"populations\": [");
  const RunActivity NoActivity;
  const RunActivity &A = R.Activity ? *R.Activity : NoActivity;
  for (size_t I = 0; I < A.Populations.size(); ++I) {
    const PopulationInfo &P = A.Populations[I];
    W(fmt::format("{}\n    {{\"name\": {}, \"symbol\": {}, \"size\": {}, \"recorded\": {}}}",
                  I ? "," : "", jsonString(P.Name), P.Symbol, P.Size,
                  P.Recorded ? "true" : "false"));
  }
  // [step, symbol, neuron], as the spike CSV has them, in recording order.
  W("\n  ],\n  \"spike_records\": [");
  for (size_t I = 0; I < R.Spikes.size(); ++I)
    W(fmt::format("{}{}[{}, {}, {}]", I ? "," : "", I % 8 ? " " : "\n    ", R.Spikes[I].Step,
                  R.Spikes[I].Symbol, R.Spikes[I].Index));
  W(fmt::format("\n  ],\n  \"mesh\": {{\"tiles_x\": {}, \"tiles_y\": {}, \"chip_tiles_x\": {}, "
                "\"chip_tiles_y\": {}, \"cores_per_tile\": {}}},\n  \"cores\": [",
                A.TilesX, A.TilesY, A.ChipTilesX, A.ChipTilesY, A.CoresPerTile));
  for (size_t I = 0; I < A.Cores.size(); ++I) {
    const CoreActivity &C = A.Cores[I];
    W(fmt::format("{}\n    {{\"core\": {}, \"chip\": {}, \"x\": {}, \"y\": {}, \"slot\": {}, "
                  "\"neurons\": {}, \"input_axons\": {}, \"utilisation\": {}, \"spikes_out\": {}, "
                  "\"messages_out\": {}, \"spikes_in\": {}, \"synaptic_events\": {}, "
                  "\"neuron_updates\": {}}}",
                  I ? "," : "", I, C.Location.Chip, C.Location.X, C.Location.Y,
                  int(C.Location.Slot), C.Neurons, C.InputAxons, num(C.Utilisation),
                  C.Counters.SpikesOut, C.Counters.MessagesOut, C.Counters.SpikesIn,
                  C.Counters.SynapticEvents, C.Counters.NeuronUpdates));
  }
  W("\n  ],\n  \"links\": [");
  for (size_t I = 0; I < A.Links.size(); ++I) {
    const LinkTraffic &L = A.Links[I];
    W(fmt::format("{}\n    {{\"x\": {}, \"y\": {}, \"dx\": {}, \"dy\": {}, \"chip_edge\": {}, "
                  "\"messages\": {}}}",
                  I ? "," : "", L.Link.X, L.Link.Y, int(L.Link.DX), int(L.Link.DY),
                  L.Link.ChipEdge ? "true" : "false", L.Messages));
  }
  W("\n  ]\n}\n");
  return fmt::to_string(Out);
}

std::string perStepCsv(const EnergyReport &E) {
  fmt::memory_buffer Out;
  fmt::format_to(std::back_inserter(Out), "step,latency_s,energy_j");
  for (const EnergyComponent &C : energyComponents())
    fmt::format_to(std::back_inserter(Out), ",{}_j", C.Key);
  fmt::format_to(std::back_inserter(Out), "\n");
  for (size_t I = 0; I < E.PerStep.size(); ++I) {
    const emulator::StepReport &S = E.PerStep[I];
    fmt::format_to(std::back_inserter(Out), "{},{},{}", I, num(S.Time.latency()),
                   num(S.Energy.total()));
    for (const EnergyComponent &C : energyComponents())
      fmt::format_to(std::back_inserter(Out), ",{}", num(S.Energy.*C.Field));
    fmt::format_to(std::back_inserter(Out), "\n");
  }
  return fmt::to_string(Out);
}

std::vector<PowerStretch> powerBudgetStretches(const EnergyReport &E, double BudgetWatts) {
  std::vector<PowerStretch> Stretches;
  bool Open = false;
  for (size_t I = 0; I < E.PerStep.size(); ++I) {
    const double P = E.pacedPower(I);
    if (!(P > BudgetWatts)) {
      Open = false;
      continue;
    }
    if (!Open)
      Stretches.push_back({uint64_t(I), uint64_t(I), P});
    Open = true;
    Stretches.back().LastStep = uint64_t(I);
    Stretches.back().PeakWatts = std::max(Stretches.back().PeakWatts, P);
  }
  return Stretches;
}

} // namespace neuromesh::runtime
