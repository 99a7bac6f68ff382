// nn::Graph on a hand-built GraphDef shaped like a torch.onnx export: layer names (ONNX outputs and
// PyTorch module paths), the default CAM layer, hooks, symbolic batch, unsupported-op errors,
// gradients against finite differences, and the HDF5 checkpoint round trip.
#include "nn/graph/graph.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "cam/methods/layers.h"
#include "cam/methods/method.h"
#include "cam/methods/relu_rules.h"
#include "nn/graph/gelu_fusion.h"
#include "nn/graph/graph_checkpoint.h"
#include "nn/sequential.h"
#include "tests/support/tiny_graph.h"
#include "tests/support/values.h"

namespace camlab {
namespace {

using nn::Attribute;
using nn::GraphDef;
using nn::NodeDef;

using test::tiny_net;

TEST(Graph, ModulePathsFollowTorchOnnxScopes) {
  EXPECT_EQ(nn::module_path_of("/layer4/layer4.1/relu_1/Relu"), "layer4.1.relu_1");
  EXPECT_EQ(nn::module_path_of("/features/features.18/Relu"), "features.18");
  EXPECT_EQ(nn::module_path_of("/Flatten"), "");
  EXPECT_EQ(nn::module_path_of("Conv_0"), "");
}

TEST(Graph, RunsAtAnyBatchAndMatchesTheOpsByHand) {
  nn::Graph graph(tiny_net());
  Generator gen(1);
  for (int64_t batch : {1, 3}) {
    Tensor x = ops::randn({batch, 2, 6, 6}, gen);
    Tensor a = relu(conv2d(x, graph.weight("features.0.weight"), graph.weight("features.0.bias"),
                           {.kernel = {3, 3}, .padding = {1, 1}}));
    Tensor want = linear(mean(a, {2, 3}), graph.weight("fc.weight"), graph.weight("fc.bias"));
    EXPECT_EQ(test::values(graph(x)), test::values(want));
  }
  EXPECT_THROW(graph(ops::zeros({1, 3, 6, 6})), Error);  // 3 channels, the model takes 2
}

TEST(Graph, LayersAnswerToOnnxNamesAndModulePathsAndSuggestOtherwise) {
  nn::Graph graph(tiny_net());
  const std::string relu = graph.resolve_layer("/features/features.1/Relu_output_0", "test");
  EXPECT_EQ(graph.resolve_layer("features", "test"), relu);  // last node in /features/
  EXPECT_EQ(graph.resolve_layer("features.1", "test"), relu);
  EXPECT_EQ(graph.resolve_layer("/features/features.1/Relu", "test"), relu);
  EXPECT_NE(graph.resolve_layer("features.0", "test"), relu);
  try {
    graph.resolve_layer("featurs", "gradcam");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gradcam: no layer 'featurs'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("nearest: features"), std::string::npos) << e.what();
  }
}

TEST(Graph, DefaultCamLayerIsTheLastMapBeforeGlobalPooling) {
  nn::Graph graph(tiny_net());
  const std::string layer = cam::default_target_layer(graph, ops::zeros({2, 2, 6, 6}), "gradcam");
  EXPECT_EQ(layer, graph.resolve_layer("features.1", "test"));
}

TEST(Graph, NodeOutputsCanBeHookedAndReplaced) {
  nn::Graph graph(tiny_net());
  Tensor seen;
  nn::ScopedForwardHook hook =
      graph.layer("features")
          .register_forward_hook([&](nn::Module&, const Tensor&, const Tensor& y) -> Tensor {
            seen = y;
            return ops::zeros_like(y);  // zero activations: the logits are the bias alone
          });
  Tensor logits = graph(ops::ones({1, 2, 6, 6}));
  EXPECT_EQ(seen.shape(), (Shape{1, 4, 6, 6}));
  EXPECT_EQ(test::values(logits), test::values(graph.weight("fc.bias")));
}

// A Conv read by a Relu alone runs as one fused convolution (the ReLU in its epilogue): the same
// values and gradients as the two nodes run apart, and a hook on the Conv still sees its own,
// signed output because a hooked pair is not fused.
TEST(Graph, ConvReluPairRunsFusedWithTheUnfusedValuesAndGradients) {
  nn::Graph graph(tiny_net());
  Generator gen(5);
  const Tensor x = ops::randn({2, 2, 6, 6}, gen);  // [2, 2, 6, 6]
  auto logits_and_grad = [&] {
    Tensor input = x.clone().set_requires_grad(true);
    Tensor logits = graph(input);
    backward(sum(logits));
    return std::make_pair(test::values(logits), test::values(input.grad()));
  };
  const auto fused = logits_and_grad();
  nn::set_conv_relu_fusion(false);
  const auto apart = logits_and_grad();
  nn::set_conv_relu_fusion(true);
  EXPECT_EQ(fused.first, apart.first);
  EXPECT_EQ(fused.second, apart.second);

  Tensor conv_output;
  nn::ScopedForwardHook hook =
      graph.layer("features.0")
          .register_forward_hook([&](nn::Module&, const Tensor&, const Tensor& y) {
            conv_output = y;
            return Tensor();
          });
  EXPECT_EQ(test::values(graph(x)), fused.first);
  ASSERT_TRUE(conv_output.defined());
  EXPECT_LT(ops::amin(detach(conv_output)).item(), 0.0);  // before the ReLU
}

// Guided backpropagation reaches an imported graph's Relu nodes as it reaches nn::ReLU layers: the
// attributions equal the same forward written by hand with the guided ReLU in place.
TEST(Graph, GuidedBackpropRuleReplacesTheReluNodes) {
  nn::Graph graph(tiny_net());
  Generator gen(6);
  const Tensor x = ops::randn({2, 2, 6, 6}, gen);  // [2, 2, 6, 6]
  const Tensor classes = Tensor::from_vector<int64_t>({0, 2}, {2});
  auto guided = cam::make_method("guided-backprop", graph, {});
  const cam::Explanation e = guided->explain(x, cam::Target::labels(classes));

  Tensor input = x.clone().set_requires_grad(true);
  Tensor a =
      cam::rule_relu(conv2d(input, graph.weight("features.0.weight"),
                            graph.weight("features.0.bias"), {.kernel = {3, 3}, .padding = {1, 1}}),
                     cam::ReluRule::Guided);  // [2, 4, 6, 6]
  Tensor logits = linear(mean(a, {2, 3}), graph.weight("fc.weight"), graph.weight("fc.bias"));
  backward(sum(gather(logits, 1, unsqueeze(classes, 1))));
  const std::vector<double> got = test::values(e.attributions);
  const std::vector<double> want = test::values(input.grad());
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << "element " << i;
}

TEST(Graph, GradientsMatchFiniteDifferences) {
  nn::Graph graph(tiny_net(DType::Float64));
  Generator gen(2);
  Tensor x = ops::randn({2, 2, 6, 6}, gen, DType::Float64);
  autograd::GradcheckResult r = autograd::gradcheck(
      [&](const std::vector<Tensor>& in) { return graph(in[0]); }, {x.set_requires_grad(true)});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(Graph, UnsupportedOpIsOneLineNamingNodeOpAndOpset) {
  GraphDef def = tiny_net();
  def.nodes[1].op_type = "Mish";
  try {
    nn::Graph graph(def);
    FAIL() << "no error";
  } catch (const nn::Unsupported& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("node '/features/features.1/Relu' has op type 'Mish' (opset 13)"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("supported ops: Abs, Add,"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
}

TEST(Graph, CheckpointRoundTripKeepsGraphAndWeights) {
  nn::Graph graph(tiny_net());
  const auto path = std::filesystem::temp_directory_path() / "camlab_graph_roundtrip.h5";
  nn::save_graph_checkpoint(path, graph);
  ASSERT_TRUE(nn::is_graph_checkpoint(path));
  std::shared_ptr<nn::Graph> back = nn::load_graph_checkpoint(path);
  std::filesystem::remove(path);
  EXPECT_EQ(back->def().nodes.size(), graph.def().nodes.size());
  EXPECT_EQ(back->def().opset, 13);
  EXPECT_EQ(back->resolve_layer("features", "test"), graph.resolve_layer("features", "test"));
  Tensor x = ops::ones({2, 2, 6, 6});
  EXPECT_EQ(test::values((*back)(x)), test::values(graph(x)));
}

// One node over input "x" [1, 2, 5, 5] (float64) with extra int64 weights.
GraphDef one_node(const std::string& op, std::map<std::string, Attribute> attributes,
                  std::vector<nn::NamedWeight> weights = {}) {
  GraphDef def;
  def.opset = 13;
  def.inputs = {{"x", {1, 2, 5, 5}}};
  def.outputs = {"y"};
  std::vector<std::string> inputs{"x"};
  for (const auto& w : weights) inputs.push_back(w.name);
  def.weights = std::move(weights);
  def.nodes = {{op, op, inputs, {"y"}, std::move(attributes)}};
  return def;
}

// What fine-tuning needs: the gradients reaching the graph's own weights (the conv and the Gemm,
// weights and biases) match finite differences too.
TEST(Graph, WeightGradientsMatchFiniteDifferences) {
  const nn::GraphDef base = tiny_net(DType::Float64);
  Generator gen(4);
  const Tensor x = ops::randn({2, 2, 6, 6}, gen, DType::Float64);  // [2, 2, 6, 6]
  std::vector<Tensor> weights;
  for (const nn::NamedWeight& w : base.weights)
    weights.push_back(w.value.clone().set_requires_grad(true));
  autograd::GradcheckResult r = autograd::gradcheck(
      [&](const std::vector<Tensor>& in) {
        nn::GraphDef def = base;
        for (size_t i = 0; i < in.size(); ++i) def.weights[i].value = in[i];
        nn::Graph graph(std::move(def));
        return graph(x);
      },
      weights);
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(GraphOps, ComposedOpsHaveFiniteDifferenceGradients) {
  const std::vector<GraphDef> cases = {
      one_node("Pad", {},
               {{"pads", Tensor::from_vector<int64_t>({0, 0, 1, -1, 0, 1, 2, 0}, {8}), false}}),
      one_node("MaxPool", {{"kernel_shape", Attribute::ints({3, 3})},
                           {"strides", Attribute::ints({2, 2})},
                           {"ceil_mode", Attribute::integer(1)}}),
      one_node("AveragePool", {{"kernel_shape", Attribute::ints({2, 2})},
                               {"strides", Attribute::ints({2, 2})},
                               {"pads", Attribute::ints({1, 0, 0, 1})},
                               {"ceil_mode", Attribute::integer(1)}}),
      one_node(
          "Conv",
          {{"auto_pad", Attribute::string("SAME_UPPER")}, {"strides", Attribute::ints({2, 2})}},
          {{"w", ops::linspace(-1, 1, 2 * 2 * 2 * 2, DType::Float64).reshape({2, 2, 2, 2}),
            false}}),
      one_node("HardSigmoid", {{"alpha", Attribute::real(0.3)}})};
  Generator gen(5);
  for (const GraphDef& def : cases) {
    nn::Graph graph(def);
    Tensor x = ops::randn({1, 2, 5, 5}, gen, DType::Float64);
    autograd::GradcheckResult r = autograd::gradcheck(
        [&](const std::vector<Tensor>& in) { return graph(in[0]); }, {x.set_requires_grad(true)});
    EXPECT_TRUE(r.ok) << def.nodes[0].op_type << ": " << r.message;
  }
}

TEST(GraphOps, CeilModeAveragePoolDividesByTheWindowInsideTheInput) {
  // 3×3 input, 2×2 windows, stride 2, ceil_mode: the last row and column of windows hang over the
  // edge and average only the cells inside (PyTorch's and ONNX's divisor).
  GraphDef def = one_node("AveragePool", {{"kernel_shape", Attribute::ints({2, 2})},
                                          {"strides", Attribute::ints({2, 2})},
                                          {"ceil_mode", Attribute::integer(1)}});
  def.inputs = {{"x", {1, 1, 3, 3}}};
  nn::Graph graph(def);
  Tensor x = ops::arange(0, 9, 1, DType::Float32).reshape({1, 1, 3, 3});
  EXPECT_EQ(test::values(graph(x)), (std::vector<double>{2.0, 3.5, 6.5, 8.0}));
}

TEST(GraphOps, ExportedExactGeluChainBecomesOneGeluNode) {
  // torch.onnx's exact GELU before opset 20: Div(x, √2), Erf, Add(1), Mul(x, ·), Mul(0.5).
  auto scalar = [](const std::string& name, double v) {
    return nn::NamedWeight{name, Tensor::from_vector(std::vector<float>{static_cast<float>(v)}, {}),
                           false};
  };
  GraphDef def;
  def.opset = 13;
  def.inputs = {{"x", {-1, 4}}};
  def.outputs = {"y"};
  def.weights = {scalar("sqrt2", std::sqrt(2.0)), scalar("one", 1.0), scalar("half", 0.5)};
  def.nodes = {{"/act/Div", "Div", {"x", "sqrt2"}, {"d"}, {}},
               {"/act/Erf", "Erf", {"d"}, {"e"}, {}},
               {"/act/Add", "Add", {"e", "one"}, {"a"}, {}},
               {"/act/Mul", "Mul", {"x", "a"}, {"m"}, {}},
               {"/act/Mul_1", "Mul", {"m", "half"}, {"y"}, {}}};
  EXPECT_EQ(nn::fuse_exact_gelu(def), 1);
  ASSERT_EQ(def.nodes.size(), 1u);
  EXPECT_EQ(def.nodes[0].op_type, "Gelu");
  EXPECT_EQ(def.nodes[0].name, "/act/Mul_1");  // the chain's last node keeps its name and output
  nn::Graph graph(def);
  Tensor x = ops::linspace(-3, 3, 8, DType::Float32).reshape({2, 4});
  EXPECT_EQ(test::values(graph(x)), test::values(ops::gelu(x)));

  def.weights[0] = scalar("sqrt2", 2.0);  // not √2: not a GELU, left alone (and Erf unsupported)
  def.nodes = {{"/act/Div", "Div", {"x", "sqrt2"}, {"d"}, {}},
               {"/act/Erf", "Erf", {"d"}, {"y"}, {}}};
  EXPECT_EQ(nn::fuse_exact_gelu(def), 0);
  EXPECT_EQ(def.nodes.size(), 2u);
}

}  // namespace
}  // namespace camlab
