#include "experiments/train/training_session.h"

#include <unistd.h>

#include "distributed/sync_batch_norm.h"
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

// Rank 0 opens the real run directory (with --force/--resume as asked); the others a scratch one.
RunDir open_run(const Config& cfg, const TrainOptions& options, const RankScratch& scratch) {
  if (scratch.path.empty()) {
    return RunDir::open(cfg.name(),
                        {.out = options.out, .force = options.force, .resume = options.resume});
  }
  return RunDir::open(cfg.name(), {.out = scratch.path, .force = true});
}

}  // namespace

RankScratch::RankScratch(const distributed::Communicator& comm) {
  if (comm.is_main()) return;
  path = std::filesystem::temp_directory_path() /
         fmt::format("camlab-rank{}-{}", comm.rank(), static_cast<long>(::getpid()));
}

RankScratch::~RankScratch() {
  std::error_code ignored;
  if (!path.empty()) std::filesystem::remove_all(path, ignored);
}

TrainingSession::TrainingSession(const Config& config, const TrainOptions& train_options,
                                 std::shared_ptr<distributed::Communicator> communicator)
    : cfg(config),
      options(train_options),
      comm(std::move(communicator)),
      device_choice(configure_threads_and_device(config, train_options)),
      device(device_choice.device),
      scratch(*comm),
      run(open_run(config, train_options, scratch)),
      log(run.file("log.txt"), run.resumed(), comm->is_main() ? stderr : nullptr),
      seed(static_cast<uint64_t>(config.get_int("experiment.seed"))) {
  // Rank 0's directory and whether it resumed: every rank restores from its checkpoint.
  main_run =
      distributed::broadcast_string(*comm, std::filesystem::absolute(run.path()).string(), 0);
  char resumed_flag = run.resumed() ? 1 : 0;
  comm->broadcast(std::as_writable_bytes(std::span(&resumed_flag, 1)), 0);
  resumed = resumed_flag != 0;
  log.info("{} {}: {}", resumed ? "resuming" : "training", cfg.name(), run.path().string());
  log.info("{}, {} threads", device_choice.note, num_threads());
  if (comm->size() > 1) {
    log.info("data parallel: {} ranks over {}, {} MiB gradient buckets", comm->size(), comm->name(),
             cfg.get_double("distributed.bucket_mb"));
  }
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
  if (comm->size() > 1) {
    data_parallel = std::make_unique<distributed::DataParallel>(
        *model, *comm, distributed::DataParallelOptions{cfg.get_double("distributed.bucket_mb")});
    if (cfg.get_bool("train.sync_batchnorm")) {
      log.info("sync batch norm: {} layers use statistics over all {} ranks",
               distributed::synchronize_batch_norm(*model, comm), comm->size());
    }
  }
  opt = make_optimization(cfg, model->parameters());
  objective = make_objective(cfg);
}

int64_t restore_checkpoint(TrainingSession& s) {
  // Every rank reads rank 0's checkpoint (a shared filesystem on several nodes), so optimizer
  // state is restored too; the weights are broadcast from rank 0 afterwards in any case.
  const std::filesystem::path checkpoint = s.main_run / "checkpoint.h5";
  if (!s.resumed || !std::filesystem::exists(checkpoint)) return 0;
  nn::CheckpointInfo info =
      nn::load_checkpoint(checkpoint, *s.model, s.opt.optimizer.get(), s.opt.scheduler.get());
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
