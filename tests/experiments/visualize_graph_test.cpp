// run_visualize on an imported graph: no dataset needed (the image shape comes from the model
// file, the inputs are bounded to the ImageNet-normalised range of [0, 1] pixels), the ascent
// raises the channel it is asked to, DeepDream starts from a photo, and a graph without a start
// image is a one-line error naming the flags that give one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "experiments/visualize/run_visualize.h"
#include "nn/graph/graph_checkpoint.h"
#include "tests/experiments/temp_dir.h"
#include "tests/support/tiny_graph.h"

namespace camlab::experiments {
namespace {

namespace fs = std::filesystem;

const fs::path kPhotos = "/usr/lib/python3/dist-packages/skimage/data";  // python3-skimage

fs::path write_tiny_graph(const test::TempDir& dir) {
  const fs::path path = dir.path() / "tiny.h5";
  nn::save_graph_checkpoint(path, nn::Graph(test::tiny_net(DType::Float32, 3)));
  return path;
}

TEST(VisualizeGraph, ChannelAscentNeedsNoDatasetAndStaysInTheImageNetRange) {
  test::TempDir dir;
  const VisualizeOutcome o = run_visualize({.run = write_tiny_graph(dir).string(),
                                            .layer = "features.1",
                                            .channels = "0:2",
                                            .recipe = "lucid",
                                            .steps = 8,
                                            .out = dir.path() / "vis"});
  EXPECT_TRUE(fs::exists(o.figure));
  std::ifstream in(o.record);
  const nlohmann::json record = nlohmann::json::parse(in);
  EXPECT_EQ(record["image_shape"], nlohmann::json({3, 6, 6}));  // as the file declares
  // [min_c (0 - mean_c) / std_c, max_c (1 - mean_c) / std_c] with ImageNet's mean and std
  EXPECT_NEAR(record["value_range"][0].get<double>(), -0.485 / 0.229, 1e-9);
  EXPECT_NEAR(record["value_range"][1].get<double>(), (1 - 0.406) / 0.225, 1e-9);
  ASSERT_EQ(o.result.record.units.size(), 2u);
  for (const auto& unit : o.result.record.units) {
    EXPECT_GT(unit.final_objective, unit.start_objective) << "channel " << unit.unit;
  }
}

TEST(VisualizeGraph, DeepDreamStartsFromAPhotoOrSaysHowToGiveOne) {
  test::TempDir dir;
  const fs::path model = write_tiny_graph(dir);
  try {
    run_visualize({.run = model.string(), .layer = "features.1", .objective = "deepdream"});
    FAIL() << "deepdream without a start image ran";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pass --photo FILE"), std::string::npos) << e.what();
  }
  if (!fs::exists(kPhotos / "chelsea.png")) GTEST_SKIP() << "python3-skimage is not installed";
  const VisualizeOutcome o = run_visualize({.run = model.string(),
                                            .layer = "features.1",
                                            .objective = "deepdream",
                                            .steps = 4,
                                            .photo = (kPhotos / "chelsea.png").string(),
                                            .out = dir.path() / "dream"});
  EXPECT_TRUE(fs::exists(o.figure));
  ASSERT_EQ(o.result.record.units.size(), 1u);
  EXPECT_GT(o.result.record.units[0].final_objective, o.result.record.units[0].start_objective);
  EXPECT_EQ(o.result.record.image_shape, (std::vector<int64_t>{3, 6, 6}));
}

}  // namespace
}  // namespace camlab::experiments
