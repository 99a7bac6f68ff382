#include "experiments/run/metrics_json.h"

#include "experiments/run/atomic_write.h"
#include "tensor/error.h"

namespace camlab::experiments {

MetricsJson::MetricsJson(std::filesystem::path path) : path_(std::move(path)) {
  if (std::filesystem::exists(path_)) data_ = read_json(path_);
}

void MetricsJson::save() const { write_json_atomic(path_, data_); }

nlohmann::json read_json(const std::filesystem::path& path) {
  try {
    return nlohmann::json::parse(read_text(path));
  } catch (const nlohmann::json::parse_error& e) {
    fail("{}: not valid JSON ({}) — delete it or start the run over with --force", path.string(),
         e.what());
  }
}

void write_json_atomic(const std::filesystem::path& path, const nlohmann::json& value) {
  // NaN/inf have no JSON spelling; dump() writes null for them instead of failing.
  write_text_atomic(path, value.dump(2) + "\n");
}

}  // namespace camlab::experiments
