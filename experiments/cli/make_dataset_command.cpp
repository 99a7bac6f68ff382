// camlab make-dataset composite --base fashion-mnist --split train|test --canvas 64
//                     --objects 1|2 --scale 0.7:1.3 --clutter K --n N --seed S --out FILE.h5
//                     [--background black|textured --texture-level L --tiles T --distractors D]
#include <fmt/format.h>

#include <charconv>
#include <filesystem>

#include "datasets/catalog.h"
#include "datasets/composite.h"
#include "datasets/hdf5_dataset.h"
#include "experiments/cli/command.h"

namespace camlab::cli {
namespace {

double parse_number(const std::string& text, const std::string& flag) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw po::error(fmt::format("{} '{}': expected MIN:MAX, e.g. 0.7:1.3", flag, text));
  }
  return value;
}

// "0.7:1.3" -> {0.7, 1.3}; "1" -> {1, 1}.
std::pair<double, double> parse_range(const std::string& text) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) {
    const double v = parse_number(text, "--scale");
    return {v, v};
  }
  return {parse_number(text.substr(0, colon), "--scale"),
          parse_number(text.substr(colon + 1), "--scale")};
}

}  // namespace

int make_dataset_main(const std::vector<std::string>& args) {
  po::options_description options("make-dataset");
  // clang-format off
  options.add_options()
      ("kind", po::value<std::string>()->required(), "what to make: composite")
      ("base", po::value<std::string>()->default_value("fashion-mnist"),
       "dataset the items come from (fashion-mnist, shapes, hdf5, ...)")
      ("base-path", po::value<std::string>()->default_value(""), "its files (hdf5, folder, ...)")
      ("split", po::value<std::string>()->default_value("train"),
       "base split the items come from: train or test")
      ("canvas", po::value<int64_t>()->default_value(64), "canvas side in pixels")
      ("objects", po::value<int64_t>()->default_value(1),
       "items per canvas: 1 or 2 (of different classes)")
      ("scale", po::value<std::string>()->default_value("0.7:1.3"), "item scale range MIN:MAX")
      ("clutter", po::value<int64_t>()->default_value(0),
       "faint fragments of other items per canvas")
      ("clutter-level", po::value<double>()->default_value(0.3), "fragment brightness in [0, 1]")
      ("background", po::value<std::string>()->default_value("black"),
       "black, or textured: tiles of other items, smooth noise and distractor items")
      ("texture-level", po::value<double>()->default_value(0.25),
       "textured: the brightest background pixel, in [0, 1] of 255")
      ("tiles", po::value<int64_t>()->default_value(6), "textured: tiles of other items")
      ("distractors", po::value<int64_t>()->default_value(1),
       "textured: dimmed items of other classes (boxes in /distractor_boxes)")
      ("distractor-level", po::value<double>()->default_value(0.5),
       "textured: distractor brightness in [0, 1]")
      ("n", po::value<int64_t>()->default_value(1000), "canvases to make")
      ("seed", po::value<uint64_t>()->default_value(0), "every choice is a function of it")
      ("out", po::value<std::string>()->required(), "the HDF5 dataset file to write");
  // clang-format on
  po::positional_options_description positional;
  positional.add("kind", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("make-dataset"), options, positional, vm)) return 0;
  const std::string kind = vm["kind"].as<std::string>();
  if (kind != "composite") {
    throw po::error(fmt::format("unknown dataset kind '{}'; valid: composite", kind));
  }
  const auto [scale_min, scale_max] = parse_range(vm["scale"].as<std::string>());
  datasets::ImageDataset base = datasets::load_dataset({.name = vm["base"].as<std::string>(),
                                                        .split = vm["split"].as<std::string>(),
                                                        .path = vm["base-path"].as<std::string>()});
  const datasets::CompositeOptions composite{
      .n = vm["n"].as<int64_t>(),
      .canvas = vm["canvas"].as<int64_t>(),
      .objects = vm["objects"].as<int64_t>(),
      .scale_min = scale_min,
      .scale_max = scale_max,
      .clutter = vm["clutter"].as<int64_t>(),
      .clutter_level = vm["clutter-level"].as<double>(),
      .background = datasets::parse_background(vm["background"].as<std::string>()),
      .texture_level = vm["texture-level"].as<double>(),
      .tiles = vm["tiles"].as<int64_t>(),
      .distractors = vm["distractors"].as<int64_t>(),
      .distractor_level = vm["distractor-level"].as<double>(),
      .seed = vm["seed"].as<uint64_t>()};
  datasets::ImageDataset made = datasets::make_composite(base, composite);
  const std::filesystem::path out = vm["out"].as<std::string>();
  if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
  datasets::write_hdf5_dataset(out.string(), made);
  fmt::print(
      "wrote {}: {} canvases {}x{} of {} ({} split), {} object(s), scale {}:{}, clutter {}, "
      "{} background, seed {}\n",
      out.string(), made.size(), composite.canvas, composite.canvas, base.name,
      vm["split"].as<std::string>(), composite.objects, scale_min, scale_max, composite.clutter,
      vm["background"].as<std::string>(), composite.seed);
  return 0;
}

}  // namespace camlab::cli
