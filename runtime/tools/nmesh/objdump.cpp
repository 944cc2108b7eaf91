//===- nmesh/objdump.cpp - nmesh objdump: .nmb -> assembly text -----------===//
#include "CommandLine.h"

#include "neuromesh/isa/Assembly.h"
#include "neuromesh/isa/ImageFile.h"
#include "neuromesh/isa/FileIO.h"

#include <iostream>

namespace nmesh {

int commandObjdump(const Args &A) {
  po::options_description Visible(
      "usage: nmesh objdump <image.nmb> [-o <output.s>]\n\n"
      "Reads and validates a binary chip image and prints it as canonical\n"
      "assembly text; 'nmesh as' turns that text back into the same bytes.\n\n"
      "options");
  Visible.add_options()("help,h", "print this help and exit")(
      "output,o", po::value<std::string>()->value_name("FILE"),
      "write the text to FILE (atomically) instead of standard output");
  ParsedCommandLine P = parseCommandLine("objdump", A, Visible, "input",
                                         {{"input", "missing the input image"}});
  if (P.Exit)
    return *P.Exit;
  const po::variables_map &VM = P.Values;
  neuromesh::isa::Image Img =
      neuromesh::isa::readImageFile(VM["input"].as<std::string>());
  std::string Text = neuromesh::isa::printAssembly(Img);
  if (VM.count("output")) {
    neuromesh::isa::writeFileAtomically(VM["output"].as<std::string>(),
                                            Text);
    return 0;
  }
  std::cout << Text;
  std::cout.flush();
  return std::cout ? 0 : 1;
}

} // namespace nmesh
