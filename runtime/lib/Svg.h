//===- Svg.h - the pieces every HTML report page is drawn with --*- C++ -*-===//
//
// Private to the runtime: XML escaping, a chart canvas with axes, and the
// page around the charts. Pages are well-formed XHTML with inline SVG.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <fmt/format.h>

#include <iterator>
#include <string>

namespace neuromesh::runtime::svg {

/// Text safe inside XML elements and attribute values.
std::string escape(const std::string &S);

/// A chart: an SVG canvas with a plot area and axes.
class Chart {
public:
  Chart(double Width, double Height, double Left = 70, double Bottom = 36)
      : W(Width), H(Height), L(Left), B(Bottom) {}
  double plotWidth() const { return W - L - 40; }
  double plotHeight() const { return H - B - 12; }
  double x0() const { return L; }
  double y0() const { return H - B; } ///< the plot's bottom edge
  /// Appends SVG text (Format is a fmt format string).
  template <typename... T> void add(const char *Format, const T &...Args) {
    fmt::format_to(std::back_inserter(Body), fmt::runtime(Format), Args...);
  }
  /// Axes with labels and five ticks over 0..XMax and 0..YMax; a unit
  /// writes the tick values with SI prefixes.
  void axes(const std::string &XLabel, double XMax, const std::string &YLabel, double YMax,
            const std::string &YUnit, const std::string &XUnit = "");
  /// The <svg> element, with Class.
  std::string str(const std::string &Class) const;

private:
  double W, H, L, B;
  fmt::memory_buffer Body;
};

/// The whole page: title, style and Body.
std::string page(const std::string &Title, const std::string &Body);

} // namespace neuromesh::runtime::svg
