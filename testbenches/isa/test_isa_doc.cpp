//===- test_isa_doc.cpp - docs/isa.md agrees with the opcode table --------===//
//
// The ISA reference is written by hand; these tests keep it from drifting
// from Opcodes.def: every opcode has a table row with its mnemonic, its hex
// code, its immediate kind and as many operands as the table gives it, and
// the page's assembly example assembles.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/isa/Assembly.h"
#include "neuromesh/isa/Microcode.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace neuromesh::isa;

namespace {

std::vector<std::string> docLines() {
  std::ifstream In(NM_SOURCE_DIR "/docs/isa.md");
  REQUIRE(In.good());
  std::vector<std::string> Lines;
  for (std::string L; std::getline(In, L);)
    Lines.push_back(L);
  return Lines;
}

const char *immKindName(ImmKind K) {
  switch (K) {
  case ImmKind::None:
    return "None";
  case ImmKind::Value:
    return "Value";
  case ImmKind::State:
    return "State";
  case ImmKind::Param:
    return "Param";
  case ImmKind::Shift31:
    return "Shift31";
  case ImmKind::Shift62:
    return "Shift62";
  case ImmKind::Bits31:
    return "Bits31";
  case ImmKind::Bits32:
    return "Bits32";
  case ImmKind::Reg:
    return "Reg";
  case ImmKind::Target:
    return "Target";
  }
  return "?";
}

unsigned operandCount(const OpcodeInfo &Info) {
  unsigned N = 0;
  switch (Info.Operands) {
  case OperandForm::None:
    break;
  case OperandForm::D:
  case OperandForm::A:
    N = 1;
    break;
  case OperandForm::DA:
    N = 2;
    break;
  case OperandForm::DAB:
    N = 3;
    break;
  }
  return N + (Info.Imm == ImmKind::None ? 0 : 1);
}

/// The cells of a Markdown table row "| a | b |" (trimmed).
std::vector<std::string> cells(const std::string &Row) {
  std::vector<std::string> Out;
  std::string Cell;
  for (size_t I = 1; I < Row.size(); ++I) {
    if (Row[I] == '\\' && I + 1 < Row.size() && Row[I + 1] == '|') {
      Cell += '|';
      ++I;
      continue;
    }
    if (Row[I] != '|') {
      Cell += Row[I];
      continue;
    }
    size_t B = Cell.find_first_not_of(' '), E = Cell.find_last_not_of(' ');
    Out.push_back(B == std::string::npos ? "" : Cell.substr(B, E - B + 1));
    Cell.clear();
  }
  return Out;
}

} // namespace

TEST_CASE("docs/isa.md has a row for every opcode with its code",
          "[isa-doc]") {
  std::vector<std::string> Lines = docLines();
  for (const OpcodeInfo &Info : opcodeTable()) {
    std::string Mnemonic = fmt::format("`{}`", Info.Mnemonic);
    std::string Code = fmt::format("0x{:02x}", unsigned(Info.Op));
    INFO(Info.Mnemonic << " " << Code);
    const std::string *Row = nullptr;
    for (const std::string &L : Lines)
      if (L.rfind("| " + Mnemonic + " |", 0) == 0) {
        CHECK(Row == nullptr); // one row per opcode
        Row = &L;
      }
    REQUIRE(Row != nullptr);
    std::vector<std::string> C = cells(*Row);
    REQUIRE(C.size() >= 5);
    CHECK(C[0] == Mnemonic);
    CHECK(C[1] == Code);
    // The assembly column: "`mnemonic op, op, ...`" with the table's count.
    REQUIRE(C[2].size() >= 2);
    std::string Form = C[2].substr(1, C[2].size() - 2);
    CHECK(Form.rfind(Info.Mnemonic, 0) == 0);
    unsigned Operands = 0;
    if (Form.size() > std::string(Info.Mnemonic).size())
      Operands = 1 + unsigned(std::count(Form.begin(), Form.end(), ','));
    CHECK(Operands == operandCount(Info));
    CHECK(C[3].rfind(immKindName(Info.Imm), 0) == 0);
  }
}

TEST_CASE("docs/isa.md's assembly example assembles", "[isa-doc]") {
  std::vector<std::string> Lines = docLines();
  size_t I = 0;
  while (I < Lines.size() && Lines[I] != "### Example")
    ++I;
  while (I < Lines.size() && Lines[I] != "```")
    ++I;
  REQUIRE(I < Lines.size());
  std::string Text;
  for (++I; I < Lines.size() && Lines[I] != "```"; ++I)
    Text += Lines[I] + "\n";
  REQUIRE(!Text.empty());
  Image Img = parseAssembly(Text, "docs/isa.md example");
  CHECK(Img.Cores.size() == 1);
  CHECK(Img.Cores[0].Crossbar.size() == 3);
  CHECK(parseAssembly(printAssembly(Img), "reprinted") == Img);
}
