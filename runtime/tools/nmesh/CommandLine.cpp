//===- nmesh/CommandLine.cpp - the one way a subcommand reads its flags ----===//
#include "CommandLine.h"

#include <iostream>

namespace nmesh {

int usageError(const char *Command, const std::string &Message,
               const po::options_description &Visible) {
  std::cerr << "nmesh " << Command << ": error: " << Message << "\n\n" << Visible << "\n";
  return 2;
}

ParsedCommandLine
parseCommandLine(const char *Command, const Args &A, const po::options_description &Visible,
                 const char *PositionalName,
                 std::initializer_list<std::pair<const char *, const char *>> Required) {
  ParsedCommandLine P;
  po::options_description All;
  All.add(Visible).add_options()(PositionalName, po::value<std::string>());
  po::positional_options_description Positional;
  Positional.add(PositionalName, 1);
  try {
    po::store(po::command_line_parser(A).options(All).positional(Positional).run(), P.Values);
    po::notify(P.Values);
  } catch (const po::error &E) {
    P.Exit = usageError(Command, E.what(), Visible);
    return P;
  }
  if (P.Values.count("help")) {
    std::cout << Visible << "\n";
    P.Exit = 0;
    return P;
  }
  for (const auto &[Name, Message] : Required)
    if (!P.Values.count(Name)) {
      P.Exit = usageError(Command, Message, Visible);
      return P;
    }
  return P;
}

} // namespace nmesh
