//===- nmesh/main.cpp - the nmesh command-line driver ---------------------===//
//
// Dispatches to one subcommand; every subcommand lives in its own file.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"

#include "neuromesh/isa/Error.h"

#include <cstring>
#include <iostream>

namespace {

struct Command {
  const char *Name;
  int (*Run)(const nmesh::Args &);
  const char *Summary;
};

// Registered explicitly, in the order `nmesh --help` lists them.
const Command Commands[] = {
    {"compile", nmesh::commandCompile, "compile a network for an architecture (.yaml or .nir -> .nmb)"},
    {"as", nmesh::commandAs, "assemble a chip image from assembly text (.s -> .nmb)"},
    {"objdump", nmesh::commandObjdump, "print a chip image as assembly text"},
    {"run", nmesh::commandRun, "run a chip image and record its spikes"},
    {"sweep", nmesh::commandSweep, "sweep architecture fields: compile and run every point"},
    {"report", nmesh::commandReport, "draw a run report or a sweep as an HTML page"},
    {"export-nir", nmesh::commandExportNir, "write a network description as a NIR graph (.yaml -> .nir)"},
};

void printUsage(std::ostream &OS) {
  OS << "usage: nmesh <command> [options]\n\n"
        "Neuromesh: compile spiking networks for neuromorphic chips and run them.\n\n"
        "commands:\n";
  for (const Command &C : Commands)
    OS << "  " << C.Name << std::string(12 - std::strlen(C.Name), ' ') << C.Summary << "\n";
  OS << "\n'nmesh <command> --help' describes a command's options.\n";
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    printUsage(std::cerr);
    return 2;
  }
  std::string Name = argv[1];
  if (Name == "--help" || Name == "-h" || Name == "help") {
    printUsage(std::cout);
    return 0;
  }
  if (Name == "--version") {
    std::cout << "nmesh 0.1.0\n";
    return 0;
  }
  for (const Command &C : Commands) {
    if (Name != C.Name)
      continue;
    nmesh::Args A(argv + 2, argv + argc);
    try {
      return C.Run(A);
    } catch (const neuromesh::Error &E) {
      std::cerr << E.what() << "\n";
      return 1;
    }
  }
  std::cerr << "nmesh: error: unknown command '" << Name
            << "'; 'nmesh --help' lists the commands\n";
  return 2;
}
