// camlab bench [--device cpu|cuda] [--threads T] [--json FILE] [--quick] [--config FILE]
// camlab bench --model FILE.onnx [--size 224] [--batch 16] [--scorecam-images 2] [--layer L]
//              [--profile]
//
// End-to-end throughput of the reference network (experiments/configs/fmnist-gapnet.toml):
// training steps, inference, Grad-CAM and Score-CAM, the peak resident memory of training, and
// the reference convolution as a fraction of this machine's FMA peak measured in the same run.
// bench/torch_reference.py runs this with --json and the same workloads in PyTorch.
// With --model: an imported network (ONNX or `camlab import`'s checkpoint) at ImageNet scale —
// inference, Grad-CAM and Score-CAM images/s and peak memory (experiments/bench/model_bench.h);
// bench/torch_model_reference.py is its PyTorch twin.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "experiments/bench/fma_peak.h"
#include "experiments/bench/model_bench.h"
#include "experiments/bench/peak_memory.h"
#include "experiments/bench/workloads.h"
#include "experiments/cli/command.h"
#include "experiments/config/config.h"
#include "experiments/model/model_builder.h"
#include "experiments/train/device_choice.h"
#include "experiments/train/objective.h"
#include "experiments/train/optimization.h"
#include "tensor/ops.h"
#include "tensor/threads.h"

namespace camlab::cli {
namespace {

using nlohmann::json;
namespace ex = experiments;

constexpr const char* kDefaultConfig = "experiments/configs/fmnist-gapnet.toml";
constexpr int64_t kTrainBatch = 64;   // data.batch_size of the reference config
constexpr int64_t kInferBatch = 256;  // data.eval_batch_size
constexpr int64_t kClasses = 10;

// How much of each workload to run; --quick trades precision for a run of a few seconds (the
// test of this verb), the default for figures worth quoting.
struct Plan {
  ex::Steps train{.warmup = 5, .steps = 50};
  ex::Steps inference{.warmup = 2, .steps = 20};
  int64_t cam_images = 64;  // Score-CAM adds cam_images · channels forwards
  int gradcam_repetitions = 5;
  int scorecam_repetitions = 2;
  int conv_repetitions = 10;
  double fma_seconds = 0.25;
};

Plan make_plan(bool quick) {
  if (!quick) return {};
  return {.train = {.warmup = 1, .steps = 3},
          .inference = {.warmup = 1, .steps = 2},
          .cam_images = 8,
          .gradcam_repetitions = 1,
          .scorecam_repetitions = 1,
          .conv_repetitions = 2,
          .fma_seconds = 0.02};
}

// The default config is found from the working directory or, failing that, from the source tree
// this binary was built from, so `build/camlab bench` works from the repository root and tests.
std::string find_config(const std::string& given) {
  if (given != kDefaultConfig || std::filesystem::exists(given)) return given;
  const std::filesystem::path in_source = std::filesystem::path(CAMLAB_SOURCE_DIR) / given;
  CAMLAB_CHECK(std::filesystem::exists(in_source),
               "bench: {} not found here or in {}; run from the repository root or pass --config",
               given, CAMLAB_SOURCE_DIR);
  return in_source.string();
}

json throughput_json(const ex::Throughput& t) {
  return {{"batch", t.batch},
          {"warmup_steps", t.steps.warmup},
          {"steps", t.steps.steps},
          {"seconds", t.seconds},
          {"images_per_second", t.images_per_second}};
}

// Training runs first, right after a reset of the peak-RSS counter, so the peak it reports is
// the training workload's (with the process's code, libraries and model resident before it).
json bench_training(const ex::Config& cfg, nn::Module& model, Device device, const Plan& plan) {
  ex::Optimization opt = ex::make_optimization(cfg, model.parameters());
  ex::Objective objective = ex::make_objective(cfg);
  Generator gen(1);
  Tensor x = ops::rand({kTrainBatch, 1, 28, 28}, gen).to(device);       // [64, 1, 28, 28]
  Tensor y = ops::randint(0, kClasses, {kTrainBatch}, gen).to(device);  // int64 [64]
  const double start_rss = ex::current_rss_mib();
  const bool reset = ex::reset_peak_rss();
  ex::reset_device_peak(device);
  json train =
      throughput_json(ex::time_training(model, *opt.optimizer, objective, x, y, plan.train));
  json memory = {
      {"train_peak_device_mib", ex::device_peak_mib(device)},
      {"train_start_rss_mib", start_rss},
      {"train_peak_rss_mib", ex::peak_rss_mib()},
      {"peak_reset", reset},
      {"covers", reset ? "train_peak_rss_mib: VmHWM (peak resident set of the whole process) "
                         "over the training workload only, reset via /proc/self/clear_refs "
                         "before it"
                       : "train_peak_rss_mib: VmHWM since process start, up to the end of "
                         "training (the kernel refused a reset)"}};
  return {{"train", train}, {"memory", memory}};
}

json bench_explanations(nn::Module& model, const std::string& layer, Device device,
                        const Plan& plan) {
  Generator gen(2);
  Tensor images = ops::rand({plan.cam_images, 1, 28, 28}, gen).to(device);  // [n, 1, 28, 28]
  json out;
  for (const auto& [method, repetitions] : std::vector<std::pair<std::string, int>>{
           {"gradcam", plan.gradcam_repetitions}, {"scorecam", plan.scorecam_repetitions}}) {
    ex::reset_device_peak(device);
    const double rate = ex::cam_images_per_second(method, model, images, layer, repetitions);
    out[method] = {{"images", plan.cam_images},
                   {"layer", layer},
                   {"repetitions", repetitions},
                   {"images_per_second", rate},
                   {"peak_device_mib", ex::device_peak_mib(device)}};
  }
  return out;
}

// The FMA peak is a CPU figure; the fractions are only given for CPU convolutions.
json bench_conv(Device device, int threads, const Plan& plan) {
  ex::FmaPeak peak = ex::measure_fma_peak(ex::best_fma_isa(), threads, plan.fma_seconds);
  ex::ConvRates conv = ex::time_reference_conv2d(device, plan.conv_repetitions);
  json c = {{"shape", conv.shape},
            {"device", device.str()},
            {"flops_per_pass", conv.flops},
            {"repetitions", plan.conv_repetitions},
            {"forward_gflops", conv.forward},
            {"backward_input_gflops", conv.backward_input},
            {"backward_weight_gflops", conv.backward_weight},
            {"backward_gflops", conv.backward}};
  if (device.type == DeviceType::CPU) {
    c["forward_fraction_of_peak"] = conv.forward / peak.gflops;
    c["backward_fraction_of_peak"] = conv.backward / peak.gflops;
    c["forward_gflops_per_core"] = conv.forward_per_core;
    c["backward_gflops_per_core"] = conv.backward_per_core;
    c["forward_fraction_of_core_peak"] = conv.forward_per_core / peak.gflops_per_core;
    c["backward_fraction_of_core_peak"] = conv.backward_per_core / peak.gflops_per_core;
  }
  json p = {{"isa", peak.isa},
            {"threads", peak.threads},
            {"seconds_per_run", peak.seconds_per_run},
            {"gflops", peak.gflops},
            {"gflops_per_core", peak.gflops_per_core}};
  return {{"fma_peak", p}, {"conv2d", c}};
}

void print_table(const json& r) {
  auto row = [](const std::string& what, double value, const std::string& unit) {
    fmt::print("  {:<52} {:>10.1f}  {}\n", what, value, unit);
  };
  fmt::print("camlab bench: {}, {}, {} threads{}\n", r["model"].get<std::string>(),
             r["device"].get<std::string>(), r["threads"].get<int>(),
             r["quick"].get<bool>() ? " (--quick: few steps, rough figures)" : "");
  row(fmt::format("training step, batch {}", r["train"]["batch"].get<int64_t>()),
      r["train"]["images_per_second"], "images/s");
  row(fmt::format("inference, batch {}, no grad", r["inference"]["batch"].get<int64_t>()),
      r["inference"]["images_per_second"], "images/s");
  for (const char* method : {"gradcam", "scorecam"}) {
    row(fmt::format("{}, {} images, layer {}", method, r[method]["images"].get<int64_t>(),
                    r[method]["layer"].get<std::string>()),
        r[method]["images_per_second"], "images/s");
  }
  row("peak RSS during training", r["memory"]["train_peak_rss_mib"], "MiB");
  if (r["device"].get<std::string>() != "cpu") {
    row("peak GPU memory in use during training", r["memory"]["train_peak_device_mib"], "MiB");
    for (const char* method : {"gradcam", "scorecam"}) {
      row(fmt::format("peak GPU memory in use, {}", method), r[method]["peak_device_mib"], "MiB");
    }
  }
  row("peak RSS of the whole run", r["memory"]["run_peak_rss_mib"], "MiB");
  row(fmt::format("FMA peak ({}, {} threads)", r["fma_peak"]["isa"].get<std::string>(),
                  r["fma_peak"]["threads"].get<int>()),
      r["fma_peak"]["gflops"], "GFLOP/s");
  row("FMA peak of one core, per CPU-second", r["fma_peak"]["gflops_per_core"], "GFLOP/s");
  const json& c = r["conv2d"];
  for (const char* pass : {"forward", "backward_input", "backward_weight", "backward"}) {
    const std::string fraction = std::string(pass) + "_fraction_of_peak";
    row(fmt::format("conv2d {}{}", pass,
                    c.contains(fraction)
                        ? fmt::format(" ({:.1f}% of peak)", 100 * c[fraction].get<double>())
                        : ""),
        c[std::string(pass) + "_gflops"], "GFLOP/s");
  }
  for (const char* pass : {"forward", "backward"}) {
    const std::string fraction = std::string(pass) + "_fraction_of_core_peak";
    if (!c.contains(fraction)) continue;
    row(fmt::format("conv2d {} per CPU-second ({:.1f}% of core peak)", pass,
                    100 * c[fraction].get<double>()),
        c[std::string(pass) + "_gflops_per_core"], "GFLOP/s");
  }
  fmt::print("  conv2d: {}\n", c["shape"].get<std::string>());
}

json profile_json(const ex::LayerProfile& p, double fma_peak_gflops) {
  json kinds = json::array();
  for (const ex::LayerKindTime& k : p.kinds) {
    kinds.push_back({{"kind", k.kind},
                     {"layers", k.layers},
                     {"ms", 1e3 * k.seconds},
                     {"share", k.seconds / p.seconds},
                     {"gflop", k.gflop},
                     {"gflops", k.gflops()},
                     {"fraction_of_peak", k.gflops() / fma_peak_gflops}});
  }
  return {{"forward_ms", 1e3 * p.seconds},
          {"gflop", p.gflop},
          {"gflops", p.gflop / p.seconds},
          {"fma_peak_gflops", fma_peak_gflops},
          {"kinds", kinds}};
}

void print_profile(const json& p) {
  fmt::print(
      "  forward per layer kind ({:.0f} ms, {:.1f} GFLOP, {:.0f} GFLOP/s = {:.0f}% of the "
      "{:.0f} GFLOP/s FMA peak):\n",
      p["forward_ms"].get<double>(), p["gflop"].get<double>(), p["gflops"].get<double>(),
      100 * p["gflops"].get<double>() / p["fma_peak_gflops"].get<double>(),
      p["fma_peak_gflops"].get<double>());
  fmt::print("    {:<22} {:>6} {:>9} {:>7} {:>8} {:>9} {:>7}\n", "kind", "layers", "ms", "share",
             "GFLOP", "GFLOP/s", "% peak");
  for (const json& k : p["kinds"]) {
    const bool counted = k["gflop"].get<double>() > 0;
    fmt::print("    {:<22} {:>6} {:>9.2f} {:>6.1f}% {:>8} {:>9} {:>7}\n",
               k["kind"].get<std::string>(), k["layers"].get<int64_t>(), k["ms"].get<double>(),
               100 * k["share"].get<double>(),
               counted ? fmt::format("{:.2f}", k["gflop"].get<double>()) : "",
               counted ? fmt::format("{:.0f}", k["gflops"].get<double>()) : "",
               counted ? fmt::format("{:.1f}", 100 * k["fraction_of_peak"].get<double>()) : "");
  }
}

json model_bench_json(const std::string& model, Device device, const ex::ModelBenchPlan& plan) {
  const ex::ModelBenchResult m = ex::bench_model(model, device, plan);
  return {
      {"model", model},
      {"device", device.str()},
      {"threads", num_threads()},
      {"input", m.input},
      {"layer", m.layer},
      {"inference", throughput_json(m.inference)},
      {"gradcam",
       {{"images", plan.batch},
        {"repetitions", plan.gradcam_repetitions},
        {"images_per_second", m.gradcam_images_per_second}}},
      {"scorecam",
       {{"images", plan.scorecam_images},
        {"batch_size", plan.scorecam_batch},
        {"repetitions", plan.scorecam_repetitions},
        {"images_per_second", m.scorecam_images_per_second}}},
      {"memory", {{"run_peak_rss_mib", m.peak_rss_mib}, {"peak_device_mib", m.peak_device_mib}}},
      {"profile", m.profile ? profile_json(*m.profile, m.fma_peak_gflops) : json()}};
}

void print_model_table(const json& r) {
  auto row = [](const std::string& what, double value, const std::string& unit) {
    fmt::print("  {:<52} {:>10.2f}  {}\n", what, value, unit);
  };
  fmt::print("camlab bench: {}, input {}, {}, {} threads, layer {}\n",
             r["model"].get<std::string>(), r["input"].dump(), r["device"].get<std::string>(),
             r["threads"].get<int>(), r["layer"].get<std::string>());
  row(fmt::format("inference, batch {}, no grad", r["inference"]["batch"].get<int64_t>()),
      r["inference"]["images_per_second"], "images/s");
  row(fmt::format("gradcam, {} images", r["gradcam"]["images"].get<int64_t>()),
      r["gradcam"]["images_per_second"], "images/s");
  row(fmt::format("scorecam, {} images", r["scorecam"]["images"].get<int64_t>()),
      r["scorecam"]["images_per_second"], "images/s");
  row("peak RSS of the whole run", r["memory"]["run_peak_rss_mib"], "MiB");
  if (r["device"].get<std::string>() != "cpu") {
    row("peak GPU memory in use", r["memory"]["peak_device_mib"], "MiB");
  }
  if (!r["profile"].is_null()) print_profile(r["profile"]);
}

void write_json(const std::string& path, const json& r) {
  if (path.empty()) return;
  std::ofstream out(path);
  out << r.dump(2) << "\n";
  CAMLAB_CHECK(out.good(), "bench: could not write {}", path);
}

}  // namespace

int bench_main(const std::vector<std::string>& args) {
  po::options_description options("bench");
  // One flag per line reads best.
  // clang-format off
  options.add_options()
      ("device", po::value<std::string>()->default_value("cpu"), "cpu, cuda, cuda:N or auto")
      ("threads", po::value<int>()->default_value(0), "CPU threads (OpenMP and BLAS); 0 = all cores")
      ("json", po::value<std::string>()->default_value(""), "also write the results to this JSON file")
      ("quick", po::bool_switch(), "a few steps of each workload (seconds, rough figures)")
      ("config", po::value<std::string>()->default_value(kDefaultConfig), "the network to measure (it must take [N, 1, 28, 28] images)")
      ("model", po::value<std::string>()->default_value(""), "an .onnx file or imported checkpoint: ImageNet-scale inference, Grad-CAM, Score-CAM")
      ("size", po::value<int64_t>()->default_value(224), "--model: image size")
      ("batch", po::value<int64_t>()->default_value(16), "--model: images for inference and Grad-CAM")
      ("scorecam-images", po::value<int64_t>()->default_value(2), "--model: images for Score-CAM (one forward per channel each)")
      ("layer", po::value<std::string>()->default_value(""), "--model: the layer to explain (default: the last 4-d map)")
      ("profile", po::bool_switch(), "--model: also time the forward per layer kind, in GFLOP/s against the FMA peak");
  // clang-format on
  po::variables_map vm;
  if (!parse_args(args, find_command("bench"), options, {}, vm)) return 0;
  const int threads = vm["threads"].as<int>();
  CAMLAB_CHECK(threads >= 0, "--threads must be 0 (all cores) or more, not {}", threads);

  const double process_peak = ex::peak_rss_mib();  // before any reset
  set_num_threads(threads);
  ex::DeviceChoice choice = ex::choose_device(vm["device"].as<std::string>());
  if (const std::string model = vm["model"].as<std::string>(); !model.empty()) {
    const ex::ModelBenchPlan plan{.size = vm["size"].as<int64_t>(),
                                  .batch = vm["batch"].as<int64_t>(),
                                  .scorecam_images = vm["scorecam-images"].as<int64_t>(),
                                  .layer = vm["layer"].as<std::string>(),
                                  .profile = vm["profile"].as<bool>()};
    const json r = model_bench_json(model, choice.device, plan);
    print_model_table(r);
    write_json(vm["json"].as<std::string>(), r);
    return 0;
  }
  const std::string config_path = find_config(vm["config"].as<std::string>());
  ex::Config cfg = ex::load_config(config_path);
  const Plan plan = make_plan(vm["quick"].as<bool>());
  Generator weights(static_cast<uint64_t>(cfg.get_int("experiment.seed")));
  auto model = ex::build_model(cfg.layers(), cfg.blocks(), {1, 28, 28}, weights);
  model->to(choice.device);

  json r = {{"model", cfg.name()},
            {"config", config_path},
            {"device", choice.device.str()},
            {"threads", num_threads()},
            {"quick", vm["quick"].as<bool>()},
            {"input", "uniform random images [N, 1, 28, 28], random labels"}};
  r.update(bench_training(cfg, *model, choice.device, plan));
  Generator gen(3);
  Tensor batch = ops::rand({kInferBatch, 1, 28, 28}, gen).to(choice.device);  // [256, 1, 28, 28]
  r["inference"] = throughput_json(ex::time_inference(*model, batch, plan.inference));
  r.update(bench_explanations(*model, cfg.get_string("model.cam_layer"), choice.device, plan));
  r.update(bench_conv(choice.device, num_threads(), plan));
  r["memory"]["run_peak_rss_mib"] = std::max(process_peak, ex::peak_rss_mib());
  // For reference only: it also holds the peak from before exec (see peak_memory.h).
  r["memory"]["ru_maxrss_mib"] = ex::ru_maxrss_mib();

  print_table(r);
  write_json(vm["json"].as<std::string>(), r);
  return 0;
}

}  // namespace camlab::cli
