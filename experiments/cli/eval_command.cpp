// camlab eval RUN_DIR|CHECKPOINT [--data FILE.h5] [--set k=v]... [--out DIR] [--device ...]
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "experiments/cli/command.h"
#include "experiments/run/metrics_json.h"
#include "experiments/train/evaluate.h"
#include "experiments/train/trained_model.h"

namespace camlab::cli {
namespace {

void write_confusion_csv(const std::filesystem::path& path, const Tensor& confusion,
                         const std::vector<std::string>& names) {
  std::ofstream out(path);
  out << "true\\predicted";
  for (const std::string& n : names) out << "," << n;
  out << "\n";
  for (int64_t i = 0; i < confusion.size(0); ++i) {
    out << (i < static_cast<int64_t>(names.size()) ? names[i] : std::to_string(i));
    for (int64_t j = 0; j < confusion.size(1); ++j) out << "," << confusion.at<int64_t>({i, j});
    out << "\n";
  }
}

void print_confusion(const Tensor& confusion) {
  fmt::print("confusion matrix (rows: true class, columns: predicted)\n");
  for (int64_t i = 0; i < confusion.size(0); ++i) {
    for (int64_t j = 0; j < confusion.size(1); ++j)
      fmt::print("{:6}", confusion.at<int64_t>({i, j}));
    fmt::print("\n");
  }
}

}  // namespace

int eval_main(const std::vector<std::string>& args) {
  po::options_description options("eval");
  // One flag per line reads best.
  // clang-format off
  options.add_options()
      ("run", po::value<std::string>()->required(), "run directory or checkpoint .h5")
      ("data", po::value<std::string>()->default_value(""), "an HDF5 dataset to evaluate on")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a config key")
      ("out", po::value<std::string>()->default_value(""), "where to write eval.json")
      ("device", po::value<std::string>()->default_value("cpu"), "cpu, cuda or auto");
  // clang-format on
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("eval"), options, positional, vm)) return 0;

  std::vector<std::string> overrides;
  if (vm.count("set")) overrides = vm["set"].as<std::vector<std::string>>();
  experiments::TrainedModel trained =
      experiments::load_trained_model(vm["run"].as<std::string>(), overrides,
                                      vm["data"].as<std::string>(), vm["device"].as<std::string>());
  experiments::Evaluation e = experiments::evaluate(*trained.model, *trained.test_loader,
                                                    trained.objective, trained.device);
  fmt::print("accuracy {:.4f}\nloss {:.4f}\nimages {}\n", e.accuracy, e.loss, e.images);
  std::filesystem::path out = vm["out"].as<std::string>().empty()
                                  ? trained.run_dir
                                  : std::filesystem::path(vm["out"].as<std::string>());
  std::filesystem::create_directories(out);
  nlohmann::json report = {{"accuracy", e.accuracy},
                           {"loss", e.loss},
                           {"images", e.images},
                           {"checkpoint", trained.checkpoint.string()}};
  if (e.confusion.defined()) {
    print_confusion(e.confusion);
    write_confusion_csv(out / "confusion.csv", e.confusion, trained.data.test.class_names);
    std::vector<std::vector<int64_t>> rows;
    for (int64_t i = 0; i < e.confusion.size(0); ++i) {
      rows.emplace_back();
      for (int64_t j = 0; j < e.confusion.size(1); ++j)
        rows.back().push_back(e.confusion.at<int64_t>({i, j}));
    }
    report["confusion"] = rows;
  }
  experiments::write_json_atomic(out / "eval.json", report);
  return 0;
}

}  // namespace camlab::cli
