#include "experiments/sweep/sweep_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <thread>

#include "experiments/run/atomic_write.h"
#include "experiments/run/run_dir.h"
#include "experiments/sweep/child_process.h"
#include "experiments/sweep/evaluation_sweep.h"
#include "experiments/train/trainer.h"

namespace camlab::experiments {
namespace fs = std::filesystem;
namespace {

enum class Action { Skip, Fresh, Resume, Force, Refuse, Evaluate };  // Evaluate: plan.run set

struct Decision {
  Action action = Action::Fresh;
  std::string message;
};

// experiment.threads only decides how fast a run goes (a parallel sweep sets it per child), so it
// does not make a finished run stale.
toml::table comparable(const Config& config) {
  toml::table table = config.table();
  if (toml::table* experiment = table["experiment"].as_table()) experiment->erase("threads");
  return table;
}

bool same_config(const PlannedRun& run, const Config& wanted) {
  const fs::path saved = run.dir / "config.toml";
  if (!fs::exists(saved)) return false;
  try {
    return comparable(parse_config(read_text(saved), saved.string())) == comparable(wanted);
  } catch (const Error&) {
    return false;
  }
}

Decision decide(const PlannedRun& run, const Config& wanted, bool force) {
  switch (RunDir::state(run.dir)) {
    case RunState::Missing:
    case RunState::Empty: return {Action::Fresh, ""};
    case RunState::Unfinished: return {Action::Resume, ""};
    case RunState::NotARun:
      return {Action::Refuse,
              fmt::format("{} exists and is not a camlab run — move it away", run.dir.string())};
    case RunState::Finished: break;
  }
  if (force) return {Action::Force, ""};
  if (same_config(run, wanted)) return {Action::Skip, "finished earlier"};
  return {Action::Refuse,
          fmt::format("{} holds a finished run of another config (the sweep file changed?) — pass "
                      "--force to retrain it",
                      run.dir.string())};
}

// An evaluation sweep's point is scored again unless it was with the same run and overrides.
Decision decide_point(const SweepPlan& plan, const PlannedRun& run, const Config& wanted,
                      bool force) {
  if (plan.run.empty()) return decide(run, wanted, force);
  if (!force && scored_earlier(plan, run)) return {Action::Skip, "scored earlier"};
  forget_point(run);  // a redo killed halfway must not look scored by its old record
  return {Action::Evaluate, ""};
}

template <typename... Args>
void say(const SweepOptions& options, fmt::format_string<Args...> format, Args&&... args) {
  if (options.out == nullptr) return;
  fmt::print(options.out, "{}\n", fmt::format(format, std::forward<Args>(args)...));
  std::fflush(options.out);
}

RunStatus train_in_process(const SweepPlan& plan, const PlannedRun& run, const Config& cfg,
                           Action action, const SweepOptions& options) {
  std::vector<std::string> command = {"camlab", "sweep", plan.config_path, "--run", run.label};
  try {
    train_experiment(cfg, {.out = run.dir,
                           .device = options.device,
                           .resume = action == Action::Resume,
                           .force = action == Action::Force,
                           .progress = options.progress,
                           .command = command});
    return {run.label, RunOutcome::Trained, ""};
  } catch (const std::exception& e) {
    return {run.label, RunOutcome::Failed, e.what()};
  }
}

std::vector<std::string> child_args(const SweepPlan& plan, const PlannedRun& run, Action action,
                                    const SweepOptions& options, int64_t threads) {
  std::vector<std::string> args = {"train", plan.config_path};
  for (const std::string& o : run.overrides) args.insert(args.end(), {"--set", o});
  if (threads > 0)
    args.insert(args.end(), {"--set", fmt::format("experiment.threads={}", threads)});
  args.insert(args.end(), {"--out", run.dir.string(), "--progress", "lines"});
  if (action == Action::Resume) args.push_back("--resume");
  if (action == Action::Force) args.push_back("--force");
  if (!options.device.empty()) args.insert(args.end(), {"--device", options.device});
  return args;
}

// The last line of a child's log: its error message when it failed.
std::string last_line(const fs::path& log) {
  std::string text;
  try {
    text = read_text(log);
  } catch (const Error&) {
    return "";
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
}

}  // namespace

std::vector<RunStatus> run_sweep(const SweepPlan& plan, const SweepOptions& options) {
  CAMLAB_CHECK(options.parallel >= 1, "sweep: --parallel must be at least 1, got {}",
               options.parallel);
  const size_t total = plan.runs.size();
  std::vector<RunStatus> statuses(total);
  struct Pending {
    size_t index;
    Action action;
  };
  std::vector<Pending> pending;
  std::vector<Config> configs;
  for (size_t i = 0; i < total; ++i) {
    const PlannedRun& run = plan.runs[i];
    configs.push_back(load_config(plan.config_path, run.overrides));
    const Decision decision = decide_point(plan, run, configs.back(), options.force);
    statuses[i] = {run.label, RunOutcome::Skipped, decision.message};
    if (decision.action == Action::Skip) {
      say(options, "[{}/{}] {}: {}, skipped", i + 1, total, run.label, decision.message);
    } else if (decision.action == Action::Refuse) {
      statuses[i].outcome = RunOutcome::Failed;
      say(options, "[{}/{}] {}: {}", i + 1, total, run.label, decision.message);
    } else {
      pending.push_back({i, decision.action});
    }
  }
  auto report_end = [&](size_t i) {
    const RunStatus& s = statuses[i];
    say(options, "[{}/{}] {}: {}{}", i + 1, total, s.label,
        s.outcome == RunOutcome::Failed ? "FAILED" : "done",
        s.message.empty() ? "" : " — " + s.message);
  };

  auto doing = [&](Action action) {
    return action == Action::Resume     ? std::string("resuming")
           : action == Action::Evaluate ? "localizing " + plan.run.string()
                                        : std::string("training");
  };
  if (options.parallel == 1) {
    for (const Pending& p : pending) {
      const PlannedRun& run = plan.runs[p.index];
      say(options, "[{}/{}] {}: {}", p.index + 1, total, run.label, doing(p.action));
      statuses[p.index] = p.action == Action::Evaluate
                              ? localize_point(plan, run, options)
                              : train_in_process(plan, run, configs[p.index], p.action, options);
      report_end(p.index);
    }
    return statuses;
  }

  const fs::path program = options.executable.empty() ? current_executable() : options.executable;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const int64_t threads = std::max<int64_t>(1, cores / static_cast<unsigned>(options.parallel));
  std::map<pid_t, Pending> running;  // child -> its run
  size_t next = 0;
  while (next < pending.size() || !running.empty()) {
    while (next < pending.size() && running.size() < static_cast<size_t>(options.parallel)) {
      const Pending& p = pending[next++];
      const PlannedRun& run = plan.runs[p.index];
      const bool set_threads = configs[p.index].get_int("experiment.threads") == 0;
      const fs::path log = plan.dir / "logs" / (run.label + ".log");
      try {
        const int64_t child_threads = set_threads ? threads : 0;
        ChildProcess child = ChildProcess::spawn(
            program,
            p.action == Action::Evaluate ? localize_args(plan, run, options, child_threads)
                                         : child_args(plan, run, p.action, options, child_threads),
            log);
        running[child.pid()] = p;
        say(options, "[{}/{}] {}: {} (pid {}, log {})", p.index + 1, total, run.label,
            doing(p.action), child.pid(), log.string());
      } catch (const Error& e) {
        statuses[p.index] = {run.label, RunOutcome::Failed, e.what()};
        report_end(p.index);
      }
    }
    if (running.empty()) continue;
    std::vector<pid_t> pids;
    for (const auto& [pid, p] : running) pids.push_back(pid);
    const ChildExit done = wait_any(pids);
    const Pending finished = running.at(done.pid);
    running.erase(done.pid);
    const size_t index = finished.index;
    const PlannedRun& run = plan.runs[index];
    if (done.status == 0 && finished.action == Action::Evaluate) {
      record_point(plan, run);
      statuses[index] = {run.label, RunOutcome::Evaluated, ""};
    } else if (done.status == 0) {
      statuses[index] = {run.label, RunOutcome::Trained, ""};
    } else {
      const std::string line = last_line(plan.dir / "logs" / (run.label + ".log"));
      statuses[index] = {
          run.label, RunOutcome::Failed,
          fmt::format("exit status {}{}", done.status, line.empty() ? "" : ": " + line)};
    }
    report_end(index);
  }
  return statuses;
}

}  // namespace camlab::experiments
