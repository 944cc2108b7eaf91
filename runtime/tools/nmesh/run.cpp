//===- nmesh/run.cpp - nmesh run: run an image and record its spikes ------===//
#include "CommandLine.h"

#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/FileIO.h"
#include "neuromesh/isa/ImageFile.h"
#include "neuromesh/runtime/ProbeFile.h"
#include "neuromesh/runtime/Progress.h"
#include "neuromesh/runtime/Run.h"
#include "neuromesh/runtime/SpikeFile.h"

#include <iostream>

namespace nmesh {

int commandRun(const Args &A) {
  std::string Engines;
  for (const std::string &N : neuromesh::runtime::availableEngines())
    Engines += (Engines.empty() ? "" : ", ") + N;
  po::options_description Visible(
      "usage: nmesh run <image.nmb> --steps N [--input in.csv] "
      "[--spikes out.csv] [--probes trace.csv] [--engine NAME]\n"
      "                 [--jit on|off|auto] [--threads N]\n"
      "                 [--arch arch.yaml [--set path=value ...] [--report report.json]\n"
      "                  [--per-step steps.csv] [--power-budget 100mW]]\n"
      "                 [--vcd activity.vcd] [--trace activity.json]\n\n"
      "Runs a chip image for N timesteps, feeding it the host input spikes of\n"
      "--input, and prints a summary (spikes per population, synaptic events,\n"
      "neuron updates, wall time, throughput). Spike files are CSV with the\n"
      "header 'step,population,neuron'; --probes writes the probed state\n"
      "words (membrane traces, readouts) under the header\n"
      "'step,population,neuron,variable,value' (docs/formats.md).\n\n"
      "The default engine, systemc, simulates the chip (routers, cores, barrier)\n"
      "and reports each step's latency; --engine functional runs the untimed\n"
      "golden model (the same spikes, faster). With --arch (the architecture the\n"
      "image was compiled for) the run is priced with the architecture's costs\n"
      "(docs/energy-model.md): energy by component, step latency, power\n"
      "unthrottled and paced at the tick; systemc takes its timing from the\n"
      "architecture, functional reports the energy model's uncontended\n"
      "estimate. Without --arch, systemc uses default timing (the summary's\n"
      "'timing' line says so) and nothing is priced. The mesh is the\n"
      "cycle-level routers unless the architecture sets mesh.model: transaction\n"
      "(--set mesh.model=transaction: several times faster on large networks,\n"
      "the same spikes and hop energy, but an approximate step latency: equal\n"
      "when messages do not contend, off by up to 2.5x when they do; docs/systemc.md,\n"
      "\"The two mesh models\").\n\n"
      "--vcd and --trace record the SystemC model's activity (systemc engine):\n"
      "per core a busy signal (updates, spikes absorbed), per router output a\n"
      "busy and a stall signal, per step the barrier; VCD opens in GTKWave, the\n"
      "trace-event JSON in Perfetto (ui.perfetto.dev) or chrome://tracing.\n"
      "Under the cycle model tracing samples every router in every cycle with\n"
      "traffic: keep runs short. On a terminal, long runs show their progress on standard error.\n\n"
      "Neuron programs run as native code compiled by LLVM (--jit on) or on\n"
      "the reference interpreter (--jit off), with identical results; auto\n"
      "compiles when the run has at least 1M neuron updates (neurons x steps),\n"
      "below which compiling costs more than it saves.\n\n"
      "Exit status: 0 success; 1 error; 2 usage error; 3 --power-budget\n"
      "exceeded by at least one step (the stretches are printed).\n\noptions");
  Visible.add_options()("help,h", "print this help and exit")(
      "steps,n", po::value<int64_t>()->value_name("N"),
      "timesteps to run (required)")(
      "input,i", po::value<std::string>()->value_name("FILE"),
      "host input spikes: CSV (population = an input port of the image) or a dense .npy "
      "[steps, *shape] of 0/1 for the image's one external input port")(
      "spikes,s", po::value<std::string>()->value_name("FILE"),
      "write the recorded population spikes to FILE")(
      "probes,p", po::value<std::string>()->value_name("FILE"),
      "write every probe sample (state after each step) to FILE")(
      "engine,e",
      po::value<std::string>()->default_value("systemc")->value_name("NAME"),
      ("the engine to run on: " + Engines +
       " (systemc: the timed chip model; functional: the untimed golden model, same spikes)")
          .c_str())(
      "jit", po::value<std::string>()->default_value("auto")->value_name("on|off|auto"),
      "neuron programs JIT-compiled (on), interpreted (off), or by run size (auto)")(
      "threads,j", po::value<int64_t>()->default_value(1)->value_name("N"),
      "threads that step the cores (systemc: their updates and receives; 0 = one per "
      "hardware thread); results are bit-identical for every N")(
      "arch,a", po::value<std::string>()->value_name("FILE"),
      "architecture file to price the run with (must be the one the image was compiled for)")(
      "set", po::value<std::vector<std::string>>()->composing()->value_name("PATH=VALUE"),
      "override an architecture field, as for nmesh compile, e.g. --set costs.model=silicon "
      "(repeatable)")(
      "report", po::value<std::string>()->value_name("FILE"),
      "write the energy, latency and power report as JSON: totals, every step, the spikes, "
      "per-core and per-link activity; nmesh report draws it (needs --arch)")(
      "per-step", po::value<std::string>()->value_name("FILE"),
      "write each step's latency and energy by component as CSV (needs --arch)")(
      "power-budget", po::value<std::string>()->value_name("POWER"),
      "report every stretch of steps whose paced power exceeds POWER (e.g. 100mW) and exit 3 "
      "if any (needs --arch)")(
      "vcd", po::value<std::string>()->value_name("FILE"),
      "write core, router and barrier activity as VCD (GTKWave; systemc engine)")(
      "trace", po::value<std::string>()->value_name("FILE"),
      "write the same activity as Chrome trace-event JSON (Perfetto; systemc engine)");
  ParsedCommandLine P = parseCommandLine(
      "run", A, Visible, "image",
      {{"image", "missing the input image"}, {"steps", "missing --steps N"}});
  if (P.Exit)
    return *P.Exit;
  const po::variables_map &VM = P.Values;
  if (VM["steps"].as<int64_t>() < 0)
    return usageError("run", "--steps must be >= 0, got " +
                                 std::to_string(VM["steps"].as<int64_t>()),
                      Visible);

  const int64_t Threads = VM["threads"].as<int64_t>();
  if (Threads < 0 || Threads > 1024)
    return usageError("run", "--threads must be in [0, 1024] (0 = one per hardware thread), got " +
                                 std::to_string(Threads),
                      Visible);

  for (const char *Needs : {"report", "per-step", "power-budget", "set"})
    if (VM.count(Needs) && !VM.count("arch"))
      return usageError("run", std::string("--") + Needs + " needs --arch FILE", Visible);
  double Budget = 0;
  if (VM.count("power-budget") &&
      (!neuromesh::isa::parseQuantity(VM["power-budget"].as<std::string>(), "W", Budget) ||
       Budget < 0))
    return usageError("run",
                      "--power-budget must be a power >= 0 in W with an optional SI prefix, "
                      "e.g. 100mW, got '" +
                          VM["power-budget"].as<std::string>() + "'",
                      Visible);

  if ((VM.count("vcd") || VM.count("trace")) && VM["engine"].as<std::string>() != "systemc")
    return usageError("run", "--vcd and --trace record the SystemC model's activity: they need "
                             "--engine systemc (the default)",
                      Visible);

  const std::string ImagePath = VM["image"].as<std::string>();
  neuromesh::isa::Image Img = neuromesh::isa::readImageFile(ImagePath);
  neuromesh::runtime::RunOptions Opts;
  Opts.Steps = static_cast<uint64_t>(VM["steps"].as<int64_t>());
  Opts.Engine = VM["engine"].as<std::string>();
  const std::string Jit = VM["jit"].as<std::string>();
  if (Jit != "on" && Jit != "off" && Jit != "auto")
    return usageError("run", "--jit must be on, off or auto, got '" + Jit + "'", Visible);
  Opts.Jit = Jit == "on"    ? neuromesh::runtime::JitMode::On
             : Jit == "off" ? neuromesh::runtime::JitMode::Off
                            : neuromesh::runtime::JitMode::Auto;
  Opts.Threads = static_cast<unsigned>(Threads);
  Opts.Validate = false; // readImageFile has validated it
  Opts.RecordTrace = VM.count("vcd") || VM.count("trace");
  neuromesh::runtime::ProgressLine Progress(stderr);
  if (Progress.enabled())
    Opts.OnStep = [&Progress](uint64_t Done, uint64_t Total) { Progress.update(Done, Total); };
  if (VM.count("arch")) {
    std::vector<neuromesh::isa::ArchOverride> Overrides;
    if (VM.count("set"))
      for (const std::string &S : VM["set"].as<std::vector<std::string>>())
        Overrides.push_back(neuromesh::isa::parseArchOverride(S));
    Opts.Arch = neuromesh::isa::loadArchitecture(VM["arch"].as<std::string>(), Overrides);
    try {
      const std::string Warning = neuromesh::runtime::checkArchitecture(Img, *Opts.Arch);
      if (!Warning.empty())
        std::cerr << ImagePath << ": " << Warning << "\n";
    } catch (const neuromesh::Error &E) {
      throw neuromesh::Error(ImagePath + ": " + E.what());
    }
  }
  if (VM.count("input"))
    Opts.Inputs = neuromesh::runtime::readSpikeFile(
        VM["input"].as<std::string>(), Img,
        neuromesh::isa::SymbolKind::InputPort);
  neuromesh::runtime::RunResult R = neuromesh::runtime::runImage(Img, Opts);
  Progress.finish();
  if (VM.count("vcd"))
    neuromesh::isa::writeFileAtomically(VM["vcd"].as<std::string>(),
                                        neuromesh::emulator::systemc::traceVcd(*R.Trace));
  if (VM.count("trace"))
    neuromesh::isa::writeFileAtomically(VM["trace"].as<std::string>(),
                                        neuromesh::emulator::systemc::traceChromeJson(*R.Trace));
  if (VM.count("spikes"))
    neuromesh::runtime::writeSpikeFile(VM["spikes"].as<std::string>(),
                                       R.Spikes, Img);
  if (VM.count("probes"))
    neuromesh::runtime::writeProbeFile(VM["probes"].as<std::string>(),
                                       R.Probes, Img);
  std::cout << "image:                 " << ImagePath << "\n"
            << neuromesh::runtime::formatRunSummary(R, Img)
            << neuromesh::runtime::formatEnergySummary(R);
  if (!R.Energy)
    return 0;
  if (VM.count("report"))
    neuromesh::isa::writeFileAtomically(VM["report"].as<std::string>(),
                                        neuromesh::runtime::energyReportJson(R));
  if (VM.count("per-step"))
    neuromesh::isa::writeFileAtomically(VM["per-step"].as<std::string>(),
                                        neuromesh::runtime::perStepCsv(*R.Energy));
  if (!VM.count("power-budget"))
    return 0;
  const std::vector<neuromesh::runtime::PowerStretch> Over =
      neuromesh::runtime::powerBudgetStretches(*R.Energy, Budget);
  if (Over.empty()) {
    std::cout << "power budget:          " << neuromesh::runtime::formatSI(Budget, "W")
              << " never exceeded (paced power per step)\n";
    return 0;
  }
  std::cout << "power budget:          " << neuromesh::runtime::formatSI(Budget, "W")
            << " exceeded in " << Over.size() << " stretch(es) of steps (paced power):\n";
  for (const neuromesh::runtime::PowerStretch &S : Over)
    std::cout << "  steps " << S.FirstStep << "-" << S.LastStep << ": peak "
              << neuromesh::runtime::formatSI(S.PeakWatts, "W") << "\n";
  return 3;
}

} // namespace nmesh
