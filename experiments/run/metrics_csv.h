// metrics.csv: one row per epoch under a header fixed when the run starts; each row is flushed
// as it is written, so a crash loses at most the epoch in progress.
//
//   std::vector<std::string> columns = {"epoch", "train_loss", "test_accuracy", "lr"};
//   MetricsCsv csv = MetricsCsv::create(run.file("metrics.csv"), columns);
//   csv.append({{"epoch", 1}, {"train_loss", 0.61}, {"test_accuracy", 0.84}, {"lr", 0.05}});
//   MetricsCsv again = MetricsCsv::resume(run.file("metrics.csv"), columns, 3);  // rows > 3 go
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace camlab::experiments {

class MetricsCsv {
 public:
  // Truncates the file and writes the header. The first column must be "epoch".
  static MetricsCsv create(const std::filesystem::path& path, std::vector<std::string> columns);
  // Keeps the header and the rows with epoch ≤ last_epoch (later ones belong to the attempt that
  // died before its checkpoint), then appends. A missing file starts fresh; a header that differs
  // from `columns` is an error (the run was started by another version).
  static MetricsCsv resume(const std::filesystem::path& path, std::vector<std::string> columns,
                           int64_t last_epoch);

  // One value per column, by name; a missing or unknown name is an error.
  void append(const std::map<std::string, double>& row);
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  MetricsCsv(std::filesystem::path path, std::vector<std::string> columns);

  std::filesystem::path path_;
  std::vector<std::string> columns_;
  std::ofstream file_;
};

// Integers as integers, other values with 6 significant digits, NaN as "nan".
std::string csv_number(double value);

}  // namespace camlab::experiments
