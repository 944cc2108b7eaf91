//===- NetworkDiagnostics.h - errors about network elements -----*- C++ -*-===//
//
// Private to the compiler library. Validation and lowering report every
// problem they find at once; each line names where the element was written
// ("net.yaml:12:5: error: population 'exc': ...") or, for elements built
// through the C++ API, the element itself ("population 'exc': error: ...").
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/Network.h"
#include "neuromesh/isa/Error.h"

#include <string>
#include <vector>

namespace neuromesh::compiler::detail {

/// A with a location, else B.
inline const SourceLoc &firstKnown(const SourceLoc &A, const SourceLoc &B) {
  return A.str().empty() ? B : A;
}

/// The name a projection is reported by: its own, else "pre->post".
inline std::string projectionName(const Projection &P) {
  return P.Name.empty() ? P.Pre + "->" + P.Post : P.Name;
}

/// Problems found so far, thrown together as one neuromesh::Error.
class ProblemList {
public:
  /// What names the element ("population 'exc'"); Message says what is wrong
  /// and what to do.
  void add(const SourceLoc &Loc, const std::string &What, const std::string &Message) {
    std::string Where = Loc.str();
    if (Where.empty())
      Lines.push_back(What + ": error: " + Message);
    else
      Lines.push_back(Where + ": error: " + What + ": " + Message);
  }
  bool empty() const { return Lines.empty(); }
  size_t size() const { return Lines.size(); }
  /// Throws one Error holding every line, if there are any.
  void throwIfAny() const {
    if (Lines.empty())
      return;
    std::string Text;
    for (const std::string &L : Lines) {
      if (!Text.empty())
        Text += '\n';
      Text += L;
    }
    throw Error(Text);
  }

private:
  std::vector<std::string> Lines;
};

} // namespace neuromesh::compiler::detail
