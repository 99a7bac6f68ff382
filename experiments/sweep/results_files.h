// A sweep's results as files in its folder: results.csv (one row per run), results.md (ranked,
// with the plots) and plots/<metric>-vs-<key>.png.
//
//   SweepResults r = collect_results(sweep_dir);
//   write_results(r);   // results.csv, results.md,
//   plots/test_accuracy-vs-model.blocks.unit_0_.out.png std::string md = results_markdown(r, {});
//   // the ranked table alone
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "experiments/sweep/sweep_results.h"

namespace camlab::experiments {

// run, status, the swept keys, then the metrics; fields with commas or quotes are quoted (RFC
// 4180).
std::string results_csv(const SweepResults& results);
// "# <name> sweep", what it is ranked by, the table, then the plot images (paths relative to the
// sweep folder).
std::string results_markdown(const SweepResults& results,
                             const std::vector<std::filesystem::path>& plots);
// The PNG plots under <dir>/plots/; returns their paths relative to the sweep folder.
std::vector<std::filesystem::path> write_metric_plots(const SweepResults& results);
// All three, atomically each.
void write_results(const SweepResults& results);

}  // namespace camlab::experiments
