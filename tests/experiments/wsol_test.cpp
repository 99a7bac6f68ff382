// Weakly-supervised localization and segmentation: SEC's losses by hand, case/box pairing, the
// dataset checks of localize and segment, and an end-to-end run on a tiny composite set (train a
// tiny GAP net for one epoch, then localize and segment through the library and the CLI).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "autograd/ops.h"
#include "datasets/composite.h"
#include "datasets/hdf5_dataset.h"
#include "datasets/shapes.h"
#include "experiments/cli/command.h"
#include "experiments/config/config.h"
#include "experiments/explain/explanations_file.h"
#include "experiments/run/metrics_json.h"
#include "experiments/train/trained_model.h"
#include "experiments/train/trainer.h"
#include "experiments/wsol/localize.h"
#include "experiments/wsol/run_wsol.h"
#include "experiments/wsol/sec_loss.h"
#include "experiments/wsol/segment.h"
#include "experiments/wsol/segmenter.h"
#include "tests/experiments/temp_dir.h"

namespace camlab::experiments {
namespace {

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

TEST(Gwrp, MatchesAHandComputedExample) {
  // Row 0, d = 0.5: sorted .9 .5 .3 .1, weights 1 .5 .25 .125 over 1.875 -> 1.2375 / 1.875 = .66.
  // Row 1, d = 0 (absent class): the max, .8. Row 2, d = 1: the mean, .5.
  Tensor scores = Tensor::from_vector<double>(
                      {0.1, 0.9, 0.3, 0.5, 0.2, 0.4, 0.8, 0.6, 0.2, 0.4, 0.8, 0.6}, {1, 3, 4})
                      .set_requires_grad(true);
  const Tensor g = global_weighted_rank_pooling(scores, {0.5, 0.0, 1.0});
  ASSERT_EQ(g.shape(), (Shape{1, 3}));
  EXPECT_NEAR(g.at<double>({0, 0}), 0.66, 1e-12);
  EXPECT_NEAR(g.at<double>({0, 1}), 0.8, 1e-12);
  EXPECT_NEAR(g.at<double>({0, 2}), 0.5, 1e-12);
  // dG/dx is the weight of x's rank: .9 first (1/1.875), .1 last (.125/1.875).
  camlab::backward(camlab::sum(g));
  const Tensor grad = scores.grad();
  EXPECT_NEAR(grad.at<double>({0, 0, 1}), 1 / 1.875, 1e-12);
  EXPECT_NEAR(grad.at<double>({0, 0, 0}), 0.125 / 1.875, 1e-12);
  EXPECT_NEAR(grad.at<double>({0, 1, 2}), 1.0, 1e-12);  // only the max of the absent class
  EXPECT_NEAR(grad.at<double>({0, 1, 0}), 0.0, 1e-12);
  EXPECT_NEAR(grad.at<double>({0, 2, 3}), 0.25, 1e-12);
}

TEST(SecLoss, SeedLossIsCrossEntropyOnSeedPixelsOnly) {
  // Two labels over 1x2 pixels; pixel 0 has logits (0, ln 3): p(label 1) = 3/4.
  const Tensor logits = Tensor::from_vector<double>({0.0, 0.0, std::log(3.0), 0.0}, {1, 2, 1, 2});
  const Tensor one_seed = Tensor::from_vector<uint8_t>({1, 255}, {1, 1, 2});
  EXPECT_NEAR(seed_loss(logits, one_seed).item(), -std::log(0.75), 1e-12);
  const Tensor two_seeds = Tensor::from_vector<uint8_t>({1, 0}, {1, 1, 2});
  EXPECT_NEAR(seed_loss(logits, two_seeds).item(), (-std::log(0.75) - std::log(0.5)) / 2, 1e-12);
  const Tensor none = Tensor::from_vector<uint8_t>({255, 255}, {1, 1, 2});
  EXPECT_EQ(seed_loss(logits, none).item(), 0.0);
}

TEST(SecLoss, ExpandLossByHand) {
  // Background .5 .2, class 0 (present) .3 .6, class 1 (absent) .2 .2 over two pixels.
  const Tensor probs = Tensor::from_vector<double>({0.5, 0.2, 0.3, 0.6, 0.2, 0.2}, {1, 3, 1, 2});
  const Tensor present = Tensor::from_vector<uint8_t>({1, 0}, {1, 2});
  const double g_bg = (0.5 + 0.999 * 0.2) / 1.999;
  const double g_present = (0.6 + 0.996 * 0.3) / 1.996;
  const double g_absent = 0.2;
  const double want = -std::log(g_bg) - std::log(g_present) - std::log(1 - g_absent);
  EXPECT_NEAR(expand_loss(probs, present).item(), want, 1e-12);
}

TEST(Segmenter, ShapesAndLabelRestrictedPrediction) {
  Generator gen(0);
  Segmenter net(1, 4, gen);
  const Tensor x = ops::rand({2, 1, 12, 10}, gen);
  EXPECT_EQ(net(x).shape(), (Shape{2, 4, 12, 10}));
  const Tensor present = Tensor::from_vector<uint8_t>({0, 1, 0, 0, 0, 1}, {2, 3});
  const Tensor masks = predict_masks(net, x, present);  // image 0: labels 0 or 2; image 1: 0 or 3
  ASSERT_EQ(masks.shape(), (Shape{2, 12, 10}));
  for (int64_t i = 0; i < 120; ++i) {
    const uint8_t a = masks.select(0, 0).contiguous().data<uint8_t>()[i];
    const uint8_t b = masks.select(0, 1).contiguous().data<uint8_t>()[i];
    EXPECT_TRUE(a == 0 || a == 2) << int(a);
    EXPECT_TRUE(b == 0 || b == 3) << int(b);
  }
}

TEST(WsolData, CasesPairBoxesWithPresentClasses) {
  datasets::ImageDataset d;
  d.images = ops::zeros({2, 1, 8, 8}, DType::UInt8);
  d.labels = Tensor::from_vector<uint8_t>({0, 1, 1, 1, 0, 0}, {2, 3});  // {1, 2}, {0}
  d.boxes = Tensor::from_vector<float>({0, 0, 2, 2, 4, 4, 8, 8, 1, 1, 3, 3, 5, 5, 6, 6}, {2, 2, 4});
  const std::vector<Case> cases = explained_cases(d);
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_EQ(cases[0].cls, 1);
  EXPECT_EQ(cases[0].boxes, (std::vector<cam::Box>{{0, 0, 2, 2}}));
  EXPECT_EQ(cases[1].cls, 2);
  EXPECT_EQ(cases[1].boxes, (std::vector<cam::Box>{{4, 4, 8, 8}}));
  // Item 1 has one class and two boxes: the counts differ, so the class gets both.
  EXPECT_EQ(cases[2].image, 1);
  EXPECT_EQ(cases[2].boxes.size(), 2u);
  const Tensor p = presence(d, 3);
  EXPECT_EQ(p.at<uint8_t>({0, 2}), 1);
  EXPECT_EQ(p.at<uint8_t>({1, 0}), 1);
}

TEST(WsolData, DatasetChecksNameTheProblem) {
  datasets::ImageDataset d = datasets::make_shapes({.n = 4, .size = 16});
  datasets::ImageDataset no_boxes = d;
  no_boxes.boxes = Tensor();
  EXPECT_NE(error_of([&] {
              check_dataset_for(no_boxes, "file x.h5", "localize", 4);
            }).find("file x.h5: /boxes is missing"),
            std::string::npos);
  datasets::ImageDataset no_masks = d;
  no_masks.masks = Tensor();
  EXPECT_NE(error_of([&] {
              check_dataset_for(no_masks, "file x.h5", "segment", 4);
            }).find("/masks is missing"),
            std::string::npos);
  const std::string range = error_of([&] { check_dataset_for(d, "file x.h5", "localize", 3); });
  EXPECT_NE(range.find("4 classes but the model has 3 outputs"), std::string::npos) << range;
}

// ---- end to end ----

constexpr const char* kTinyConfig = R"(
[experiment]
name = "wsol-tiny"
seed = 0
device = "cpu"

[data]
dataset = "composite"
batch_size = 32

[model]
layers = [
  { type = "conv", out = 8, kernel = 3, pad = 1, name = "conv1" },
  { type = "relu" },
  { type = "maxpool", kernel = 2 },
  { type = "conv", out = 16, kernel = 3, pad = 1, name = "conv2" },
  { type = "relu" },
  { type = "maxpool", kernel = 2 },
  { type = "conv", out = 16, kernel = 3, pad = 1, name = "conv3" },
  { type = "relu" },
  { type = "gap" },
  { type = "linear", out = 4, name = "fc" },
]
cam_layer = "relu3"

[train]
epochs = 1
optimizer = { type = "adam", lr = 0.01 }
)";

class WsolEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    const datasets::ImageDataset base =
        datasets::make_shapes({.n = 200, .size = 16, .seed = 1, .noise = 0});
    auto make = [&](const std::string& name, int64_t n, int64_t objects, uint64_t seed) {
      datasets::write_hdf5_dataset((dir_->path() / name).string(),
                                   datasets::make_composite(base, {.n = n,
                                                                   .canvas = 32,
                                                                   .objects = objects,
                                                                   .scale_min = 0.8,
                                                                   .scale_max = 1.2,
                                                                   .clutter = 1,
                                                                   .seed = seed}));
    };
    make("train.h5", 200, 1, 1);
    make("test.h5", 48, 1, 2);
    make("pairs.h5", 16, 2, 3);
    const std::string path = (dir_->path() / "{split}.h5").string();
    Config cfg = parse_config(kTinyConfig, "wsol-tiny.toml", {"data.path=\"" + path + "\""});
    train_experiment(cfg, {.out = dir_->path() / "run", .progress = 0});
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::filesystem::path path(const std::string& name) { return dir_->path() / name; }

  // The model as localize and segment assemble it from the run (cam_layer, classes, seed).
  static WsolModel wsol(const TrainedModel& t) {
    return prepare_wsol(t, "localize", {.data = path("test.h5").string(), .batch_size = 16}).model;
  }

  static test::TempDir* dir_;
};

test::TempDir* WsolEndToEnd::dir_ = nullptr;

TEST_F(WsolEndToEnd, LocalizeWritesMetricsTableAndFigure) {
  TrainedModel t = load_trained_model(path("run"), {}, path("test.h5").string(), "cpu");
  const WsolModel m = wsol(t);
  const LocalizeOptions o{.methods = {"cam", "gradcam", "eigencam"},
                          .sweep = true,
                          .sweep_step = 0.1,
                          .faithfulness_count = 12,
                          .curve_steps = 8,
                          .figure_rows = 4,
                          .out = path("localize")};
  const LocalizeResult r = localize(m, t.data.test, t.data.eval_pipeline, o);
  EXPECT_EQ(r.images, 48);
  EXPECT_EQ(r.cases, 48);
  ASSERT_EQ(r.methods.size(), 3u);
  for (const MethodLocalization& s : r.methods) {
    const cam::LocalizationSummary& b = s.boxes;
    EXPECT_EQ(b.count, 48);
    for (double v : {b.gt_known_loc, b.top1_loc, b.mean_iou, b.max_box_acc, b.pointing_game,
                     b.energy_pointing, s.average_drop, s.increase, s.deletion, s.insertion}) {
      EXPECT_GE(v, 0.0) << s.method;
      EXPECT_LE(v, 1.0) << s.method;
    }
    EXPECT_LE(b.top1_loc, b.gt_known_loc);
    EXPECT_GE(b.max_box_acc, b.gt_known_by_threshold[2]);  // t = 0.2 is on the 0.1 grid
    EXPECT_EQ(b.gt_known_by_threshold.size(), 10u);
    EXPECT_EQ(s.faithfulness_cases, 12);
  }
  // CAM and Grad-CAM coincide for a GAP + linear head (Grad-CAM weights are W/(h·w)); float
  // rounding may move at most a pixel sitting exactly on the threshold.
  EXPECT_NEAR(r.methods[0].boxes.gt_known_loc, r.methods[1].boxes.gt_known_loc, 1.0 / 48 + 1e-9);
  for (const char* file : {"metrics.json", "localize.md", "localize.png"}) {
    EXPECT_TRUE(std::filesystem::exists(path("localize") / file)) << file;
  }
  const nlohmann::json json = read_json(path("localize") / "metrics.json");
  EXPECT_EQ(json["methods"]["gradcam"]["cases"], 48);
  EXPECT_TRUE(json["methods"]["cam"].contains("max_box_acc"));
  std::ifstream table(path("localize") / "localize.md");
  const std::string text((std::istreambuf_iterator<char>(table)), {});
  EXPECT_NE(text.find("| eigencam |"), std::string::npos) << text;
}

TEST_F(WsolEndToEnd, PrepareTakesLayerClassesAndOutputFolderFromTheRun) {
  const TrainedModel t = load_trained_model(path("run"), {}, path("test.h5").string(), "cpu");
  const WsolSetup s = prepare_wsol(t, "segment", {.data = path("test.h5").string()});
  EXPECT_EQ(s.model.layer, "relu3");  // model.cam_layer, explain.layer being empty
  EXPECT_EQ(s.model.classes, 4);      // the linear layer's outputs, counted by one forward
  EXPECT_EQ(s.model.batch_size, 64);
  EXPECT_EQ(s.out, path("run") / "segment");
  EXPECT_EQ(s.source, "file " + path("test.h5").string());

  const TrainedModel relabeled =
      load_trained_model(path("run"), {"explain.layer=\"conv2\""}, path("test.h5").string(), "cpu");
  EXPECT_EQ(prepare_wsol(relabeled, "localize", {}).model.layer, "conv2");
}

TEST_F(WsolEndToEnd, TwoObjectCanvasesExplainEachClassAgainstItsBox) {
  TrainedModel t = load_trained_model(path("run"), {}, path("pairs.h5").string(), "cpu");
  const WsolModel m = wsol(t);
  const LocalizeResult r =
      localize(m, t.data.test, t.data.eval_pipeline,
               {.methods = {"cam"}, .faithfulness_count = 0, .out = path("pairs-localize")});
  EXPECT_EQ(r.images, 16);
  EXPECT_EQ(r.cases, 32);  // two classes per canvas
  EXPECT_TRUE(std::filesystem::exists(path("pairs-localize") / "two_object.png"));
}

TEST_F(WsolEndToEnd, SegmentSeedsAndSegmenter) {
  TrainedModel t = load_trained_model(path("run"), {}, path("test.h5").string(), "cpu");
  const WsolModel m = wsol(t);
  const datasets::ImageDataset train = datasets::read_hdf5_dataset(path("train.h5").string());
  SegmentOptions o{.methods = {"cam", "gradcam"},
                   .train_segmenter = true,
                   .train_count = 32,
                   .training = {.epochs = 1, .batch_size = 16},
                   .explain_segmenter = {"gradcam", "hirescam"},
                   .figure_rows = 3,
                   .out = path("segment")};
  const SegmentResult r = segment(m, t.data.test, &train, t.data.eval_pipeline, o);
  ASSERT_EQ(r.seeds.size(), 2u);
  for (const SeedScores& s : r.seeds) {
    EXPECT_GT(s.miou, 0.0) << s.method;  // background alone scores above zero
    EXPECT_LE(s.miou, 1.0) << s.method;
    EXPECT_GT(s.coverage, 0.0);
    EXPECT_LE(s.precision, 1.0);
  }
  ASSERT_TRUE(r.segmenter.has_value());
  EXPECT_EQ(r.segmenter->train_images, 32);
  EXPECT_EQ(r.segmenter->losses.size(), 1u);
  EXPECT_TRUE(std::isfinite(r.segmenter->losses[0]));
  EXPECT_GE(r.segmenter->miou_with_labels, 0.0);
  EXPECT_LE(r.segmenter->miou_with_labels, 1.0);
  EXPECT_DOUBLE_EQ(r.segmenter->seeds_miou, r.seeds[0].miou);
  for (const char* file : {"metrics.json", "segment.md", "segment.png"}) {
    EXPECT_TRUE(std::filesystem::exists(path("segment") / file)) << file;
  }
  const nlohmann::json json = read_json(path("segment") / "metrics.json");
  EXPECT_TRUE(json["segmenter"].contains("beats_seeds"));

  // The segmenter explained through the segmentation target: one map per figure row and method,
  // for the image's class (segmenter label = class + 1, 0 being background).
  const ExplanationsFile explained =
      read_explanations(path("segment") / "segmenter-explain" / "explanations.h5");
  EXPECT_TRUE(std::filesystem::exists(path("segment") / "segmenter-explain" / "explain.png"));
  EXPECT_EQ(explained.layer, "fuse_bn");
  for (const char* method : {"gradcam", "hirescam"}) {
    ASSERT_TRUE(explained.maps.count(method)) << method;
    const Tensor maps = explained.maps.at(method);  // [3, H, W]
    ASSERT_EQ(maps.shape(), (Shape{3, t.data.test.height(), t.data.test.width()})) << method;
    EXPECT_TRUE(std::isfinite(ops::sum(maps).item())) << method;
    EXPECT_GT(ops::amax(maps).item(), 0.0) << method;  // the class's evidence is somewhere
  }
  const Tensor classes = explained.classes.at("gradcam");  // [3]
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(classes.at<int64_t>({i}), present_classes(t.data.test, i).front() + 1) << i;
  }
}

TEST_F(WsolEndToEnd, ExplainSegmenterNeedsTheSegmenterAndKnownMethods) {
  TrainedModel t = load_trained_model(path("run"), {}, path("test.h5").string(), "cpu");
  const WsolModel m = wsol(t);
  const datasets::ImageDataset train = datasets::read_hdf5_dataset(path("train.h5").string());
  const std::string without_training = error_of([&] {
    segment(m, t.data.test, &train, t.data.eval_pipeline,
            {.explain_segmenter = {"gradcam"}, .out = path("segment-no-train")});
  });
  EXPECT_NE(without_training.find("add --train-segmenter"), std::string::npos) << without_training;
  const std::string unknown = error_of([&] {
    segment(m, t.data.test, &train, t.data.eval_pipeline,
            {.train_segmenter = true, .explain_segmenter = {"gradcamm"}, .out = path("x")});
  });
  EXPECT_NE(unknown.find("unknown method 'gradcamm'"), std::string::npos) << unknown;
  EXPECT_EQ(unknown.find('\n'), std::string::npos) << unknown;
}

// A copy of test.h5 with one dataset replaced or removed through the bare HDF5 API, as a file
// written by another tool might be.
void rewrite(const std::filesystem::path& from, const std::filesystem::path& to,
             const std::string& key, const Tensor* replacement) {
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
  hid_t file = H5Fopen(to.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  H5Ldelete(file, key.c_str(), H5P_DEFAULT);
  if (replacement) {
    std::vector<hsize_t> dims(replacement->shape().begin(), replacement->shape().end());
    hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    hid_t type = replacement->dtype() == DType::Float32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_UINT8;
    hid_t set = H5Dcreate2(file, key.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, replacement->raw_data());
    H5Dclose(set);
    H5Sclose(space);
  }
  H5Fclose(file);
}

TEST_F(WsolEndToEnd, CliRejectsMalformedDatasetsInOneLine) {
  const datasets::ImageDataset good = datasets::read_hdf5_dataset(path("test.h5").string());
  auto localize_error = [&](const std::filesystem::path& data) {
    const std::string message = error_of([&] {
      cli::localize_main({path("run").string(), "--data", data.string(), "--methods", "cam",
                          "--out", path("bad-out").string()});
    });
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    return message;
  };
  rewrite(path("test.h5"), path("no-labels.h5"), "/labels", nullptr);
  EXPECT_NE(localize_error(path("no-labels.h5")).find("/labels is missing"), std::string::npos);
  Tensor boxes = good.boxes.clone();
  boxes.data<float>()[2] = 40;  // item 0's x1 beyond the 32-pixel canvas
  rewrite(path("test.h5"), path("wide-box.h5"), "/boxes", &boxes);
  EXPECT_NE(localize_error(path("wide-box.h5")).find("lies outside the 32x32 image"),
            std::string::npos);
  const Tensor masks = good.masks.narrow(2, 0, 16).contiguous();  // [48, 32, 16]
  rewrite(path("test.h5"), path("narrow-mask.h5"), "/masks", &masks);
  EXPECT_NE(localize_error(path("narrow-mask.h5")).find("masks have shape [48, 32, 16]"),
            std::string::npos);
  rewrite(path("test.h5"), path("no-boxes.h5"), "/boxes", nullptr);
  EXPECT_NE(localize_error(path("no-boxes.h5")).find("/boxes is missing"), std::string::npos);
  // Ten class names: labels 0..9 are valid for the file but not for the 4-output model.
  datasets::ImageDataset wide = good;
  wide.class_names = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  wide.labels = ops::full({48}, 7.0, DType::Int64);
  datasets::write_hdf5_dataset(path("class7.h5").string(), wide);
  EXPECT_NE(localize_error(path("class7.h5")).find("10 classes but the model has 4 outputs"),
            std::string::npos);
}

TEST_F(WsolEndToEnd, CliMakeDatasetLocalizeAndSegment) {
  const std::string made = path("cli-made.h5").string();
  EXPECT_EQ(cli::make_dataset_main({"composite", "--base", "shapes", "--split", "test", "--canvas",
                                    "48", "--objects", "2", "--scale", "0.8:1.2", "--n", "10",
                                    "--seed", "7", "--out", made}),
            0);
  const datasets::ImageDataset d = datasets::read_hdf5_dataset(made);
  EXPECT_EQ(d.labels.shape(), (Shape{10, 4}));
  EXPECT_EQ(cli::localize_main({path("run").string(), "--data", made, "--methods", "cam",
                                "--faithfulness", "2", "--out", path("cli-loc").string()}),
            0);
  EXPECT_TRUE(std::filesystem::exists(path("cli-loc") / "metrics.json"));
  EXPECT_EQ(
      cli::segment_main({path("run").string(), "--data", made, "--methods", "cam", "--threshold",
                         "0.3", "--background", "0.1", "--out", path("cli-seg").string()}),
      0);
  const nlohmann::json json = read_json(path("cli-seg") / "metrics.json");
  EXPECT_DOUBLE_EQ(json["foreground_threshold"].get<double>(), 0.3);
}

}  // namespace
}  // namespace camlab::experiments
