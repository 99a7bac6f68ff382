// camlab explain on real photos end to end: a camlab-trained GAP net (tiny-synthetic, RGB) explains
// Debian's scikit-image photos through the ImageNet recipe, with a map per class, top-k lines,
// full-resolution overlays, the 224x224 RGB --data path and one-line errors for bad files.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "cam/render/png_io.h"
#include "datasets/hdf5_dataset.h"
#include "datasets/image_file.h"
#include "datasets/shapes.h"
#include "experiments/config/config.h"
#include "experiments/explain/class_names.h"
#include "experiments/explain/explanations_file.h"
#include "experiments/train/trainer.h"
#include "tests/experiments/temp_dir.h"
#include "tests/support/values.h"

namespace camlab::experiments {
namespace {

namespace fs = std::filesystem;
using test::values;

const std::string kCamlab = std::string(CAMLAB_BINARY_DIR) + "/camlab";
const fs::path kPhotos = "/usr/lib/python3/dist-packages/skimage/data";  // python3-skimage

struct Cli {
  int status;
  std::string out, err;
};

Cli run_camlab(const test::TempDir& dir, const std::string& args) {
  const std::string cmd =
      "cd " + dir.path().string() + " && " + kCamlab + " " + args + " > out 2> err";
  const int status = std::system(cmd.c_str());
  auto slurp = [&](const char* name) {
    std::ifstream in(dir.path() / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  return {WEXITSTATUS(status), slurp("out"), slurp("err")};
}

// A 3-channel tiny-synthetic GAP net after one short epoch: random-ish weights, real pipeline.
fs::path train_tiny_rgb(const test::TempDir& dir) {
  const Config cfg =
      load_config(std::string(CAMLAB_SOURCE_DIR) + "/experiments/configs/tiny-synthetic.toml",
                  {"data.channels=3", "data.train_count=64", "data.test_count=16", "train.epochs=1",
                   "experiment.threads=1"});
  train_experiment(cfg, {.out = dir.path() / "run", .progress = 0});
  return dir.path() / "run";
}

class ExplainPhotos : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kCamlab)) GTEST_SKIP() << "the camlab binary is not built";
    if (!fs::exists(kPhotos / "chelsea.png")) GTEST_SKIP() << "python3-skimage is not installed";
  }
};

TEST_F(ExplainPhotos, MapPerClassTopKAndFullResolutionOverlays) {
  test::TempDir dir;
  const fs::path run = train_tiny_rgb(dir);
  fs::create_directories(dir.path() / "more");
  fs::copy_file(kPhotos / "coffee.png", dir.path() / "more" / "coffee.png");
  std::ofstream(dir.path() / "labels.txt") << "circle\nsquare\ntriangle\ncross\n";
  const Cli r =
      run_camlab(dir, "explain " + run.string() + " --image " + (kPhotos / "chelsea.png").string() +
                          " --images more --labels labels.txt --methods cam,gradcam"
                          " --target circle,2 --out figs --h5 maps.h5");
  ASSERT_EQ(r.status, 0) << r.err;
  // Top-k: the model has 4 classes, so 4 named classes per photo, most probable first.
  EXPECT_NE(r.out.find("chelsea.png: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("coffee.png: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gradcam: triangle"), std::string::npos) << r.out;

  // One map per (class, method), at the 224 x 224 crop the ImageNet recipe makes.
  const ExplanationsFile maps = read_explanations(dir.path() / "maps.h5");
  EXPECT_EQ(maps.inputs.shape(), (Shape{2, 3, 224, 224}));
  for (const char* key : {"cam:circle", "cam:2", "gradcam:circle", "gradcam:2"}) {
    ASSERT_TRUE(maps.maps.count(key)) << key;
    EXPECT_EQ(maps.maps.at(key).shape(), (Shape{2, 224, 224})) << key;
  }
  const Tensor a = maps.maps.at("cam:circle").contiguous(), b = maps.maps.at("cam:2").contiguous();
  EXPECT_FALSE(std::equal(a.data<float>(), a.data<float>() + a.numel(), b.data<float>()))
      << "CAM for two different classes must differ";

  // The figure: 2 rows; the overlays: the photos at their own size, coloured only inside the
  // crop. Chelsea is 451 x 300: resized to 384 x 256, cropped at x 80, y 16, so the crop covers
  // x 94..357, y 19..281 of the photo.
  EXPECT_TRUE(fs::exists(dir.path() / "figs" / "explain.png"));
  const datasets::Image8 photo = datasets::read_image((kPhotos / "chelsea.png").string());
  const render::RgbImage full =
      render::read_png(dir.path() / "figs" / "chelsea_gradcam_triangle.png");
  ASSERT_EQ(full.width, 451);
  ASSERT_EQ(full.height, 300);
  auto photo_pixel = [&](int64_t x, int64_t y) {
    const uint8_t* p = &photo.pixels[(y * photo.width + x) * 3];
    return render::Rgb{p[0], p[1], p[2]};
  };
  for (auto [x, y] : {std::pair<int64_t, int64_t>{10, 150}, {440, 5}, {200, 295}}) {
    EXPECT_EQ(full.pixel(x, y), photo_pixel(x, y)) << "outside the crop at " << x << "," << y;
  }
  int64_t changed = 0;
  for (int64_t y = 40; y < 260; y += 10) {
    for (int64_t x = 120; x < 330; x += 10) changed += full.pixel(x, y) != photo_pixel(x, y);
  }
  EXPECT_GT(changed, 400) << "the map is blended over the crop";
  EXPECT_TRUE(fs::exists(dir.path() / "figs" / "coffee_cam_circle.png"));
}

TEST_F(ExplainPhotos, RgbDatasetAt224AndBadFiles) {
  test::TempDir dir;
  const fs::path run = train_tiny_rgb(dir);
  datasets::write_hdf5_dataset((dir.path() / "shapes224.h5").string(),
                               datasets::make_shapes({.n = 3, .size = 224, .channels = 3}));
  Cli r = run_camlab(dir, "explain " + run.string() +
                              " --data shapes224.h5 --indices 0:3 --methods gradcam --out d");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir.path() / "d" / "explain.png"));

  const std::string truncated = std::string(CAMLAB_FIXTURE_DIR) + "/images/truncated.jpg";
  r = run_camlab(dir, "explain " + run.string() + " --image " + truncated);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(truncated), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  r = run_camlab(dir, "explain " + run.string() + " --image " + (kPhotos / "chelsea.png").string() +
                          " --target label");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("photos have no labels"), std::string::npos) << r.err;
}

// The target flags: --target top2 with --score softmax writes one map per (method, rank) with
// each image's classes recorded, --reference-image explains the cosine to a photo, and a bad
// --score or topK is one line naming what is valid.
TEST_F(ExplainPhotos, TopKScoreAndReferenceImageFlags) {
  test::TempDir dir;
  const fs::path run = train_tiny_rgb(dir);
  const fs::path photo = kPhotos / "chelsea.png";
  const std::string base =
      "explain " + run.string() + " --image " + photo.string() + " --resize 40 --crop 32";

  Cli r = run_camlab(dir, base + " --methods gradcam --target top2 --score softmax --h5 a.h5");
  ASSERT_EQ(r.status, 0) << r.err;
  const ExplanationsFile top = read_explanations(dir.path() / "a.h5");
  ASSERT_TRUE(top.classes.count("gradcam:top1") && top.classes.count("gradcam:top2"));
  EXPECT_NE(values(top.classes.at("gradcam:top1")), values(top.classes.at("gradcam:top2")));
  EXPECT_EQ(top.maps.at("gradcam:top2").shape(), (Shape{1, 32, 32}));

  r = run_camlab(dir,
                 base + " --methods gradcam --reference-image " + photo.string() + " --h5 b.h5");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_explanations(dir.path() / "b.h5").maps.at("gradcam").shape(), (Shape{1, 32, 32}));

  r = run_camlab(dir, base + " --score prob");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("logit, softmax, sigmoid"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = run_camlab(dir, base + " --target top9");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("top9"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(ClassNames, FileIndexAndTopK) {
  test::TempDir dir;
  std::ofstream(dir.path() / "names.txt") << "tench\ngoldfish \ntiger cat\n\n";
  const std::vector<std::string> names = read_class_names(dir.path() / "names.txt");
  ASSERT_EQ(names, (std::vector<std::string>{"tench", "goldfish", "tiger cat"}));
  EXPECT_EQ(class_index("tiger cat", names, 3), 2);
  EXPECT_EQ(class_index("1", names, 3), 1);
  EXPECT_THROW(class_index("3", names, 3), Error);
  try {
    class_index("cat", names, 3);
    ADD_FAILURE() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("names containing it: tiger cat"), std::string::npos);
  }
  const std::vector<ClassScore> top =
      top_classes(Tensor::from_vector(std::vector<float>{0.1f, 0.6f, 0.1f, 0.2f}, {4}), 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].index, 1);
  EXPECT_EQ(top[1].index, 3);
  EXPECT_EQ(top[2].index, 0) << "ties go to the lower index";
  // The shipped ImageNet list: 1000 names, torchvision's order.
  const std::vector<std::string> imagenet =
      read_class_names(std::string(CAMLAB_SOURCE_DIR) + "/experiments/labels/imagenet1k.txt");
  ASSERT_EQ(imagenet.size(), 1000u);
  EXPECT_EQ(imagenet[242], "boxer");
  EXPECT_EQ(imagenet[282], "tiger cat");
}

// The path the README promises: a torchvision network exported to ONNX (random weights from a
// fixed seed, 64x64 so it stays fast) explained on a photo with no dataset at all, ImageNet labels
// and top-5 printed, one overlay per (method, class) on the full-resolution photo.
TEST_F(ExplainPhotos, OnnxResNetOnAPhotoWithoutAnyDataset) {
  test::TempDir dir;
  const std::string export_cmd = "python3 " + std::string(CAMLAB_SOURCE_DIR) +
                                 "/tools/export_torchvision_onnx.py resnet18 --random --size 64 "
                                 "--out " +
                                 dir.path().string() + " > /dev/null 2>&1";
  if (std::system(export_cmd.c_str()) != 0 || !fs::exists(dir.path() / "resnet18.onnx")) {
    GTEST_SKIP() << "python3 with torch and torchvision is needed to export resnet18";
  }
  const Cli r = run_camlab(
      dir, "explain resnet18.onnx --image " + (kPhotos / "chelsea.png").string() +
               " --resize 72 --crop 64 --methods gradcam,scorecam --layer layer4 --target pred,281"
               " --labels " +
               std::string(CAMLAB_SOURCE_DIR) + "/experiments/labels/imagenet1k.txt --out maps");
  ASSERT_EQ(r.status, 0) << r.err;
  // The top-5 line of the photo: "…chelsea…: NAME p, NAME p, NAME p, NAME p, NAME p"
  const size_t line = r.out.find("chelsea");
  ASSERT_NE(line, std::string::npos) << r.out;
  const std::string top = r.out.substr(line, r.out.find('\n', line) - line);
  EXPECT_EQ(std::count(top.begin(), top.end(), ','), 4) << top;
  EXPECT_NE(r.out.find("tabby"), std::string::npos)
      << "class 281 is named from --labels: " << r.out;
  EXPECT_TRUE(fs::exists(dir.path() / "maps" / "explain.png"));
  int overlays = 0;
  for (const auto& entry : fs::directory_iterator(dir.path() / "maps")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("chelsea_", 0) == 0) {
      ++overlays;
      const datasets::Image8 overlay = datasets::read_image(entry.path());
      EXPECT_EQ(overlay.width, 451) << name << ": drawn on the photo at its full resolution";
      EXPECT_EQ(overlay.height, 300) << name;
    }
  }
  EXPECT_EQ(overlays, 4) << "2 methods x 2 classes";
  // Without a photo, an imported model has no test set to explain: one line saying what to pass.
  const Cli bare = run_camlab(dir, "explain resnet18.onnx --methods gradcam");
  EXPECT_EQ(bare.status, 1) << bare.err;
  EXPECT_NE(bare.err.find("--data"), std::string::npos) << bare.err;
}

}  // namespace
}  // namespace camlab::experiments
