//===- Run.cpp - run an image on an engine --------------------------------===//
//
// Engines are registered explicitly in one table: the functional engine and
// the SystemC chip model (docs/systemc.md).
//
//===----------------------------------------------------------------------===//
#include "neuromesh/runtime/Run.h"

#include "neuromesh/emulator/systemc/SystemCEngine.h"
#include "neuromesh/isa/Error.h"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>

namespace neuromesh::runtime {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point Start) {
  return std::chrono::duration<double>(Clock::now() - Start).count();
}

/// Steps any engine with the FunctionalEngine's host API.
template <typename EngineT>
RunResult runSteps(EngineT &Engine, const RunOptions &Opts,
                   const std::vector<emulator::SpikeRecord> &Inputs) {
  RunResult R;
  Clock::time_point Start = Clock::now();
  size_t Next = 0;
  for (uint64_t T = 0; T < Opts.Steps; ++T) {
    for (; Next < Inputs.size() && Inputs[Next].Step == T; ++Next)
      Engine.injectInput(Inputs[Next].Symbol, Inputs[Next].Index);
    Engine.step();
  }
  R.WallSeconds = secondsSince(Start);
  R.IgnoredInputs = Inputs.size() - Next;
  R.Spikes = Engine.takeRecorded();
  R.Probes = Engine.takeProbed();
  R.Counters = Engine.counters();
  return R;
}

RunResult runFunctional(const isa::Image &Img, const RunOptions &Opts,
                        const std::vector<emulator::SpikeRecord> &Inputs) {
  Clock::time_point Start = Clock::now();
  emulator::FunctionalEngine Engine(Img);
  const double Setup = secondsSince(Start);
  RunResult R = runSteps(Engine, Opts, Inputs);
  R.SetupSeconds = Setup;
  return R;
}

/// The SystemC chip model with its default (placeholder) timing.
RunResult runSystemC(const isa::Image &Img, const RunOptions &Opts,
                     const std::vector<emulator::SpikeRecord> &Inputs) {
  Clock::time_point Start = Clock::now();
  emulator::systemc::SystemCEngine Engine(Img);
  const double Setup = secondsSince(Start);
  RunResult R = runSteps(Engine, Opts, Inputs);
  R.SetupSeconds = Setup;
  for (const emulator::systemc::StepLatency &L : Engine.latencies())
    R.StepSeconds.push_back(L.Seconds);
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
  if (Opts.Validate)
    isa::validateImage(Img);

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

} // namespace neuromesh::runtime
