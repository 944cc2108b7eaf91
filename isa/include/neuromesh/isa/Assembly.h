//===- neuromesh/isa/Assembly.h - the image's text form ---------*- C++ -*-===//
//
// The assembly text form of a chip image. printAssembly writes the one
// canonical text of an image; parseAssembly reads it (and the more relaxed
// hand-written form used in examples/). parse(print(img)) == img for every
// valid image, so binary -> text -> binary gives identical bytes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/isa/Image.h"

#include <string>

namespace neuromesh::isa {

/// Parses assembly text. Every error is collected and reported at once as
/// one neuromesh::Error whose lines read "file:line:col: error: message",
/// each followed by the source line and a caret.
Image parseAssembly(const std::string &Text, const std::string &FileName);

/// The canonical text of an image.
std::string printAssembly(const Image &Img);

/// Prints one instruction ("mulsh r1, r1, r2, 12"); branch targets print as
/// labels "L<index>".
std::string printInstruction(const Instruction &I);

} // namespace neuromesh::isa
