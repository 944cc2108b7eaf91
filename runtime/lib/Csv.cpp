//===- Csv.cpp - CSV fields and records (RFC 4180) ------------------------===//
#include "Csv.h"

#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

namespace neuromesh::runtime {

namespace {
bool isBlank(char C) { return C == ' ' || C == '\t' || C == '\r'; }
} // namespace

std::string csvField(std::string_view S) {
  const bool Plain = S.find_first_of(",\"\r\n") == std::string_view::npos &&
                     (S.empty() || (!isBlank(S.front()) && !isBlank(S.back())));
  if (Plain)
    return std::string(S);
  std::string Out = "\"";
  for (char C : S) {
    if (C == '"')
      Out += '"';
    Out += C;
  }
  return Out + "\"";
}

std::vector<CsvRecord> splitCsv(std::string_view Text, const std::string &File) {
  std::vector<CsvRecord> Records;
  CsvRecord Cur;
  std::string Field;
  bool WasQuoted = false; // the current field was quoted: keep it as it is
  size_t Line = 1, QuoteLine = 0;
  auto EndField = [&] {
    if (!WasQuoted) {
      size_t B = 0, E = Field.size();
      while (B < E && isBlank(Field[B]))
        ++B;
      while (E > B && isBlank(Field[E - 1]))
        --E;
      Field = Field.substr(B, E - B);
    }
    Cur.Fields.push_back(std::move(Field));
    Field.clear();
    WasQuoted = false;
  };
  auto EndRecord = [&] {
    EndField();
    const bool Blank = Cur.Fields.size() == 1 && Cur.Fields[0].empty();
    if (!Blank)
      Records.push_back(std::move(Cur));
    Cur = CsvRecord();
  };
  Cur.Line = 1;
  for (size_t I = 0; I < Text.size(); ++I) {
    const char C = Text[I];
    if (QuoteLine != 0) { // inside quotes
      if (C == '"' && I + 1 < Text.size() && Text[I + 1] == '"') {
        Field += '"';
        ++I;
      } else if (C == '"') {
        QuoteLine = 0;
      } else {
        Field += C;
        Line += C == '\n';
      }
    } else if (C == '"') {
      QuoteLine = Line;
      WasQuoted = true;
      Field.clear(); // blanks before the opening quote
    } else if (C == ',') {
      EndField();
    } else if (C == '\n') {
      EndRecord();
      Cur.Line = ++Line;
    } else if (!WasQuoted) {
      Field += C;
    }
  }
  if (QuoteLine != 0)
    throw Error(fmt::format("{}:{}: error: a quoted field opened here never ends (a missing "
                            "closing '\"')",
                            File, QuoteLine));
  EndRecord();
  return Records;
}

} // namespace neuromesh::runtime
