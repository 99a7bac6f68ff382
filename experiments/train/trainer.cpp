#include "experiments/train/trainer.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

#include "autograd/ops.h"
#include "cam/render/plot.h"
#include "cam/render/png_io.h"
#include "datasets/data_loader.h"
#include "datasets/device_batches.h"
#include "experiments/model/model_builder.h"
#include "experiments/run/logger.h"
#include "experiments/run/metrics_csv.h"
#include "experiments/run/metrics_json.h"
#include "experiments/run/progress.h"
#include "experiments/run/run_dir.h"
#include "experiments/run/run_info.h"
#include "experiments/train/device_choice.h"
#include "experiments/train/evaluate.h"
#include "experiments/train/experiment_data.h"
#include "experiments/train/objective.h"
#include "experiments/train/optimization.h"
#include "nn/checkpoint.h"
#include "nn/dropout.h"
#include "tensor/threads.h"

namespace camlab::experiments {
namespace {

using Clock = std::chrono::steady_clock;

const std::vector<std::string> kColumns = {
    "epoch",         "train_loss", "train_accuracy",    "test_loss",
    "test_accuracy", "lr",         "images_per_second", "seconds"};

// Everything one run holds while it trains.
struct Session {
  const Config& cfg;
  const TrainOptions& options;
  RunDir run;
  Logger log;
  Device device;
  ExperimentData data;
  std::shared_ptr<nn::Sequential> model;
  Optimization opt;
  Objective objective;
  std::vector<nn::Dropout*> dropouts;
  uint64_t seed;
  int64_t global_step = 0;
  double best_accuracy = -1;
  int64_t best_epoch = 0;
};

// Dropout masks depend on the global step only, so a resumed run draws the same ones.
void reseed_dropout(Session& s) {
  for (size_t i = 0; i < s.dropouts.size(); ++i) {
    s.dropouts[i]->generator().set_state(s.seed * 1000003 + i, static_cast<uint64_t>(s.global_step)
                                                                   << 24);
  }
}

struct EpochStats {
  double loss = 0;
  double accuracy = 0;
  double images_per_second = 0;
  double seconds = 0;
};

[[noreturn]] void report_nan(Session& s, int64_t epoch, int64_t step, double loss) {
  std::string kept =
      std::filesystem::exists(s.run.file("checkpoint.h5"))
          ? fmt::format("the last good checkpoint is {}", s.run.file("checkpoint.h5").string())
          : std::string("no checkpoint was written yet");
  std::string message = fmt::format(
      "training stopped: the loss became {} at epoch {} step {} (global step {}); {}. Lower "
      "train.optimizer.lr ({}) or set train.clip_grad_norm",
      loss, epoch + 1, step + 1, s.global_step, kept, s.opt.optimizer->lr());
  s.log.write("error: ", message);
  fail("{}", message);
}

EpochStats train_epoch(Session& s, datasets::DataLoader& loader, int64_t epoch) {
  const int64_t epochs = s.cfg.get_int("train.epochs");
  const double clip = s.cfg.get_double("train.clip_grad_norm");
  ProgressBar bar(
      epoch + 1, epochs, loader.num_batches(),
      {.terminal = s.options.progress, .plain_every = s.cfg.get_int("train.log_every")});
  s.model->train();
  loader.start_epoch(epoch);
  datasets::DeviceBatches batches(loader, s.device);  // on a GPU the next copy overlaps this step
  double loss_sum = 0;
  int64_t correct = 0, predictions = 0, images = 0;
  const auto start = Clock::now();
  while (std::optional<datasets::Batch> batch = batches.next()) {
    reseed_dropout(s);
    const Tensor& x = batch->images;  // [B, C, H, W] on s.device
    const Tensor& y = batch->labels;  // [B] int64 or [B, K]
    Tensor logits = (*s.model)(x);    // [B, K]
    Tensor loss = s.objective.loss(logits, y);
    const double value = loss.item();
    if (!std::isfinite(value)) report_nan(s, epoch, batch->index, value);
    s.opt.optimizer->zero_grad();
    backward(loss);
    if (clip > 0) nn::clip_grad_norm_(s.opt.optimizer->params(), clip);
    s.opt.optimizer->step();
    ++s.global_step;

    const int64_t n = x.size(0);
    loss_sum += value * static_cast<double>(n);
    correct += s.objective.correct(logits, y);
    predictions += s.objective.predictions(logits);
    images += n;
    bar.update(batch->index + 1, value, n);
    if (s.options.interrupt_after_steps > 0 && s.global_step >= s.options.interrupt_after_steps) {
      throw TrainingInterrupted(fmt::format("interrupted after {} steps", s.global_step));
    }
  }
  bar.finish();
  EpochStats stats;
  stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  stats.loss = loss_sum / static_cast<double>(std::max<int64_t>(images, 1));
  stats.accuracy =
      static_cast<double>(correct) / static_cast<double>(std::max<int64_t>(predictions, 1));
  stats.images_per_second = static_cast<double>(images) / std::max(stats.seconds, 1e-9);
  return stats;
}

nn::CheckpointInfo checkpoint_info(const Session& s, int64_t epochs_done) {
  return {.config = s.cfg.to_toml(),
          .epoch = epochs_done,
          .step = s.global_step,
          .extra = {{"best_test_accuracy", s.best_accuracy},
                    {"best_epoch", static_cast<double>(s.best_epoch)}}};
}

void write_curves(const Session& s) {
  // Re-read metrics.csv so a resumed run plots its whole history.
  std::ifstream in(s.run.file("metrics.csv"));
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
  render::write_png(s.run.file("loss.png"),
                    render::plot_lines({{.name = "train loss", .y = train_loss},
                                        {.name = "test loss", .y = test_loss}},
                                       s.cfg.name(), "epoch", "loss"));
  render::write_png(s.run.file("accuracy.png"),
                    render::plot_lines({{.name = "train accuracy", .y = train_acc},
                                        {.name = "test accuracy", .y = test_acc}},
                                       s.cfg.name(), "epoch", "accuracy"));
}

int64_t count_parameters(const nn::Module& model) {
  int64_t n = 0;
  for (const Tensor& p : model.parameters()) n += p.numel();
  return n;
}

}  // namespace

TrainResult train_experiment(const Config& cfg, const TrainOptions& options) {
  set_num_threads(static_cast<int>(cfg.get_int("experiment.threads")));
  DeviceChoice choice =
      choose_device(options.device.empty() ? cfg.get_string("experiment.device") : options.device);
  RunDir run = RunDir::open(cfg.name(),
                            {.out = options.out, .force = options.force, .resume = options.resume});
  Session s{.cfg = cfg,
            .options = options,
            .run = run,
            .log = Logger(run.file("log.txt"), run.resumed()),
            .device = choice.device,
            .seed = static_cast<uint64_t>(cfg.get_int("experiment.seed"))};
  s.log.info("{} {}: {}", run.resumed() ? "resuming" : "training", cfg.name(), run.path().string());
  s.log.info("{}, {} threads", choice.note, num_threads());
  run.write_config(cfg);
  run.record_info(collect_run_info(choice.device.str(), options.command));

  s.data = load_experiment_data(cfg);
  s.log.info("data: {} train / {} test images of {}, {} classes", s.data.train.size(),
             s.data.test.size(), shape_str(s.data.input_shape()), s.data.num_classes());
  Generator weights(s.seed);
  s.model = build_model(cfg.layers(), cfg.blocks(), s.data.input_shape(), weights);
  s.model->to(s.device);
  s.log.info("model: {} parameters\n{}", count_parameters(*s.model), s.model->str());
  for (auto& [name, module] : s.model->named_modules()) {
    if (auto* d = dynamic_cast<nn::Dropout*>(module)) s.dropouts.push_back(d);
  }
  s.opt = make_optimization(cfg, s.model->parameters());
  s.objective = make_objective(cfg);

  int64_t start_epoch = 0;
  if (run.resumed() && std::filesystem::exists(run.file("checkpoint.h5"))) {
    nn::CheckpointInfo info = nn::load_checkpoint(run.file("checkpoint.h5"), *s.model,
                                                  s.opt.optimizer.get(), s.opt.scheduler.get());
    start_epoch = info.epoch;
    s.global_step = info.step;
    s.best_accuracy =
        info.extra.count("best_test_accuracy") ? info.extra["best_test_accuracy"] : -1;
    s.best_epoch =
        static_cast<int64_t>(info.extra.count("best_epoch") ? info.extra["best_epoch"] : 0);
    s.log.info("resumed from checkpoint.h5 after epoch {} (step {})", start_epoch, s.global_step);
  }
  MetricsCsv csv = run.resumed()
                       ? MetricsCsv::resume(run.file("metrics.csv"), kColumns, start_epoch)
                       : MetricsCsv::create(run.file("metrics.csv"), kColumns);

  const int64_t batch_size = cfg.get_int("data.batch_size");
  const int64_t eval_batch =
      cfg.get_int("data.eval_batch_size") > 0 ? cfg.get_int("data.eval_batch_size") : batch_size;
  datasets::DataLoader train_loader(s.data.train,
                                    {.batch_size = batch_size,
                                     .shuffle = cfg.get_bool("data.shuffle"),
                                     .seed = s.seed,
                                     .prefetch = cfg.get_int("data.workers") > 0 ? 2 : 0,
                                     .pin_memory = s.device.is_cuda()},
                                    s.data.train_pipeline);
  datasets::DataLoader test_loader(s.data.test,
                                   {.batch_size = eval_batch,
                                    .shuffle = false,
                                    .seed = s.seed,
                                    .pin_memory = s.device.is_cuda()},
                                   s.data.eval_pipeline);

  const int64_t epochs = cfg.get_int("train.epochs");
  const int64_t eval_every = cfg.get_int("train.eval_every");
  const int64_t checkpoint_every = cfg.get_int("train.checkpoint_every");
  TrainResult result{.run_dir = run.path(), .epochs = epochs};
  double images_per_second_sum = 0;
  Evaluation last_eval;
  for (int64_t epoch = start_epoch; epoch < epochs; ++epoch) {
    const double lr = s.opt.optimizer->lr();
    EpochStats stats = train_epoch(s, train_loader, epoch);
    const bool last = epoch + 1 == epochs;
    double test_loss = NAN, test_accuracy = NAN;
    if ((epoch + 1) % eval_every == 0 || last) {
      last_eval = evaluate(*s.model, test_loader, s.objective, s.device);
      test_loss = last_eval.loss;
      test_accuracy = last_eval.accuracy;
    }
    s.opt.scheduler->step();
    csv.append({{"epoch", static_cast<double>(epoch + 1)},
                {"train_loss", stats.loss},
                {"train_accuracy", stats.accuracy},
                {"test_loss", test_loss},
                {"test_accuracy", test_accuracy},
                {"lr", lr},
                {"images_per_second", stats.images_per_second},
                {"seconds", stats.seconds}});
    s.log.info(
        "epoch {}/{} train loss {:.4f} acc {:.2f}% | test loss {:.4f} acc {:.2f}% | lr "
        "{:.4g} | {:.0f} img/s",
        epoch + 1, epochs, stats.loss, 100 * stats.accuracy, test_loss, 100 * test_accuracy, lr,
        stats.images_per_second);
    images_per_second_sum += stats.images_per_second;
    if (!std::isnan(test_accuracy) && test_accuracy > s.best_accuracy) {
      s.best_accuracy = test_accuracy;
      s.best_epoch = epoch + 1;
      nn::save_checkpoint(run.file("best.h5"), *s.model, nullptr, nullptr,
                          checkpoint_info(s, epoch + 1));
    }
    if ((checkpoint_every > 0 && (epoch + 1) % checkpoint_every == 0) || last) {
      nn::save_checkpoint(run.file("checkpoint.h5"), *s.model, s.opt.optimizer.get(),
                          s.opt.scheduler.get(), checkpoint_info(s, epoch + 1));
    }
  }

  if (!last_eval.confusion.defined() && last_eval.images == 0) {
    last_eval = evaluate(*s.model, test_loader, s.objective, s.device);
  }
  const int64_t trained = epochs - start_epoch;
  result.test_accuracy = last_eval.accuracy;
  result.test_loss = last_eval.loss;
  result.best_test_accuracy = s.best_accuracy;
  result.train_images_per_second = trained > 0 ? images_per_second_sum / trained : 0;
  write_json_atomic(run.file("metrics.json"),
                    {{"test_accuracy", result.test_accuracy},
                     {"test_loss", result.test_loss},
                     {"best_test_accuracy", result.best_test_accuracy},
                     {"best_epoch", s.best_epoch},
                     {"epochs", epochs},
                     {"train_images_per_second", result.train_images_per_second},
                     {"parameters", count_parameters(*s.model)},
                     {"device", s.device.str()},
                     {"threads", num_threads()}});
  write_curves(s);
  run.mark_finished();
  s.log.info("done: test accuracy {:.2f}% (best {:.2f}% at epoch {}), {:.0f} train img/s",
             100 * result.test_accuracy, 100 * result.best_test_accuracy, s.best_epoch,
             result.train_images_per_second);
  return result;
}

}  // namespace camlab::experiments
