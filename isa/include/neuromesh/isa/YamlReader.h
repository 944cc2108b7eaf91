//===- neuromesh/isa/YamlReader.h - YAML with located diagnostics -*- C++ -*-===//
//
// The one way Neuromesh reads YAML (architecture files now, network
// descriptions later): LLVM's YAML parser over a SourceMgr, so every error
// is printed as "file:line:col: error: message" with the source line and a
// caret. A reader records every error and goes on; throwIfErrors() raises
// them all at once as one neuromesh::Error.
//
// This header includes LLVM's YAML parser: include it only from .cpp files
// that parse YAML.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace neuromesh::yaml {

using llvm::yaml::MappingNode;
using llvm::yaml::Node;
using llvm::yaml::ScalarNode;
using llvm::yaml::SequenceNode;

/// One YAML document being read.
class Reader {
public:
  /// Parses Text; FileName names it in messages.
  Reader(std::string Text, std::string FileName);
  ~Reader();
  Reader(const Reader &) = delete;
  Reader &operator=(const Reader &) = delete;

  /// Reads a file; a missing or unreadable file is a neuromesh::Error.
  static std::unique_ptr<Reader> fromFile(const std::string &Path);

  const std::string &fileName() const { return FileName; }
  /// The document's root node, or nullptr when the text is not YAML (the
  /// syntax error has then been recorded).
  Node *root() const { return Root; }

  /// Records an error (or warning) located at N.
  void error(const Node *N, const llvm::Twine &Message);
  void warning(const Node *N, const llvm::Twine &Message);
  /// Records an error at a 1-based line and column of this document, for
  /// checks that run later on data built from it (a network's validate()
  /// knows only the line and column it stored).
  void errorAt(unsigned Line, unsigned Col, const llvm::Twine &Message);
  /// The 1-based line and column where N starts ({0, 0} for nullptr), so a
  /// front end can remember where each element was written.
  std::pair<unsigned, unsigned> lineCol(const Node *N) const;
  unsigned errorCount() const { return Errors; }
  /// All diagnostics so far, rendered.
  const std::string &diagnostics() const { return Rendered; }
  /// Throws one neuromesh::Error holding every diagnostic if any error
  /// was recorded.
  void throwIfErrors() const;
  /// Warnings recorded so far (printed by the caller, e.g. to stderr).
  const std::string &warnings() const { return RenderedWarnings; }

  /// Typed access: each returns nullopt/nullptr after recording an error
  /// that says what was expected ("expected an integer for core.neurons").
  std::optional<int64_t> integer(Node *N, llvm::StringRef Path);
  std::optional<double> number(Node *N, llvm::StringRef Path);
  std::optional<bool> boolean(Node *N, llvm::StringRef Path);
  std::optional<std::string> string(Node *N, llvm::StringRef Path);
  MappingNode *mapping(Node *N, llvm::StringRef Path);
  SequenceNode *sequence(Node *N, llvm::StringRef Path);

  /// Visits each key of a mapping. A key not in Known is an error that
  /// lists the known keys and suggests the nearest; a repeated key too.
  void forEachKey(MappingNode *M, llvm::StringRef Path,
                  llvm::ArrayRef<llvm::StringRef> Known,
                  const std::function<void(llvm::StringRef Key, Node *Value)> &Visit);

private:
  std::string FileName;
  std::string Text;
  llvm::SourceMgr SM;
  std::unique_ptr<llvm::yaml::Stream> Stream;
  Node *Root = nullptr;
  unsigned Errors = 0;
  std::string Rendered;
  std::string RenderedWarnings;

  void report(const Node *N, const llvm::Twine &Message, bool IsError);
};

/// Edit distance for "did you mean" suggestions.
unsigned editDistance(llvm::StringRef A, llvm::StringRef B);

} // namespace neuromesh::yaml
