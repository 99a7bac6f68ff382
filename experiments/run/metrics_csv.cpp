#include "experiments/run/metrics_csv.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <sstream>

#include "experiments/run/atomic_write.h"
#include "tensor/error.h"

namespace camlab::experiments {
namespace {

std::string header_line(const std::vector<std::string>& columns) {
  return fmt::format("{}", fmt::join(columns, ","));
}

// The epoch of a complete row, or -1 for a torn or foreign line.
int64_t row_epoch(const std::string& line, size_t columns) {
  if (static_cast<size_t>(std::count(line.begin(), line.end(), ',')) + 1 != columns) return -1;
  int64_t epoch = -1;
  const auto [end, error] = std::from_chars(line.data(), line.data() + line.find(','), epoch);
  return error == std::errc() ? epoch : -1;
}

void check_columns(const std::filesystem::path& path, const std::vector<std::string>& columns) {
  CAMLAB_CHECK(!columns.empty() && columns.front() == "epoch",
               "{}: the first column must be 'epoch' (rows are found by it when resuming), got "
               "'{}'",
               path.string(), header_line(columns));
}

}  // namespace

std::string csv_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    return fmt::format("{}", static_cast<int64_t>(value));
  }
  return fmt::format("{:.6g}", value);
}

MetricsCsv::MetricsCsv(std::filesystem::path path, std::vector<std::string> columns)
    : path_(std::move(path)), columns_(std::move(columns)) {
  file_.open(path_, std::ios::app);
  CAMLAB_CHECK(file_.good(), "open {} for appending: {}", path_.string(), std::strerror(errno));
}

MetricsCsv MetricsCsv::create(const std::filesystem::path& path, std::vector<std::string> columns) {
  check_columns(path, columns);
  write_text_atomic(path, header_line(columns) + "\n");
  return MetricsCsv(path, std::move(columns));
}

MetricsCsv MetricsCsv::resume(const std::filesystem::path& path, std::vector<std::string> columns,
                              int64_t last_epoch) {
  check_columns(path, columns);
  if (!std::filesystem::exists(path) || std::filesystem::file_size(path) == 0) {
    return create(path, std::move(columns));
  }
  std::istringstream existing(read_text(path));
  std::string line;
  std::getline(existing, line);
  const std::string header = header_line(columns);
  CAMLAB_CHECK(line == header,
               "{}: columns '{}' differ from this run's '{}' — start over with --force or write "
               "to another --out",
               path.string(), line, header);
  std::string kept = header + "\n";
  while (std::getline(existing, line)) {
    const int64_t epoch = row_epoch(line, columns.size());
    if (epoch >= 0 && epoch <= last_epoch) kept += line + "\n";
  }
  write_text_atomic(path, kept);
  return MetricsCsv(path, std::move(columns));
}

void MetricsCsv::append(const std::map<std::string, double>& row) {
  std::string line;
  for (const std::string& column : columns_) {
    const auto value = row.find(column);
    CAMLAB_CHECK(value != row.end(), "{}: the row has no value for column '{}' (columns: {})",
                 path_.string(), column, header_line(columns_));
    if (!line.empty()) line += ',';
    line += csv_number(value->second);
  }
  for (const auto& [name, value] : row) {
    CAMLAB_CHECK(std::find(columns_.begin(), columns_.end(), name) != columns_.end(),
                 "{}: '{}' is not a column (columns: {}) — columns are fixed when the run starts",
                 path_.string(), name, header_line(columns_));
  }
  file_ << line << '\n';
  file_.flush();
  CAMLAB_CHECK(file_.good(), "write {}: {}", path_.string(), std::strerror(errno));
}

}  // namespace camlab::experiments
