// camlab explain RUN_DIR [--methods gradcam,scorecam] [--layer NAME] [--target pred|label|CLASS]
//                [--select MODE | --indices 0:16] [--count N] [--data FILE.h5] [--out DIR]
//                [--h5 FILE] [--colormap jet]
#include <fmt/format.h>

#include <charconv>

#include "cam/methods/method.h"
#include "cam/render/figure_grid.h"
#include "cam/render/heatmap.h"
#include "experiments/cli/command.h"
#include "experiments/cli/trained_model.h"
#include "experiments/explain/explanations_file.h"
#include "experiments/explain/selection.h"
#include "tensor/ops.h"

namespace camlab::cli {
namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

cam::Target make_target(const std::string& text, const Tensor& labels, int64_t classes) {
  if (text == "pred" || text == "predicted") return cam::Target::predicted();
  if (text == "label") return cam::Target::labels(labels);
  int64_t index = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  CAMLAB_CHECK(ec == std::errc() && end == text.data() + text.size(),
               "--target '{}': expected pred, label or a class index 0..{}", text, classes - 1);
  CAMLAB_CHECK(index >= 0 && index < classes, "--target {}: class index out of range 0..{}", index,
               classes - 1);
  return cam::Target::fixed(index);
}

std::string row_label(int64_t index, int64_t label, int64_t predicted, double probability,
                      const std::vector<std::string>& names) {
  auto name = [&](int64_t k) {
    return k < static_cast<int64_t>(names.size()) ? names[k] : std::to_string(k);
  };
  if (label == predicted) return fmt::format("#{} {}\n{:.2f}", index, name(label), probability);
  return fmt::format("#{} true: {}\npred: {} {:.2f}", index, name(label), name(predicted),
                     probability);
}

}  // namespace

int explain_main(const std::vector<std::string>& args) {
  po::options_description options("explain");
  // One flag per line reads best.
  // clang-format off
  options.add_options()
      ("run", po::value<std::string>()->required(), "run directory or checkpoint .h5")
      ("methods", po::value<std::string>()->default_value(""), "comma-separated method names")
      ("layer", po::value<std::string>()->default_value(""), "target layer (dotted name)")
      ("target", po::value<std::string>()->default_value(""), "pred, label or a class index")
      ("select", po::value<std::string>()->default_value(""),
       "first, random, misclassified, confident-wrong, correct or per-class")
      ("indices", po::value<std::string>()->default_value(""), "dataset indices: 0:16 or 3,7,9")
      ("count", po::value<int64_t>()->default_value(0), "images to explain (default explain.count)")
      ("data", po::value<std::string>()->default_value(""), "an HDF5 dataset to explain")
      ("out", po::value<std::string>()->default_value(""), "output folder (RUN_DIR/explain)")
      ("h5", po::value<std::string>()->default_value(""), "also write the maps to this HDF5 file")
      ("colormap", po::value<std::string>()->default_value(""), "jet, viridis, inferno, turbo, gray")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a config key")
      ("device", po::value<std::string>()->default_value("cpu"), "cpu, cuda or auto");
  // clang-format on
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("explain"), options, positional, vm)) return 0;
  auto flag = [&](const char* name) { return vm[name].as<std::string>(); };

  std::vector<std::string> overrides;
  if (vm.count("set")) overrides = vm["set"].as<std::vector<std::string>>();
  TrainedModel t = load_trained_model(flag("run"), overrides, flag("data"), flag("device"));
  const experiments::Config& cfg = t.config;
  std::vector<std::string> methods =
      flag("methods").empty() ? cfg.get_strings("explain.methods") : split_commas(flag("methods"));
  std::string layer = !flag("layer").empty() ? flag("layer")
                      : !cfg.get_string("explain.layer").empty()
                          ? cfg.get_string("explain.layer")
                          : cfg.get_string("model.cam_layer");
  std::string target_text = !flag("target").empty() ? flag("target")
                            : cfg.holds_int("explain.target")
                                ? std::to_string(cfg.get_int("explain.target"))
                                : cfg.get_string("explain.target");
  std::string select = !flag("select").empty() ? flag("select") : cfg.get_string("explain.select");
  if (select == "incorrect") select = "misclassified";
  int64_t count =
      vm["count"].as<int64_t>() > 0 ? vm["count"].as<int64_t>() : cfg.get_int("explain.count");
  render::Colormap cmap = render::parse_colormap(
      flag("colormap").empty() ? cfg.get_string("explain.colormap") : flag("colormap"));

  // Which images: given indices, or a selection over the model's predictions.
  experiments::Predictions predictions =
      experiments::predict_all(*t.model, *t.test_loader, t.device, t.objective.multilabel);
  std::vector<int64_t> indices =
      flag("indices").empty()
          ? experiments::select_images(select, predictions, count, cfg.get_int("experiment.seed"))
          : experiments::parse_indices(flag("indices"), t.data.test.size());
  CAMLAB_CHECK(!indices.empty(), "explain: --select {} found no images to explain", select);
  datasets::DataLoader picked(
      t.data.test.subset(indices),
      {.batch_size = static_cast<int64_t>(indices.size()), .shuffle = false}, t.data.eval_pipeline);
  datasets::Batch batch = picked.batch(0, 0);
  Tensor images = batch.images.to(t.device);  // [N, C, H, W]
  Tensor labels = t.objective.multilabel ? ops::argmax(batch.labels, 1) : batch.labels;  // [N]
  cam::Target target =
      make_target(target_text, labels.to(t.device), predictions.probabilities.size(1));

  std::filesystem::path out =
      flag("out").empty() ? t.run_dir / "explain" : std::filesystem::path(flag("out"));
  std::filesystem::create_directories(out);
  std::vector<std::string> titles = {"input"};
  titles.insert(titles.end(), methods.begin(), methods.end());
  render::FigureGrid grid(titles);
  experiments::ExplanationsFile file{
      .inputs = images,
      .indices = Tensor::from_vector(indices, {static_cast<int64_t>(indices.size())})};
  std::vector<Tensor> method_maps;
  for (const std::string& name : methods) {
    cam::MethodOptions method_options;
    if (!layer.empty()) method_options.layers = {layer};
    method_options.seed = static_cast<uint64_t>(cfg.get_int("experiment.seed"));
    auto method = cam::make_method(name, *t.model, method_options);
    cam::Explanation e = method->explain(images, target);
    fmt::print("{:<22} layer {:<8} maps {}\n", name, e.layer.empty() ? "-" : e.layer,
               shape_str(e.maps.shape()));
    file.maps[name] = e.maps;
    file.raw[name] = e.raw;
    file.logits = e.logits;
    file.targets = e.targets;
    if (!e.layer.empty()) file.layer = e.layer;
    method_maps.push_back(e.maps.to(Device::cpu()));
  }
  Tensor probs = t.objective.multilabel ? ops::sigmoid(file.logits) : ops::softmax(file.logits, 1);
  auto [top, predicted] = ops::max(probs.to(Device::cpu()), 1);
  for (size_t i = 0; i < indices.size(); ++i) {
    const auto row = static_cast<int64_t>(i);
    std::vector<Tensor> maps;
    for (const Tensor& m : method_maps) maps.push_back(m.select(0, row));
    grid.add_row(row_label(indices[i], labels.at<int64_t>({row}), predicted.at<int64_t>({row}),
                           top.at<float>({row}), t.data.test.class_names),
                 render::to_rgb(batch.images.select(0, row)), maps, cmap, 0.5);
  }
  grid.write(out / "explain.png");
  fmt::print("wrote {} ({} images x {} methods, target {}, select {})\n",
             (out / "explain.png").string(), indices.size(), methods.size(), target_text,
             flag("indices").empty() ? select : "indices");
  if (!flag("h5").empty()) {
    experiments::write_explanations(flag("h5"), file);
    fmt::print("wrote {}\n", flag("h5"));
  }
  return 0;
}

}  // namespace camlab::cli
