//===- nmesh/sweep.cpp - nmesh sweep: an architecture grid, compiled and run -===//
#include "NetworkInput.h"

#include "neuromesh/compiler/Compile.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/FileIO.h"
#include "neuromesh/runtime/Sweep.h"

#include <iostream>
#include <unistd.h>

namespace nmesh {

int commandSweep(const Args &A) {
  po::options_description Visible(
      "usage: nmesh sweep <net.yaml|net.nir> --arch <arch.yaml> --set path=v1,v2,... [--set ...] "
      "--steps N\n"
      "                   [--zip] [--input in.csv] [--csv out.csv] [--reports DIR] [--jobs N]\n"
      "                   [--placement optimised|in-order|random] [--seed N]\n"
      "                   [--dt SECONDS] [--reset zero|subtract]   (NIR only)\n\n"
      "Sweeps an architecture: for every combination of the --set values (or, with\n"
      "--zip, the i-th value of every --set together) it derives the architecture,\n"
      "compiles the network against its limits (placed as --placement says, as\n"
      "nmesh compile places it) and runs it for N steps on the\n"
      "systemc engine. Prints a table and writes --csv: the values, cores and chips\n"
      "used, neuron utilisation, energy and latency per step, power, spikes, and\n"
      "whether the point is on the energy-latency Pareto front. A point whose\n"
      "network does not fit is a row with the compiler's message. Points run in\n"
      "--jobs worker processes; the results do not depend on how many\n"
      "(docs/co-design.md).\n\noptions");
  Visible.add_options()("help,h", "print this help and exit")(
      "arch,a", po::value<std::string>()->value_name("FILE"), "base architecture file (required)")(
      "set", po::value<std::vector<std::string>>()->composing()->value_name("PATH=V1,V2,..."),
      "sweep an architecture field over comma-separated values, e.g. "
      "--set core.neurons=256,512,1024 (repeatable; one value fixes the field)")(
      "zip", "pair the i-th values of every --set instead of taking all combinations (a --set with one value joins every pair)")(
      "steps,n", po::value<int64_t>()->value_name("N"), "timesteps to run each point (required)")(
      "input,i", po::value<std::string>()->value_name("FILE"), "host input spikes (CSV)")(
      "csv", po::value<std::string>()->value_name("FILE"), "write the table as CSV")(
      "reports", po::value<std::string>()->value_name("DIR"),
      "write each feasible point's report JSON as DIR/point-<i>.json (an existing directory)")(
      "jobs,j", po::value<unsigned>()->default_value(0)->value_name("N"),
      "worker processes at once (0 = one per hardware thread)");
  addMappingOptions(Visible);
  addNetworkFileOptions(Visible);
  ParsedCommandLine P = parseCommandLine("sweep", A, Visible, "network",
                                         {{"network", "missing the network file"},
                                          {"arch", "missing --arch FILE"},
                                          {"steps", "missing --steps N"}});
  if (P.Exit)
    return *P.Exit;
  const po::variables_map &VM = P.Values;
  if (VM["steps"].as<int64_t>() < 1)
    return usageError("sweep", "--steps must be >= 1, got " +
                                   std::to_string(VM["steps"].as<int64_t>()),
                      Visible);

  neuromesh::runtime::SweepOptions Opts;
  Opts.ArchPath = VM["arch"].as<std::string>();
  Opts.Steps = uint64_t(VM["steps"].as<int64_t>());
  Opts.Zip = VM.count("zip") > 0;
  Opts.Jobs = VM["jobs"].as<unsigned>();
  if (VM.count("input"))
    Opts.InputPath = VM["input"].as<std::string>();
  if (VM.count("set"))
    for (const std::string &S : VM["set"].as<std::vector<std::string>>())
      Opts.Parameters.push_back(neuromesh::runtime::parseSweepParameter(S));

  neuromesh::compiler::MappingOptions Mapping;
  if (std::optional<int> Exit = readMappingOptions("sweep", VM, Visible, Mapping))
    return *Exit;

  // The network is read once, here, the way nmesh compile reads it.
  neuromesh::compiler::NetworkFileOptions FileOptions;
  if (std::optional<int> Exit = readNetworkFileOptions("sweep", VM, Visible, FileOptions))
    return *Exit;
  neuromesh::compiler::NetworkFileNotes Notes;
  const neuromesh::compiler::Network Net =
      readNetwork(VM["network"].as<std::string>(), FileOptions, Notes);
  auto Compile = [&](const neuromesh::isa::Architecture &Arch) {
    neuromesh::compiler::CompileResult C = neuromesh::compiler::compileNetwork(Net, Arch, Mapping);
    neuromesh::runtime::CompiledPoint Out;
    Out.CoresUsed = C.Mapped.Report.CoresUsed;
    Out.ChipsUsed = C.Mapped.Report.ChipsUsed;
    Out.MeanNeuronUse = C.Mapped.Report.MeanNeuronUse;
    Out.MaxNeuronUse = C.Mapped.Report.MaxNeuronUse;
    Out.Image = std::move(C.Mapped.Image);
    return Out;
  };
  if (::isatty(STDERR_FILENO))
    Opts.Progress = [](size_t Done, size_t Total) {
      std::cerr << "\rsweep: " << Done << " of " << Total << " points done" << (Done == Total ? "\n" : "")
                << std::flush;
    };
  const neuromesh::runtime::SweepResult R = neuromesh::runtime::runSweep(Opts, Compile);
  std::cout << neuromesh::runtime::formatSweepTable(R);
  if (VM.count("csv"))
    neuromesh::isa::writeFileAtomically(VM["csv"].as<std::string>(),
                                        neuromesh::runtime::sweepCsv(R));
  if (VM.count("reports"))
    for (size_t I = 0; I < R.Points.size(); ++I)
      if (R.Points[I].Feasible)
        neuromesh::isa::writeFileAtomically(
            VM["reports"].as<std::string>() + "/point-" + std::to_string(I) + ".json",
            R.Points[I].ReportJson);
  return 0;
}

} // namespace nmesh
