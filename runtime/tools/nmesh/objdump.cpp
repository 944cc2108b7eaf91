//===- nmesh/objdump.cpp - nmesh objdump: .nmb -> assembly text -----------===//
#include "Commands.h"

#include "neuromesh/isa/Assembly.h"
#include "neuromesh/isa/ImageFile.h"
#include "neuromesh/isa/FileIO.h"

#include <boost/program_options.hpp>
#include <iostream>

namespace po = boost::program_options;

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
  po::options_description All;
  All.add(Visible).add_options()("input", po::value<std::string>());
  po::positional_options_description Positional;
  Positional.add("input", 1);

  po::variables_map VM;
  try {
    po::store(po::command_line_parser(A)
                  .options(All)
                  .positional(Positional)
                  .run(),
              VM);
    po::notify(VM);
  } catch (const po::error &E) {
    std::cerr << "nmesh objdump: error: " << E.what() << "\n\n"
              << Visible << "\n";
    return 2;
  }
  if (VM.count("help")) {
    std::cout << Visible << "\n";
    return 0;
  }
  if (!VM.count("input")) {
    std::cerr << "nmesh objdump: error: missing the input image\n\n"
              << Visible << "\n";
    return 2;
  }
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
