// metrics.json: a run's final (or latest) figures, rewritten atomically on every save.
//
//   MetricsJson metrics(run.file("metrics.json"));
//   metrics.set("test_accuracy", 0.912);
//   metrics.set("best_epoch", 7);
//   metrics.save();   // tmp + rename: readers never see half a file
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace camlab::experiments {

class MetricsJson {
 public:
  // Starts from the file's contents when it exists (a resumed run keeps its earlier figures).
  explicit MetricsJson(std::filesystem::path path);

  template <typename T>
  void set(const std::string& key, T&& value) {
    data_[key] = std::forward<T>(value);
  }
  nlohmann::json& data() { return data_; }
  const nlohmann::json& data() const { return data_; }
  void save() const;

 private:
  std::filesystem::path path_;
  nlohmann::json data_ = nlohmann::json::object();
};

// The JSON object in `path`; throws camlab::Error naming the file when it is not valid JSON.
nlohmann::json read_json(const std::filesystem::path& path);
void write_json_atomic(const std::filesystem::path& path, const nlohmann::json& value);

}  // namespace camlab::experiments
