//===- nmesh/export_nir.cpp - nmesh export-nir: network -> NIR file -------===//
#include "CommandLine.h"

#include "neuromesh/compiler/NetworkYaml.h"
#include "neuromesh/compiler/NirExport.h"

#include <iostream>

namespace nmesh {

int commandExportNir(const Args &A) {
  po::options_description Visible(
      "usage: nmesh export-nir <net.yaml> -o <out.nir> [--dt SECONDS]\n\n"
      "Writes a network description (docs/network-format.md) as a NIR graph (HDF5,\n"
      "the layout of the reference NIR package), for snnTorch, Norse, Sinabs, Lava\n"
      "or `nmesh compile out.nir`. Time constants are written for forward-Euler\n"
      "steps of --dt, so that each step of the NIR node does what a chip step does;\n"
      "import with the same dt and the reset mode printed. Populations become LIF,\n"
      "CubaLIF, IF, LI or I nodes, sources Input nodes, projections dense Linear\n"
      "nodes (plus Delay nodes for delays above one step), recorded populations\n"
      "Output nodes. What NIR cannot express (refractory periods, adaptive or\n"
      "TrueNorth neurons, mixed reset modes) is an error naming the population or\n"
      "projection (docs/nir.md, \"Export\").\n\noptions");
  Visible.add_options()("help,h", "print this help and exit")(
      "output,o", po::value<std::string>()->value_name("FILE"), "the NIR file to write (required)")(
      "dt", po::value<double>()->value_name("SECONDS"),
      "seconds per timestep the time constants are written for (default: the network's dt)");
  ParsedCommandLine P =
      parseCommandLine("export-nir", A, Visible, "network",
                       {{"network", "missing the network file"}, {"output", "missing -o FILE"}});
  if (P.Exit)
    return *P.Exit;
  const po::variables_map &VM = P.Values;
  neuromesh::compiler::NirExportOptions Options;
  if (VM.count("dt")) {
    Options.Dt = VM["dt"].as<double>();
    if (!(Options.Dt > 0) || Options.Dt > 1)
      return usageError("export-nir", "--dt must be in (0, 1] seconds", Visible);
  }
  neuromesh::compiler::Network Net =
      neuromesh::compiler::loadNetworkYaml(VM["network"].as<std::string>());
  const std::string &Out = VM["output"].as<std::string>();
  neuromesh::compiler::NirExportResult R = neuromesh::compiler::exportNir(Net, Out, Options);
  for (const std::string &Note : R.Notes)
    std::cerr << "note: " << Note << "\n";
  std::cout << "wrote " << Out << ": " << R.Nodes << " nodes, " << R.Edges
            << " edges; import with --dt " << R.Dt << " --reset " << R.ResetMode << "\n";
  return 0;
}

} // namespace nmesh
