#include "experiments/report/markdown.h"

#include <fmt/format.h>

#include <sstream>

#include "experiments/report/html.h"
#include "experiments/report/svg_plot.h"

namespace camlab::experiments {
namespace {

std::string trim(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

bool is_table_line(const std::string& line) { return trim(line).starts_with("|"); }

bool is_separator_row(const std::vector<std::string>& cells) {
  for (const std::string& cell : cells) {
    if (cell.empty() || cell.find_first_not_of(":-") != std::string::npos) return false;
  }
  return !cells.empty();
}

std::string table_html(const std::vector<std::string>& lines) {
  std::vector<std::string> header = markdown_row_cells(lines.front());
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells = markdown_row_cells(lines[i]);
    if (i == 1 && is_separator_row(cells)) continue;
    rows.push_back(std::move(cells));
  }
  return html_table(header, rows);
}

}  // namespace

std::vector<std::string> markdown_row_cells(const std::string& line) {
  std::string text = trim(line);
  if (text.starts_with("|")) text.erase(0, 1);
  if (text.ends_with("|") && !text.ends_with("\\|")) text.pop_back();
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (text[i] == '|') {
      cells.push_back(trim(cell));
      cell.clear();
    } else {
      cell += text[i];
    }
  }
  cells.push_back(trim(cell));
  return cells;
}

std::string markdown_to_html(const std::string& markdown) {
  std::vector<std::string> lines;
  std::istringstream in(markdown);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out, paragraph;
  auto end_paragraph = [&] {
    if (!paragraph.empty()) out += "<p>" + xml_escape(paragraph) + "</p>\n";
    paragraph.clear();
  };
  for (size_t i = 0; i < lines.size();) {
    const std::string line = trim(lines[i]);
    if (is_table_line(line)) {
      end_paragraph();
      std::vector<std::string> table;
      while (i < lines.size() && is_table_line(lines[i])) table.push_back(lines[i++]);
      out += table_html(table);
      continue;
    }
    ++i;
    if (line.empty() || line.starts_with("![")) {
      end_paragraph();
    } else if (line.starts_with("#")) {
      end_paragraph();
      const size_t level = std::min<size_t>(line.find_first_not_of('#'), 4);
      out += fmt::format("<h{0}>{1}</h{0}>\n", level + 2, xml_escape(trim(line.substr(level))));
    } else {
      paragraph += (paragraph.empty() ? "" : " ") + line;
    }
  }
  end_paragraph();
  return out;
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(cell);
      cell.clear();
      any = true;
    } else if (c == '\n') {
      row.push_back(cell);
      rows.push_back(row);
      row.clear();
      cell.clear();
      any = false;
    } else if (c != '\r') {
      cell += c;
      any = true;
    }
  }
  if (any) {
    row.push_back(cell);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace camlab::experiments
