#include "experiments/train/training_session.h"

#include "experiments/model/experiment_model.h"
#include "experiments/run/run_info.h"
#include "tensor/threads.h"

namespace camlab::experiments {
namespace {

// Threads first: choosing the device and loading the data may already run kernels.
DeviceChoice configure_threads_and_device(const Config& cfg, const TrainOptions& options) {
  set_num_threads(static_cast<int>(cfg.get_int("experiment.threads")));
  return choose_device(options.device.empty() ? cfg.get_string("experiment.device")
                                              : options.device);
}

std::vector<nn::Dropout*> dropout_layers(nn::Module& model) {
  std::vector<nn::Dropout*> dropouts;
  for (auto& [name, module] : model.named_modules()) {
    if (auto* d = dynamic_cast<nn::Dropout*>(module)) dropouts.push_back(d);
  }
  return dropouts;
}

}  // namespace

TrainingSession::TrainingSession(const Config& config, const TrainOptions& train_options)
    : cfg(config),
      options(train_options),
      device_choice(configure_threads_and_device(config, train_options)),
      device(device_choice.device),
      run(RunDir::open(config.name(), {.out = train_options.out,
                                       .force = train_options.force,
                                       .resume = train_options.resume})),
      log(run.file("log.txt"), run.resumed()),
      seed(static_cast<uint64_t>(config.get_int("experiment.seed"))) {
  log.info("{} {}: {}", run.resumed() ? "resuming" : "training", cfg.name(), run.path().string());
  log.info("{}, {} threads", device_choice.note, num_threads());
  run.write_config(cfg);
  run.record_info(collect_run_info(device.str(), options.command));

  data = load_experiment_data(cfg);
  log.info("data: {} train / {} test images of {}, {} classes", data.train.size(), data.test.size(),
           shape_str(data.input_shape()), data.num_classes());
  Generator weights(seed);
  model = build_experiment_model(cfg, data.input_shape(), weights);
  model->to(device);
  log.info("model: {} parameters\n{}", count_parameters(*model), model->str());
  dropouts = dropout_layers(*model);
  opt = make_optimization(cfg, model->parameters());
  objective = make_objective(cfg);
}

int64_t restore_checkpoint(TrainingSession& s) {
  if (!s.run.resumed() || !std::filesystem::exists(s.run.file("checkpoint.h5"))) return 0;
  nn::CheckpointInfo info = nn::load_checkpoint(s.run.file("checkpoint.h5"), *s.model,
                                                s.opt.optimizer.get(), s.opt.scheduler.get());
  s.global_step = info.step;
  s.best_accuracy = info.extra.count("best_test_accuracy") ? info.extra["best_test_accuracy"] : -1;
  s.best_epoch =
      static_cast<int64_t>(info.extra.count("best_epoch") ? info.extra["best_epoch"] : 0);
  s.log.info("resumed from checkpoint.h5 after epoch {} (step {})", info.epoch, s.global_step);
  return info.epoch;
}

nn::CheckpointInfo checkpoint_info(const TrainingSession& s, int64_t epochs_done) {
  return {.config = s.cfg.to_toml(),
          .epoch = epochs_done,
          .step = s.global_step,
          .extra = {{"best_test_accuracy", s.best_accuracy},
                    {"best_epoch", static_cast<double>(s.best_epoch)}}};
}

int64_t count_parameters(const nn::Module& model) {
  int64_t n = 0;
  for (const Tensor& p : model.parameters()) n += p.numel();
  return n;
}

}  // namespace camlab::experiments
