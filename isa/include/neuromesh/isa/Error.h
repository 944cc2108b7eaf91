//===- neuromesh/isa/Error.h - the project's one error type -----*- C++ -*-===//
//
// Bad input (a corrupt image, a malformed assembly line, a wrong CSV row) is
// a recoverable error: library code throws neuromesh::Error with a message
// that names the file/section/field and says what to do. Broken invariants
// are programming errors and are asserted instead. Library code never exits.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <stdexcept>
#include <string>

namespace neuromesh {

/// The one exception type for bad input. what() is the full diagnostic,
/// already formatted as "where: error: message" by the thrower.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string &Message) : std::runtime_error(Message) {}
};

} // namespace neuromesh
