// An evaluation sweep: every swept key is explain.* or localize.*, which change how a trained
// model is explained and scored but not the model, so each point runs `camlab localize` on the
// one trained run (plan.run) with its values as --set overrides, and nothing trains. The point's
// folder holds point.json (the run and overrides it was scored with) and localize/ (metrics.json,
// localize.md, localize.png), whose numbers results.csv collects as localize.methods.<m>.<metric>.
//
//   SweepPlan plan = plan_sweep("kpca.toml", {}, "", "runs/fmnist");   // [sweep] explain.* keys
//   std::vector<RunStatus> done = evaluate_sweep(plan, {});
//   // done[i].outcome: Evaluated, Skipped (scored earlier with the same run and overrides) or
//   // Failed; plan.runs[i].dir / "localize" / "metrics.json"
#pragma once

#include <vector>

#include "experiments/sweep/sweep_plan.h"
#include "experiments/sweep/sweep_runner.h"

namespace camlab::experiments {

// One point after the other in this process (options.parallel is not used: the points share one
// model load's worth of work each and are short next to training).
std::vector<RunStatus> evaluate_sweep(const SweepPlan& plan, const SweepOptions& options);

}  // namespace camlab::experiments
