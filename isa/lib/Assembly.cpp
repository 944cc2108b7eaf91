//===- Assembly.cpp - the chip image's assembly text form -----------------===//
//
// The parser is line-oriented: each line is tokenised on its own, and a
// malformed line records one diagnostic and is skipped, so one run reports
// every error in the file. Ranges that a reader can point at (registers,
// immediates, delays, indices) are checked here with their line and column;
// afterwards validateImage() applies exactly the rules the binary decoder
// applies, so the text and the binary accept the same images.
//
// Mnemonics and operand shapes come from the opcode table (Opcodes.def);
// there is no second list of instructions here.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/isa/Assembly.h"

#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace neuromesh::isa {

namespace {

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

unsigned numRegOperands(OperandForm F) {
  switch (F) {
  case OperandForm::None:
    return 0;
  case OperandForm::D:
  case OperandForm::A:
    return 1;
  case OperandForm::DA:
    return 2;
  case OperandForm::DAB:
    return 3;
  }
  return 0;
}

/// Operand names for messages, e.g. "rd, ra, rb, shift".
std::string operandNames(const OpcodeInfo &Info) {
  std::vector<std::string> Names;
  switch (Info.Operands) {
  case OperandForm::None:
    break;
  case OperandForm::D:
    Names = {"rd"};
    break;
  case OperandForm::A:
    Names = {"ra"};
    break;
  case OperandForm::DA:
    Names = {"rd", "ra"};
    break;
  case OperandForm::DAB:
    Names = {"rd", "ra", "rb"};
    break;
  }
  switch (Info.Imm) {
  case ImmKind::None:
    break;
  case ImmKind::Value:
    Names.push_back("imm");
    break;
  case ImmKind::State:
    Names.push_back("state index");
    break;
  case ImmKind::Param:
    Names.push_back("parameter index");
    break;
  case ImmKind::Shift31:
  case ImmKind::Shift62:
    Names.push_back("shift");
    break;
  case ImmKind::Bits31:
  case ImmKind::Bits32:
    Names.push_back("bit width");
    break;
  case ImmKind::Reg:
    Names.push_back("rc");
    break;
  case ImmKind::Target:
    Names.push_back("target");
    break;
  }
  std::string S;
  for (size_t I = 0; I < Names.size(); ++I)
    S += (I ? ", " : "") + Names[I];
  return S;
}

unsigned editDistance(std::string_view A, std::string_view B) {
  std::vector<unsigned> Row(B.size() + 1);
  for (size_t J = 0; J <= B.size(); ++J)
    Row[J] = unsigned(J);
  for (size_t I = 1; I <= A.size(); ++I) {
    unsigned Diag = Row[0];
    Row[0] = unsigned(I);
    for (size_t J = 1; J <= B.size(); ++J) {
      unsigned Up = Row[J];
      unsigned Cost = (std::tolower((unsigned char)A[I - 1]) ==
                       std::tolower((unsigned char)B[J - 1]))
                          ? 0
                          : 1;
      Row[J] = std::min({Row[J] + 1, Row[J - 1] + 1, Diag + Cost});
      Diag = Up;
    }
  }
  return Row[B.size()];
}

/// "; did you mean 'x'?" for the closest candidate, or "".
std::string suggest(std::string_view Word,
                    const std::vector<std::string> &Candidates) {
  unsigned Best = ~0u;
  std::string BestName;
  for (const std::string &C : Candidates) {
    unsigned D = editDistance(Word, C);
    if (D < Best) {
      Best = D;
      BestName = C;
    }
  }
  if (BestName.empty() || Best > 2 || Best >= Word.size())
    return "";
  return fmt::format("; did you mean '{}'?", BestName);
}

/// Names hold no '"' or '\\' (validateImage), so quoting is enough.
std::string quoteString(const std::string &S) { return "\"" + S + "\""; }

//===----------------------------------------------------------------------===//
// Lexer
//===----------------------------------------------------------------------===//

struct Token {
  enum KindTy { Ident, Number, String, Punct, End } Kind = End;
  std::string Text;  ///< as written (String: the unescaped value)
  unsigned Col = 0;  ///< 1-based column of the first character
};

/// A number literal: optional sign, decimal or 0x hex digits.
struct NumberText {
  bool Ok = false;
  bool Neg = false;
  bool Overflow = false;
  uint64_t Mag = 0;
};

NumberText scanNumber(std::string_view S) {
  NumberText N;
  size_t I = 0;
  if (I < S.size() && (S[I] == '-' || S[I] == '+')) {
    N.Neg = S[I] == '-';
    ++I;
  }
  unsigned Base = 10;
  if (S.size() - I > 2 && S[I] == '0' && (S[I + 1] == 'x' || S[I + 1] == 'X')) {
    Base = 16;
    I += 2;
  }
  if (I == S.size())
    return N;
  for (; I < S.size(); ++I) {
    char C = S[I];
    unsigned D;
    if (C >= '0' && C <= '9')
      D = unsigned(C - '0');
    else if (Base == 16 && C >= 'a' && C <= 'f')
      D = unsigned(C - 'a' + 10);
    else if (Base == 16 && C >= 'A' && C <= 'F')
      D = unsigned(C - 'A' + 10);
    else
      return N;
    if (N.Mag > (std::numeric_limits<uint64_t>::max() - D) / Base)
      N.Overflow = true;
    else
      N.Mag = N.Mag * Base + D;
  }
  N.Ok = true;
  return N;
}

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

/// Thrown after a diagnostic has been recorded, to abandon the rest of the
/// line. Never escapes the parser.
struct LineError {};

struct Diag {
  unsigned Line = 0, Col = 0;
  std::string Msg;
};

struct Location {
  unsigned Line = 0, Col = 0;
};

/// One `key=value,value,...` item of a directive.
struct KeyValue {
  Token Key;
  std::vector<Token> Values;
  bool Used = false;
};

class Parser {
public:
  Parser(const std::string &Text, const std::string &FileName)
      : FileName(FileName) {
    size_t Start = 0;
    while (Start <= Text.size()) {
      size_t End = Text.find('\n', Start);
      if (End == std::string::npos)
        End = Text.size();
      std::string L = Text.substr(Start, End - Start);
      if (!L.empty() && L.back() == '\r')
        L.pop_back();
      Lines.push_back(std::move(L));
      Start = End + 1;
    }
  }

  Image run();

private:
  // --- Diagnostics ---------------------------------------------------------
  void noteAt(unsigned Line, unsigned Col, std::string Msg) {
    Diags.push_back({Line, Col, std::move(Msg)});
  }
  void note(unsigned Col, std::string Msg) {
    noteAt(LineNo, Col, std::move(Msg));
  }
  [[noreturn]] void fail(unsigned Col, std::string Msg) {
    note(Col, std::move(Msg));
    throw LineError();
  }
  [[noreturn]] void fail(const Token &T, std::string Msg) {
    fail(T.Col, std::move(Msg));
  }
  std::string formatDiag(const Diag &D) const;

  // --- Tokens --------------------------------------------------------------
  void tokenize(const std::string &Line);
  const Token &peek(size_t Ahead = 0) const {
    return Toks[std::min(Pos + Ahead, Toks.size() - 1)];
  }
  Token next() {
    Token T = peek();
    if (Pos < Toks.size() - 1)
      ++Pos;
    return T;
  }
  bool atEnd() const { return peek().Kind == Token::End; }
  bool isPunct(const char *P, size_t Ahead = 0) const {
    return peek(Ahead).Kind == Token::Punct && peek(Ahead).Text == P;
  }
  void expectPunct(const char *P, const char *Context);
  void expectEnd();
  static std::string describe(const Token &T);

  // --- Values --------------------------------------------------------------
  int64_t number(const Token &T, int64_t Lo, int64_t Hi, const std::string &What,
                 const std::string &Why = "");
  uint64_t unsignedNumber(const Token &T, const std::string &What);
  Token expectNumber(const char *What);
  std::string expectString(const char *What);
  std::vector<KeyValue> keyValues();
  KeyValue *findKey(std::vector<KeyValue> &KVs, const char *Key);
  const Token &single(KeyValue &KV);
  int64_t keyNumber(std::vector<KeyValue> &KVs, const Token &Directive,
                    const char *Key, int64_t Lo, int64_t Hi,
                    std::optional<int64_t> Default = std::nullopt,
                    const std::string &Why = "");
  void rejectUnusedKeys(std::vector<KeyValue> &KVs, const Token &Directive,
                        const std::vector<std::string> &Allowed);
  AxonAddress address();
  std::vector<AxonAddress> addressList();

  // --- Lines and blocks ----------------------------------------------------
  void parseLine();
  void directive(const Token &D);
  void instruction(const Token &M);
  void label(const Token &L);
  void finishCore();
  void finishProfile();
  void finishSymbol() {
    CurSymbol = -1;
    SymbolBroken = false;
  }
  void skipIfSymbolBroken();
  void checkAddresses();
  void requireCore(const Token &D);
  void requireNoProfile(const Token &D);
  void mapValidationError(const std::string &Msg);

  void dirHeader(const Token &D);
  void dirCore(const Token &D);
  void dirConfig(const Token &D);
  void dirProfile(const Token &D);
  void dirParams(const Token &D);
  void dirEnd(const Token &D);
  void dirNeuron(const Token &D, bool Run);
  void dirAxon(const Token &D);
  void dirSegment(const Token &D);
  void dirColumn(const Token &D);
  void dirOut(const Token &D);
  void dirSymbol(const Token &D);
  void dirTarget(const Token &D);
  void dirSpikes(const Token &D);
  void dirPopSegment(const Token &D);
  void dirProbe(const Token &D);
  void generatorKeys(std::vector<KeyValue> &KVs, const Token &D, Symbol &S);

  std::string FileName;
  std::vector<std::string> Lines;
  std::vector<Diag> Diags;
  unsigned LineNo = 0;
  std::vector<Token> Toks;
  size_t Pos = 0;

  Image Img;
  bool SeenBlock = false; ///< a .core, .input or .population has started
  std::map<std::string, Location> HeaderSeen;

  struct TargetRef {
    unsigned Pc;
    bool IsLabel;
    std::string Label;
    int64_t Abs;
    Location Loc;
  };
  struct ParamRef {
    unsigned Pc;
    int32_t Index;
    Location Loc;
  };
  struct ProfileState {
    unsigned Index = 0;
    Location Loc;
    std::map<std::string, std::pair<unsigned, Location>> Labels;
    std::vector<TargetRef> Targets;
    std::vector<ParamRef> ParamRefs;
    bool HasParams = false;
    bool TooLong = false;
  };
  struct CoreState {
    unsigned Index = 0;
    Location Loc;
    bool HasConfig = false;
    bool Broken = false; ///< config missing or bad: skip the core's lines
    unsigned NumAxons = 0, NumNeurons = 0;
    unsigned NextNeuron = 0;
    int CurAxon = -1;    ///< the axon that segment lines add to
    int LastAxon = -1;   ///< highest axon declared so far
    std::optional<ProfileState> Profile;
    std::vector<std::pair<uint16_t, Location>> ProfileRefs;
  };
  std::optional<CoreState> Cur;
  std::vector<Location> CoreLocs;   ///< the .core line of each core
  std::vector<Location> SymbolLocs; ///< the .input/.population line
  int CurSymbol = -1;
  /// The last .input/.population line failed: its .target, .spikes and
  /// .segment lines are skipped rather than reported as out of place.
  bool SymbolBroken = false;
  /// A destination, with the column of each part for messages.
  struct AddressRef {
    AxonAddress A;
    unsigned Line = 0, ChipCol = 0, CoreCol = 0, AxonCol = 0;
  };
  std::vector<AddressRef> AddressRefs;
};

//===----------------------------------------------------------------------===//

std::string Parser::formatDiag(const Diag &D) const {
  std::string Src = D.Line >= 1 && D.Line <= Lines.size() ? Lines[D.Line - 1]
                                                          : std::string();
  std::string Caret;
  for (unsigned I = 0; I + 1 < D.Col && I < Src.size(); ++I)
    Caret += Src[I] == '\t' ? '\t' : ' ';
  return fmt::format("{}:{}:{}: error: {}\n{}\n{}^\n", FileName, D.Line, D.Col,
                     D.Msg, Src, Caret);
}

void Parser::tokenize(const std::string &L) {
  Toks.clear();
  Pos = 0;
  size_t I = 0;
  auto IsIdentStart = [](char C) {
    return std::isalpha((unsigned char)C) || C == '_' || C == '.';
  };
  auto IsIdentChar = [](char C) {
    return std::isalnum((unsigned char)C) || C == '_' || C == '.';
  };
  while (I < L.size()) {
    char C = L[I];
    unsigned Col = unsigned(I + 1);
    if (C == ' ' || C == '\t') {
      ++I;
      continue;
    }
    if (C == ';' || C == '#')
      break;
    Token T;
    T.Col = Col;
    if (C == '"') {
      // Names are printable ASCII without '"' and '\\' (the image's rule),
      // so a string needs no escapes: it ends at the next '"'.
      T.Kind = Token::String;
      size_t J = I + 1;
      while (J < L.size() && L[J] != '"') {
        auto U = static_cast<unsigned char>(L[J]);
        if (U < 0x20 || U >= 0x7f || U == '\\')
          fail(unsigned(J + 1),
               fmt::format("character 0x{:02x} not allowed in a name; names "
                           "are printable ASCII without '\"' and '\\'",
                           unsigned(U)));
        ++J;
      }
      if (J == L.size())
        fail(Col, "unterminated string; close it with '\"'");
      T.Text = L.substr(I + 1, J - I - 1);
      I = J + 1;
    } else if (std::isdigit((unsigned char)C) ||
               ((C == '-' || C == '+') && I + 1 < L.size() &&
                std::isdigit((unsigned char)L[I + 1]))) {
      T.Kind = Token::Number;
      size_t J = I + 1;
      while (J < L.size() && (std::isalnum((unsigned char)L[J]) || L[J] == '_'))
        ++J;
      T.Text = L.substr(I, J - I);
      I = J;
    } else if (IsIdentStart(C)) {
      T.Kind = Token::Ident;
      size_t J = I + 1;
      while (J < L.size() && IsIdentChar(L[J]))
        ++J;
      T.Text = L.substr(I, J - I);
      I = J;
    } else if (C == '-' && I + 1 < L.size() && L[I + 1] == '>') {
      T.Kind = Token::Punct;
      T.Text = "->";
      I += 2;
    } else if (C == ',' || C == ':' || C == '=' || C == '@') {
      T.Kind = Token::Punct;
      T.Text = std::string(1, C);
      ++I;
    } else {
      fail(Col, fmt::format("unexpected character '{}'", C));
    }
    Toks.push_back(std::move(T));
  }
  Token E;
  E.Kind = Token::End;
  E.Col = unsigned(L.size() + 1);
  Toks.push_back(E);
}

std::string Parser::describe(const Token &T) {
  if (T.Kind == Token::End)
    return "end of line";
  if (T.Kind == Token::String)
    return "a string";
  return "'" + T.Text + "'";
}

void Parser::expectPunct(const char *P, const char *Context) {
  if (isPunct(P)) {
    next();
    return;
  }
  fail(peek(), fmt::format("expected '{}' {}, got {}", P, Context,
                           describe(peek())));
}

void Parser::expectEnd() {
  if (!atEnd())
    fail(peek(), fmt::format("unexpected {} at end of line", describe(peek())));
}

int64_t Parser::number(const Token &T, int64_t Lo, int64_t Hi,
                       const std::string &What, const std::string &Why) {
  if (T.Kind != Token::Number)
    fail(T, fmt::format("expected a number for {}, got {}", What, describe(T)));
  NumberText N = scanNumber(T.Text);
  if (!N.Ok)
    fail(T, fmt::format("bad number '{}'; write a decimal or 0x-prefixed hex "
                        "integer",
                        T.Text));
  bool InRange = !N.Overflow;
  int64_t V = 0;
  if (InRange) {
    if (N.Neg) {
      if (N.Mag > uint64_t(1) << 63)
        InRange = false;
      else
        V = N.Mag == uint64_t(1) << 63 ? std::numeric_limits<int64_t>::min()
                                       : -int64_t(N.Mag);
    } else if (N.Mag > uint64_t(std::numeric_limits<int64_t>::max())) {
      InRange = false;
    } else {
      V = int64_t(N.Mag);
    }
  }
  if (Lo > Hi) // nothing is valid, e.g. an axon of a core without axons
    fail(T, fmt::format("{} {} out of range{}", What, T.Text,
                        Why.empty() ? "" : ": " + Why));
  if (!InRange || V < Lo || V > Hi)
    fail(T, fmt::format("{} {} out of range [{}, {}]{}", What, T.Text, Lo, Hi,
                        Why.empty() ? "" : " (" + Why + ")"));
  return V;
}

uint64_t Parser::unsignedNumber(const Token &T, const std::string &What) {
  if (T.Kind != Token::Number)
    fail(T, fmt::format("expected a number for {}, got {}", What, describe(T)));
  NumberText N = scanNumber(T.Text);
  if (!N.Ok)
    fail(T, fmt::format("bad number '{}'; write a decimal or 0x-prefixed hex "
                        "integer",
                        T.Text));
  if (N.Overflow || (N.Neg && N.Mag != 0))
    fail(T, fmt::format("{} {} out of range [0, {}]", What, T.Text,
                        std::numeric_limits<uint64_t>::max()));
  return N.Mag;
}

Token Parser::expectNumber(const char *What) {
  if (peek().Kind != Token::Number)
    fail(peek(), fmt::format("expected {}, got {}", What, describe(peek())));
  return next();
}

std::string Parser::expectString(const char *What) {
  if (peek().Kind != Token::String)
    fail(peek(), fmt::format("expected {} as a quoted string, got {}", What,
                             describe(peek())));
  return next().Text;
}

std::vector<KeyValue> Parser::keyValues() {
  std::vector<KeyValue> KVs;
  while (peek().Kind == Token::Ident && isPunct("=", 1)) {
    KeyValue KV;
    KV.Key = next();
    next(); // '='
    for (const KeyValue &Old : KVs)
      if (Old.Key.Text == KV.Key.Text)
        fail(KV.Key, fmt::format("duplicate key '{}'", KV.Key.Text));
    if (peek().Kind == Token::Ident && !isPunct("=", 1)) {
      // A word value (generator=poisson); never a list.
      KV.Values.push_back(next());
    } else if (peek().Kind == Token::Number) {
      KV.Values.push_back(next());
      while (isPunct(",")) {
        next();
        KV.Values.push_back(expectNumber(
            fmt::format("a number after ',' in '{}='", KV.Key.Text).c_str()));
      }
    }
    KVs.push_back(std::move(KV));
  }
  return KVs;
}

KeyValue *Parser::findKey(std::vector<KeyValue> &KVs, const char *Key) {
  for (KeyValue &KV : KVs)
    if (KV.Key.Text == Key) {
      KV.Used = true;
      return &KV;
    }
  return nullptr;
}

const Token &Parser::single(KeyValue &KV) {
  if (KV.Values.size() != 1)
    fail(KV.Key, fmt::format("'{}=' takes one number, got {}", KV.Key.Text,
                             KV.Values.size()));
  return KV.Values[0];
}

int64_t Parser::keyNumber(std::vector<KeyValue> &KVs, const Token &Directive,
                          const char *Key, int64_t Lo, int64_t Hi,
                          std::optional<int64_t> Default,
                          const std::string &Why) {
  KeyValue *KV = findKey(KVs, Key);
  if (!KV) {
    if (Default)
      return *Default;
    fail(Directive, fmt::format("'{}' needs '{}='", Directive.Text, Key));
  }
  return number(single(*KV), Lo, Hi, Key, Why);
}

void Parser::rejectUnusedKeys(std::vector<KeyValue> &KVs, const Token &Directive,
                              const std::vector<std::string> &Allowed) {
  for (KeyValue &KV : KVs) {
    if (KV.Used)
      continue;
    std::string List;
    for (size_t I = 0; I < Allowed.size(); ++I)
      List += (I ? ", " : "") + Allowed[I];
    fail(KV.Key, fmt::format("unknown key '{}' for {} (expected {}){}",
                             KV.Key.Text, Directive.Text, List,
                             suggest(KV.Key.Text, Allowed)));
  }
}

AxonAddress Parser::address() {
  AddressRef R;
  Token Chip = expectNumber("an address chip:core:axon");
  R.A.Chip = uint16_t(number(Chip, 0, UINT16_MAX, "chip"));
  expectPunct(":", "between chip and core in chip:core:axon");
  Token Core = expectNumber("a core index");
  R.A.Core = uint16_t(number(Core, 0, UINT16_MAX, "core"));
  expectPunct(":", "between core and axon in chip:core:axon");
  Token Axon = expectNumber("an axon index");
  R.A.Axon = uint16_t(number(Axon, 0, UINT16_MAX, "axon"));
  R.Line = LineNo;
  R.ChipCol = Chip.Col;
  R.CoreCol = Core.Col;
  R.AxonCol = Axon.Col;
  AddressRefs.push_back(R);
  return R.A;
}

std::vector<AxonAddress> Parser::addressList() {
  expectPunct("->", "before the destination list");
  std::vector<AxonAddress> List;
  if (atEnd())
    return List;
  List.push_back(address());
  while (isPunct(",")) {
    next();
    List.push_back(address());
  }
  expectEnd();
  return List;
}

//===----------------------------------------------------------------------===//
// Lines
//===----------------------------------------------------------------------===//

Image Parser::run() {
  for (LineNo = 1; LineNo <= Lines.size(); ++LineNo) {
    try {
      tokenize(Lines[LineNo - 1]);
      parseLine();
    } catch (const LineError &) {
      // Recorded; go on with the next line.
    }
  }
  LineNo = unsigned(Lines.size());
  finishCore();
  finishSymbol();
  if (Diags.empty())
    checkAddresses();
  if (Diags.empty()) {
    try {
      validateImage(Img);
    } catch (const Error &E) {
      mapValidationError(E.what());
    }
  }
  if (!Diags.empty()) {
    std::stable_sort(Diags.begin(), Diags.end(),
                     [](const Diag &A, const Diag &B) {
                       return A.Line != B.Line ? A.Line < B.Line : A.Col < B.Col;
                     });
    std::string Text;
    for (const Diag &D : Diags)
      Text += D.Line == 0 ? fmt::format("{}: error: {}\n", FileName, D.Msg)
                          : formatDiag(D);
    Text += fmt::format("{} error{} in {}\n", Diags.size(),
                        Diags.size() == 1 ? "" : "s", FileName);
    throw Error(Text);
  }
  return std::move(Img);
}

namespace {
/// Reads "<Prefix><digits>" at the front of Text; returns the number.
std::optional<size_t> leadingIndex(std::string_view Text,
                                   std::string_view Prefix) {
  if (Text.substr(0, Prefix.size()) != Prefix)
    return std::nullopt;
  size_t I = Prefix.size(), V = 0;
  for (; I < Text.size() && I - Prefix.size() < 9 &&
         std::isdigit((unsigned char)Text[I]);
       ++I)
    V = V * 10 + size_t(Text[I] - '0');
  if (I == Prefix.size())
    return std::nullopt;
  return V;
}
} // namespace

void Parser::mapValidationError(const std::string &Msg) {
  // validateImage says "image: <where>: error: <verdict>". Point at the
  // line that declares what <where> or the verdict names, so the reader
  // finds the block; keep the verdict as the message.
  std::string_view Rest(Msg);
  if (Rest.substr(0, 7) == "image: ")
    Rest.remove_prefix(7);
  size_t Sep = Rest.find(": error: ");
  if (Sep == std::string_view::npos) {
    noteAt(0, 0, Msg);
    return;
  }
  std::string_view Where = Rest.substr(0, Sep);
  std::string_view Verdict = Rest.substr(Sep + 9);
  while (!Verdict.empty() && Verdict.back() == '\n')
    Verdict.remove_suffix(1);
  std::optional<Location> Loc;
  if (auto Core = leadingIndex(Where, "core ")) {
    if (*Core < CoreLocs.size())
      Loc = CoreLocs[*Core];
  } else if (auto Core = leadingIndex(Verdict, "cores[")) {
    if (*Core < CoreLocs.size())
      Loc = CoreLocs[*Core];
  } else if (auto Sym = leadingIndex(Verdict, "symbols[")) {
    if (*Sym < SymbolLocs.size())
      Loc = SymbolLocs[*Sym];
  } else if (Where == "header") {
    // Header verdicts name the field: num_chips, mesh, cores_per_tile or
    // arch name.
    static const std::pair<std::string_view, const char *> Fields[] = {
        {"num_chips", ".chips"},
        {"mesh", ".mesh"},
        {"cores_per_tile", ".cores_per_tile"},
        {"arch name", ".arch"}};
    for (const auto &[Field, Directive] : Fields) {
      if (Verdict.substr(0, Field.size()) != Field)
        continue;
      auto It = HeaderSeen.find(Directive);
      if (It != HeaderSeen.end())
        Loc = It->second;
      break;
    }
  }
  std::string Text = fmt::format("{}: {}", Where, Verdict);
  if (Loc)
    noteAt(Loc->Line, Loc->Col, Text);
  else
    noteAt(0, 0, Text);
}

void Parser::parseLine() {
  if (atEnd())
    return;
  // A core whose configuration failed is skipped up to the next block, so
  // one mistake in .config does not cascade into an error on every line.
  if (Cur && Cur->Broken) {
    bool StartsBlock = false;
    for (const Token &T : Toks)
      if (T.Kind == Token::Ident && T.Text[0] == '.') {
        StartsBlock = T.Text == ".core" || T.Text == ".input" ||
                      T.Text == ".population";
        break;
      }
    if (!StartsBlock)
      return;
  }
  // Labels first: "name:" possibly followed by more on the same line.
  while (peek().Kind == Token::Ident && isPunct(":", 1) &&
         peek().Text[0] != '.') {
    Token L = next();
    next();
    label(L);
  }
  if (atEnd())
    return;
  Token T = next();
  if (T.Kind == Token::Ident && T.Text[0] == '.') {
    directive(T);
    return;
  }
  if (T.Kind != Token::Ident)
    fail(T, fmt::format("expected a directive, an instruction or a label, got "
                        "{}",
                        describe(T)));
  instruction(T);
}

const std::vector<std::string> &directiveNames() {
  static const std::vector<std::string> Names = {
      ".arch",   ".chips",  ".mesh",     ".cores_per_tile", ".core",
      ".config", ".profile", ".params",  ".end",            ".neuron",
      ".neurons", ".axon",  ".sparse",   ".dense",          ".crossbar",
      ".column", ".out",    ".input",    ".target",         ".population",
      ".segment", ".spikes",  ".probe"};
  return Names;
}

void Parser::directive(const Token &D) {
  const std::string &N = D.Text;
  if (N == ".arch" || N == ".chips" || N == ".mesh" || N == ".cores_per_tile")
    return dirHeader(D);
  if (N == ".core")
    return dirCore(D);
  if (N == ".input" || N == ".population")
    return dirSymbol(D);
  if (N == ".target")
    return dirTarget(D);
  if (N == ".spikes")
    return dirSpikes(D);
  if (N == ".segment")
    return dirPopSegment(D);
  if (N == ".probe")
    return dirProbe(D);
  if (N == ".config")
    return dirConfig(D);
  if (N == ".profile")
    return dirProfile(D);
  if (N == ".params")
    return dirParams(D);
  if (N == ".end")
    return dirEnd(D);
  if (N == ".neuron" || N == ".neurons")
    return dirNeuron(D, N == ".neurons");
  if (N == ".axon")
    return dirAxon(D);
  if (N == ".sparse" || N == ".dense" || N == ".crossbar")
    return dirSegment(D);
  if (N == ".column")
    return dirColumn(D);
  if (N == ".out")
    return dirOut(D);
  fail(D, fmt::format("unknown directive '{}'{}", N,
                      suggest(N, directiveNames())));
}

void Parser::requireCore(const Token &D) {
  if (!Cur)
    fail(D, fmt::format("'{}' must be inside a .core block", D.Text));
  if (!Cur->HasConfig) {
    Cur->Broken = true;
    fail(D, fmt::format("expected .config as the first line of core {}, got "
                        "'{}'",
                        Cur->Index, D.Text));
  }
}

void Parser::requireNoProfile(const Token &D) {
  if (!Cur || !Cur->Profile)
    return;
  note(D.Col, fmt::format("'{}' inside .profile {}; close the profile with "
                          ".end first",
                          D.Text, Cur->Profile->Index));
  finishProfile();
}

void Parser::dirHeader(const Token &D) {
  if (SeenBlock)
    fail(D, fmt::format("'{}' must come before the first .core, .input or "
                        ".population",
                        D.Text));
  auto Seen = HeaderSeen.find(D.Text);
  if (Seen != HeaderSeen.end())
    fail(D, fmt::format("duplicate '{}' (first given at line {})", D.Text,
                        Seen->second.Line));
  HeaderSeen[D.Text] = {LineNo, D.Col};
  ChipHeader &H = Img.Header;
  if (D.Text == ".arch") {
    H.ArchName = expectString("the architecture name");
    std::vector<KeyValue> KVs = keyValues();
    KeyValue *FP = findKey(KVs, "fingerprint");
    if (!FP)
      fail(D, "'.arch' needs 'fingerprint=' (the architecture's 64-bit "
              "fingerprint)");
    H.ArchFingerprint = unsignedNumber(single(*FP), "fingerprint");
    rejectUnusedKeys(KVs, D, {"fingerprint"});
  } else if (D.Text == ".chips") {
    H.NumChips = uint16_t(number(expectNumber("the number of chips"), 0,
                                 UINT16_MAX, "chip count"));
  } else if (D.Text == ".mesh") {
    H.MeshWidth = uint16_t(number(expectNumber("the mesh width in tiles"), 0,
                                  UINT16_MAX, "mesh width"));
    H.MeshHeight = uint16_t(number(expectNumber("the mesh height in tiles"),
                                   0, UINT16_MAX, "mesh height"));
  } else {
    H.CoresPerTile = uint8_t(number(expectNumber("the cores per tile"), 0,
                                    UINT8_MAX, "cores per tile"));
  }
  expectEnd();
}

void Parser::dirCore(const Token &D) {
  finishCore();
  finishSymbol();
  SeenBlock = true;
  // Open the block before anything can fail, so the lines that follow are
  // attributed to it rather than reported as outside any core.
  Cur.emplace();
  Cur->Index = unsigned(Img.Cores.size());
  Cur->Loc = {LineNo, D.Col};
  Img.Cores.emplace_back();
  Img.Header.Cores.emplace_back();
  CoreLocs.push_back(Cur->Loc);
  Token IndexTok = expectNumber("the core index");
  int64_t Index = number(IndexTok, 0, UINT32_MAX, "core index");
  if (Index != Cur->Index)
    fail(IndexTok, fmt::format("core {} declared out of order; expected core "
                               "{} (cores are numbered 0, 1, 2, ... in order)",
                               Index, Cur->Index));
  std::vector<KeyValue> KVs = keyValues();
  CoreLocation &L = Img.Header.Cores.back();
  L.Chip = uint16_t(keyNumber(KVs, D, "chip", 0, UINT16_MAX));
  L.X = uint16_t(keyNumber(KVs, D, "x", 0, UINT16_MAX));
  L.Y = uint16_t(keyNumber(KVs, D, "y", 0, UINT16_MAX));
  L.Slot = uint8_t(keyNumber(KVs, D, "slot", 0, UINT8_MAX));
  rejectUnusedKeys(KVs, D, {"chip", "x", "y", "slot"});
  expectEnd();
}

void Parser::dirConfig(const Token &D) {
  if (!Cur)
    fail(D, "'.config' must be inside a .core block");
  if (Cur->HasConfig)
    fail(D, fmt::format("duplicate .config in core {}", Cur->Index));
  Cur->HasConfig = true;
  // Until the line parses, the core is unusable: skip its other lines.
  Cur->Broken = true;
  std::vector<KeyValue> KVs = keyValues();
  // Neuron and axon indices are 16-bit, so a core has at most 65536 of each.
  int64_t Axons = keyNumber(KVs, D, "axons", 0, 65536);
  int64_t Neurons = keyNumber(KVs, D, "neurons", 0, 65536);
  CoreConfig &C = Img.Cores.back().Config;
  C.NumStateWords =
      uint8_t(keyNumber(KVs, D, "state_words", 1, MaxStateWords));
  C.NumDelaySlots =
      uint8_t(keyNumber(KVs, D, "delay_slots", 1, MaxDelaySlots));
  KeyValue *Seed = findKey(KVs, "seed");
  C.Seed = Seed ? unsignedNumber(single(*Seed), "seed") : 0;
  rejectUnusedKeys(KVs, D,
                   {"axons", "neurons", "state_words", "delay_slots", "seed"});
  expectEnd();
  Core &Co = Img.Cores.back();
  Cur->NumAxons = unsigned(Axons);
  Cur->NumNeurons = unsigned(Neurons);
  Co.Axons.resize(size_t(Axons));
  Co.Outputs.resize(size_t(Neurons));
  Cur->Broken = false;
}

void Parser::dirProfile(const Token &D) {
  requireCore(D);
  requireNoProfile(D);
  Cur->CurAxon = -1;
  Core &C = Img.Cores.back();
  Cur->Profile.emplace();
  Cur->Profile->Index = unsigned(C.Profiles.size());
  Cur->Profile->Loc = {LineNo, D.Col};
  C.Profiles.emplace_back();
  Token IndexTok = expectNumber("the profile index");
  int64_t Index = number(IndexTok, 0, UINT16_MAX, "profile index");
  if (Index != Cur->Profile->Index)
    fail(IndexTok,
         fmt::format("profile {} declared out of order; expected profile {} "
                     "(profiles are numbered 0, 1, 2, ... in order)",
                     Index, Cur->Profile->Index));
  expectEnd();
}

void Parser::dirParams(const Token &D) {
  if (!Cur || !Cur->Profile)
    fail(D, "'.params' must be inside a .profile block");
  ProfileState &P = *Cur->Profile;
  if (P.HasParams)
    fail(D, fmt::format("duplicate .params in profile {}", P.Index));
  P.HasParams = true;
  std::vector<int32_t> &Params = Img.Cores.back().Profiles.back().Params;
  Params.clear();
  if (atEnd())
    return;
  std::vector<Token> Values{expectNumber("a parameter value")};
  while (isPunct(",")) {
    next();
    Values.push_back(expectNumber("a parameter value after ','"));
  }
  expectEnd();
  if (Values.size() > MaxParams)
    fail(Values[MaxParams],
         fmt::format("profile {} has {} parameters; at most {} are allowed",
                     P.Index, Values.size(), MaxParams));
  for (const Token &V : Values)
    Params.push_back(int32_t(
        number(V, INT32_MIN, INT32_MAX, "parameter")));
}

void Parser::dirEnd(const Token &D) {
  if (!Cur || !Cur->Profile)
    fail(D, "'.end' without an open .profile");
  expectEnd();
  finishProfile();
}

void Parser::label(const Token &L) {
  if (!Cur || !Cur->Profile)
    fail(L, fmt::format("label '{}' outside a .profile block; labels mark "
                        "instructions",
                        L.Text));
  ProfileState &P = *Cur->Profile;
  auto It = P.Labels.find(L.Text);
  if (It != P.Labels.end())
    fail(L, fmt::format("duplicate label '{}' (first defined at line {})",
                        L.Text, It->second.second.Line));
  unsigned Index = unsigned(Img.Cores.back().Profiles.back().Program.size());
  P.Labels[L.Text] = {Index, {LineNo, L.Col}};
}

void Parser::instruction(const Token &M) {
  if (!Cur || !Cur->Profile)
    fail(M, fmt::format("instruction '{}' outside a .profile block", M.Text));
  ProfileState &P = *Cur->Profile;
  std::vector<Instruction> &Program = Img.Cores.back().Profiles.back().Program;
  unsigned Pc = unsigned(Program.size());
  if (Pc >= MaxProgramLength) {
    if (P.TooLong)
      throw LineError();
    P.TooLong = true;
    fail(M, fmt::format("profile {} has more than {} instructions; a program "
                        "holds at most {}",
                        P.Index, MaxProgramLength, MaxProgramLength));
  }
  // Keep instruction indices stable even when this line is wrong, so labels
  // after it do not produce follow-on errors.
  Program.emplace_back();
  const OpcodeInfo *Info = lookupMnemonic(M.Text);
  if (!Info) {
    std::vector<std::string> Names;
    for (const OpcodeInfo &O : opcodeTable())
      Names.push_back(O.Mnemonic);
    fail(M, fmt::format("unknown mnemonic '{}'{}", M.Text,
                        suggest(M.Text, Names)));
  }
  // Operands: comma-separated groups of tokens.
  std::vector<std::vector<Token>> Ops;
  if (!atEnd()) {
    Ops.emplace_back();
    while (!atEnd()) {
      if (isPunct(",")) {
        if (Ops.back().empty())
          fail(peek(), "expected an operand before ','");
        next();
        Ops.emplace_back();
        continue;
      }
      Ops.back().push_back(next());
    }
    if (Ops.back().empty())
      fail(peek(), "expected an operand after ','");
  }
  unsigned NumRegs = numRegOperands(Info->Operands);
  unsigned Want = NumRegs + (Info->Imm == ImmKind::None ? 0 : 1);
  if (Ops.size() != Want)
    fail(M, fmt::format("'{}' takes {} operand{}{}, got {}", M.Text, Want,
                        Want == 1 ? "" : "s",
                        Want ? " (" + operandNames(*Info) + ")" : "",
                        Ops.size()));

  auto Register = [&](const std::vector<Token> &Op) -> uint8_t {
    const Token &T = Op[0];
    bool Shape = T.Kind == Token::Ident && T.Text.size() >= 2 &&
                 T.Text[0] == 'r' &&
                 std::all_of(T.Text.begin() + 1, T.Text.end(), [](char C) {
                   return std::isdigit((unsigned char)C);
                 });
    if (!Shape)
      fail(T, fmt::format("expected a register r0..r{}, got {}",
                          NumRegisters - 1, describe(T)));
    if (Op.size() > 1)
      fail(Op[1], fmt::format("unexpected {} after register {}",
                              describe(Op[1]), T.Text));
    if (T.Text.size() > 4 || std::stoul(T.Text.substr(1)) >= NumRegisters)
      fail(T, fmt::format("register {} out of range r0..r{}", T.Text,
                          NumRegisters - 1));
    return uint8_t(std::stoul(T.Text.substr(1)));
  };
  auto Single = [&](const std::vector<Token> &Op) -> const Token & {
    if (Op.size() > 1)
      fail(Op[1], fmt::format("unexpected {} in operand", describe(Op[1])));
    return Op[0];
  };

  Instruction I;
  I.Op = Info->Op;
  switch (Info->Operands) {
  case OperandForm::None:
    break;
  case OperandForm::D:
    I.Rd = Register(Ops[0]);
    break;
  case OperandForm::A:
    I.Ra = Register(Ops[0]);
    break;
  case OperandForm::DA:
    I.Rd = Register(Ops[0]);
    I.Ra = Register(Ops[1]);
    break;
  case OperandForm::DAB:
    I.Rd = Register(Ops[0]);
    I.Ra = Register(Ops[1]);
    I.Rb = Register(Ops[2]);
    break;
  }
  const CoreConfig &Config = Img.Cores.back().Config;
  if (Info->Imm != ImmKind::None) {
    const std::vector<Token> &Op = Ops[NumRegs];
    switch (Info->Imm) {
    case ImmKind::None:
      break;
    case ImmKind::Value:
      I.Imm = int32_t(number(Single(Op), INT32_MIN, INT32_MAX, "immediate"));
      break;
    case ImmKind::State:
      I.Imm = int32_t(number(
          Single(Op), 0, int64_t(Config.NumStateWords) - 1, "state index",
          fmt::format("the core has {} state word{}", Config.NumStateWords,
                      Config.NumStateWords == 1 ? "" : "s")));
      break;
    case ImmKind::Param: {
      // Checked against the parameter count at .end: .params may follow.
      const Token &T = Single(Op);
      I.Imm = int32_t(number(T, 0, MaxParams - 1, "parameter index",
                             fmt::format("a profile has at most {} parameters",
                                         MaxParams)));
      P.ParamRefs.push_back({Pc, I.Imm, {LineNo, T.Col}});
      break;
    }
    case ImmKind::Shift31:
      I.Imm = int32_t(number(Single(Op), 0, 31, "shift"));
      break;
    case ImmKind::Shift62:
      I.Imm = int32_t(number(Single(Op), 0, 62, "shift"));
      break;
    case ImmKind::Bits31:
      I.Imm = int32_t(number(Single(Op), 1, 31, "bit width"));
      break;
    case ImmKind::Bits32:
      I.Imm = int32_t(number(Single(Op), 1, 32, "bit width"));
      break;
    case ImmKind::Reg:
      I.Imm = Register(Op);
      break;
    case ImmKind::Target: {
      const Token &T = Op[0];
      if (T.Kind == Token::Punct && T.Text == "@") {
        if (Op.size() < 2)
          fail(T, "expected an instruction index after '@'");
        const Token &N = Op[1];
        if (Op.size() > 2)
          fail(Op[2], fmt::format("unexpected {} in operand", describe(Op[2])));
        int64_t Abs = number(N, 0, MaxProgramLength, "target");
        P.Targets.push_back({Pc, false, "", Abs, {LineNo, T.Col}});
      } else if (T.Kind == Token::Ident && T.Text[0] != '.') {
        Single(Op);
        P.Targets.push_back({Pc, true, T.Text, 0, {LineNo, T.Col}});
      } else {
        fail(T, fmt::format("expected a label or @index as the branch target, "
                            "got {}",
                            describe(T)));
      }
      break;
    }
    }
  }
  Program.back() = I;
}

void Parser::finishProfile() {
  if (!Cur || !Cur->Profile)
    return;
  ProfileState &P = *Cur->Profile;
  NeuronProfile &Prof = Img.Cores.back().Profiles.back();
  std::vector<Instruction> &Program = Prof.Program;
  unsigned Length = unsigned(Program.size());
  for (const TargetRef &R : P.Targets) {
    int64_t Target = R.Abs;
    std::string Name = fmt::format("@{}", R.Abs);
    if (R.IsLabel) {
      auto It = P.Labels.find(R.Label);
      if (It == P.Labels.end()) {
        noteAt(R.Loc.Line, R.Loc.Col,
               fmt::format("undefined label '{}' in profile {}", R.Label,
                           P.Index));
        continue;
      }
      Target = It->second.first;
      Name = fmt::format("'{}' (instruction {})", R.Label, Target);
    }
    if (Target <= int64_t(R.Pc)) {
      noteAt(R.Loc.Line, R.Loc.Col,
             fmt::format("branch target {} is not after the branch at "
                         "instruction {}; branches only go forward",
                         Name, R.Pc));
      continue;
    }
    if (Target > int64_t(Length)) {
      noteAt(R.Loc.Line, R.Loc.Col,
             fmt::format("target {} out of range [{}, {}] (the program has {} "
                         "instructions; {} means the end)",
                         Name, R.Pc + 1, Length, Length, Length));
      continue;
    }
    Program[R.Pc].Imm = int32_t(Target);
  }
  for (const ParamRef &R : P.ParamRefs) {
    if (Prof.Params.empty())
      noteAt(R.Loc.Line, R.Loc.Col,
             fmt::format("parameter index {} but profile {} has no parameters; "
                         "add a .params line",
                         R.Index, P.Index));
    else if (size_t(R.Index) >= Prof.Params.size())
      noteAt(R.Loc.Line, R.Loc.Col,
             fmt::format("parameter index {} out of range [0, {}] (profile {} "
                         "has {} parameters)",
                         R.Index, Prof.Params.size() - 1, P.Index,
                         Prof.Params.size()));
  }
  Cur->Profile.reset();
}

void Parser::dirNeuron(const Token &D, bool Run) {
  requireCore(D);
  requireNoProfile(D);
  Cur->CurAxon = -1;
  Token IndexTok = expectNumber("the neuron index");
  int64_t Index = number(IndexTok, 0, UINT16_MAX, "neuron index");
  std::vector<KeyValue> KVs = keyValues();
  int64_t Count = 1;
  if (Run)
    Count = keyNumber(KVs, D, "count", 1, 65536);
  unsigned Expected = Cur->NextNeuron;
  // Advance first, so one bad line does not make every later neuron look
  // out of order.
  if (Index >= Expected)
    Cur->NextNeuron = unsigned(Index + Count);
  if (Index != Expected)
    fail(IndexTok, fmt::format("neuron {} declared out of order; expected "
                               "neuron {} (declare neurons 0..{} in order)",
                               Index, Expected,
                               int64_t(Cur->NumNeurons) - 1));
  if (Index + Count > Cur->NumNeurons)
    fail(IndexTok,
         fmt::format("neuron {} out of range [0, {}] (the core has {} "
                     "neurons)",
                     Index + Count - 1, int64_t(Cur->NumNeurons) - 1,
                     Cur->NumNeurons));
  Neuron N;
  KeyValue *ProfileKV = findKey(KVs, "profile");
  if (!ProfileKV)
    fail(D, fmt::format("'{}' needs 'profile='", D.Text));
  const Token &PT = single(*ProfileKV);
  N.Profile = uint16_t(number(PT, 0, UINT16_MAX, "profile"));
  Cur->ProfileRefs.push_back({N.Profile, {LineNo, PT.Col}});
  unsigned Words = Img.Cores.back().Config.NumStateWords;
  N.State.assign(Words, 0);
  if (KeyValue *State = findKey(KVs, "state")) {
    if (State->Values.size() != Words)
      fail(State->Key, fmt::format("'state=' has {} value{}; the core has {} "
                                   "state word{}",
                                   State->Values.size(),
                                   State->Values.size() == 1 ? "" : "s", Words,
                                   Words == 1 ? "" : "s"));
    for (unsigned W = 0; W < Words; ++W)
      N.State[W] =
          int32_t(number(State->Values[W], INT32_MIN, INT32_MAX, "state"));
  }
  rejectUnusedKeys(KVs, D,
                   Run ? std::vector<std::string>{"count", "profile", "state"}
                       : std::vector<std::string>{"profile", "state"});
  expectEnd();
  std::vector<Neuron> &Ns = Img.Cores.back().Neurons;
  Ns.insert(Ns.end(), size_t(Count), N);
}

void Parser::dirAxon(const Token &D) {
  requireCore(D);
  requireNoProfile(D);
  Cur->CurAxon = -1;
  Token IndexTok = expectNumber("the axon index");
  int64_t Index = number(IndexTok, 0, int64_t(Cur->NumAxons) - 1, "axon",
                         fmt::format("the core has {} axon{}", Cur->NumAxons,
                                     Cur->NumAxons == 1 ? "" : "s"));
  if (Index <= Cur->LastAxon)
    fail(IndexTok, fmt::format("axon {} declared after axon {}; declare each "
                               "axon once, in ascending order",
                               Index, Cur->LastAxon));
  Cur->LastAxon = int(Index);
  Cur->CurAxon = int(Index);
  expectEnd();
}

void Parser::dirSegment(const Token &D) {
  requireCore(D);
  requireNoProfile(D);
  if (Cur->CurAxon < 0)
    fail(D, fmt::format("'{}' must follow an .axon line (or another segment "
                        "of that axon)",
                        D.Text));
  unsigned Delays = Img.Cores.back().Config.NumDelaySlots;
  std::string DelayWhy = fmt::format("the core has {} delay slot{}", Delays,
                                     Delays == 1 ? "" : "s");
  unsigned Neurons = Cur->NumNeurons;
  std::string NeuronWhy = fmt::format("the core has {} neuron{}", Neurons,
                                      Neurons == 1 ? "" : "s");
  SynapseSegment S;
  std::vector<KeyValue> KVs = keyValues();
  S.Shift = uint8_t(keyNumber(KVs, D, "shift", 0, MaxWeightShift, 0));
  if (D.Text == ".sparse") {
    S.Kind = SegmentKind::Sparse;
    rejectUnusedKeys(KVs, D, {"shift"});
    if (!atEnd()) {
      while (true) {
        SparseSynapse Syn;
        Token NT = expectNumber("a synapse neuron:weight:delay");
        Syn.Neuron = uint16_t(
            number(NT, 0, int64_t(Neurons) - 1, "neuron", NeuronWhy));
        expectPunct(":", "between neuron and weight in neuron:weight:delay");
        Syn.Weight = int16_t(number(expectNumber("a weight"), INT16_MIN,
                                    INT16_MAX, "weight"));
        expectPunct(":", "between weight and delay in neuron:weight:delay");
        Syn.Delay = uint8_t(
            number(expectNumber("a delay"), 1, Delays, "delay", DelayWhy));
        S.Sparse.push_back(Syn);
        if (!isPunct(","))
          break;
        next();
      }
    }
  } else {
    S.FirstNeuron = uint16_t(keyNumber(KVs, D, "first", 0, UINT16_MAX));
    S.Delay = uint8_t(keyNumber(KVs, D, "delay", 1, Delays, std::nullopt,
                                DelayWhy));
    if (D.Text == ".dense") {
      S.Kind = SegmentKind::Dense;
      KeyValue *W = findKey(KVs, "weights");
      if (!W)
        fail(D, "'.dense' needs 'weights=' (one weight per neuron from first)");
      for (const Token &T : W->Values)
        S.Weights.push_back(int16_t(number(T, INT16_MIN, INT16_MAX, "weight")));
      rejectUnusedKeys(KVs, D, {"first", "delay", "shift", "weights"});
    } else {
      S.Kind = SegmentKind::Crossbar;
      S.AxonType = uint8_t(keyNumber(KVs, D, "type", 0, NumAxonTypes - 1));
      KeyValue *B = findKey(KVs, "bits");
      if (!B)
        fail(D, "'.crossbar' needs 'bits=' (one 0/1 per neuron from first)");
      if (B->Values.size() > 1)
        fail(B->Values[1], "'bits=' takes one string of 0 and 1, without "
                           "commas");
      if (!B->Values.empty()) {
        const Token &T = B->Values[0];
        for (size_t I = 0; I < T.Text.size(); ++I) {
          char C = T.Text[I];
          if (C != '0' && C != '1')
            fail(T.Col + unsigned(I),
                 fmt::format("bad crossbar bit '{}'; write one 0 or 1 per "
                             "neuron column",
                             C));
          S.Connected.push_back(C == '1');
        }
      }
      rejectUnusedKeys(KVs, D, {"type", "first", "delay", "shift", "bits"});
    }
    size_t Len = S.Kind == SegmentKind::Dense ? S.Weights.size()
                                              : S.Connected.size();
    if (S.FirstNeuron + Len > Neurons)
      fail(D, fmt::format("segment covers neurons {}..{}, out of range [0, {}] "
                          "({})",
                          S.FirstNeuron, int64_t(S.FirstNeuron + Len) - 1,
                          int64_t(Neurons) - 1, NeuronWhy));
  }
  expectEnd();
  Img.Cores.back().Axons[size_t(Cur->CurAxon)].push_back(std::move(S));
}

void Parser::dirColumn(const Token &D) {
  requireCore(D);
  requireNoProfile(D);
  Cur->CurAxon = -1;
  std::vector<CrossbarColumn> &Cols = Img.Cores.back().Crossbar;
  Token IndexTok = expectNumber("the column (neuron) index");
  int64_t Index =
      number(IndexTok, 0, int64_t(Cur->NumNeurons) - 1, "column",
             fmt::format("the core has {} neurons", Cur->NumNeurons));
  size_t Expected = Cols.size();
  Cols.emplace_back();
  if (size_t(Index) != Expected)
    fail(IndexTok, fmt::format("column {} declared out of order; expected "
                               "column {} (declare columns 0, 1, 2, ... in "
                               "order)",
                               Index, Expected));
  std::vector<KeyValue> KVs = keyValues();
  CrossbarColumn &C = Cols.back();
  KeyValue *W = findKey(KVs, "weights");
  if (!W)
    fail(D, "'.column' needs 'weights=' (one weight per axon type)");
  if (W->Values.size() != NumAxonTypes)
    fail(W->Key, fmt::format("'weights=' has {} values; a column has one per "
                             "axon type ({})",
                             W->Values.size(), NumAxonTypes));
  for (unsigned T = 0; T < NumAxonTypes; ++T)
    C.Weight[T] =
        int16_t(number(W->Values[T], INT16_MIN, INT16_MAX, "weight"));
  if (KeyValue *S = findKey(KVs, "stochastic")) {
    if (S->Values.size() != NumAxonTypes)
      fail(S->Key, fmt::format("'stochastic=' has {} values; a column has one "
                               "per axon type ({})",
                               S->Values.size(), NumAxonTypes));
    for (unsigned T = 0; T < NumAxonTypes; ++T)
      C.Stochastic[T] = number(S->Values[T], 0, 1, "stochastic flag") != 0;
  }
  rejectUnusedKeys(KVs, D, {"weights", "stochastic"});
  expectEnd();
}

void Parser::dirOut(const Token &D) {
  requireCore(D);
  requireNoProfile(D);
  Cur->CurAxon = -1;
  Token IndexTok = expectNumber("the neuron index");
  int64_t Index =
      number(IndexTok, 0, int64_t(Cur->NumNeurons) - 1, "neuron",
             fmt::format("the core has {} neurons", Cur->NumNeurons));
  std::vector<AxonAddress> List = addressList();
  std::vector<AxonAddress> &Out = Img.Cores.back().Outputs[size_t(Index)];
  Out.insert(Out.end(), List.begin(), List.end());
}

void Parser::dirSymbol(const Token &D) {
  finishCore();
  finishSymbol();
  SeenBlock = true;
  SymbolBroken = true; // until the line has parsed
  bool Input = D.Text == ".input";
  Symbol S;
  S.Kind = Input ? SymbolKind::InputPort : SymbolKind::Population;
  S.Name = expectString(Input ? "the input port name" : "the population name");
  for (size_t I = 0; I < Img.Symbols.size(); ++I)
    if (Img.Symbols[I].Name == S.Name)
      fail(D, fmt::format("duplicate symbol name {}", quoteString(S.Name)));
  std::vector<KeyValue> KVs = keyValues();
  // An input port's table has one entry per index; keep a text file from
  // asking for an absurd allocation.
  constexpr int64_t MaxPortSize = int64_t(1) << 20;
  S.Size = uint32_t(keyNumber(KVs, D, "size", 0,
                              Input ? MaxPortSize : int64_t(UINT32_MAX)));
  if (Input)
    generatorKeys(KVs, D, S);
  else
    S.RecordSpikes =
        keyNumber(KVs, D, "record", 0, 1, 1,
                  "1 records the population's spikes, 0 does not") != 0;
  rejectUnusedKeys(KVs, D,
                   Input ? std::vector<std::string>{"size", "generator"}
                         : std::vector<std::string>{"size", "record"});
  expectEnd();
  if (Input)
    S.Targets.resize(S.Size);
  Img.Symbols.push_back(std::move(S));
  SymbolLocs.push_back({LineNo, D.Col});
  CurSymbol = int(Img.Symbols.size() - 1);
  SymbolBroken = false;
}

void Parser::skipIfSymbolBroken() {
  // The error is on the symbol's line; no second one for each line of it.
  if (SymbolBroken)
    throw LineError();
}

void Parser::dirTarget(const Token &D) {
  skipIfSymbolBroken();
  if (CurSymbol < 0 || Img.Symbols[CurSymbol].Kind != SymbolKind::InputPort)
    fail(D, "'.target' must follow an .input line");
  Symbol &S = Img.Symbols[CurSymbol];
  Token IndexTok = expectNumber("the port index");
  int64_t Index = number(IndexTok, 0, int64_t(S.Size) - 1, "port index",
                         fmt::format("input {} has size {}",
                                     quoteString(S.Name), S.Size));
  std::vector<AxonAddress> List = addressList();
  std::vector<AxonAddress> &T = S.Targets[size_t(Index)];
  T.insert(T.end(), List.begin(), List.end());
}

namespace {
/// The generator kinds by their text names, in GeneratorKind order.
const std::vector<std::string> &generatorNames() {
  static const std::vector<std::string> Names = {"external", "list",
                                                 "poisson", "regular"};
  return Names;
}

/// The keys of the .input line that belong to one generator kind.
struct GeneratorKey {
  const char *Key;
  GeneratorKind Kind;
};
constexpr GeneratorKey GeneratorKeys[] = {
    {"seed", GeneratorKind::Poisson},
    {"probability_q32", GeneratorKind::Poisson},
    {"period", GeneratorKind::Regular},
    {"phase", GeneratorKind::Regular},
};
} // namespace

void Parser::generatorKeys(std::vector<KeyValue> &KVs, const Token &D,
                           Symbol &S) {
  SpikeGenerator &G = S.Generator;
  if (KeyValue *KV = findKey(KVs, "generator")) {
    const std::vector<std::string> &Names = generatorNames();
    if (KV->Values.size() != 1 || KV->Values[0].Kind != Token::Ident)
      fail(KV->Values.empty() ? KV->Key : KV->Values[0],
           "'generator=' takes one of external, list, poisson, regular");
    const Token &V = KV->Values[0];
    auto It = std::find(Names.begin(), Names.end(), V.Text);
    if (It == Names.end())
      fail(V, fmt::format("unknown generator '{}' (expected external, list, "
                          "poisson or regular){}",
                          V.Text, suggest(V.Text, Names)));
    G.Kind = static_cast<GeneratorKind>(It - Names.begin());
  }
  // A key of another kind's generator gets a message that names its kind.
  for (const GeneratorKey &K : GeneratorKeys) {
    if (K.Kind == G.Kind)
      continue;
    for (KeyValue &KV : KVs)
      if (KV.Key.Text == K.Key)
        fail(KV.Key, fmt::format("'{}=' needs generator={} (this port's "
                                 "generator is {})",
                                 K.Key, generatorNames()[size_t(K.Kind)],
                                 generatorNames()[size_t(G.Kind)]));
  }
  // An optional u64 key, 0 when left out.
  auto U64 = [&](const char *Key) -> uint64_t {
    KeyValue *KV = findKey(KVs, Key);
    return KV ? unsignedNumber(single(*KV), Key) : 0;
  };
  switch (G.Kind) {
  case GeneratorKind::External:
  case GeneratorKind::List:
    return;
  case GeneratorKind::Poisson: {
    G.Seed = U64("seed");
    KeyValue *P = findKey(KVs, "probability_q32");
    if (!P)
      fail(D, "'.input' with generator=poisson needs 'probability_q32=' "
              "(the per-step firing probability times 2^32)");
    G.ProbabilityQ32 = uint64_t(
        number(single(*P), 0, int64_t(ProbabilityOne), "probability_q32",
               "2^32 = 4294967296 fires in every step"));
    return;
  }
  case GeneratorKind::Regular: {
    KeyValue *P = findKey(KVs, "period");
    if (!P)
      fail(D, "'.input' with generator=regular needs 'period=' (fire every "
              "period steps)");
    const Token &T = single(*P);
    G.Period = unsignedNumber(T, "period");
    if (G.Period == 0)
      fail(T, fmt::format("period 0 out of range [1, {}]",
                          std::numeric_limits<uint64_t>::max()));
    G.Phase = U64("phase");
    return;
  }
  }
}

void Parser::dirSpikes(const Token &D) {
  skipIfSymbolBroken();
  if (CurSymbol < 0 || Img.Symbols[CurSymbol].Kind != SymbolKind::InputPort ||
      Img.Symbols[CurSymbol].Generator.Kind != GeneratorKind::List)
    fail(D, "'.spikes' must follow an .input line with generator=list");
  Symbol &S = Img.Symbols[CurSymbol];
  std::vector<std::pair<uint64_t, uint32_t>> &Spikes = S.Generator.Spikes;
  if (atEnd())
    return;
  while (true) {
    Token StepTok = expectNumber("a spike step:index");
    uint64_t Step = unsignedNumber(StepTok, "step");
    expectPunct(":", "between step and index in step:index");
    Token IndexTok = expectNumber("a port index");
    auto Index = uint32_t(number(IndexTok, 0, int64_t(S.Size) - 1,
                                 "port index",
                                 fmt::format("input {} has size {}",
                                             quoteString(S.Name), S.Size)));
    std::pair<uint64_t, uint32_t> Spike{Step, Index};
    if (!Spikes.empty() && !(Spikes.back() < Spike))
      fail(StepTok,
           Spikes.back() == Spike
               ? fmt::format("spike {}:{} is listed twice; list each spike "
                             "once",
                             Step, Index)
               : fmt::format("spike {}:{} must come before spike {}:{}; sort "
                             "the spikes by step, then index",
                             Step, Index, Spikes.back().first,
                             Spikes.back().second));
    Spikes.push_back(Spike);
    if (!isPunct(","))
      break;
    next();
  }
  expectEnd();
}

void Parser::dirPopSegment(const Token &D) {
  skipIfSymbolBroken();
  if (CurSymbol < 0 || Img.Symbols[CurSymbol].Kind != SymbolKind::Population)
    fail(D, "'.segment' must follow a .population line");
  std::vector<KeyValue> KVs = keyValues();
  PopulationSegment P;
  P.Core = uint32_t(keyNumber(KVs, D, "core", 0, UINT32_MAX));
  P.FirstNeuron = uint16_t(keyNumber(KVs, D, "first", 0, UINT16_MAX));
  P.Count = uint16_t(keyNumber(KVs, D, "count", 0, UINT16_MAX));
  P.Offset = uint32_t(keyNumber(KVs, D, "offset", 0, UINT32_MAX));
  rejectUnusedKeys(KVs, D, {"core", "first", "count", "offset"});
  expectEnd();
  Img.Symbols[CurSymbol].Segments.push_back(P);
}

void Parser::dirProbe(const Token &D) {
  skipIfSymbolBroken();
  if (CurSymbol < 0 || Img.Symbols[CurSymbol].Kind != SymbolKind::Population)
    fail(D, "'.probe' must follow a .population line");
  Symbol &S = Img.Symbols[CurSymbol];
  Token NameTok = peek();
  Probe P;
  P.Variable = expectString("the probed variable's name");
  for (const Probe &Q : S.Probes)
    if (Q.Variable == P.Variable)
      fail(NameTok, fmt::format("variable {} is already probed in population "
                                "{}; probe each variable once",
                                quoteString(P.Variable), quoteString(S.Name)));
  std::vector<KeyValue> KVs = keyValues();
  P.StateWord = uint8_t(keyNumber(KVs, D, "word", 0, MaxStateWords - 1,
                                  std::nullopt,
                                  "the index of a neuron state word"));
  rejectUnusedKeys(KVs, D, {"word"});
  expectEnd();
  S.Probes.push_back(std::move(P));
}

void Parser::finishCore() {
  if (!Cur)
    return;
  CoreState &S = *Cur;
  if (S.Profile) {
    noteAt(S.Profile->Loc.Line, S.Profile->Loc.Col,
           fmt::format("profile {} has no .end", S.Profile->Index));
    finishProfile();
  }
  if (!S.HasConfig && !S.Broken)
    noteAt(S.Loc.Line, S.Loc.Col,
           fmt::format("core {} has no .config line", S.Index));
  if (!S.Broken) {
    if (S.NextNeuron < S.NumNeurons) {
      std::string Missing =
          S.NumNeurons - S.NextNeuron == 1
              ? fmt::format("neuron {} is missing", S.NextNeuron)
              : fmt::format("neurons {}..{} are missing", S.NextNeuron,
                            S.NumNeurons - 1);
      noteAt(S.Loc.Line, S.Loc.Col,
             fmt::format("core {} declares {} of {} neurons; {}", S.Index,
                         S.NextNeuron, S.NumNeurons, Missing));
    }
    size_t NumProfiles = Img.Cores[S.Index].Profiles.size();
    for (const auto &[P, Loc] : S.ProfileRefs) {
      if (P < NumProfiles)
        continue;
      noteAt(Loc.Line, Loc.Col,
             NumProfiles == 0
                 ? fmt::format("profile {} but core {} has no profiles; "
                               "declare one with .profile",
                               P, S.Index)
                 : fmt::format("profile {} out of range [0, {}] (core {} has "
                               "{} profile{})",
                               P, NumProfiles - 1, S.Index, NumProfiles,
                               NumProfiles == 1 ? "" : "s"));
    }
  }
  Cur.reset();
}

void Parser::checkAddresses() {
  // Destinations name (chip, core within the chip, axon); resolve them
  // here so a wrong one is reported where it is written.
  for (const AddressRef &R : AddressRefs) {
    const AxonAddress &A = R.A;
    if (A.Chip >= Img.Header.NumChips) {
      noteAt(R.Line, R.ChipCol,
             fmt::format("chip {} out of range [0, {}] (the image has {} "
                         "chip{})",
                         A.Chip, int(Img.Header.NumChips) - 1,
                         Img.Header.NumChips,
                         Img.Header.NumChips == 1 ? "" : "s"));
      continue;
    }
    std::vector<size_t> OnChip;
    for (size_t I = 0; I < Img.Header.Cores.size(); ++I)
      if (Img.Header.Cores[I].Chip == A.Chip)
        OnChip.push_back(I);
    if (A.Core >= OnChip.size()) {
      noteAt(R.Line, R.CoreCol,
             OnChip.empty()
                 ? fmt::format("chip {} has no cores", A.Chip)
                 : fmt::format("core {} out of range [0, {}] (chip {} has {} "
                               "core{})",
                               A.Core, OnChip.size() - 1, A.Chip,
                               OnChip.size(), OnChip.size() == 1 ? "" : "s"));
      continue;
    }
    size_t Axons = Img.Cores[OnChip[A.Core]].Axons.size();
    if (A.Axon >= Axons)
      noteAt(R.Line, R.AxonCol,
             Axons == 0 ? fmt::format("axon {} but chip {} core {} has no "
                                      "axons",
                                      A.Axon, A.Chip, A.Core)
                        : fmt::format("axon {} out of range [0, {}] (chip {} "
                                      "core {} has {} axon{})",
                                      A.Axon, Axons - 1, A.Chip, A.Core, Axons,
                                      Axons == 1 ? "" : "s"));
  }
}

//===----------------------------------------------------------------------===//
// Printer
//===----------------------------------------------------------------------===//

std::string joinInts(const std::vector<int64_t> &V, const char *Sep) {
  std::string S;
  for (size_t I = 0; I < V.size(); ++I)
    S += fmt::format("{}{}", I ? Sep : "", V[I]);
  return S;
}

template <typename T> std::vector<int64_t> widen(const T &Container) {
  return std::vector<int64_t>(Container.begin(), Container.end());
}

std::string formatAddresses(const std::vector<AxonAddress> &List) {
  std::string S;
  for (size_t I = 0; I < List.size(); ++I)
    S += fmt::format("{}{}:{}:{}", I ? ", " : "", List[I].Chip, List[I].Core,
                     List[I].Axon);
  return S;
}

void printProfile(std::string &Out, const NeuronProfile &P, size_t Index) {
  Out += fmt::format("  .profile {}\n", Index);
  if (!P.Params.empty())
    Out += fmt::format("    .params {}\n", joinInts(widen(P.Params), ", "));
  // A label before every instruction some branch targets, and before .end
  // when a branch targets the end of the program.
  std::vector<bool> Targeted(P.Program.size() + 1, false);
  for (const Instruction &I : P.Program) {
    const OpcodeInfo *Info = lookupOpcode(uint8_t(I.Op));
    if (Info && Info->Imm == ImmKind::Target && I.Imm >= 0 &&
        size_t(I.Imm) <= P.Program.size())
      Targeted[size_t(I.Imm)] = true;
  }
  for (size_t Pc = 0; Pc <= P.Program.size(); ++Pc) {
    if (Targeted[Pc])
      Out += fmt::format("  L{}:\n", Pc);
    if (Pc < P.Program.size())
      Out += "    " + printInstruction(P.Program[Pc]) + "\n";
  }
  Out += "  .end\n";
}

void printCore(std::string &Out, const Core &C, const CoreLocation &L,
               size_t Index) {
  Out += fmt::format(".core {} chip={} x={} y={} slot={}\n", Index, L.Chip, L.X,
                     L.Y, unsigned(L.Slot));
  Out += fmt::format("  .config axons={} neurons={} state_words={} "
                     "delay_slots={} seed={:#x}\n",
                     C.Axons.size(), C.Neurons.size(),
                     unsigned(C.Config.NumStateWords),
                     unsigned(C.Config.NumDelaySlots), C.Config.Seed);
  for (size_t P = 0; P < C.Profiles.size(); ++P)
    printProfile(Out, C.Profiles[P], P);
  for (size_t N = 0; N < C.Neurons.size();) {
    size_t End = N + 1;
    while (End < C.Neurons.size() && C.Neurons[End] == C.Neurons[N])
      ++End;
    const Neuron &Ne = C.Neurons[N];
    std::string State = joinInts(widen(Ne.State), ",");
    if (End - N == 1)
      Out += fmt::format("  .neuron {} profile={} state={}\n", N, Ne.Profile,
                         State);
    else
      Out += fmt::format("  .neurons {} count={} profile={} state={}\n", N,
                         End - N, Ne.Profile, State);
    N = End;
  }
  for (size_t A = 0; A < C.Axons.size(); ++A) {
    if (C.Axons[A].empty())
      continue;
    Out += fmt::format("  .axon {}\n", A);
    for (const SynapseSegment &S : C.Axons[A]) {
      switch (S.Kind) {
      case SegmentKind::Sparse: {
        Out += fmt::format("    .sparse shift={}", unsigned(S.Shift));
        for (size_t I = 0; I < S.Sparse.size(); ++I)
          Out += fmt::format("{}{}:{}:{}", I ? ", " : " ", S.Sparse[I].Neuron,
                             S.Sparse[I].Weight, unsigned(S.Sparse[I].Delay));
        Out += "\n";
        break;
      }
      case SegmentKind::Dense:
        Out += fmt::format("    .dense first={} delay={} shift={} weights={}\n",
                           S.FirstNeuron, unsigned(S.Delay), unsigned(S.Shift),
                           joinInts(widen(S.Weights), ","));
        break;
      case SegmentKind::Crossbar: {
        std::string Bits;
        for (bool B : S.Connected)
          Bits += B ? '1' : '0';
        Out += fmt::format("    .crossbar type={} first={} delay={} shift={} "
                           "bits={}\n",
                           unsigned(S.AxonType), S.FirstNeuron,
                           unsigned(S.Delay), unsigned(S.Shift), Bits);
        break;
      }
      }
    }
  }
  for (size_t N = 0; N < C.Crossbar.size(); ++N) {
    const CrossbarColumn &Col = C.Crossbar[N];
    Out += fmt::format("  .column {} weights={} stochastic={}\n", N,
                       joinInts(widen(Col.Weight), ","),
                       joinInts(widen(Col.Stochastic), ","));
  }
  for (size_t N = 0; N < C.Outputs.size(); ++N)
    if (!C.Outputs[N].empty())
      Out += fmt::format("  .out {} -> {}\n", N, formatAddresses(C.Outputs[N]));
}

/// The .input line and, for a list generator, its .spikes lines.
void printInput(std::string &Out, const Symbol &S) {
  const SpikeGenerator &G = S.Generator;
  Out += fmt::format(".input {} size={}", quoteString(S.Name), S.Size);
  switch (G.Kind) {
  case GeneratorKind::External:
    break;
  case GeneratorKind::List:
    Out += " generator=list";
    break;
  case GeneratorKind::Poisson:
    Out += fmt::format(" generator=poisson seed={:#x} probability_q32={}",
                       G.Seed, G.ProbabilityQ32);
    break;
  case GeneratorKind::Regular:
    Out += fmt::format(" generator=regular period={} phase={}", G.Period,
                       G.Phase);
    break;
  }
  Out += "\n";
  constexpr size_t PerLine = 16;
  for (size_t I = 0; I < G.Spikes.size(); I += PerLine) {
    Out += "  .spikes";
    for (size_t J = I; J < std::min(G.Spikes.size(), I + PerLine); ++J)
      Out += fmt::format("{}{}:{}", J == I ? " " : ", ", G.Spikes[J].first,
                         G.Spikes[J].second);
    Out += "\n";
  }
}

} // namespace

Image parseAssembly(const std::string &Text, const std::string &FileName) {
  return Parser(Text, FileName).run();
}

std::string printInstruction(const Instruction &I) {
  const OpcodeInfo *Info = lookupOpcode(uint8_t(I.Op));
  assert(Info && "printInstruction needs a valid opcode");
  if (!Info)
    return fmt::format(".word {:#x}", encodeInstruction(I));
  std::vector<std::string> Ops;
  switch (Info->Operands) {
  case OperandForm::None:
    break;
  case OperandForm::D:
    Ops = {fmt::format("r{}", I.Rd)};
    break;
  case OperandForm::A:
    Ops = {fmt::format("r{}", I.Ra)};
    break;
  case OperandForm::DA:
    Ops = {fmt::format("r{}", I.Rd), fmt::format("r{}", I.Ra)};
    break;
  case OperandForm::DAB:
    Ops = {fmt::format("r{}", I.Rd), fmt::format("r{}", I.Ra),
           fmt::format("r{}", I.Rb)};
    break;
  }
  switch (Info->Imm) {
  case ImmKind::None:
    break;
  case ImmKind::Reg:
    Ops.push_back(fmt::format("r{}", I.Imm));
    break;
  case ImmKind::Target:
    Ops.push_back(fmt::format("L{}", I.Imm));
    break;
  default:
    Ops.push_back(fmt::format("{}", I.Imm));
    break;
  }
  std::string S = Info->Mnemonic;
  for (size_t K = 0; K < Ops.size(); ++K)
    S += (K ? ", " : " ") + Ops[K];
  return S;
}

std::string printAssembly(const Image &Img) {
  const ChipHeader &H = Img.Header;
  std::string Out;
  Out += fmt::format(".arch {} fingerprint={:#018x}\n", quoteString(H.ArchName),
                     H.ArchFingerprint);
  Out += fmt::format(".chips {}\n", H.NumChips);
  Out += fmt::format(".mesh {} {}\n", H.MeshWidth, H.MeshHeight);
  Out += fmt::format(".cores_per_tile {}\n", unsigned(H.CoresPerTile));
  for (size_t C = 0; C < Img.Cores.size(); ++C) {
    CoreLocation L = C < H.Cores.size() ? H.Cores[C] : CoreLocation();
    printCore(Out, Img.Cores[C], L, C);
  }
  for (const Symbol &S : Img.Symbols) {
    if (S.Kind == SymbolKind::InputPort) {
      printInput(Out, S);
      for (size_t I = 0; I < S.Targets.size(); ++I)
        if (!S.Targets[I].empty())
          Out += fmt::format("  .target {} -> {}\n", I,
                             formatAddresses(S.Targets[I]));
    } else {
      Out += fmt::format(".population {} size={}{}\n", quoteString(S.Name),
                         S.Size, S.RecordSpikes ? "" : " record=0");
      for (const PopulationSegment &P : S.Segments)
        Out += fmt::format("  .segment core={} first={} count={} offset={}\n",
                           P.Core, P.FirstNeuron, P.Count, P.Offset);
      for (const Probe &P : S.Probes)
        Out += fmt::format("  .probe {} word={}\n", quoteString(P.Variable),
                           unsigned(P.StateWord));
    }
  }
  return Out;
}

} // namespace neuromesh::isa
