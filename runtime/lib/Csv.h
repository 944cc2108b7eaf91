//===- Csv.h - CSV fields and records (RFC 4180) ----------------*- C++ -*-===//
//
// The one CSV writer and splitter of the runtime's files (spikes, probes,
// sweep tables). A name may hold anything a network or NIR file allows,
// commas included, so fields are quoted when they need it and read back
// exactly.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace neuromesh::runtime {

/// S as one CSV field: as is, or in double quotes (quotes doubled) if it
/// holds a comma, a quote, a line break, or blanks at either end.
std::string csvField(std::string_view S);

/// One record of a CSV text and the line it starts on (1-based).
struct CsvRecord {
  std::vector<std::string> Fields;
  size_t Line = 0;
};

/// Splits Text into records: fields at commas outside quotes, records at
/// line breaks outside quotes (a quoted field may hold both). Quoted
/// fields are unquoted; unquoted fields lose blanks and a '\r' at either
/// end. Blank lines are skipped. Throws neuromesh::Error naming File and
/// the line of a quoted field that never ends.
std::vector<CsvRecord> splitCsv(std::string_view Text, const std::string &File);

} // namespace neuromesh::runtime
