//===- nmesh/compile.cpp - nmesh compile: network -> chip image ------------===//
#include "CommandLine.h"

#include "neuromesh/compiler/Compile.h"
#include "neuromesh/compiler/NetworkYaml.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/ImageFile.h"

#include <iostream>

namespace nmesh {

int commandCompile(const Args &A) {
  po::options_description Visible(
      "usage: nmesh compile <net.yaml> --arch <arch.yaml> -o <out.nmb> [--map-report mapping.json]\n"
      "                     [--set path=value ...] [--placement optimised|in-order|random] [--seed N]\n\n"
      "Compiles a network description (docs/network-format.md) for an architecture\n"
      "(docs/arch-format.md; presets in examples/arch/): lowers neuron models to\n"
      "microcode, quantises, partitions into cores, places on the mesh, routes and\n"
      "writes the chip image. Prints a summary; --map-report writes the mapping as\n"
      "JSON (docs/mapping.md).\n\noptions");
  Visible.add_options()("help,h", "print this help and exit")(
      "arch,a", po::value<std::string>()->value_name("FILE"), "architecture file (required)")(
      "output,o", po::value<std::string>()->value_name("FILE"), "the chip image to write (required)")(
      "map-report", po::value<std::string>()->value_name("FILE"), "write the mapping report (JSON)")(
      "set", po::value<std::vector<std::string>>()->composing()->value_name("PATH=VALUE"),
      "override an architecture field, e.g. --set core.neurons=2048 (repeatable)")(
      "placement", po::value<std::string>()->default_value("optimised")->value_name("NAME"),
      "placement strategy: optimised, in-order or random")(
      "seed", po::value<uint64_t>()->default_value(1)->value_name("N"),
      "seed for random placement");
  ParsedCommandLine P = parseCommandLine("compile", A, Visible, "network",
                                         {{"network", "missing the network file"},
                                          {"arch", "missing --arch FILE"},
                                          {"output", "missing -o FILE"}});
  if (P.Exit)
    return *P.Exit;
  const po::variables_map &VM = P.Values;
  neuromesh::compiler::MappingOptions Options;
  std::string Placement = VM["placement"].as<std::string>();
  if (Placement == "optimised")
    Options.Placement = neuromesh::compiler::PlacementStrategy::Optimised;
  else if (Placement == "in-order")
    Options.Placement = neuromesh::compiler::PlacementStrategy::InOrder;
  else if (Placement == "random")
    Options.Placement = neuromesh::compiler::PlacementStrategy::Random;
  else {
    return usageError("compile",
                      "unknown placement '" + Placement + "'; use optimised, in-order or random",
                      Visible);
  }
  Options.Seed = VM["seed"].as<uint64_t>();

  std::vector<neuromesh::isa::ArchOverride> Overrides;
  if (VM.count("set"))
    for (const std::string &S : VM["set"].as<std::vector<std::string>>())
      Overrides.push_back(neuromesh::isa::parseArchOverride(S));
  neuromesh::isa::Architecture Arch =
      neuromesh::isa::loadArchitecture(VM["arch"].as<std::string>(), Overrides);
  neuromesh::compiler::Network Net =
      neuromesh::compiler::loadNetworkYaml(VM["network"].as<std::string>());
  neuromesh::compiler::CompileResult R = neuromesh::compiler::compileNetwork(Net, Arch, Options);
  neuromesh::isa::writeImageFile(R.Mapped.Image, VM["output"].as<std::string>());
  if (VM.count("map-report"))
    R.Mapped.Report.writeJson(VM["map-report"].as<std::string>());
  std::cout << neuromesh::compiler::formatCompileSummary(R, Arch);
  std::cout << "wrote " << VM["output"].as<std::string>() << "\n";
  return 0;
}

} // namespace nmesh
