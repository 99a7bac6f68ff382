// The little Markdown that camlab writes (localize/*.md, results.md) as HTML: headings, pipe
// tables and paragraphs. Images are left out (the report inlines them itself); all text escaped.
//
//   std::string html = markdown_to_html("| method | IoU |\n|---|--:|\n| cam | 0.41 |\n");
//   // <table><tr><th>method</th><th>IoU</th></tr><tr><td>cam</td><td class="num">0.41</td>...
#pragma once

#include <string>
#include <vector>

namespace camlab::experiments {

std::string markdown_to_html(const std::string& markdown);

// "| a | b\\|c |" -> {"a", "b|c"}: the cells of one pipe-table row, trimmed.
std::vector<std::string> markdown_row_cells(const std::string& line);

// Rows of comma-separated values with RFC 4180 quoting ("a,b" and "" inside quotes).
std::vector<std::vector<std::string>> parse_csv(const std::string& text);

}  // namespace camlab::experiments
