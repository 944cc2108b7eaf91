//===- Csv.h - numeric CSV files for the network front end ------*- C++ -*-===//
//
// Synapse lists, weight matrices, weight arrays and spike lists may live in
// CSV files beside the network description. This splits such a file into
// numbered lines of fields; the front end gives the fields their meaning
// and reports each bad line as "file:line: message".
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace neuromesh::compiler::csv {

/// One non-blank, non-comment line of a CSV file.
struct Line {
  size_t Number = 0;               ///< 1-based line number in the file
  std::vector<std::string> Fields; ///< trimmed, quotes removed
};

/// Reads Path and splits it: fields are comma-separated, spaces around a
/// field and a trailing '\r' are ignored, a field may be written in double
/// quotes, blank lines and lines starting with '#' are skipped. Returns
/// false (after appending "path: message" to Errors) when the file cannot
/// be read.
bool readLines(const std::string &Path, std::vector<Line> &Out, std::vector<std::string> &Errors);

/// Splits CSV text the same way (for tests and in-memory data).
std::vector<Line> splitLines(const std::string &Text);

/// A finite decimal number (C locale); false otherwise.
bool parseNumber(const std::string &Field, double &Out);

/// A decimal integer with an optional sign that fits in int64; false otherwise.
bool parseInteger(const std::string &Field, long long &Out);

} // namespace neuromesh::compiler::csv
