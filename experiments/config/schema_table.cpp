// The schema's rows: every key of an experiment TOML, in the order to_toml() writes them.
#include "cam/methods/kpca_cam_options.h"
#include "cam/methods/method.h"
#include "cam/render/colormap.h"
#include "experiments/config/schema.h"

namespace camlab::experiments {
namespace {

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

KeySpec section(std::string path, std::string doc) {
  return {.path = std::move(path), .kind = Kind::Table, .default_toml = "", .doc = std::move(doc)};
}
KeySpec integer(std::string path, std::string dflt, Range range, std::string doc) {
  return {std::move(path), Kind::Int, std::move(dflt), range, {}, false, std::move(doc)};
}
KeySpec number(std::string path, std::string dflt, Range range, std::string doc) {
  return {std::move(path), Kind::Float, std::move(dflt), range, {}, false, std::move(doc)};
}
KeySpec boolean(std::string path, std::string dflt, std::string doc) {
  return {std::move(path), Kind::Bool, std::move(dflt), {}, {}, false, std::move(doc)};
}
KeySpec text(std::string path, const std::string& dflt, std::string doc) {
  return {std::move(path), Kind::String, quoted(dflt), {}, {}, false, std::move(doc)};
}
KeySpec choice(std::string path, const std::string& dflt, std::vector<std::string> allowed,
               std::string doc) {
  return {std::move(path),    Kind::String, quoted(dflt),  {},
          std::move(allowed), false,        std::move(doc)};
}
KeySpec list(std::string path, Kind kind, std::string dflt, std::string doc, Range range = {},
             std::vector<std::string> allowed = {}) {
  return {std::move(path), kind, std::move(dflt), range, std::move(allowed), false, std::move(doc)};
}

// clang-format off
std::vector<KeySpec> make_schema() {
  // The CAM registry is the one list of method names: a registered method is valid here too.
  const std::vector<std::string>& methods = cam::method_names();
  std::vector<std::string> colormaps;  // render's list, so the schema offers exactly what parses
  for (const render::Colormap c : render::kColormaps) {
    colormaps.emplace_back(render::colormap_name(c));
  }
  KeySpec augment = list("data.augment", Kind::StringArray, "[]",
      "training transforms, e.g. [\"random_crop:2\", \"hflip\"]", {},
      {"random_crop", "hflip", "random_affine"});  // datasets/transform.h's parse_transform names
  augment.allowed_before_colon = true;
  // Any string: a comma list of predicted, label, all, topK, class indices or names, resolved
  // against the model's classes when explaining (experiments/explain/target_columns.h).
  KeySpec target = text("explain.target", "predicted",
      "classes to explain, comma-separated: predicted, label, all, topK, class indices or names");
  target.kind = Kind::IntOrString;
  target.range = at_least(0);
  return {
    section("experiment", "what the run is called and where it runs"),
    text("experiment.name", "", "run name, the folder under runs/; empty = the config file's stem"),
    integer("experiment.seed", "0", at_least(0), "seeds weights, shuffling and augmentation"),
    choice("experiment.device", "auto", {"cpu", "cuda", "auto"},
        "auto = cuda when a GPU is present"),
    integer("experiment.threads", "0", at_least(0),
        "CPU threads for OpenMP and BLAS; 0 = all cores"),

    section("data", "the dataset and its preprocessing"),
    choice("data.dataset", "fashion-mnist", {"fashion-mnist", "mnist", "cifar10", "hdf5",
           "image-folder", "synthetic-shapes", "composite"}, "which reader or generator"),
    text("data.path", "", "files to read; empty = the dataset's default location"),
    integer("data.batch_size", "64", at_least(1), "training batch size"),
    integer("data.eval_batch_size", "0", at_least(0), "evaluation batch size; 0 = batch_size"),
    augment,
    {"data.normalize", Kind::BoolOrTable, "false", {}, {}, false,
     "true = per-channel mean/std of the training set; or {mean = [...], std = [...]}"},
    list("data.normalize.mean", Kind::FloatArray, "[]",
        "per-channel mean of [0, 1] pixels; empty = computed"),
    list("data.normalize.std", Kind::FloatArray, "[]",
        "per-channel std of [0, 1] pixels; empty = computed", above(0)),
    integer("data.train_subset", "0", at_least(0), "use the first N training images; 0 = all"),
    integer("data.test_subset", "0", at_least(0), "use the first N test images; 0 = all"),
    boolean("data.multilabel", "false",
        "multi-hot labels (composite, hdf5 [N, K]); pairs with loss bce"),
    integer("data.image_size", "0", at_least(0),
        "side of generated images (synthetic-shapes, composite); 0 = the generator's default"),
    integer("data.channels", "0", closed(0, 3),
        "channels of generated images (1 or 3); 0 = the generator's default"),
    integer("data.train_count", "0", at_least(0),
        "generated training images; 0 = the generator's default"),
    integer("data.test_count", "0", at_least(0),
        "generated test images; 0 = the generator's default"),
    integer("data.workers", "1", at_least(0),
        "batches prepared ahead by loader threads; 0 = on the training thread"),
    boolean("data.shuffle", "true", "reshuffle the training set each epoch"),
    boolean("data.permute_labels", "false",
        "train on the training labels permuted with the seed (the data randomization test)"),

    section("model", "the network as a list of layers"),
    {"model.layers", Kind::LayerList, "", {}, {}, false,
     "array of inline tables {type = \"conv\", out = 32, ...}; see the layer table"},
    {"model.blocks", Kind::BlockTable, "", {}, {}, false,
     "named layer lists used by {type = \"block\", block = \"name\"}"},
    text("model.graph", "",
        "fine-tune an imported model: an .onnx file or a `camlab import` checkpoint, instead of "
        "layers"),
    integer("model.head_classes", "0", at_least(0),
        "model.graph: a fresh final Gemm for this many classes; 0 = keep the model's head"),
    list("model.freeze", Kind::StringArray, "[]",
        "model.graph: module paths whose weights stay fixed, e.g. [\"conv1\", \"layer1\"]"),
    text("model.cam_layer", "",
        "layer name the CAM methods explain; empty = the last layer with a spatial output"),

    section("train", "optimization"),
    integer("train.epochs", "10", at_least(1), "passes over the training set"),
    section("train.optimizer", "{type = \"sgd\", lr = 0.05, ...}"),
    choice("train.optimizer.type", "sgd", {"sgd", "adam", "adamw"}, "update rule"),
    number("train.optimizer.lr", "0.01", above(0), "peak learning rate"),
    number("train.optimizer.momentum", "0.0", half_open(0, 1), "SGD momentum"),
    boolean("train.optimizer.nesterov", "false", "Nesterov momentum (SGD; needs momentum > 0)"),
    number("train.optimizer.weight_decay", "0.0", at_least(0),
        "L2 penalty (sgd, adam) or decoupled decay (adamw)"),
    list("train.optimizer.betas", Kind::FloatArray, "[0.9, 0.999]",
        "Adam's (β1, β2)", half_open(0, 1)),
    number("train.optimizer.eps", "1e-08", above(0), "Adam's denominator guard"),
    section("train.schedule", "learning-rate schedule per epoch"),
    choice("train.schedule.type", "none", {"none", "step", "multistep", "cosine"},
        "how lr changes across epochs"),
    integer("train.schedule.warmup_epochs", "0", at_least(0), "linear warm-up from 0 to lr first"),
    integer("train.schedule.step_size", "10", at_least(1),
        "step: multiply lr by gamma every step_size epochs"),
    list("train.schedule.milestones", Kind::IntArray, "[]",
        "multistep: epochs (increasing) after which lr is multiplied by gamma", at_least(1)),
    number("train.schedule.gamma", "0.1", above(0), "step/multistep factor"),
    number("train.schedule.min_lr", "0.0", at_least(0), "cosine: the final learning rate"),
    section("train.loss", "training objective"),
    choice("train.loss.type", "cross_entropy", {"cross_entropy", "bce"},
        "cross_entropy (single label) or bce (multi-label)"),
    number("train.loss.label_smoothing", "0.0", half_open(0, 1), "cross_entropy target smoothing"),
    boolean("train.sync_batchnorm", "false",
        "under mpirun: batch norm statistics over all ranks' batches (SyncBatchNorm), not per rank"),
    number("train.clip_grad_norm", "0.0", at_least(0), "clip the global gradient L2 norm; 0 = off"),
    integer("train.checkpoint_every", "1", at_least(0),
        "epochs between checkpoints; 0 = only at the end"),
    integer("train.eval_every", "1", at_least(1), "epochs between test-set evaluations"),
    integer("train.log_every", "50", at_least(1), "steps between log lines when not on a terminal"),

    section("distributed", "data-parallel training under mpirun or srun (docs/distributed.md)"),
    choice("distributed.backend", "auto", {"auto", "mpi", "nccl"},
        "auto = MPI when a launcher started the process, else one process; nccl needs a CUDA+NCCL "
        "build"),
    number("distributed.bucket_mb", "25.0", at_least(0),
        "MiB of gradients per all-reduce, as DDP's bucket_cap_mb; 0 = one per tensor"),

    section("explain", "which maps `camlab explain` renders"),
    list("explain.methods", Kind::StringArray, R"(["gradcam"])",
        "attribution methods", {}, methods),
    integer("explain.count", "16", at_least(1), "images to explain"),
    choice("explain.colormap", "jet", colormaps, "heatmap colors"),
    choice("explain.select", "first", {"first", "random", "correct", "incorrect", "per-class"},
        "which test images to explain"),
    text("explain.layer", "", "target layer; empty = model.cam_layer"),
    target,
    choice("explain.score", "logit", cam::score_names(),
        "what each class map differentiates: the logit, softmax or sigmoid probability"),
    text("explain.reference_image", "",
        "a photo whose features each image is compared to (cosine target); empty = class targets"),
    text("explain.similarity_layer", "",
        "the features the cosine target compares: a layer's output; empty = the model's output"),
    text("explain.labels", "", "class names, one per line, for photos; empty = the dataset's"),
    integer("explain.top", "5", at_least(1), "predictions printed per image"),
    boolean("explain.aug_smooth", "false",
        "test-time augmentation: hflip x brightness {0.9, 1, 1.1}, raw maps averaged"),
    boolean("explain.eigen_smooth", "false",
        "first principal component of the terms w_k A^k instead of their sum"),
    integer("explain.batch_size", "128", at_least(1),
        "images per extra forward: Score-CAM and Ablation-CAM copies, occlusion, IG, SmoothGrad"),
    section("explain.smoothgrad", "SmoothGrad (Smilkov et al. 2017)"),
    integer("explain.smoothgrad.samples", "16", at_least(1), "noisy copies averaged, n"),
    number("explain.smoothgrad.noise", "0.15", at_least(0),
        "sigma / (max - min) of each image"),
    section("explain.integrated_gradients", "integrated gradients (Sundararajan et al. 2017)"),
    integer("explain.integrated_gradients.steps", "32", at_least(1), "Riemann steps m"),
    number("explain.integrated_gradients.baseline", "0.0", {},
        "every pixel of the baseline image, in the network's input units"),
    section("explain.occlusion", "occlusion (Zeiler & Fergus 2014)"),
    integer("explain.occlusion.patch", "4", at_least(1), "side of the square window"),
    integer("explain.occlusion.stride", "2", at_least(1), "window step"),
    number("explain.occlusion.baseline", "0.0", {}, "value the window is filled with"),
    section("explain.fasterscorecam", "Faster Score-CAM: Score-CAM on the highest-variance channels"),
    integer("explain.fasterscorecam.top_k", "10", at_least(1),
        "channels scored per image, those of largest spatial variance"),
    section("explain.sscam", "SS-CAM (Wang et al. 2020): Score-CAM with noisy masks"),
    integer("explain.sscam.samples", "35", at_least(1), "noisy copies of each mask averaged"),
    number("explain.sscam.sigma", "2.0", at_least(0), "sigma of the noise added to each mask"),
    section("explain.fem", "FEM (Fuad et al. 2020)"),
    number("explain.fem.k", "2.0", at_least(0),
        "k of the k-sigma rule: a position is on where A > mean + k std"),
    section("explain.finercam", "Finer-CAM (Zhang et al. 2025)"),
    number("explain.finercam.alpha", "1.0", at_least(0),
        "alpha of y_c - alpha y_j: 0 is Grad-CAM, 1 the plain difference"),
    integer("explain.finercam.comparisons", "3", at_least(1),
        "the classes of nearest logits contrasted with the target"),
    section("explain.kpcacam", "KPCA-CAM (Karmani et al. 2024): scikit-learn KernelPCA's kernels"),
    choice("explain.kpcacam.kernel", "sigmoid", cam::kpca_kernels(),
        "k(a, b) between two positions' channel vectors"),
    number("explain.kpcacam.gamma", "0.0", at_least(0),
        "kernel gamma; 0 = 1 / channels, scikit-learn's default"),
    number("explain.kpcacam.coef0", "1.0", {}, "sigmoid and poly kernels' offset"),
    integer("explain.kpcacam.degree", "3", at_least(1), "poly kernel's degree"),
    section("explain.dff", "Deep Feature Factorization (Collins et al. 2018)"),
    integer("explain.dff.concepts", "5", at_least(1), "k, the concepts the NMF finds"),
    integer("explain.dff.iterations", "200", at_least(1), "NMF multiplicative updates"),
    text("explain.dff.classifier", "",
        "Linear layer that scores the concepts; empty = the last Linear taking the layer's channels"),
    section("explain.photo", "how `--image` photos become inputs: torchvision's ImageNet recipe"),
    integer("explain.photo.resize", "256", at_least(0),
        "shorter side after antialiased bilinear resizing; 0 = keep"),
    integer("explain.photo.crop", "224", at_least(0), "centre crop side; 0 = no crop"),
    list("explain.photo.mean", Kind::FloatArray, "[0.485, 0.456, 0.406]",
        "subtracted per channel from values in [0, 1]"),
    list("explain.photo.std", Kind::FloatArray, "[0.229, 0.224, 0.225]",
        "then divided by per channel", above(0)),

    section("localize", "weakly-supervised boxes from maps"),
    list("localize.methods", Kind::StringArray, R"(["cam", "gradcam"])",
        "maps to turn into boxes", {}, methods),
    list("localize.thresholds", Kind::FloatArray, "[0.2]",
        "keep pixels ≥ t·max; several values give MaxBoxAcc", closed(0, 1)),
    number("localize.iou_threshold", "0.5", closed(0, 1), "a box is correct at IoU ≥ this"),
    integer("localize.count", "0", at_least(0), "test images; 0 = all"),
    choice("localize.baseline", "black", {"black", "blur", "mean"},
        "what deletion / insertion put in removed pixels (0, a Gaussian blur, the channel mean)"),
    number("localize.blur_sigma", "5", above(0), "σ in pixels of the blur baseline"),
    boolean("localize.road", "false",
        "also score ROAD (noisy linear imputation, Rong et al. 2022) and ARCC"),

    section("segment", "masks from maps (seeds)"),
    list("segment.methods", Kind::StringArray, R"(["gradcam"])",
        "maps to turn into masks", {}, methods),
    list("segment.thresholds", Kind::FloatArray, "[0.2]",
        "foreground where map ≥ t·max", closed(0, 1)),
    number("segment.background_threshold", "0.2", closed(0, 1),
        "background where every class map is below this"),
    integer("segment.count", "0", at_least(0), "test images; 0 = all"),
    number("segment.constrain_weight", "0", at_least(0),
        "weight of SEC's constrain-to-boundary loss (KL to a dense CRF) in segmenter training; "
        "0 = off"),

    {"sweep", Kind::SweepTable, "", {}, {}, false,
        "\"dotted.key\" = [values]: one run per combination"},
    choice("sweep.mode", "grid", {"grid", "zip"},
        "grid = every combination, zip = the i-th value of each key together"),
  };
}
// clang-format on

}  // namespace

const std::vector<KeySpec>& schema() {
  static const std::vector<KeySpec> table = make_schema();
  return table;
}

}  // namespace camlab::experiments
