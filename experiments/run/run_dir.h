// A run directory, runs/<name> (or --out), created safely: a finished run is never overwritten
// without --force, an unfinished one is continued only with --resume, and a second process is
// kept out by <run>/.lock (run_lock.h) for as long as the RunDir lives.
//
//   RunDir run = RunDir::open(cfg.name(), {.out = out_flag, .force = force, .resume = resume});
//   run.write_config(cfg);                        // config.toml, resolved
//   run.record_info(collect_run_info(device));    // run_info.json
//   Logger log(run.file("log.txt"), run.resumed());
//   ...; run.mark_finished();                     // status "finished" in run_info.json
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "experiments/config/config.h"
#include "experiments/run/run_lock.h"

namespace camlab::experiments {

struct RunDirOptions {
  std::filesystem::path runs_root = "runs";  // the run goes to runs_root / name ...
  std::filesystem::path out;                 // ... unless this is set (--out)
  bool force = false;                        // --force: empty an existing run and start over
  bool resume = false;                       // --resume: continue the run that is there
};

enum class RunState { Missing, Empty, Unfinished, Finished, NotARun };

class RunDir {
 public:
  // Throws camlab::Error, one line saying which flag would proceed, when the folder holds a
  // run that the options do not allow touching, or files that are not a camlab run.
  static RunDir open(std::string_view name, const RunDirOptions& options);
  // What a folder holds, judged by its run_info.json.
  static RunState state(const std::filesystem::path& dir);

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(std::string_view name) const { return path_ / name; }
  bool resumed() const { return resumed_; }

  void write_config(const Config& config) const;       // config.toml
  void record_info(const nlohmann::json& info) const;  // merged into run_info.json
  void mark_finished() const;                          // status "finished", end_time

 private:
  RunDir(std::filesystem::path path, bool resumed, std::shared_ptr<RunLock> lock)
      : path_(std::move(path)), resumed_(resumed), lock_(std::move(lock)) {}

  std::filesystem::path path_;
  bool resumed_;
  std::shared_ptr<RunLock> lock_;  // held while any copy of this RunDir lives
};

}  // namespace camlab::experiments
