#include "experiments/sweep/evaluation_sweep.h"

#include <fmt/format.h>

#include "experiments/run/atomic_write.h"
#include "experiments/run/metrics_json.h"
#include "experiments/wsol/run_wsol.h"
#include "tensor/error.h"

namespace camlab::experiments {
namespace fs = std::filesystem;
namespace {

// What a point was scored with; a point whose record matches is not scored again.
nlohmann::json point_record(const SweepPlan& plan, const PlannedRun& point) {
  return {{"run", plan.run.string()}, {"overrides", point.overrides}};
}

bool scored_earlier(const SweepPlan& plan, const PlannedRun& point) {
  const fs::path record = point.dir / "point.json";
  if (!fs::exists(record) || !fs::exists(point.dir / "localize" / "metrics.json")) return false;
  try {
    return read_json(record) == point_record(plan, point);
  } catch (const Error&) {
    return false;
  }
}

RunStatus localize_point(const SweepPlan& plan, const PlannedRun& point,
                         const SweepOptions& options) {
  try {
    const TrainedModel trained = load_trained_model(
        plan.run, point.overrides, "", options.device.empty() ? "auto" : options.device);
    fs::create_directories(point.dir);
    (void)run_localize(trained, {.out = point.dir / "localize"}, {});
    write_json_atomic(point.dir / "point.json", point_record(plan, point));
    return {point.label, RunOutcome::Evaluated, ""};
  } catch (const std::exception& e) {
    return {point.label, RunOutcome::Failed, e.what()};
  }
}

}  // namespace

std::vector<RunStatus> evaluate_sweep(const SweepPlan& plan, const SweepOptions& options) {
  CAMLAB_CHECK(!plan.run.empty(), "evaluate_sweep: the plan names no trained run (plan.run)");
  std::vector<RunStatus> statuses;
  const size_t total = plan.runs.size();
  for (size_t i = 0; i < total; ++i) {
    const PlannedRun& point = plan.runs[i];
    std::string line;
    if (!options.force && scored_earlier(plan, point)) {
      statuses.push_back({point.label, RunOutcome::Skipped, "scored earlier"});
      line = "scored earlier, skipped";
    } else {
      statuses.push_back(localize_point(plan, point, options));
      const RunStatus& s = statuses.back();
      line = s.outcome == RunOutcome::Evaluated ? "localized " + plan.run.string()
                                                : "FAILED — " + s.message;
    }
    if (options.out != nullptr) {
      fmt::print(options.out, "[{}/{}] {}: {}\n", i + 1, total, point.label, line);
      std::fflush(options.out);
    }
  }
  return statuses;
}

}  // namespace camlab::experiments
