// camlab explain MODEL [--image a.jpg b.png ... | --images DIR | --data FILE.h5]
//                [--methods gradcam,scorecam] [--layer NAME]
//                [--target pred|label|all|topK|CLASS,...] [--score logit|softmax|sigmoid]
//                [--reference-image FILE [--similarity-layer NAME]]
//                [--labels FILE] [--resize 256] [--crop 224] [--mean M,M,M] [--std S,S,S]
//                [--select MODE | --indices 0:16] [--count N] [--out DIR] [--h5 FILE]
//                [--colormap jet] [--top 5]
// Parses the flags; the pipeline is experiments::run_explain (experiments/explain/).
#include "experiments/cli/command.h"
#include "experiments/explain/run_explain.h"
#include "experiments/train/trained_model.h"

namespace camlab::cli {

namespace {

struct MethodFlag {
  const char* flag;
  const char* key;
  const char* help;
};

// Each method-option flag is the --set override of its config key, so the schema checks it and
// its error names the key and what would be valid.
// clang-format off
constexpr MethodFlag kMethodFlags[] = {
    {"batch-size", "explain.batch_size", "images per extra forward of the perturbation methods"},
    {"smooth-samples", "explain.smoothgrad.samples", "SmoothGrad's n"},
    {"smooth-noise", "explain.smoothgrad.noise", "SmoothGrad's sigma / (max - min)"},
    {"ig-steps", "explain.integrated_gradients.steps", "integrated gradients' steps"},
    {"ig-baseline", "explain.integrated_gradients.baseline", "integrated gradients' baseline pixel"},
    {"occlusion-patch", "explain.occlusion.patch", "occlusion window side"},
    {"occlusion-stride", "explain.occlusion.stride", "occlusion window step"},
    {"faster-top-k", "explain.fasterscorecam.top_k", "Faster Score-CAM's channels per image"},
    {"sscam-samples", "explain.sscam.samples", "SS-CAM's noisy copies per mask"},
    {"sscam-sigma", "explain.sscam.sigma", "SS-CAM's mask noise"},
    {"fem-k", "explain.fem.k", "FEM's k-sigma rule"},
    {"finer-alpha", "explain.finercam.alpha", "Finer-CAM's alpha of y_c - alpha y_j"},
    {"finer-comparisons", "explain.finercam.comparisons", "Finer-CAM's similar classes"},
    {"kpca-kernel", "explain.kpcacam.kernel", "KPCA-CAM's kernel: sigmoid, rbf, poly, linear"},
    {"kpca-gamma", "explain.kpcacam.gamma", "KPCA-CAM's kernel gamma (0 = 1 / channels)"},
    {"kpca-coef0", "explain.kpcacam.coef0", "KPCA-CAM's kernel offset"},
    {"kpca-degree", "explain.kpcacam.degree", "KPCA-CAM's poly degree"},
    {"dff-concepts", "explain.dff.concepts", "DFF's concepts k"},
    {"dff-iterations", "explain.dff.iterations", "DFF's NMF updates"},
    {"dff-classifier", "explain.dff.classifier", "DFF's concept-scoring Linear layer"}};
// clang-format on

void add_method_flags(po::options_description& options) {
  for (const MethodFlag& f : kMethodFlags) {
    options.add_options()(f.flag, po::value<std::string>(),
                          fmt::format("{} ({})", f.help, f.key).c_str());
  }
}

// A bare word is a TOML string to the override parser: --kpca-kernel rbf is kernel = "rbf".
std::vector<std::string> with_method_flags(const po::variables_map& vm,
                                           std::vector<std::string> overrides) {
  for (const MethodFlag& f : kMethodFlags) {
    if (vm.count(f.flag))
      overrides.push_back(fmt::format("{}={}", f.key, vm[f.flag].as<std::string>()));
  }
  if (vm["aug-smooth"].as<bool>()) overrides.push_back("explain.aug_smooth=true");
  if (vm["eigen-smooth"].as<bool>()) overrides.push_back("explain.eigen_smooth=true");
  return overrides;
}

// The target flags beyond --target: what a class map differentiates, and the cosine target.
void add_target_flags(po::options_description& options) {
  // clang-format off
  options.add_options()
      ("score", po::value<std::string>()->default_value(""),
       "logit, softmax or sigmoid: what each class map differentiates (explain.score)")
      ("reference-image", po::value<std::string>()->default_value(""),
       "explain the cosine between each image's features and this photo's (explain.reference_image)")
      ("similarity-layer", po::value<std::string>()->default_value(""),
       "the features --reference-image compares; default the model's output (explain.similarity_layer)");
  // clang-format on
}

void read_target_flags(const po::variables_map& vm, experiments::ExplainFlags& flags) {
  flags.score = vm["score"].as<std::string>();
  flags.reference_image = vm["reference-image"].as<std::string>();
  flags.similarity_layer = vm["similarity-layer"].as<std::string>();
}

}  // namespace

int explain_main(const std::vector<std::string>& args) {
  po::options_description options("explain");
  // One flag per line reads best.
  // clang-format off
  options.add_options()
      ("run", po::value<std::string>()->required(), "run directory or checkpoint .h5")
      ("image", po::value<std::vector<std::string>>()->multitoken()->composing(),
       "JPEG or PNG photos to explain")
      ("images", po::value<std::vector<std::string>>()->composing(),
       "a folder of JPEG/PNG photos to explain")
      ("labels", po::value<std::string>()->default_value(""),
       "class names, one per line (e.g. experiments/labels/imagenet1k.txt)")
      ("resize", po::value<int64_t>()->default_value(-1),
       "photos: shorter side after resizing, 0 = keep (default explain.photo.resize, 256)")
      ("crop", po::value<int64_t>()->default_value(-1),
       "photos: centre crop side, 0 = none (default explain.photo.crop, 224)")
      ("mean", po::value<std::string>()->default_value(""), "photos: per-channel mean, M,M,M")
      ("std", po::value<std::string>()->default_value(""), "photos: per-channel std, S,S,S")
      ("top", po::value<int64_t>()->default_value(0), "predictions printed per image (5)")
      ("methods", po::value<std::string>()->default_value(""), "comma-separated method names")
      ("layer", po::value<std::string>()->default_value(""), "target layer (dotted name), or a comma list of layers")
      ("target", po::value<std::string>()->default_value(""),
       "pred, label, all, topK, class indices or names; several give a map per (method, class)")
      ("select", po::value<std::string>()->default_value(""),
       "first, random, misclassified, confident-wrong, correct or per-class")
      ("indices", po::value<std::string>()->default_value(""), "dataset indices: 0:16 or 3,7,9")
      ("count", po::value<int64_t>()->default_value(0), "images to explain (default explain.count)")
      ("data", po::value<std::string>()->default_value(""), "an HDF5 dataset to explain")
      ("out", po::value<std::string>()->default_value(""), "output folder (RUN_DIR/explain)")
      ("h5", po::value<std::string>()->default_value(""), "also write the maps to this HDF5 file")
      ("colormap", po::value<std::string>()->default_value(""), "jet, viridis, inferno, turbo, gray")
      ("aug-smooth", po::bool_switch(), "test-time augmentation, maps averaged (explain.aug_smooth)")
      ("eigen-smooth", po::bool_switch(), "first principal component of w_k A^k (explain.eigen_smooth)")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a config key")
      ("device", po::value<std::string>()->default_value("cpu"), "cpu, cuda or auto");
  // clang-format on
  add_method_flags(options);
  add_target_flags(options);
  po::positional_options_description positional;
  positional.add("run", 1);
  po::variables_map vm;
  if (!parse_args(args, find_command("explain"), options, positional, vm)) return 0;
  auto flag = [&](const char* name) { return vm[name].as<std::string>(); };
  auto list = [&](const char* name) {
    return vm.count(name) ? vm[name].as<std::vector<std::string>>() : std::vector<std::string>{};
  };

  experiments::ExplainFlags flags{.methods = flag("methods"),
                                  .layer = flag("layer"),
                                  .target = flag("target"),
                                  .select = flag("select"),
                                  .indices = flag("indices"),
                                  .colormap = flag("colormap"),
                                  .labels = flag("labels"),
                                  .mean = flag("mean"),
                                  .std = flag("std"),
                                  .count = vm["count"].as<int64_t>(),
                                  .top = vm["top"].as<int64_t>(),
                                  .resize = vm["resize"].as<int64_t>(),
                                  .crop = vm["crop"].as<int64_t>(),
                                  .out = flag("out"),
                                  .h5 = flag("h5")};
  read_target_flags(vm, flags);
  for (const std::string& path : list("image")) flags.images.emplace_back(path);
  for (const std::string& path : list("images")) flags.images.emplace_back(path);
  experiments::TrainedModel t = experiments::load_trained_model(
      flag("run"), with_method_flags(vm, list("set")), flag("data"), flag("device"),
      flags.images.empty() ? experiments::TestSet::Required : experiments::TestSet::Optional);
  experiments::run_explain({*t.model, t.config, t.test_loader ? &t.data : nullptr,
                            t.test_loader.get(), t.objective.multilabel, t.device, t.run_dir},
                           flags);
  return 0;
}

}  // namespace camlab::cli
