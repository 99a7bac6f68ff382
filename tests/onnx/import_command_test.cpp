// `camlab import`: an ONNX file becomes a graph checkpoint that loads back and runs like the file;
// an unsupported op is one line on stderr, exit status 1, and no file is written.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "autograd/grad_mode.h"
#include "nn/graph/graph_checkpoint.h"
#include "nn/onnx/graph_model.h"
#include "nn/onnx/onnx_import.h"
#include "tests/experiments/temp_dir.h"
#include "tests/support/values.h"

namespace camlab {
namespace {

namespace fs = std::filesystem;

const fs::path kTestData = CAMLAB_ONNX_TESTDATA_DIR;
const std::string kCamlab = std::string(CAMLAB_BINARY_DIR) + "/camlab";

int run_camlab(const fs::path& dir, const std::string& args, std::string* err) {
  const std::string cmd = "cd " + dir.string() + " && " + kCamlab + " " + args + " 2> err > out";
  const int status = std::system(cmd.c_str());
  std::ifstream in(dir / "err");
  err->assign(std::istreambuf_iterator<char>(in), {});
  return WEXITSTATUS(status);
}

TEST(ImportCommand, WritesACheckpointThatRunsLikeTheOnnxFile) {
  const fs::path model = kTestData / "pytorch-converted/test_Conv2d_groups/model.onnx";
  if (!fs::exists(model)) GTEST_SKIP() << model << " is absent (apt install libonnx-testdata)";
  test::TempDir dir;
  std::string err;
  ASSERT_EQ(run_camlab(dir.path(), "import " + model.string() + " --out conv.h5", &err), 0) << err;
  ASSERT_TRUE(nn::is_graph_checkpoint(dir.path() / "conv.h5"));
  std::shared_ptr<nn::Graph> from_file = nn::load_graph_model(model);
  std::shared_ptr<nn::Graph> from_checkpoint = nn::load_graph_model(dir.path() / "conv.h5");
  const Tensor x = nn::read_onnx_tensor(model.parent_path() / "test_data_set_0/input_0.pb");
  autograd::NoGradGuard no_grad;
  EXPECT_EQ(test::values((*from_checkpoint)(x)), test::values((*from_file)(x)));
}

TEST(ImportCommand, UnsupportedOpIsOneLineAndWritesNothing) {
  const fs::path model = kTestData / "node/test_softplus/model.onnx";
  if (!fs::exists(model)) GTEST_SKIP() << model << " is absent (apt install libonnx-testdata)";
  test::TempDir dir;
  std::string err;
  EXPECT_EQ(run_camlab(dir.path(), "import " + model.string() + " --out m.h5", &err), 1);
  EXPECT_NE(err.find("has op type 'Softplus'"), std::string::npos) << err;
  EXPECT_NE(err.find("supported ops: Abs, Add"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_FALSE(fs::exists(dir.path() / "m.h5"));
}

}  // namespace
}  // namespace camlab
