//===- nmesh/report.cpp - nmesh report: a run or a sweep as one HTML page --===//
#include "CommandLine.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/FileIO.h"
#include "neuromesh/runtime/HtmlReport.h"
#include "neuromesh/runtime/Sweep.h"

#include <fstream>
#include <iostream>
#include <sstream>

namespace nmesh {

int commandReport(const Args &A) {
  po::options_description Visible(
      "usage: nmesh report <run.json | sweep.csv> -o <report.html>\n\n"
      "Draws a run's report (nmesh run --arch ... --report run.json) or a sweep's\n"
      "table (nmesh sweep --csv sweep.csv) as one self-contained HTML page with\n"
      "inline SVG charts: for a run, the spike raster per population, energy per\n"
      "step by component, latency per step and the mesh heat map (core\n"
      "utilisation, link traffic); for a sweep, energy against latency with the\n"
      "Pareto front, and the table. The page needs no network access;\n"
      "scripts/render-report turns it into a PNG (docs/co-design.md).\n\noptions");
  Visible.add_options()("help,h", "print this help and exit")(
      "output,o", po::value<std::string>()->value_name("FILE"), "the HTML file to write (required)");
  ParsedCommandLine P = parseCommandLine("report", A, Visible, "input",
                                         {{"input", "missing the run.json or sweep.csv to draw"},
                                          {"output", "missing -o FILE"}});
  if (P.Exit)
    return *P.Exit;
  const std::string In = P.Values["input"].as<std::string>();
  std::ifstream File(In, std::ios::binary);
  if (!File)
    throw neuromesh::Error(In + ": error: cannot read the file");
  std::ostringstream Text;
  Text << File.rdbuf();
  // A report.json is an object; anything else is taken for a sweep's CSV.
  const size_t First = Text.str().find_first_not_of(" \t\r\n");
  const bool IsJson = First != std::string::npos && Text.str()[First] == '{';
  const std::string Html =
      IsJson ? neuromesh::runtime::runReportHtml(Text.str(), In)
             : neuromesh::runtime::sweepReportHtml(neuromesh::runtime::readSweepCsv(Text.str(), In),
                                                   In);
  neuromesh::isa::writeFileAtomically(P.Values["output"].as<std::string>(), Html);
  std::cout << "wrote " << P.Values["output"].as<std::string>() << "\n";
  return 0;
}

} // namespace nmesh
