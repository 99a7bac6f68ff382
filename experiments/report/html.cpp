#include "experiments/report/html.h"

#include <fmt/format.h>

#include "experiments/report/svg_plot.h"
#include "experiments/run/atomic_write.h"

namespace camlab::experiments {
namespace {

std::string mime_type(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".svg") return "image/svg+xml";
  return "image/png";
}

constexpr const char* kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1150px; color: #222; }
h1 { margin-bottom: 0; } .subtitle { color: #666; margin-top: 4px; }
section { margin: 28px 0; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.best td { background: #eef7ee; }
pre { background: #f7f7f7; padding: 10px; overflow-x: auto; font-size: 12px; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0 0 12px 0; } figcaption { color: #555; font-size: 12px; }
img { max-width: 100%; image-rendering: pixelated; border: 1px solid #eee; }
details { margin: 8px 0; } summary { cursor: pointer; font-weight: 600; }
.note { color: #777; font-style: italic; } .wide { overflow-x: auto; }
)css";

bool looks_numeric(const std::string& text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' ||
          c == 'e' || c == '%')) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 |
                       static_cast<uint8_t>(bytes[i + 1]) << 8 | static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += kAlphabet[v & 63];
  }
  if (const size_t rest = bytes.size() - i; rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += rest == 2 ? kAlphabet[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::string html_image(const std::filesystem::path& file, const std::string& alt) {
  return fmt::format("<img alt=\"{}\" src=\"data:{};base64,{}\">", xml_escape(alt), mime_type(file),
                     base64_encode(read_text(file)));
}

std::string html_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows,
                       const std::string& css_class) {
  std::string out =
      css_class.empty() ? "<table>\n<tr>" : fmt::format("<table class=\"{}\">\n<tr>", css_class);
  for (const std::string& h : header) out += "<th>" + xml_escape(h) + "</th>";
  out += "</tr>\n";
  for (const std::vector<std::string>& row : rows) {
    out += "<tr>";
    for (const std::string& cell : row) {
      out += (looks_numeric(cell) ? "<td class=\"num\">" : "<td>") + xml_escape(cell) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

std::string html_section(const std::string& id, const std::string& title, const std::string& body) {
  return fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n{}</section>\n", id, xml_escape(title),
                     body);
}

std::string html_page(const std::string& title, const std::string& subtitle,
                      const std::string& body) {
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{0}</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>{1}</style>\n</head>\n"
      "<body>\n<h1>{0}</h1>\n<p class=\"subtitle\">{2}</p>\n{3}</body>\n</html>\n",
      xml_escape(title), kStyle, xml_escape(subtitle), body);
}

}  // namespace camlab::experiments
