// camlab sweep CONFIG [--parallel N] [--out DIR] [--set k=v]... [--device D] [--force]
//                     [--rank METRIC] [--run RUN]
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "experiments/cli/command.h"
#include "experiments/sweep/results_files.h"
#include "experiments/sweep/sweep_plan.h"
#include "experiments/sweep/sweep_results.h"
#include "experiments/sweep/sweep_runner.h"

namespace camlab::cli {

int sweep_main(const std::vector<std::string>& args) {
  po::options_description options("sweep");
  options.add_options()("config", po::value<std::string>()->required(),
                        "experiment TOML file with a [sweep] table")(
      "parallel", po::value<int>()->default_value(1),
      "trainings at once (child processes; 1 trains in this process)")(
      "out", po::value<std::string>()->default_value(""),
      "sweep folder (default runs/<name>-sweep); each run in <out>/<label>")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a key for every run: --set train.epochs=2")(
      "device", po::value<std::string>()->default_value(""), "cpu, cuda, cuda:N or auto")(
      "force", po::bool_switch(), "retrain runs that finished earlier")(
      "rank", po::value<std::string>()->default_value(""),
      "metric that orders results.md (default test_accuracy)")(
      "run", po::value<std::string>()->default_value(""),
      "trained run (or checkpoint .h5) that a sweep of only explain.*/localize.* keys localizes "
      "(default runs/<name>); nothing trains")("dry-run", po::bool_switch(),
                                               "list the runs and exit");
  po::positional_options_description positional;
  positional.add("config", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("sweep"), options, positional, vm)) return 0;

  std::vector<std::string> overrides;
  if (vm.count("set")) overrides = vm["set"].as<std::vector<std::string>>();
  const int parallel = vm["parallel"].as<int>();
  if (parallel < 1) throw po::error(fmt::format("--parallel must be at least 1, got {}", parallel));
  const experiments::SweepPlan plan =
      experiments::plan_sweep(vm["config"].as<std::string>(), overrides,
                              vm["out"].as<std::string>(), vm["run"].as<std::string>());
  fmt::print("sweep {}: {} runs ({} over {}) in {}\n", plan.name, plan.runs.size(), plan.mode,
             fmt::join(plan.keys, ", "), plan.dir.string());
  if (!plan.run.empty()) fmt::print("each point localizes {}; nothing trains\n", plan.run.string());
  if (vm["dry-run"].as<bool>()) {
    for (const experiments::PlannedRun& run : plan.runs) fmt::print("  {}\n", run.label);
    return 0;
  }
  experiments::write_sweep_record(plan);
  const std::vector<experiments::RunStatus> statuses =
      experiments::run_sweep(plan, {.parallel = parallel,
                                    .device = vm["device"].as<std::string>(),
                                    .force = vm["force"].as<bool>(),
                                    .progress = 0});
  const experiments::SweepResults results =
      experiments::collect_results(plan.dir, vm["rank"].as<std::string>());
  experiments::write_results(results);
  int trained = 0, evaluated = 0, skipped = 0, failed = 0;
  for (const experiments::RunStatus& s : statuses) {
    trained += s.outcome == experiments::RunOutcome::Trained;
    evaluated += s.outcome == experiments::RunOutcome::Evaluated;
    skipped += s.outcome == experiments::RunOutcome::Skipped;
    failed += s.outcome == experiments::RunOutcome::Failed;
  }
  fmt::print("{} {}, {} skipped (finished earlier), {} failed\nresults {}\n",
             plan.run.empty() ? trained : evaluated, plan.run.empty() ? "trained" : "localized",
             skipped, failed, (plan.dir / "results.md").string());
  if (!results.runs.empty() && !results.rank_metric.empty()) {
    const experiments::SweepRunResult& best = results.runs.front();
    const auto found = best.metrics.find(results.rank_metric);
    if (found != best.metrics.end()) {
      fmt::print("best {} {} = {:.4f}\n", best.label, results.rank_metric, found->second);
    }
  }
  for (const experiments::RunStatus& s : statuses) {
    if (s.outcome == experiments::RunOutcome::Failed) {
      fmt::print(stderr, "camlab sweep: run {} failed: {}\n", s.label, s.message);
    }
  }
  return failed > 0 ? 1 : 0;
}

}  // namespace camlab::cli
