//===- neuromesh/runtime/HtmlReport.h - the visual report ---------*- C++ -*-===//
//
// `nmesh report`: one self-contained HTML file (well-formed XHTML, so any XML
// parser reads it) with inline SVG charts drawn here with fmt; no scripts,
// no network access. From a run's report.json: a spike raster per
// population, energy per step stacked by component, latency per step, and a
// heat map of the mesh (per-core utilisation, per-link traffic). From a
// sweep's CSV: the energy-latency scatter with the Pareto front and the
// table. docs/formats.md lists the SVG classes (one mark per spike, step x
// component, core, link, point), which the tests count.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>

namespace neuromesh::runtime {

/// The HTML report of a run: JsonText is report.json as energyReportJson
/// writes it; FileName names it in errors and the title. Throws
/// neuromesh::Error naming the file and what is missing or malformed.
std::string runReportHtml(const std::string &JsonText, const std::string &FileName);

struct SweepResult;
/// The HTML report of a sweep (e.g. as readSweepCsv reads it); FileName
/// names it on the page.
std::string sweepReportHtml(const SweepResult &R, const std::string &FileName);

} // namespace neuromesh::runtime
