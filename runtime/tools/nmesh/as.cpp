//===- nmesh/as.cpp - nmesh as: assembly text -> .nmb ---------------------===//
#include "Commands.h"

#include "neuromesh/isa/Assembly.h"
#include "neuromesh/isa/ImageFile.h"
#include "neuromesh/isa/FileIO.h"

#include <boost/program_options.hpp>
#include <iostream>

namespace po = boost::program_options;

namespace nmesh {

int commandAs(const Args &A) {
  po::options_description Visible(
      "usage: nmesh as <input.s> -o <output.nmb>\n\n"
      "Assembles a chip image from its assembly text (docs/isa.md) and writes\n"
      "the binary .nmb image. Every error in the text is reported at once as\n"
      "file:line:col.\n\noptions");
  Visible.add_options()("help,h", "print this help and exit")(
      "output,o", po::value<std::string>()->value_name("FILE"),
      "the .nmb image to write (required; written atomically)");
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
    std::cerr << "nmesh as: error: " << E.what() << "\n\n" << Visible << "\n";
    return 2;
  }
  if (VM.count("help")) {
    std::cout << Visible << "\n";
    return 0;
  }
  if (!VM.count("input") || !VM.count("output")) {
    std::cerr << "nmesh as: error: "
              << (VM.count("input") ? "missing -o <output.nmb>"
                                    : "missing the input assembly file")
              << "\n\n"
              << Visible << "\n";
    return 2;
  }
  const std::string Input = VM["input"].as<std::string>();
  neuromesh::isa::Image Img = neuromesh::isa::parseAssembly(
      neuromesh::isa::readFile(Input, "the assembly file"), Input);
  neuromesh::isa::writeImageFile(Img, VM["output"].as<std::string>());
  return 0;
}

} // namespace nmesh
