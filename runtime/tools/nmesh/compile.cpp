//===- nmesh/compile.cpp - nmesh compile: network -> chip image ------------===//
#include "NetworkInput.h"

#include "neuromesh/compiler/Compile.h"
#include "neuromesh/compiler/NetworkFile.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/ImageFile.h"

#include <iostream>

namespace nmesh {

int commandCompile(const Args &A) {
  po::options_description Visible(
      "usage: nmesh compile <net.yaml|model.nir> --arch <arch.yaml> -o <out.nmb> [--map-report mapping.json]\n"
      "                     [--set path=value ...] [--placement optimised|in-order|random] [--seed N]\n"
      "                     [--dt SECONDS] [--reset zero|subtract]   (NIR only)\n\n"
      "Compiles a network description (docs/network-format.md) or a NIR graph\n"
      "(docs/nir.md: HDF5, as exported by snnTorch, Norse, Sinabs, Rockpool ...)\n"
      "for an architecture (docs/arch-format.md; presets in examples/arch/):\n"
      "lowers neuron models to microcode, quantises, partitions into cores, places\n"
      "on the mesh, routes and writes the chip image. Prints a summary; --map-report\n"
      "writes the mapping as JSON (docs/mapping.md). A NIR file is discretised by\n"
      "forward Euler at --dt and resets as --reset says (neither is stored in NIR).\n\noptions");
  Visible.add_options()("help,h", "print this help and exit")(
      "arch,a", po::value<std::string>()->value_name("FILE"), "architecture file (required)")(
      "output,o", po::value<std::string>()->value_name("FILE"), "the chip image to write (required)")(
      "map-report", po::value<std::string>()->value_name("FILE"), "write the mapping report (JSON)")(
      "set", po::value<std::vector<std::string>>()->composing()->value_name("PATH=VALUE"),
      "override an architecture field, e.g. --set core.neurons=2048 (repeatable)");
  addMappingOptions(Visible);
  addNetworkFileOptions(Visible);
  ParsedCommandLine P = parseCommandLine("compile", A, Visible, "network",
                                         {{"network", "missing the network file"},
                                          {"arch", "missing --arch FILE"},
                                          {"output", "missing -o FILE"}});
  if (P.Exit)
    return *P.Exit;
  const po::variables_map &VM = P.Values;
  neuromesh::compiler::MappingOptions Options;
  if (std::optional<int> Exit = readMappingOptions("compile", VM, Visible, Options))
    return *Exit;

  std::vector<neuromesh::isa::ArchOverride> Overrides;
  if (VM.count("set"))
    for (const std::string &S : VM["set"].as<std::vector<std::string>>())
      Overrides.push_back(neuromesh::isa::parseArchOverride(S));
  neuromesh::isa::Architecture Arch =
      neuromesh::isa::loadArchitecture(VM["arch"].as<std::string>(), Overrides);
  neuromesh::compiler::NetworkFileOptions FileOptions;
  if (std::optional<int> Exit = readNetworkFileOptions("compile", VM, Visible, FileOptions))
    return *Exit;
  neuromesh::compiler::NetworkFileNotes Notes;
  neuromesh::compiler::Network Net =
      readNetwork(VM["network"].as<std::string>(), FileOptions, Notes);
  neuromesh::compiler::CompileResult R = neuromesh::compiler::compileNetwork(Net, Arch, Options);
  neuromesh::isa::writeImageFile(R.Mapped.Image, VM["output"].as<std::string>());
  if (VM.count("map-report"))
    R.Mapped.Report.writeJson(VM["map-report"].as<std::string>());
  if (Notes.IsNir) {
    std::cout << "NIR:                   dt " << Notes.Dt << " s (forward Euler), reset "
              << (Notes.Reset == neuromesh::compiler::nir::ResetMode::Zero ? "zero" : "subtract")
              << "\n";
    for (const auto &[Node, Scale] : Notes.Nir.VScale)
      std::cout << "  v scale of " << Node << ": " << Scale
                << " hardware units per NIR unit (probes read v times this)\n";
  }
  std::cout << neuromesh::compiler::formatCompileSummary(R, Arch);
  std::cout << "wrote " << VM["output"].as<std::string>() << "\n";
  return 0;
}

} // namespace nmesh
