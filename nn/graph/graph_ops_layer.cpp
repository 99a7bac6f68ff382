// ONNX ops with weights or windows: convolution, pooling, normalisation, reductions, Gemm and
// MatMul, softmax.
#include <cmath>
#include <limits>
#include <numeric>

#include "autograd/ops.h"
#include "nn/graph/graph_ops.h"

namespace camlab::nn {
namespace {

using Outputs = std::vector<Tensor>;

// A 1-d op runs as 2-d with a unit height: [N, C, L] -> [N, C, 1, L].
Tensor as_2d(const OpContext& ctx, const Tensor& x) {
  if (x.dim() == 4) return x;
  if (x.dim() == 3) return camlab::unsqueeze(x, 2);
  unsupported("{}: {}-d input {} (1-d and 2-d spatial inputs are supported)", ctx.where(),
              x.dim() - 2, shape_str(x.shape()));
}

Tensor from_2d(const Tensor& y, int64_t original_rank) {
  return original_rank == 3 ? camlab::squeeze(y, 2) : y;
}

// A per-spatial-dim attribute of a 1-d or 2-d op as two numbers (1-d: height 1 / fill).
std::array<int64_t, 2> pair_of(const std::vector<int64_t>& values, int64_t fill) {
  if (values.size() == 1) return {fill, values[0]};
  return {values.at(0), values.at(1)};
}

// Window geometry shared by Conv and the pools: kernel, stride, dilation and the padding before
// and after each spatial dim, with auto_pad and ceil_mode resolved into explicit padding.
struct Window {
  std::array<int64_t, 2> kernel{1, 1}, stride{1, 1}, dilation{1, 1}, before{0, 0}, after{0, 0};
  int64_t ceil_extra[2] = {0, 0};  // overhang past the padded input that ceil_mode adds
};

Window window_of(const OpContext& ctx, const Tensor& x4, std::vector<int64_t> kernel,
                 int64_t spatial) {
  Window w;
  w.kernel = pair_of(kernel, 1);
  w.stride = pair_of(ctx.node.ints("strides", std::vector<int64_t>(spatial, 1)), 1);
  w.dilation = pair_of(ctx.node.ints("dilations", std::vector<int64_t>(spatial, 1)), 1);
  const std::vector<int64_t> pads = ctx.node.ints("pads", std::vector<int64_t>(2 * spatial, 0));
  CAMLAB_CHECK(static_cast<int64_t>(pads.size()) == 2 * spatial,
               "{}: pads has {} entries, "
               "expected {}",
               ctx.where(), pads.size(), 2 * spatial);
  const std::vector<int64_t> pb(pads.begin(), pads.begin() + spatial),
      pe(pads.begin() + spatial, pads.end());
  w.before = pair_of(pb, 0);
  w.after = pair_of(pe, 0);
  const std::string auto_pad = ctx.node.string("auto_pad", "NOTSET");
  for (int d = 0; d < 2; ++d) {
    const int64_t in = x4.size(2 + d);
    const int64_t span = (w.kernel[d] - 1) * w.dilation[d] + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      // Output ceil(in / stride); the padding that needs, the odd element at the end (UPPER).
      const int64_t out = (in + w.stride[d] - 1) / w.stride[d];
      const int64_t total = std::max<int64_t>(0, (out - 1) * w.stride[d] + span - in);
      w.before[d] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.after[d] = total - w.before[d];
    } else if (auto_pad == "VALID") {
      w.before[d] = w.after[d] = 0;
    } else if (auto_pad != "NOTSET") {
      fail("{}: auto_pad '{}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", ctx.where(),
           auto_pad);
    }
    if (ctx.node.integer("ceil_mode", 0) != 0) {
      const int64_t padded = in + w.before[d] + w.after[d];
      int64_t out = (padded - span + w.stride[d] - 1) / w.stride[d] + 1;
      if ((out - 1) * w.stride[d] >= in + w.before[d]) --out;  // the last window must start inside
      w.ceil_extra[d] = std::max<int64_t>(0, (out - 1) * w.stride[d] + span - padded);
    }
  }
  return w;
}

bool symmetric(const Window& w) {
  return w.before == w.after && w.ceil_extra[0] == 0 && w.ceil_extra[1] == 0;
}

Outputs conv_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& weight = ctx.in(1);
  const int64_t spatial = x.dim() - 2;
  Tensor x4 = as_2d(ctx, x);
  Tensor w4 = weight.dim() == 3 ? camlab::unsqueeze(weight, 2) : weight;
  std::vector<int64_t> kernel(weight.shape().begin() + 2, weight.shape().end());
  Window w = window_of(ctx, x4, ctx.node.ints("kernel_shape", kernel), spatial);
  const int64_t groups = ctx.node.integer("group", 1);
  CAMLAB_CHECK(x4.size(1) == w4.size(1) * groups,
               "{}: input has {} channels but the weight {} with "
               "group {} expects {}",
               ctx.where(), x4.size(1), shape_str(weight.shape()), groups, w4.size(1) * groups);
  if (!symmetric(w)) {
    x4 = pad_constant(x4, {0, 0, w.before[0], w.before[1]}, {0, 0, w.after[0], w.after[1]}, 0.0);
    w.before = w.after = {0, 0};
  }
  Conv2dParams p{.kernel = {w4.size(2), w4.size(3)},
                 .stride = w.stride,
                 .padding = w.before,
                 .dilation = w.dilation,
                 .groups = groups,
                 .relu = ctx.fused_relu};
  Tensor bias = ctx.has(2) ? ctx.in(2) : Tensor();
  return {from_2d(camlab::conv2d(x4, w4, bias, p), x.dim())};
}

Outputs max_pool_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  if (ctx.node.outputs.size() > 1 && !ctx.node.outputs[1].empty()) {
    unsupported("{}: the Indices output of MaxPool", ctx.where());
  }
  Tensor x4 = as_2d(ctx, x);
  Window w = window_of(ctx, x4, ctx.node.ints("kernel_shape"), x.dim() - 2);
  if (w.dilation != std::array<int64_t, 2>{1, 1}) unsupported("{}: dilated pooling", ctx.where());
  // Padding and the ceil_mode overhang hold −∞, so they never win the max.
  if (!symmetric(w) || w.before[0] * 2 > w.kernel[0] || w.before[1] * 2 > w.kernel[1]) {
    const double low = -std::numeric_limits<double>::infinity();
    x4 = pad_constant(x4, {0, 0, w.before[0], w.before[1]},
                      {0, 0, w.after[0] + w.ceil_extra[0], w.after[1] + w.ceil_extra[1]}, low);
    w.before = {0, 0};
  }
  Pool2dParams p{.kernel = w.kernel, .stride = w.stride, .padding = w.before};
  return {from_2d(camlab::max_pool2d(x4, p), x.dim())};
}

// AveragePool: where the padding is symmetric the kernel divides by the window's count itself;
// otherwise sum / count, both as average pools over explicitly padded tensors, the count from a
// mask of ones on the input (and on the padding with count_include_pad, never on the ceil
// overhang, as PyTorch's divisor).
Outputs average_pool_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor x4 = as_2d(ctx, x);
  Window w = window_of(ctx, x4, ctx.node.ints("kernel_shape"), x.dim() - 2);
  if (w.dilation != std::array<int64_t, 2>{1, 1}) unsupported("{}: dilated pooling", ctx.where());
  const bool include_pad = ctx.node.integer("count_include_pad", 0) != 0;
  if (symmetric(w) && w.before[0] * 2 <= w.kernel[0] && w.before[1] * 2 <= w.kernel[1]) {
    Pool2dParams p{.kernel = w.kernel,
                   .stride = w.stride,
                   .padding = w.before,
                   .count_include_pad = include_pad};
    return {from_2d(camlab::avg_pool2d(x4, p), x.dim())};
  }
  const std::vector<int64_t> before{0, 0, w.before[0], w.before[1]};
  const std::vector<int64_t> after{0, 0, w.after[0], w.after[1]};
  const std::vector<int64_t> overhang{0, 0, w.ceil_extra[0], w.ceil_extra[1]};
  auto plus = [](std::vector<int64_t> a, const std::vector<int64_t>& b) {
    for (size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    return a;
  };
  Pool2dParams p{.kernel = w.kernel, .stride = w.stride, .padding = {0, 0}};
  Tensor ones = ops::ones({1, 1, x4.size(2), x4.size(3)}, x4.dtype(), x4.device());
  Tensor mask = include_pad ? pad_constant(pad_constant(ones, before, after, 1.0), {0, 0, 0, 0},
                                           overhang, 0.0)
                            : pad_constant(ones, before, plus(after, overhang), 0.0);
  Tensor sums = camlab::avg_pool2d(pad_constant(x4, before, plus(after, overhang), 0.0), p);
  Tensor counts = ops::avg_pool2d(mask, p);  // [1, 1, Ho, Wo]
  return {from_2d(camlab::div(sums, counts), x.dim())};
}

Shape spatial_dims(const Tensor& x) {
  Shape dims;
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  return dims;
}

Outputs global_average_pool_op(const OpContext& ctx) {
  return {camlab::mean(ctx.in(0), spatial_dims(ctx.in(0)), /*keepdim=*/true)};
}

Outputs global_max_pool_op(const OpContext& ctx) {
  return {camlab::amax(ctx.in(0), spatial_dims(ctx.in(0)), /*keepdim=*/true)};
}

// Reduce*: axes are an attribute until opset 18 (ReduceSum: until 13) and an input after.
template <Tensor (*Reduce)(const Tensor&, const Shape&, bool)>
Outputs reduce_op(const OpContext& ctx, int64_t input_opset) {
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> axes = ctx.opset < input_opset
                                  ? ctx.node.ints("axes")
                                  : (ctx.has(1) ? ctx.ints(1) : std::vector<int64_t>{});
  const bool keepdim = ctx.node.integer("keepdims", 1) != 0;
  if (axes.empty()) {
    if (ctx.node.integer("noop_with_empty_axes", 0) != 0) return {x};
    axes.resize(static_cast<size_t>(x.dim()));
    std::iota(axes.begin(), axes.end(), 0);
  }
  for (int64_t& a : axes) a = normalize_axis(ctx, a, x.dim());
  return {Reduce(x, Shape(axes), keepdim)};
}

Tensor sum_of(const Tensor& x, const Shape& d, bool k) { return camlab::sum(x, d, k); }
Tensor mean_of(const Tensor& x, const Shape& d, bool k) { return camlab::mean(x, d, k); }
Tensor max_of(const Tensor& x, const Shape& d, bool k) { return camlab::amax(x, d, k); }
Outputs reduce_mean_op(const OpContext& ctx) { return reduce_op<mean_of>(ctx, 18); }
Outputs reduce_sum_op(const OpContext& ctx) { return reduce_op<sum_of>(ctx, 13); }
Outputs reduce_max_op(const OpContext& ctx) { return reduce_op<max_of>(ctx, 18); }

Outputs batch_norm_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  if (ctx.node.outputs.size() > 1 && !ctx.node.outputs[1].empty()) {
    unsupported("{}: training-mode outputs of BatchNormalization", ctx.where());
  }
  CAMLAB_CHECK(x.dim() >= 2, "{}: input {} needs a channel dim", ctx.where(), shape_str(x.shape()));
  // camlab's kernel takes [N, C] or [N, C, H, W]: other ranks run as [N, C, L, 1].
  Tensor x4 = x.dim() == 2 || x.dim() == 4 ? x : camlab::reshape(x, {x.size(0), x.size(1), -1, 1});
  // ONNX's momentum weighs the old running value (0.9); PyTorch's weighs the new batch (0.1).
  const double momentum = 1.0 - ctx.node.real("momentum", 0.9);
  Tensor y = camlab::batch_norm(x4, ctx.in(1), ctx.in(2), ctx.in(3), ctx.in(4), ctx.training,
                                momentum, ctx.node.real("epsilon", 1e-5));
  return {camlab::reshape(y, x.shape())};
}

// LayerNormalization (opset 17): normalise over the dims from `axis` on, then scale and shift;
// the optional outputs are the mean and 1/√(var + ε) of each normalised block.
Outputs layer_norm_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  const int64_t axis = normalize_axis(ctx, ctx.node.integer("axis", -1), x.dim());
  Shape dims;
  for (int64_t d = axis; d < x.dim(); ++d) dims.push_back(d);
  Tensor mean = camlab::mean(x, dims, true);
  Tensor centred = camlab::sub(x, mean);
  Tensor variance = camlab::mean(camlab::mul(centred, centred), dims, true);
  Tensor inv_std = camlab::rsqrt(camlab::add(variance, ctx.node.real("epsilon", 1e-5)));
  Tensor y = camlab::mul(camlab::mul(centred, inv_std), ctx.in(1));
  return {ctx.has(2) ? camlab::add(y, ctx.in(2)) : y, mean, inv_std};
}

// Gemm: α · A' · B' + β · C with A' = A or Aᵀ (transA), B' likewise.
Outputs gemm_op(const OpContext& ctx) {
  Tensor a = ctx.in(0), b = ctx.in(1);
  if (ctx.node.integer("transA", 0) != 0) a = camlab::transpose(a, 0, 1);
  if (ctx.node.integer("transB", 0) != 0) b = camlab::transpose(b, 0, 1);
  Tensor y = camlab::matmul(a, b);
  const double alpha = ctx.node.real("alpha", 1.0), beta = ctx.node.real("beta", 1.0);
  if (alpha != 1.0) y = camlab::mul(y, alpha);
  if (ctx.has(2) && beta != 0.0)
    y = camlab::add(y, beta == 1.0 ? ctx.in(2) : camlab::mul(ctx.in(2), beta));
  return {y};
}

Outputs matmul_op(const OpContext& ctx) { return {camlab::matmul(ctx.in(0), ctx.in(1))}; }

// Softmax and LogSoftmax: before opset 13 the input is coerced to 2-d at `axis` (default 1) and
// normalised over the whole trailing block; from 13 on, over the one axis (default −1).
template <Tensor (*Normalize)(const Tensor&, int64_t)>
Outputs softmax_like(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  const bool coerced = ctx.opset < 13;
  const int64_t axis = normalize_axis(ctx, ctx.node.integer("axis", coerced ? 1 : -1), x.dim());
  if (!coerced) return {Normalize(x, axis)};
  const int64_t outer =
      std::accumulate(x.shape().begin(), x.shape().begin() + axis, int64_t{1}, std::multiplies<>());
  return {camlab::reshape(Normalize(camlab::reshape(x, {outer, -1}), 1), x.shape())};
}

Tensor softmax_of(const Tensor& x, int64_t d) { return camlab::softmax(x, d); }
Tensor log_softmax_of(const Tensor& x, int64_t d) { return camlab::log_softmax(x, d); }

}  // namespace

std::vector<GraphOp> layer_graph_ops() {
  return {{"Conv", conv_op},
          {"MaxPool", max_pool_op},
          {"AveragePool", average_pool_op},
          {"GlobalAveragePool", global_average_pool_op},
          {"GlobalMaxPool", global_max_pool_op},
          {"ReduceMean", reduce_mean_op},
          {"ReduceSum", reduce_sum_op},
          {"ReduceMax", reduce_max_op},
          {"BatchNormalization", batch_norm_op},
          {"LayerNormalization", layer_norm_op},
          {"Gemm", gemm_op},
          {"MatMul", matmul_op},
          {"Softmax", softmax_like<softmax_of>},
          {"LogSoftmax", softmax_like<log_softmax_of>}};
}

}  // namespace camlab::nn
