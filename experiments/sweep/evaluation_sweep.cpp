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

}  // namespace

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
    record_point(plan, point);
    return {point.label, RunOutcome::Evaluated, ""};
  } catch (const std::exception& e) {
    return {point.label, RunOutcome::Failed, e.what()};
  }
}

void record_point(const SweepPlan& plan, const PlannedRun& point) {
  write_json_atomic(point.dir / "point.json", point_record(plan, point));
}

void forget_point(const PlannedRun& point) {
  std::error_code ignored;  // absent already: nothing to forget
  fs::remove(point.dir / "point.json", ignored);
}

std::vector<std::string> localize_args(const SweepPlan& plan, const PlannedRun& point,
                                       const SweepOptions& options, int64_t threads) {
  std::vector<std::string> args = {"localize", plan.run.string()};
  for (const std::string& o : point.overrides) args.insert(args.end(), {"--set", o});
  if (threads > 0) {
    args.insert(args.end(), {"--set", fmt::format("experiment.threads={}", threads)});
  }
  args.insert(args.end(), {"--out", (point.dir / "localize").string(), "--device",
                           options.device.empty() ? "auto" : options.device});
  return args;
}

}  // namespace camlab::experiments
