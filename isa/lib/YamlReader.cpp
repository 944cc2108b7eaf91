//===- YamlReader.cpp - YAML with located diagnostics ---------------------===//
#include "neuromesh/isa/YamlReader.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/FileIO.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace neuromesh::yaml {

Reader::Reader(std::string TextIn, std::string FileNameIn)
    : FileName(std::move(FileNameIn)), Text(std::move(TextIn)) {
  // Syntax errors from the parser come through the same renderer.
  SM.setDiagHandler(
      [](const llvm::SMDiagnostic &D, void *Ctx) {
        auto *R = static_cast<Reader *>(Ctx);
        std::string S;
        llvm::raw_string_ostream OS(S);
        D.print(nullptr, OS, /*ShowColors=*/false);
        OS.flush();
        if (D.getKind() == llvm::SourceMgr::DK_Error) {
          ++R->Errors;
          R->Rendered += S;
        } else {
          R->RenderedWarnings += S;
          R->Rendered += S;
        }
      },
      this);
  // Walk the whole document once first so that a syntax error anywhere is
  // reported before anyone reads a half-parsed tree; then parse to read.
  Stream = std::make_unique<llvm::yaml::Stream>(
      llvm::MemoryBufferRef(Text, FileName), SM, /*ShowColors=*/false);
  if (!Stream->validate())
    return;
  Stream = std::make_unique<llvm::yaml::Stream>(
      llvm::MemoryBufferRef(Text, FileName), SM, /*ShowColors=*/false);
  auto It = Stream->begin();
  Root = It == Stream->end() ? nullptr : It->getRoot();
  if (Root && llvm::isa<llvm::yaml::NullNode>(Root))
    Root = nullptr;
  if (!Root)
    report(nullptr, "the file is empty", true);
}

Reader::~Reader() = default;

std::unique_ptr<Reader> Reader::fromFile(const std::string &Path) {
  return std::make_unique<Reader>(isa::readFile(Path), Path);
}

void Reader::report(const Node *N, const llvm::Twine &Message, bool IsError) {
  auto Kind = IsError ? llvm::SourceMgr::DK_Error : llvm::SourceMgr::DK_Warning;
  if (!N) {
    // No node to point at: a whole-file diagnostic.
    std::string S = FileName + ": " + (IsError ? "error: " : "warning: ") +
                    Message.str() + "\n";
    if (IsError)
      ++Errors;
    else
      RenderedWarnings += S;
    Rendered += S;
    return;
  }
  Stream->printError(const_cast<Node *>(N), Message, Kind);
}

void Reader::error(const Node *N, const llvm::Twine &Message) {
  report(N, Message, true);
}
void Reader::warning(const Node *N, const llvm::Twine &Message) {
  report(N, Message, false);
}

void Reader::errorAt(unsigned Line, unsigned Col, const llvm::Twine &Message) {
  llvm::SMLoc Loc;
  if (SM.getNumBuffers() > 0 && Line > 0)
    Loc = SM.FindLocForLineAndColumn(1, Line, Col);
  if (!Loc.isValid()) {
    report(nullptr, Message, true);
    return;
  }
  SM.PrintMessage(Loc, llvm::SourceMgr::DK_Error, Message);
}

std::pair<unsigned, unsigned> Reader::lineCol(const Node *N) const {
  if (!N)
    return {0, 0};
  llvm::SMLoc Loc = N->getSourceRange().Start;
  if (!Loc.isValid())
    return {0, 0};
  return SM.getLineAndColumn(Loc);
}

void Reader::throwIfErrors() const {
  if (Errors == 0)
    return;
  std::string Msg = Rendered;
  while (!Msg.empty() && Msg.back() == '\n')
    Msg.pop_back();
  throw Error(Msg);
}

namespace {
std::optional<std::string> scalarText(Node *N) {
  auto *S = llvm::dyn_cast_or_null<ScalarNode>(N);
  if (!S)
    return std::nullopt;
  llvm::SmallString<64> Storage;
  return S->getValue(Storage).str();
}
} // namespace

std::optional<int64_t> Reader::integer(Node *N, llvm::StringRef Path) {
  auto T = scalarText(N);
  int64_t V = 0;
  if (T && !llvm::StringRef(*T).getAsInteger(0, V))
    return V;
  error(N, "expected an integer for " + Path +
               (T ? ", got '" + *T + "'" : std::string()));
  return std::nullopt;
}

std::optional<double> Reader::number(Node *N, llvm::StringRef Path) {
  auto T = scalarText(N);
  double V = 0;
  if (T && !llvm::StringRef(*T).getAsDouble(V))
    return V;
  error(N, "expected a number for " + Path +
               (T ? ", got '" + *T + "'" : std::string()));
  return std::nullopt;
}

std::optional<bool> Reader::boolean(Node *N, llvm::StringRef Path) {
  auto T = scalarText(N);
  if (T) {
    if (auto B = llvm::yaml::parseBool(*T))
      return *B;
  }
  error(N, "expected true or false for " + Path +
               (T ? ", got '" + *T + "'" : std::string()));
  return std::nullopt;
}

std::optional<std::string> Reader::string(Node *N, llvm::StringRef Path) {
  if (auto T = scalarText(N))
    return T;
  error(N, "expected a string for " + Path);
  return std::nullopt;
}

MappingNode *Reader::mapping(Node *N, llvm::StringRef Path) {
  if (auto *M = llvm::dyn_cast_or_null<MappingNode>(N))
    return M;
  error(N, "expected a mapping (key: value lines) for " + Path);
  return nullptr;
}

SequenceNode *Reader::sequence(Node *N, llvm::StringRef Path) {
  if (auto *S = llvm::dyn_cast_or_null<SequenceNode>(N))
    return S;
  error(N, "expected a list for " + Path);
  return nullptr;
}

void Reader::forEachKey(
    MappingNode *M, llvm::StringRef Path,
    llvm::ArrayRef<llvm::StringRef> Known,
    const std::function<void(llvm::StringRef, Node *)> &Visit) {
  if (!M)
    return;
  std::vector<std::string> Seen;
  for (auto &KV : *M) {
    auto Key = scalarText(KV.getKey());
    if (!Key) {
      error(KV.getKey(), "expected a plain key in " + Path);
      continue;
    }
    std::string Full = Path.empty() ? *Key : (Path + "." + *Key).str();
    if (std::find(Seen.begin(), Seen.end(), *Key) != Seen.end()) {
      error(KV.getKey(), "duplicate key " + Full);
      continue;
    }
    Seen.push_back(*Key);
    if (std::find(Known.begin(), Known.end(), llvm::StringRef(*Key)) ==
        Known.end()) {
      std::string List, Best;
      unsigned BestD = ~0u;
      for (llvm::StringRef K : Known) {
        List += (List.empty() ? "" : ", ") + K.str();
        unsigned D = editDistance(*Key, K);
        if (D < BestD) {
          BestD = D;
          Best = K.str();
        }
      }
      std::string Hint = BestD <= 2 ? "; did you mean '" + Best + "'?" : "";
      error(KV.getKey(), "unknown key " + Full + Hint + " (known keys: " +
                             List + ")");
      continue;
    }
    Visit(*Key, KV.getValue());
  }
}

unsigned editDistance(llvm::StringRef A, llvm::StringRef B) {
  return A.edit_distance(B, /*AllowReplacements=*/true);
}

} // namespace neuromesh::yaml
