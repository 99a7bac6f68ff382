#include "experiments/config/layer_schema.h"

namespace camlab::experiments {
namespace {

KeySpec required_int(std::string key, Range range, std::string doc) {
  return {std::move(key), Kind::Int, "", range, {}, false, std::move(doc)};
}
KeySpec int_key(std::string key, std::string dflt, Range range, std::string doc) {
  return {std::move(key), Kind::Int, std::move(dflt), range, {}, false, std::move(doc)};
}
KeySpec float_key(std::string key, std::string dflt, Range range, std::string doc) {
  return {std::move(key), Kind::Float, std::move(dflt), range, {}, false, std::move(doc)};
}
KeySpec bool_key(std::string key, std::string dflt, std::string doc) {
  return {std::move(key), Kind::Bool, std::move(dflt), {}, {}, false, std::move(doc)};
}

LayerType make_type(std::string type, std::string doc, std::vector<KeySpec> own_keys) {
  std::vector<KeySpec> keys = {
      {"type", Kind::String, "", {}, {}, false, "layer type"},
      {"name",
       Kind::String,
       R"("")",
       {},
       {},
       false,
       "module name for CAM layers and checkpoints; empty = its index"},
      int_key("repeat", "1", at_least(1),
              "N copies in sequence (a stride applies to the first copy only)"),
      {"inputs",
       Kind::StringArray,
       "[]",
       {},
       {},
       false,
       "names of earlier layers it reads (\"input\": the model's input); [] = the layer before"},
  };
  for (KeySpec& key : own_keys) keys.push_back(std::move(key));
  return {std::move(type), std::move(doc), std::move(keys)};
}

std::vector<LayerType> make_layer_types() {
  const KeySpec in = int_key("in", "0", at_least(0), "input channels/features; 0 = inferred");
  const KeySpec bias = bool_key("bias", "true", "learnable bias");
  const std::vector<KeySpec> pool = {
      int_key("kernel", "2", at_least(1), "window side"),
      int_key("stride", "0", at_least(0), "step; 0 = kernel"),
      int_key("pad", "0", at_least(0), "zero padding per side"),
  };
  return {
      make_type("conv", "2-D convolution",
                {required_int("out", at_least(1), "output channels"), in,
                 int_key("kernel", "3", at_least(1), "kernel side"),
                 int_key("stride", "1", at_least(1), "step"),
                 int_key("pad", "0", at_least(0), "zero padding per side"),
                 int_key("dilation", "1", at_least(1), "kernel dilation"),
                 int_key("groups", "1", at_least(1), "channel groups"), bias}),
      make_type("linear", "fully connected",
                {required_int("out", at_least(1), "output features"), in, bias}),
      make_type("relu", "max(x, 0)", {}),
      make_type("leaky_relu", "max(x, slope·x)",
                {float_key("slope", "0.01", at_least(0), "negative slope")}),
      make_type("elu", "x, or alpha·(exp(x) − 1) below 0",
                {float_key("alpha", "1.0", above(0), "saturation value")}),
      make_type("gelu", "x·Φ(x)", {}),
      make_type("sigmoid", "1 / (1 + exp(−x))", {}),
      make_type("tanh", "tanh(x)", {}),
      make_type("maxpool", "max over windows", pool),
      make_type("avgpool", "mean over windows", pool),
      make_type("gap", "global average pooling [N, C, H, W] -> [N, C]", {}),
      make_type("flatten", "[N, ...] -> [N, features]", {}),
      make_type("dropout", "zero activations with probability p while training",
                {float_key("p", "0.5", half_open(0, 1), "drop probability")}),
      make_type("batchnorm", "batch normalization (2-D after conv, 1-D after linear)",
                {float_key("eps", "1e-05", above(0), "variance guard"),
                 float_key("momentum", "0.1", closed(0, 1), "running-statistics update")}),
      // He et al. 2016, "Deep residual learning", the basic two-convolution block.
      make_type("residual",
                "conv-BN-ReLU-conv-BN plus identity (or 1x1 projection) shortcut, then ReLU",
                {required_int("out", at_least(1), "output channels"),
                 int_key("stride", "1", at_least(1), "stride of the first conv and shortcut"),
                 int_key("kernel", "3", at_least(1), "kernel side (odd)"),
                 bool_key("batchnorm", "true", "batch normalization after each conv")}),
      // torchvision's ResNet v1.5 Bottleneck (He et al. 2016, fig. 5 right).
      make_type("bottleneck",
                "1x1 reduce, 3x3 with the stride, 1x1 expand, BN after each, plus identity (or 1x1 "
                "projection) shortcut, then ReLU",
                {required_int("out", at_least(1), "output channels"),
                 int_key("mid", "0", at_least(0), "width of the 1x1 reduction; 0 = out / 4"),
                 int_key("stride", "1", at_least(1), "stride of the 3x3 conv and shortcut")}),
      make_type("add", "elementwise sum of its inputs (equal shapes)", {}),
      make_type("concat", "its inputs joined along channels (same N, H, W)", {}),
      make_type("mul",
                "elementwise product of its inputs; an [N, C] input gates each channel of an "
                "[N, C, H, W] one (squeeze-and-excitation)",
                {}),
      make_type("upsample", "resize by a factor",
                {float_key("scale", "2.0", above(0), "size multiplier"),
                 {"mode",
                  Kind::String,
                  R"("nearest")",
                  {},
                  {"nearest", "bilinear"},
                  false,
                  "interpolation"}}),
      make_type("softmax", "softmax over classes", {}),
      make_type("block", "the layers of [model.blocks].<block>",
                {{"block", Kind::String, "", {}, {}, false, "name of a model.blocks entry"}}),
  };
}

}  // namespace

const std::vector<LayerType>& layer_types() {
  static const std::vector<LayerType> types = make_layer_types();
  return types;
}

const LayerType* find_layer_type(std::string_view type) {
  for (const LayerType& t : layer_types()) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

const KeySpec* find_layer_key(const LayerType& type, std::string_view key) {
  for (const KeySpec& k : type.keys) {
    if (k.path == key) return &k;
  }
  return nullptr;
}

std::vector<std::string> layer_type_names() {
  std::vector<std::string> names;
  for (const LayerType& t : layer_types()) names.push_back(t.type);
  return names;
}

std::vector<std::string> layer_key_names(const LayerType& type) {
  std::vector<std::string> names;
  for (const KeySpec& k : type.keys) names.push_back(k.path);
  return names;
}

}  // namespace camlab::experiments
