#include "experiments/sweep/sweep_plan.h"

#include <fmt/ranges.h>

#include <algorithm>

#include "experiments/config/sweep.h"
#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_json.h"
#include "experiments/run/run_dir.h"
#include "tensor/error.h"

namespace camlab::experiments {
namespace fs = std::filesystem;
namespace {

constexpr const char* kRecordFile = "sweep.json";

void check_out_dir(const fs::path& dir) {
  if (!fs::exists(dir)) return;
  CAMLAB_CHECK(fs::is_directory(dir), "sweep: '{}' exists and is not a folder — pass --out DIR",
               dir.string());
  CAMLAB_CHECK(fs::is_empty(dir) || is_sweep_dir(dir),
               "sweep: '{}' is not empty and holds no sweep.json (not a camlab sweep) — pass --out "
               "with another folder or move it away",
               dir.string());
}

// The trained run an evaluation sweep scores: `given`, else the run `camlab train` made of it.
fs::path evaluated_run(const SweepPlan& plan, const fs::path& given) {
  const fs::path run = given.empty() ? fs::path("runs") / plan.name : given;
  const bool checkpoint = fs::is_regular_file(run) && run.extension() == ".h5";
  CAMLAB_CHECK(checkpoint || RunDir::state(run) == RunState::Finished,
               "sweep: every swept key ({}) only changes how a model is explained, so the points "
               "evaluate the trained run '{}', which is not a finished run — train it first "
               "(`camlab train {}`) or pass --run DIR",
               fmt::join(plan.keys, ", "), run.string(), plan.config_path);
  return run;
}

}  // namespace

bool is_evaluation_key(const std::string& key) {
  return key.starts_with("explain.") || key.starts_with("localize.");
}

bool is_sweep_dir(const fs::path& dir) { return fs::is_regular_file(dir / kRecordFile); }

SweepPlan plan_sweep(const std::string& config_path, const std::vector<std::string>& overrides,
                     const fs::path& out, const fs::path& run) {
  const Config base = load_config(config_path, overrides);
  SweepPlan plan{.config_path = config_path,
                 .user_overrides = overrides,
                 .name = base.name(),
                 .mode = base.get_string("sweep.mode"),
                 .dir = out.empty() ? fs::path("runs") / (base.name() + "-sweep") : out};
  const std::vector<SweepPoint> points = sweep_points(base);
  CAMLAB_CHECK(!points.empty(),
               "sweep: {} has no [sweep] keys — add e.g. [sweep] \"train.optimizer.lr\" = [0.01, "
               "0.1], or use `camlab train` for a single run",
               config_path);
  for (const std::string& assignment : points.front().overrides) {
    plan.keys.push_back(assignment.substr(0, assignment.find('=')));
  }
  const auto trains = std::find_if_not(plan.keys.begin(), plan.keys.end(), is_evaluation_key);
  CAMLAB_CHECK(run.empty() || trains == plan.keys.end(),
               "sweep --run {}: '{}' changes the model, so its points must train — sweep only "
               "explain.* and localize.* keys against a trained run, or drop --run",
               run.string(), trains == plan.keys.end() ? "" : *trains);
  if (trains == plan.keys.end()) plan.run = evaluated_run(plan, run);
  for (const SweepPoint& point : points) {
    PlannedRun planned{.label = point.label, .overrides = overrides, .dir = plan.dir / point.label};
    for (const std::string& assignment : point.overrides) {
      planned.values.push_back(assignment.substr(assignment.find('=') + 1));
      planned.overrides.push_back(assignment);
    }
    // Fail before the first run trains, naming the point, when a value does not make a config.
    try {
      (void)load_config(config_path, planned.overrides);
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("sweep point {}: {}", point.label, e.what()));
    }
    plan.runs.push_back(std::move(planned));
  }
  plan.base_toml = base.to_toml();
  check_out_dir(plan.dir);
  return plan;
}

void write_sweep_record(const SweepPlan& plan) {
  fs::create_directories(plan.dir);
  nlohmann::json runs = nlohmann::json::array();
  for (const PlannedRun& run : plan.runs) {
    runs.push_back({{"label", run.label}, {"values", run.values}, {"overrides", run.overrides}});
  }
  write_json_atomic(plan.dir / kRecordFile, {{"config", plan.config_path},
                                             {"overrides", plan.user_overrides},
                                             {"name", plan.name},
                                             {"mode", plan.mode},
                                             {"keys", plan.keys},
                                             {"run", plan.run.string()},
                                             {"runs", runs}});
  write_text_atomic(plan.dir / "config.toml", plan.base_toml);
}

SweepPlan read_sweep_record(const fs::path& dir) {
  CAMLAB_CHECK(is_sweep_dir(dir), "'{}' holds no sweep.json — is it a `camlab sweep` folder?",
               dir.string());
  const nlohmann::json record = read_json(dir / kRecordFile);
  SweepPlan plan;
  try {
    plan.config_path = record.at("config").get<std::string>();
    plan.user_overrides = record.at("overrides").get<std::vector<std::string>>();
    plan.name = record.at("name").get<std::string>();
    plan.mode = record.at("mode").get<std::string>();
    plan.keys = record.at("keys").get<std::vector<std::string>>();
    plan.run = record.value("run", std::string());  // absent from training sweeps before it
    plan.dir = dir;
    for (const nlohmann::json& run : record.at("runs")) {
      PlannedRun planned{.label = run.at("label").get<std::string>(),
                         .values = run.at("values").get<std::vector<std::string>>(),
                         .overrides = run.at("overrides").get<std::vector<std::string>>()};
      planned.dir = dir / planned.label;
      plan.runs.push_back(std::move(planned));
    }
  } catch (const nlohmann::json::exception& e) {
    fail("{}: malformed sweep record ({}) — rerun `camlab sweep` to rewrite it",
         (dir / kRecordFile).string(), e.what());
  }
  if (fs::exists(dir / "config.toml")) plan.base_toml = read_text(dir / "config.toml");
  return plan;
}

}  // namespace camlab::experiments
