//===- nmesh/NetworkInput.cpp - reading a network file on the command line ===//
#include "NetworkInput.h"

#include "neuromesh/isa/Architecture.h"

#include <iostream>

namespace nmesh {

void addNetworkFileOptions(po::options_description &Visible) {
  Visible.add_options()(
      "dt", po::value<std::string>()->value_name("SECONDS"),
      "NIR: forward-Euler step (default 1e-4, snnTorch's export step; e.g. 1e-4 or 100us)")(
      "reset", po::value<std::string>()->value_name("MODE"),
      "NIR: reset after a spike, zero (v = v_reset, the default) or subtract (v -= threshold)");
}

std::optional<int> readNetworkFileOptions(const char *Command, const po::variables_map &VM,
                                          const po::options_description &Visible,
                                          neuromesh::compiler::NetworkFileOptions &Options) {
  if (VM.count("dt")) {
    double Dt = 0;
    if (!neuromesh::isa::parseQuantity(VM["dt"].as<std::string>(), "s", Dt) || !(Dt > 0))
      return usageError(Command,
                        "--dt must be a time > 0 in s with an optional SI prefix, e.g. 1e-4 "
                        "or 100us, got '" + VM["dt"].as<std::string>() + "'",
                        Visible);
    Options.Dt = Dt;
  }
  if (VM.count("reset")) {
    const std::string Reset = VM["reset"].as<std::string>();
    if (Reset == "zero")
      Options.Reset = neuromesh::compiler::nir::ResetMode::Zero;
    else if (Reset == "subtract")
      Options.Reset = neuromesh::compiler::nir::ResetMode::Subtract;
    else
      return usageError(Command, "unknown --reset '" + Reset + "'; use zero or subtract",
                        Visible);
  }
  return std::nullopt;
}

void addMappingOptions(po::options_description &Visible) {
  Visible.add_options()(
      "placement", po::value<std::string>()->default_value("optimised")->value_name("NAME"),
      "placement strategy: optimised, in-order or random")(
      "seed", po::value<uint64_t>()->default_value(1)->value_name("N"),
      "seed for random placement");
}

std::optional<int> readMappingOptions(const char *Command, const po::variables_map &VM,
                                      const po::options_description &Visible,
                                      neuromesh::compiler::MappingOptions &Options) {
  const std::string Placement = VM["placement"].as<std::string>();
  if (Placement == "optimised")
    Options.Placement = neuromesh::compiler::PlacementStrategy::Optimised;
  else if (Placement == "in-order")
    Options.Placement = neuromesh::compiler::PlacementStrategy::InOrder;
  else if (Placement == "random")
    Options.Placement = neuromesh::compiler::PlacementStrategy::Random;
  else
    return usageError(Command,
                      "unknown placement '" + Placement + "'; use optimised, in-order or random",
                      Visible);
  Options.Seed = VM["seed"].as<uint64_t>();
  return std::nullopt;
}

neuromesh::compiler::Network readNetwork(const std::string &Path,
                                         const neuromesh::compiler::NetworkFileOptions &Options,
                                         neuromesh::compiler::NetworkFileNotes &Notes) {
  neuromesh::compiler::Network Net = neuromesh::compiler::readNetworkFile(Path, Options, &Notes);
  for (const std::string &W : Notes.Nir.Warnings)
    std::cerr << "warning: " << W << "\n";
  return Net;
}

} // namespace nmesh
