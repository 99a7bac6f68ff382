// Pieces of a self-contained HTML page: every image inlined as a base64 data: URI, the style
// inline, no script and no link that would need a network.
//
//   std::string img = html_image(run / "explain/explain.png", "Grad-CAM");  // <img src="data:...">
//   std::string table = html_table({"key", "value"}, {{"test_accuracy", "91.2%"}});
//   std::string page = html_page("fmnist-gapnet", body);                    // <!doctype html>...
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace camlab::experiments {

std::string base64_encode(std::string_view bytes);  // RFC 4648, with '=' padding

// <img> whose src is the file's bytes as a data: URI (PNG, JPEG, GIF or SVG by extension).
std::string html_image(const std::filesystem::path& file, const std::string& alt);

// Header cells then rows; cells are escaped text.
std::string html_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows,
                       const std::string& css_class = "");

// <section id="..."><h2>title</h2> body </section>
std::string html_section(const std::string& id, const std::string& title, const std::string& body);

// A whole page: doctype, UTF-8, inline CSS, an empty icon (so no favicon is requested), the title
// as <h1>, then the body.
std::string html_page(const std::string& title, const std::string& subtitle,
                      const std::string& body);

}  // namespace camlab::experiments
