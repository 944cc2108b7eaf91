//===- Svg.cpp - the pieces every HTML report page is drawn with ----------===//
#include "Svg.h"

#include "neuromesh/runtime/Run.h"

namespace neuromesh::runtime::svg {

std::string escape(const std::string &S) {
  std::string Out;
  for (char C : S) {
    switch (C) {
    case '<': Out += "&lt;"; break;
    case '>': Out += "&gt;"; break;
    case '&': Out += "&amp;"; break;
    case '"': Out += "&quot;"; break;
    default:
      // XML 1.0 forbids most control characters; drop them.
      if (static_cast<unsigned char>(C) >= 0x20 || C == '\n' || C == '\t')
        Out += C;
    }
  }
  return Out;
}

void Chart::axes(const std::string &XLabel, double XMax, const std::string &YLabel, double YMax,
                 const std::string &YUnit, const std::string &XUnit) {
  add("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", L, y0(), L + plotWidth(),
      y0());
  add("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", L, y0(), L,
      y0() - plotHeight());
  for (int I = 0; I <= 4; ++I) {
    const double F = I / 4.0;
    add("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
        L + F * plotWidth(), y0() + 14,
        escape(XUnit.empty() ? fmt::format("{:.4g}", F * XMax) : formatSI(F * XMax, XUnit)));
    add("<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", L - 4,
        y0() - F * plotHeight() + 4,
        escape(YUnit.empty() ? fmt::format("{:.4g}", F * YMax) : formatSI(F * YMax, YUnit)));
  }
  add("<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
      L + plotWidth() / 2, H - 4, escape(XLabel));
  add("<text class=\"label\" x=\"12\" y=\"{:.1f}\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 12 {:.1f})\">{}</text>\n",
      y0() - plotHeight() / 2, y0() - plotHeight() / 2, escape(YLabel));
}

std::string Chart::str(const std::string &Class) const {
  return fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{}\" width=\"{}\" "
                     "height=\"{}\" viewBox=\"0 0 {} {}\">\n{}</svg>\n",
                     Class, W, H, W, H, fmt::to_string(Body));
}

namespace {

const char *Style = R"(
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1000px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; white-space: nowrap; }
th { background: #f0f0f0; } td.text { text-align: left; }
.axis { stroke: #444; stroke-width: 1; }
.tick, .label, .legendtext { font-size: 11px; fill: #333; }
.spike { fill: #1f4e9c; }
.latency { fill: #e0803a; }
.link { stroke-linecap: round; }
.chipedge { stroke: #000; stroke-width: 2; fill: none; }
.tile { fill: none; stroke: #999; stroke-width: 1; }
.front { stroke: #c00; stroke-width: 2; }
.frontline { stroke: #c00; fill: none; stroke-dasharray: 4 3; }
.note { font-size: 12px; color: #555; }
)";

} // namespace

std::string page(const std::string &Title, const std::string &Body) {
  return fmt::format("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
                     "<head>\n<meta charset=\"utf-8\"/>\n<title>{}</title>\n<style>{}</style>\n"
                     "</head>\n<body>\n<h1>{}</h1>\n{}</body>\n</html>\n",
                     escape(Title), Style, escape(Title), Body);
}

} // namespace neuromesh::runtime::svg
