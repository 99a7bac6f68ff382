// What a finished run leaves for the reader: loss.png and accuracy.png from the whole of
// metrics.csv (a resumed run plots its history too), and metrics.json with the final figures.
//
//   write_curves(s.run, cfg.name());
//   write_final_metrics(s, result);   // runs/quick/metrics.json
#pragma once

#include <string>

#include "experiments/run/run_dir.h"
#include "experiments/train/trainer.h"
#include "experiments/train/training_session.h"

namespace camlab::experiments {

// The per-epoch columns of metrics.csv, in order.
const std::vector<std::string>& metrics_columns();

void write_curves(const RunDir& run, const std::string& title);

void write_final_metrics(const TrainingSession& s, const TrainResult& result);

}  // namespace camlab::experiments
