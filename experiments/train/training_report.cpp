#include "experiments/train/training_report.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "cam/render/plot.h"
#include "cam/render/png_io.h"
#include "experiments/run/metrics_json.h"
#include "tensor/threads.h"

namespace camlab::experiments {

const std::vector<std::string>& metrics_columns() {
  static const std::vector<std::string> columns = {
      "epoch",         "train_loss", "train_accuracy",    "test_loss",
      "test_accuracy", "lr",         "images_per_second", "seconds"};
  return columns;
}

void write_curves(const RunDir& run, const std::string& title) {
  // Re-read metrics.csv so a resumed run plots its whole history.
  std::ifstream in(run.file("metrics.csv"));
  std::string line;
  std::getline(in, line);
  std::vector<double> train_loss, test_loss, train_acc, test_acc;
  while (std::getline(in, line)) {
    std::vector<double> v;
    std::stringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) v.push_back(cell == "nan" ? NAN : std::stod(cell));
    if (v.size() < 5) continue;
    train_loss.push_back(v[1]);
    train_acc.push_back(v[2]);
    test_loss.push_back(v[3]);
    test_acc.push_back(v[4]);
  }
  render::write_png(run.file("loss.png"),
                    render::plot_lines({{.name = "train loss", .y = train_loss},
                                        {.name = "test loss", .y = test_loss}},
                                       title, "epoch", "loss"));
  render::write_png(run.file("accuracy.png"),
                    render::plot_lines({{.name = "train accuracy", .y = train_acc},
                                        {.name = "test accuracy", .y = test_acc}},
                                       title, "epoch", "accuracy"));
}

void write_final_metrics(const TrainingSession& s, const TrainResult& result) {
  write_json_atomic(s.run.file("metrics.json"),
                    {{"test_accuracy", result.test_accuracy},
                     {"test_loss", result.test_loss},
                     {"best_test_accuracy", result.best_test_accuracy},
                     {"best_epoch", s.best_epoch},
                     {"epochs", result.epochs},
                     {"train_images_per_second", result.train_images_per_second},
                     {"parameters", count_parameters(*s.model)},
                     {"device", s.device.str()},
                     {"threads", num_threads()}});
}

}  // namespace camlab::experiments
