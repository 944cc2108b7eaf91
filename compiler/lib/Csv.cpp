//===- Csv.cpp - numeric CSV files for the network front end --------------===//
#include "Csv.h"

#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace neuromesh::compiler::csv {

namespace {
std::string trim(const std::string &S) {
  size_t B = 0, E = S.size();
  while (B < E && (S[B] == ' ' || S[B] == '\t'))
    ++B;
  while (E > B && (S[E - 1] == ' ' || S[E - 1] == '\t' || S[E - 1] == '\r'))
    --E;
  return S.substr(B, E - B);
}
} // namespace

std::vector<Line> splitLines(const std::string &Text) {
  std::vector<Line> Out;
  size_t Pos = 0, Number = 0;
  while (Pos < Text.size()) {
    size_t End = Text.find('\n', Pos);
    if (End == std::string::npos)
      End = Text.size();
    std::string Row = trim(Text.substr(Pos, End - Pos));
    Pos = End + 1;
    ++Number;
    if (Row.empty() || Row[0] == '#')
      continue;
    Line L;
    L.Number = Number;
    size_t F = 0;
    while (true) {
      size_t Comma = Row.find(',', F);
      std::string Field =
          trim(Row.substr(F, Comma == std::string::npos ? std::string::npos : Comma - F));
      if (Field.size() >= 2 && Field.front() == '"' && Field.back() == '"')
        Field = Field.substr(1, Field.size() - 2);
      L.Fields.push_back(Field);
      if (Comma == std::string::npos)
        break;
      F = Comma + 1;
    }
    Out.push_back(std::move(L));
  }
  return Out;
}

bool readLines(const std::string &Path, std::vector<Line> &Out, std::vector<std::string> &Errors) {
  std::ifstream In(Path, std::ios::binary);
  if (!In) {
    Errors.push_back(Path + ": cannot open the file; check the path (it is "
                            "relative to the network file)");
    return false;
  }
  std::stringstream SS;
  SS << In.rdbuf();
  Out = splitLines(SS.str());
  return true;
}

bool parseNumber(const std::string &Field, double &Out) {
  if (Field.empty())
    return false;
  // strtod honours the C locale's decimal point; the project never sets a
  // locale, so '.' is the separator.
  char *End = nullptr;
  errno = 0;
  double V = std::strtod(Field.c_str(), &End);
  if (End != Field.c_str() + Field.size() || !std::isfinite(V))
    return false;
  Out = V;
  return true;
}

bool parseInteger(const std::string &Field, long long &Out) {
  if (Field.empty())
    return false;
  size_t I = 0;
  bool Neg = false;
  if (Field[0] == '-' || Field[0] == '+') {
    Neg = Field[0] == '-';
    I = 1;
  }
  if (I == Field.size())
    return false;
  unsigned long long V = 0;
  for (; I < Field.size(); ++I) {
    char C = Field[I];
    if (C < '0' || C > '9')
      return false;
    unsigned D = unsigned(C - '0');
    if (V > (9223372036854775807ULL - D) / 10)
      return false;
    V = V * 10 + D;
  }
  Out = Neg ? -static_cast<long long>(V) : static_cast<long long>(V);
  return true;
}

} // namespace neuromesh::compiler::csv
