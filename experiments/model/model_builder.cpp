#include "experiments/model/model_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "autograd/grad_mode.h"
#include "nn/activation.h"
#include "nn/batch_norm.h"
#include "nn/bottleneck_block.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/merge.h"
#include "nn/pool.h"
#include "nn/residual_block.h"
#include "nn/upsample.h"
#include "tensor/ops.h"
#include "tensor/suggest.h"

namespace camlab::experiments {
namespace {

// The shape flowing between layers: [C, H, W] while spatial, [F] once flattened.
struct FeatureShape {
  Shape dims;
  bool spatial() const { return dims.size() == 3; }
  int64_t channels() const { return dims[0]; }
  int64_t features() const { return numel(dims); }
};

std::string describe(const LayerSpec& layer, const std::string& name) {
  return fmt::format("{}: layer '{}' ({})", layer.where, name, layer.type);
}

void require_spatial(const LayerSpec& layer, const std::string& name, const FeatureShape& in) {
  CAMLAB_CHECK(in.spatial(), "{} needs a [C, H, W] input but receives {} (after a flatten or gap)",
               describe(layer, name), shape_str(in.dims));
}

// Output size of a sliding window along one axis: ⌊(n + 2·pad − dil·(k − 1) − 1)/stride⌋ + 1.
int64_t window_out(int64_t n, int64_t k, int64_t stride, int64_t pad, int64_t dilation) {
  return (n + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
}

// More than any published convnet (ResNet-1001 has ~3000 modules) and few enough to build quickly.
constexpr int64_t kMaxLayers = 10000;

class Builder {
 public:
  Builder(const BlockTable& blocks, Generator& gen) : blocks_(blocks), gen_(gen) {}

  // Appends `layers` to `into`, advancing `shape` (the list's input, then the last layer's
  // output); names come from layer_names(). A layer reads the layer before, or its `inputs`.
  void add_all(nn::Sequential& into, const std::vector<LayerSpec>& layers, FeatureShape& shape,
               int depth) {
    const std::vector<std::string> names = layer_names(layers);
    Outputs outputs = {{"input", shape}};
    size_t next = 0;
    for (const LayerSpec& layer : layers) {
      for (int64_t r = 0; r < layer.repeat; ++r) {
        // A repeated layer strides only in its first copy (a ResNet stage's downsampling).
        LayerSpec copy = layer;
        if (r > 0) copy.stride = 1;
        const std::string& name = names[next++];
        if (is_merge(layer.type)) {
          shape = add_merge(into, copy, name, outputs);
        } else {
          if (!copy.inputs.empty()) shape = output_of(copy, name, copy.inputs[0], outputs);
          add_one_named(into, copy, name, shape, depth);
        }
        outputs[name] = shape;
      }
    }
  }

 private:
  // Each named layer's output shape, and "input"'s: what a later layer's `inputs` may read.
  using Outputs = std::map<std::string, FeatureShape>;

  FeatureShape output_of(const LayerSpec& layer, const std::string& name, const std::string& input,
                         const Outputs& outputs) {
    const auto found = outputs.find(input);
    CAMLAB_CHECK(found != outputs.end(), "{} reads '{}', which names no earlier layer",
                 describe(layer, name), input);
    return found->second;
  }

  // Adds `module` under `name`, reading the layer's `inputs` (none: the layer before).
  void place(nn::Sequential& into, const LayerSpec& layer, const std::string& name,
             std::shared_ptr<nn::Module> module) {
    into.add(name, std::move(module), layer.inputs);
  }

  // add, concat or mul over the layer's inputs; returns the merged shape. Shapes here are one
  // image's, so the batch dim is put in front for nn::merge_two_shapes.
  FeatureShape add_merge(nn::Sequential& into, const LayerSpec& layer, const std::string& name,
                         const Outputs& outputs) {
    const nn::MergeKind kind = layer.type == "add"      ? nn::MergeKind::Add
                               : layer.type == "concat" ? nn::MergeKind::Concat
                                                        : nn::MergeKind::Mul;
    CAMLAB_CHECK(layer.inputs.size() >= 2, "{} merges {} inputs; it needs at least 2",
                 describe(layer, name), layer.inputs.size());
    Shape merged = batched(output_of(layer, name, layer.inputs[0], outputs));
    for (size_t i = 1; i < layer.inputs.size(); ++i) {
      const Shape next = batched(output_of(layer, name, layer.inputs[i], outputs));
      const std::optional<Shape> fits = nn::merge_two_shapes(kind, merged, next);
      CAMLAB_CHECK(fits.has_value(), "{} cannot {} {} {} and '{}' {} — {}", describe(layer, name),
                   layer.type, merged_label(layer, i), shape_str(unbatched(merged)),
                   layer.inputs[i], shape_str(unbatched(next)), nn::merge_requirement(kind));
      merged = *fits;
    }
    ++built_;
    place(into, layer, name, std::make_shared<nn::Merge>(kind));
    return {unbatched(merged)};
  }

  // The inputs merged before input i: "'a'", or "'a', 'b' merged".
  static std::string merged_label(const LayerSpec& layer, size_t i) {
    if (i == 1) return "'" + layer.inputs[0] + "'";
    const std::vector<std::string> first(layer.inputs.begin(),
                                         layer.inputs.begin() + static_cast<std::ptrdiff_t>(i));
    return join_quoted(first, "'") + " merged";
  }

  static Shape batched(const FeatureShape& shape) {
    Shape dims = shape.dims;
    dims.insert(dims.begin(), 1);
    return dims;
  }
  static Shape unbatched(const Shape& dims) { return Shape(dims.begin() + 1, dims.end()); }

  // add_one, with errors from below (an allocation the machine cannot hold, a kernel's shape
  // check) pointed at the layer's line in the config: the key to change.
  void add_one_named(nn::Sequential& into, const LayerSpec& layer, const std::string& name,
                     FeatureShape& shape, int depth) {
    // `repeat` and nested blocks multiply: "repeat = 999999999" would build layers until the
    // machine runs out of memory, so the total is bounded first.
    CAMLAB_CHECK(++built_ <= kMaxLayers,
                 "{}: the model would have more than {} layers (repeat {}); camlab builds at most "
                 "{} — lower 'repeat' or the nesting of blocks",
                 describe(layer, name), kMaxLayers, layer.repeat, kMaxLayers);
    try {
      add_one(into, layer, name, shape, depth);
    } catch (const Error& e) {
      if (std::string_view(e.what()).find(": layer '") != std::string_view::npos) throw;
      fail("{}: {}", describe(layer, name), e.what());
    }
  }

  void add_one(nn::Sequential& into, const LayerSpec& layer, const std::string& name,
               FeatureShape& shape, int depth) {
    const std::string& t = layer.type;
    if (t == "conv") return add_conv(into, layer, name, shape);
    if (t == "linear") return add_linear(into, layer, name, shape);
    if (t == "batchnorm") {
      require_spatial(layer, name, shape);
      place(into, layer, name,
            std::make_shared<nn::BatchNorm2d>(
                shape.channels(),
                nn::BatchNormOptions{.eps = layer.eps, .momentum = layer.momentum}));
      return;
    }
    if (t == "maxpool" || t == "avgpool") return add_pool(into, layer, name, shape);
    if (t == "gap") {
      require_spatial(layer, name, shape);
      place(into, layer, name, std::make_shared<nn::GlobalAvgPool>());
      shape.dims = {shape.channels()};
      return;
    }
    if (t == "flatten") {
      place(into, layer, name, std::make_shared<nn::Flatten>());
      shape.dims = {shape.features()};
      return;
    }
    if (t == "residual") return add_residual(into, layer, name, shape);
    if (t == "bottleneck") return add_bottleneck(into, layer, name, shape);
    if (t == "upsample") return add_upsample(into, layer, name, shape);
    if (t == "block") return add_block(into, layer, name, shape, depth);
    place(into, layer, name,
          make_elementwise(layer, name));  // activations and dropout keep the shape
  }

  std::shared_ptr<nn::Module> make_elementwise(const LayerSpec& layer, const std::string& name) {
    const std::string& t = layer.type;
    if (t == "relu") return std::make_shared<nn::ReLU>();
    if (t == "leaky_relu") return std::make_shared<nn::LeakyReLU>(layer.slope);
    if (t == "elu") return std::make_shared<nn::ELU>(layer.alpha);
    if (t == "gelu") return std::make_shared<nn::GELU>();
    if (t == "sigmoid") return std::make_shared<nn::Sigmoid>();
    if (t == "tanh") return std::make_shared<nn::Tanh>();
    if (t == "softmax") return std::make_shared<nn::Softmax>(1);
    if (t == "dropout")
      return std::make_shared<nn::Dropout>(layer.p,
                                           static_cast<uint64_t>(gen_.integer(0, 1LL << 62)));
    fail("{}: unknown layer type", describe(layer, name));
  }

  void add_conv(nn::Sequential& into, const LayerSpec& layer, const std::string& name,
                FeatureShape& shape) {
    require_spatial(layer, name, shape);
    int64_t in = layer.in > 0 ? layer.in : shape.channels();
    CAMLAB_CHECK(in == shape.channels(),
                 "{} expects {} input channels but the previous layer gives {} (shape {}); remove "
                 "'in' or set it to {}",
                 describe(layer, name), in, shape.channels(), shape_str(shape.dims),
                 shape.channels());
    CAMLAB_CHECK(in % layer.groups == 0 && layer.out % layer.groups == 0,
                 "{}: groups = {} must divide both {} input and {} output channels",
                 describe(layer, name), layer.groups, in, layer.out);
    int64_t h = window_out(shape.dims[1], layer.kernel, layer.stride, layer.pad, layer.dilation);
    int64_t w = window_out(shape.dims[2], layer.kernel, layer.stride, layer.pad, layer.dilation);
    CAMLAB_CHECK(h > 0 && w > 0,
                 "{}: a {}x{} kernel (stride {}, pad {}, dilation {}) does not fit input {}",
                 describe(layer, name), layer.kernel, layer.kernel, layer.stride, layer.pad,
                 layer.dilation, shape_str(shape.dims));
    place(into, layer, name,
          std::make_shared<nn::Conv2d>(in, layer.out, layer.kernel,
                                       nn::Conv2dOptions{.stride = layer.stride,
                                                         .padding = layer.pad,
                                                         .dilation = layer.dilation,
                                                         .groups = layer.groups,
                                                         .bias = layer.bias},
                                       gen_));
    shape.dims = {layer.out, h, w};
  }

  void add_linear(nn::Sequential& into, const LayerSpec& layer, const std::string& name,
                  FeatureShape& shape) {
    CAMLAB_CHECK(!shape.spatial(),
                 "{} receives a spatial input {}; put a 'gap' or 'flatten' layer before it",
                 describe(layer, name), shape_str(shape.dims));
    int64_t in = layer.in > 0 ? layer.in : shape.features();
    CAMLAB_CHECK(in == shape.features(),
                 "{} expects {} input features but the previous layer gives {}; remove 'in' or "
                 "set it to {}",
                 describe(layer, name), in, shape.features(), shape.features());
    place(into, layer, name, std::make_shared<nn::Linear>(in, layer.out, layer.bias, gen_));
    shape.dims = {layer.out};
  }

  void add_pool(nn::Sequential& into, const LayerSpec& layer, const std::string& name,
                FeatureShape& shape) {
    require_spatial(layer, name, shape);
    int64_t stride = layer.stride > 0 ? layer.stride : layer.kernel;
    int64_t h = window_out(shape.dims[1], layer.kernel, stride, layer.pad, 1);
    int64_t w = window_out(shape.dims[2], layer.kernel, stride, layer.pad, 1);
    CAMLAB_CHECK(h > 0 && w > 0, "{}: a {}x{} window does not fit input {}", describe(layer, name),
                 layer.kernel, layer.kernel, shape_str(shape.dims));
    if (layer.type == "maxpool") {
      place(into, layer, name,
            std::make_shared<nn::MaxPool2d>(layer.kernel, nn::Size2(stride), layer.pad));
    } else {
      place(into, layer, name,
            std::make_shared<nn::AvgPool2d>(layer.kernel, nn::Size2(stride), layer.pad));
    }
    shape.dims = {shape.channels(), h, w};
  }

  void add_residual(nn::Sequential& into, const LayerSpec& layer, const std::string& name,
                    FeatureShape& shape) {
    require_spatial(layer, name, shape);
    place(into, layer, name,
          std::make_shared<nn::ResidualBlock>(shape.channels(), layer.out, layer.stride, gen_));
    // Both 3x3 convs pad 1; only the first strides.
    shape.dims = {layer.out, window_out(shape.dims[1], 3, layer.stride, 1, 1),
                  window_out(shape.dims[2], 3, layer.stride, 1, 1)};
  }

  void add_bottleneck(nn::Sequential& into, const LayerSpec& layer, const std::string& name,
                      FeatureShape& shape) {
    require_spatial(layer, name, shape);
    // torchvision's expansion of 4: ResNet-50's 256-wide block reduces to 64.
    const int64_t mid = layer.mid > 0 ? layer.mid : std::max<int64_t>(layer.out / 4, 1);
    place(into, layer, name,
          std::make_shared<nn::BottleneckBlock>(shape.channels(), mid, layer.out, layer.stride,
                                                gen_));
    // The 1x1 convs keep the size; the 3x3 (pad 1) and the shortcut stride.
    shape.dims = {layer.out, window_out(shape.dims[1], 3, layer.stride, 1, 1),
                  window_out(shape.dims[2], 3, layer.stride, 1, 1)};
  }

  void add_upsample(nn::Sequential& into, const LayerSpec& layer, const std::string& name,
                    FeatureShape& shape) {
    require_spatial(layer, name, shape);
    auto module = std::make_shared<nn::Upsample>(nn::UpsampleOptions{
        .scale_factor = layer.scale,
        .mode = layer.mode == "bilinear" ? nn::UpsampleMode::Bilinear : nn::UpsampleMode::Nearest});
    auto [h, w] = module->output_size(shape.dims[1], shape.dims[2]);
    place(into, layer, name, module);
    shape.dims = {shape.channels(), h, w};
  }

  void add_block(nn::Sequential& into, const LayerSpec& layer, const std::string& name,
                 FeatureShape& shape, int depth) {
    auto it = blocks_.find(layer.block);
    CAMLAB_CHECK(it != blocks_.end(), "{}: no block named '{}' in [model.blocks]",
                 describe(layer, name), layer.block);
    CAMLAB_CHECK(depth < 8, "{}: blocks nest deeper than 8 levels (a block that uses itself?)",
                 describe(layer, name));
    auto nested = std::make_shared<nn::Sequential>();
    add_all(*nested, it->second, shape, depth + 1);
    place(into, layer, name, nested);
  }

  const BlockTable& blocks_;
  Generator& gen_;
  int64_t built_ = 0;  // layers added so far, nested blocks included
};

}  // namespace

std::shared_ptr<nn::Sequential> build_model(const std::vector<LayerSpec>& layers,
                                            const BlockTable& blocks, const Shape& input_chw,
                                            Generator& gen) {
  CAMLAB_CHECK(input_chw.size() == 3, "build_model: input must be [C, H, W], got {}",
               shape_str(input_chw));
  CAMLAB_CHECK(!layers.empty(), "build_model: [model] layers is empty");
  auto model = std::make_shared<nn::Sequential>();
  FeatureShape shape{input_chw};
  Builder(blocks, gen).add_all(*model, layers, shape, 0);
  // A probe forward: layer code checks shapes too, and this proves the whole chain fits.
  autograd::NoGradGuard no_grad;
  Shape probe = input_chw;
  probe.insert(probe.begin(), 1);
  model->eval();
  (*model)(ops::zeros(probe));
  model->train();
  return model;
}

}  // namespace camlab::experiments
