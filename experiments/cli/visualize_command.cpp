// camlab visualize RUN_DIR --layer NAME [--channels 0:16] [--objective channel|neuron|class|
//   deepdream|diversity] [--recipe chollet|lucid] [--steps N] [--size S] [--octaves K]
//   [--regularize jitter,scale,rotate,tv,l1,l2,blur] [--param pixel|fourier] [--optimizer sgd|adam]
//   [--image INDEX] [--seed S] [--out DIR]
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cam/render/png_io.h"
#include "cam/visualize/feature_vis.h"
#include "experiments/cli/command.h"
#include "experiments/config/comma_list.h"
#include "experiments/train/trained_model.h"

namespace camlab::cli {
namespace {

// Lucid's regularizers by name, at the strengths of its tutorials.
void apply_regularizers(cam::visualize::FeatureVisOptions& options, const std::string& list) {
  for (const std::string& name : experiments::comma_list(list)) {
    if (name == "jitter") {
      options.robustness.jitter = 2;
    } else if (name == "scale") {
      options.robustness.scale = 0.1;
    } else if (name == "rotate") {
      options.robustness.rotate_degrees = 10;
    } else if (name == "tv") {
      options.tv = 0.05;
    } else if (name == "l1") {
      options.l1 = 0.05;
    } else if (name == "l2") {
      options.l2 = 0.05;
    } else if (name == "blur") {
      options.blur_sigma = 0.5;
    } else {
      fail("--regularize: unknown '{}'; valid: jitter, scale, rotate, tv, l1, l2, blur", name);
    }
  }
}

nlohmann::json to_json(const cam::visualize::FeatureVisRecord& r) {
  nlohmann::json units = nlohmann::json::array();
  for (const auto& u : r.units) {
    units.push_back({{"image", u.image},
                     {"unit", u.unit},
                     {"start_objective", u.start_objective},
                     {"final_objective", u.final_objective},
                     {"gain", u.start_objective != 0 ? u.final_objective / u.start_objective : 0}});
  }
  return {
      {"objective", r.objective},
      {"layer", r.layer},
      {"parametrization", r.parametrization},
      {"optimizer", r.optimizer},
      {"lr", r.lr},
      {"steps", r.steps},
      {"octaves", r.octaves},
      {"image_shape", r.image_shape},
      {"value_range", r.value_range},
      {"seed", r.seed},
      {"units", units},
      {"final_penalties",
       {{"l1", r.final_penalties.l1}, {"l2", r.final_penalties.l2}, {"tv", r.final_penalties.tv}}},
      {"start_diversity", r.start_diversity},
      {"final_diversity", r.final_diversity}};
}

}  // namespace

int visualize_main(const std::vector<std::string>& args) {
  namespace vis = cam::visualize;
  po::options_description options("visualize");
  // One flag per line reads best.
  // clang-format off
  options.add_options()
      ("run", po::value<std::string>()->required(), "run directory or checkpoint .h5")
      ("layer", po::value<std::string>()->default_value(""), "layer to visualize (dotted name)")
      ("channels", po::value<std::string>()->default_value("0:16"), "channels or classes: 0:16")
      ("objective", po::value<std::string>()->default_value("channel"),
       "channel, neuron, class, deepdream or diversity")
      ("recipe", po::value<std::string>()->default_value("chollet"), "chollet or lucid defaults")
      ("steps", po::value<int64_t>()->default_value(0), "ascent steps per octave (recipe's)")
      ("size", po::value<int64_t>()->default_value(0), "image side (the data's)")
      ("octaves", po::value<int64_t>()->default_value(1), "multi-octave upscaling")
      ("regularize", po::value<std::string>()->default_value(""),
       "jitter,scale,rotate,tv,l1,l2,blur")
      ("param", po::value<std::string>()->default_value(""), "pixel or fourier (recipe's)")
      ("optimizer", po::value<std::string>()->default_value(""), "sgd or adam (recipe's)")
      ("image", po::value<int64_t>()->default_value(0), "deepdream: test image index to start from")
      ("seed", po::value<uint64_t>()->default_value(0), "start noise and transforms")
      ("plain-relu-grad", po::bool_switch(),
       "no redirected ReLU gradient (Lucid's; wakes units silent on the start image)")
      ("out", po::value<std::string>()->default_value(""), "output folder (RUN_DIR/visualize)")
      ("device", po::value<std::string>()->default_value("cpu"), "cpu, cuda or auto");
  // clang-format on
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("visualize"), options, positional, vm)) return 0;
  auto flag = [&](const char* name) { return vm[name].as<std::string>(); };

  experiments::TrainedModel t =
      experiments::load_trained_model(flag("run"), {}, "", flag("device"));
  vis::FeatureVisOptions o = vis::recipe(flag("recipe"));
  o.objective = vis::parse_objective(flag("objective"));
  o.layer = flag("layer");
  CAMLAB_CHECK(!o.layer.empty() || o.objective == vis::Objective::Class,
               "visualize: --layer is required for the {} objective", flag("objective"));
  o.units = vis::parse_units(flag("channels"));
  Shape shape = t.data.input_shape();
  if (vm["size"].as<int64_t>() > 0) shape[1] = shape[2] = vm["size"].as<int64_t>();
  o.image_shape = shape;
  if (vm["steps"].as<int64_t>() > 0) o.steps = vm["steps"].as<int64_t>();
  o.octaves = vm["octaves"].as<int64_t>();
  if (!flag("param").empty()) o.parametrization = vis::parse_parametrization(flag("param"));
  if (!flag("optimizer").empty()) o.optimizer = vis::parse_optimizer(flag("optimizer"));
  apply_regularizers(o, flag("regularize"));
  o.seed = vm["seed"].as<uint64_t>();
  o.redirect_relu = !vm["plain-relu-grad"].as<bool>();
  if (o.objective == vis::Objective::DeepDream) {
    int64_t index = vm["image"].as<int64_t>();
    CAMLAB_CHECK(index >= 0 && index < t.data.test.size(),
                 "visualize: --image {} is out of range for {} test images", index,
                 t.data.test.size());
    o.start_image = t.test_loader->batch(0, index / t.test_loader->options().batch_size)
                        .images.select(0, index % t.test_loader->options().batch_size);
  }

  vis::FeatureVisResult result = vis::visualize_features(*t.model, o);
  std::filesystem::path out =
      flag("out").empty() ? t.run_dir / "visualize" : std::filesystem::path(flag("out"));
  std::filesystem::create_directories(out);
  std::string stem = fmt::format("{}_{}", flag("objective"), o.layer.empty() ? "logits" : o.layer);
  render::write_png(out / (stem + ".png"), vis::feature_grid(result));
  std::ofstream(out / (stem + ".json")) << to_json(result.record).dump(2) << "\n";
  for (const auto& u : result.record.units) {
    fmt::print("unit {:>3}: objective {:9.4f} -> {:9.4f}\n", u.unit, u.start_objective,
               u.final_objective);
  }
  fmt::print("wrote {}\n", (out / (stem + ".png")).string());
  return 0;
}

}  // namespace camlab::cli
