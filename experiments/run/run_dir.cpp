#include "experiments/run/run_dir.h"

#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_json.h"
#include "experiments/run/run_info.h"
#include "tensor/error.h"

namespace camlab::experiments {
namespace fs = std::filesystem;
namespace {

constexpr const char* kInfoFile = "run_info.json";

void start_fresh(const fs::path& dir) {
  fs::create_directories(dir);
  write_json_atomic(dir / kInfoFile, {{"status", "running"}, {"start_time", iso_timestamp()}});
}

// Only called on folders that hold a camlab run (run_info.json): never on arbitrary --out paths.
// The lock file stays: this process holds it.
void clear_run(const fs::path& dir) {
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename() != kRunLockFile) fs::remove_all(entry);
  }
}

// Empty but for what a process killed before its first complete write leaves: the lock file and
// a half-written run_info.json.tmp (atomic_write.h renames only complete files).
bool holds_nothing(const fs::path& dir) {
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const fs::path name = entry.path().filename();
    if (name != kRunLockFile && name.string() != std::string(kInfoFile) + ".tmp") return false;
  }
  return true;
}

void continue_run(const fs::path& dir) {
  nlohmann::json info = read_json(dir / kInfoFile);
  info["status"] = "running";
  info["resumed_at"].push_back(iso_timestamp());
  write_json_atomic(dir / kInfoFile, info);
}

[[noreturn]] void refuse_foreign(const std::string& where) {
  fail(
      "{}: exists and is not a camlab run (no run_info.json) — pass --out with another folder "
      "or move it away",
      where);
}

}  // namespace

RunState RunDir::state(const fs::path& dir) {
  if (!fs::exists(dir)) return RunState::Missing;
  if (!fs::is_directory(dir)) return RunState::NotARun;
  if (holds_nothing(dir)) return RunState::Empty;
  if (!fs::exists(dir / kInfoFile)) return RunState::NotARun;
  try {
    return read_json(dir / kInfoFile).value("status", "") == "finished" ? RunState::Finished
                                                                        : RunState::Unfinished;
  } catch (const Error&) {
    return RunState::Unfinished;
  }
}

RunDir RunDir::open(std::string_view name, const RunDirOptions& options) {
  CAMLAB_CHECK(!options.out.empty() || !name.empty(),
               "run directory: the run has no name — set [experiment] name or pass --out DIR");
  CAMLAB_CHECK(!(options.force && options.resume),
               "run directory: --force (start over) and --resume (continue) exclude each other");
  const fs::path dir = options.out.empty() ? options.runs_root / name : options.out;
  const std::string where = dir.string();
  // Before looking inside: a second process must not judge, clear or resume a run in flight.
  // A folder that is not a run gets no lock file (create it only where a run may go).
  if (state(dir) == RunState::NotARun) refuse_foreign(where);
  std::shared_ptr<RunLock> lock = RunLock::acquire(dir);
  switch (state(dir)) {
    case RunState::Missing:
    case RunState::Empty:
      CAMLAB_CHECK(!options.resume, "{}: nothing to resume (no run there) — drop --resume", where);
      start_fresh(dir);
      return RunDir(dir, false, lock);
    case RunState::NotARun: refuse_foreign(where);
    case RunState::Finished:
    case RunState::Unfinished: break;
  }
  if (options.resume) {
    continue_run(dir);
    return RunDir(dir, true, lock);
  }
  if (options.force) {
    clear_run(dir);
    start_fresh(dir);
    return RunDir(dir, false, lock);
  }
  if (state(dir) == RunState::Finished) {
    fail(
        "{}: holds a finished run — pass --force to overwrite it, --resume to train it further, "
        "or --out DIR to write elsewhere",
        where);
  }
  fail("{}: holds an unfinished run — pass --resume to continue it or --force to start over",
       where);
}

void RunDir::write_config(const Config& config) const {
  write_text_atomic(file("config.toml"), config.to_toml());
}

void RunDir::record_info(const nlohmann::json& info) const {
  nlohmann::json merged = read_json(file(kInfoFile));
  for (const auto& [key, value] : info.items()) {
    // The first start time stands; a resumed run lists its restarts under resumed_at.
    if (key == "start_time" && merged.contains(key)) continue;
    merged[key] = value;
  }
  write_json_atomic(file(kInfoFile), merged);
}

void RunDir::mark_finished() const {
  nlohmann::json info = read_json(file(kInfoFile));
  info["status"] = "finished";
  info["end_time"] = iso_timestamp();
  write_json_atomic(file(kInfoFile), info);
}

}  // namespace camlab::experiments
