//===- nmesh/as.cpp - nmesh as: assembly text -> .nmb ---------------------===//
#include "CommandLine.h"

#include "neuromesh/isa/Assembly.h"
#include "neuromesh/isa/ImageFile.h"
#include "neuromesh/isa/FileIO.h"

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
  ParsedCommandLine P = parseCommandLine(
      "as", A, Visible, "input",
      {{"input", "missing the input assembly file"}, {"output", "missing -o <output.nmb>"}});
  if (P.Exit)
    return *P.Exit;
  const po::variables_map &VM = P.Values;
  const std::string Input = VM["input"].as<std::string>();
  neuromesh::isa::Image Img = neuromesh::isa::parseAssembly(
      neuromesh::isa::readFile(Input, "the assembly file"), Input);
  neuromesh::isa::writeImageFile(Img, VM["output"].as<std::string>());
  return 0;
}

} // namespace nmesh
