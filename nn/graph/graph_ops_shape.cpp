// ONNX ops that move data without arithmetic: shapes, reshapes, joins, splits, slices, padding.
// Each works on float activations and on int64 shape values alike (on_values).
#include <algorithm>
#include <limits>
#include <numeric>

#include "autograd/ops.h"
#include "nn/graph/graph_ops.h"

namespace camlab::nn {
namespace {

using Outputs = std::vector<Tensor>;

// Axes from an attribute (before `input_opset`) or from input `index` (from it on).
std::vector<int64_t> axes_of(const OpContext& ctx, int64_t input_opset, size_t index) {
  if (ctx.opset < input_opset) return ctx.node.ints("axes");
  return ctx.has(index) ? ctx.ints(index) : std::vector<int64_t>{};
}

Outputs shape_op(const OpContext& ctx) {
  const Shape& shape = ctx.in(0).shape();
  const auto rank = static_cast<int64_t>(shape.size());
  // Opset 15's start/end select a range of dims; out-of-range values clamp.
  int64_t start = ctx.node.integer("start", 0), end = ctx.node.integer("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  return {int_tensor(std::vector<int64_t>(shape.begin() + start, shape.begin() + end))};
}

Outputs reshape_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> target = ctx.opset < 5 ? ctx.node.ints("shape") : ctx.ints(1);
  // 0 copies the input's size at that position unless allowzero (opset 14) says it means 0.
  if (ctx.node.integer("allowzero", 0) == 0) {
    for (size_t d = 0; d < target.size(); ++d) {
      if (target[d] == 0) {
        CAMLAB_CHECK(static_cast<int64_t>(d) < x.dim(),
                     "{}: 0 at position {} of the shape but the "
                     "input has {} dims",
                     ctx.where(), d, x.dim());
        target[d] = x.size(static_cast<int64_t>(d));
      }
    }
  }
  return {on_values(x, [&](const Tensor& v) { return camlab::reshape(v, Shape(target)); })};
}

Outputs flatten_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  int64_t axis = ctx.node.integer("axis", 1);
  if (axis < 0) axis += x.dim();
  CAMLAB_CHECK(axis >= 0 && axis <= x.dim(), "{}: axis {} out of range for a {}-d input",
               ctx.where(), ctx.node.integer("axis", 1), x.dim());
  const Shape& s = x.shape();
  const int64_t outer =
      std::accumulate(s.begin(), s.begin() + axis, int64_t{1}, std::multiplies<>());
  const int64_t inner = std::accumulate(s.begin() + axis, s.end(), int64_t{1}, std::multiplies<>());
  return {on_values(x, [&](const Tensor& v) { return camlab::reshape(v, {outer, inner}); })};
}

Outputs transpose_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> perm(static_cast<size_t>(x.dim()));
  std::iota(perm.rbegin(), perm.rend(), 0);  // default: reverse the dims
  perm = ctx.node.ints("perm", perm);
  return {on_values(
      x, [&](const Tensor& v) { return camlab::contiguous(camlab::permute(v, Shape(perm))); })};
}

Outputs squeeze_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> axes = axes_of(ctx, 13, 1);
  if (axes.empty()) {
    for (int64_t d = 0; d < x.dim(); ++d) {
      if (x.size(d) == 1) axes.push_back(d);
    }
  }
  for (int64_t& a : axes) a = normalize_axis(ctx, a, x.dim());
  std::sort(axes.rbegin(), axes.rend());
  return {on_values(x, [&](const Tensor& v) {
    Tensor y = v;
    for (int64_t a : axes) {
      CAMLAB_CHECK(y.size(a) == 1, "{}: cannot squeeze axis {} of size {}", ctx.where(), a,
                   y.size(a));
      y = camlab::squeeze(y, a);
    }
    return y;
  })};
}

Outputs unsqueeze_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> axes = axes_of(ctx, 13, 1);
  const int64_t rank = x.dim() + static_cast<int64_t>(axes.size());
  for (int64_t& a : axes) a = normalize_axis(ctx, a, rank);  // relative to the output's rank
  std::sort(axes.begin(), axes.end());
  return {on_values(x, [&](const Tensor& v) {
    Tensor y = v;
    for (int64_t a : axes) y = camlab::unsqueeze(y, a);
    return y;
  })};
}

Outputs concat_op(const OpContext& ctx) {
  const bool ints = is_int(ctx.in(0));
  std::vector<Tensor> parts;
  for (const Tensor& t : ctx.inputs) {
    if (t.defined() && t.numel() > 0) parts.push_back(ints ? t.to(DType::Float64) : t);
  }
  const int64_t axis = normalize_axis(ctx, ctx.node.integer("axis", 0), ctx.in(0).dim());
  if (parts.empty()) return {ctx.in(0)};
  Tensor y = parts.size() == 1 ? parts[0] : camlab::cat(parts, axis);
  return {ints ? y.to(DType::Int64) : y};
}

Outputs split_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  const int64_t axis = normalize_axis(ctx, ctx.node.integer("axis", 0), x.dim());
  std::vector<int64_t> sizes =
      ctx.opset < 13 ? ctx.node.ints("split") : (ctx.has(1) ? ctx.ints(1) : std::vector<int64_t>{});
  const auto count = static_cast<int64_t>(ctx.node.outputs.size());
  if (sizes.empty()) {  // equal parts, the last one smaller when the size does not divide
    const int64_t part = (x.size(axis) + count - 1) / count;
    for (int64_t i = 0; i < count; ++i) sizes.push_back(std::min(part, x.size(axis) - i * part));
  }
  CAMLAB_CHECK(std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) == x.size(axis),
               "{}: split sizes add up to {} but axis {} has size {}", ctx.where(),
               std::accumulate(sizes.begin(), sizes.end(), int64_t{0}), axis, x.size(axis));
  Outputs parts;
  int64_t start = 0;
  for (int64_t size : sizes) {
    parts.push_back(
        on_values(x, [&](const Tensor& v) { return camlab::narrow(v, axis, start, size); }));
    start += size;
  }
  return parts;
}

// Slice: starts/ends/axes are attributes before opset 10, inputs (with steps) from 10 on. Indices
// clamp to the axis as NumPy's; negative steps are not supported.
Outputs slice_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  const bool attrs = ctx.opset < 10;
  const std::vector<int64_t> starts = attrs ? ctx.node.ints("starts") : ctx.ints(1);
  const std::vector<int64_t> ends = attrs ? ctx.node.ints("ends") : ctx.ints(2);
  std::vector<int64_t> axes =
      attrs ? ctx.node.ints("axes") : (ctx.has(3) ? ctx.ints(3) : std::vector<int64_t>{});
  std::vector<int64_t> steps = !attrs && ctx.has(4) ? ctx.ints(4) : std::vector<int64_t>{};
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  steps.resize(starts.size(), 1);
  CAMLAB_CHECK(ends.size() == starts.size() && axes.size() == starts.size(),
               "{}: starts, ends and axes must have one entry per sliced axis", ctx.where());
  return {on_values(x, [&](const Tensor& v) {
    Tensor y = v;
    for (size_t i = 0; i < starts.size(); ++i) {
      const int64_t axis = normalize_axis(ctx, axes[i], x.dim());
      const int64_t size = x.size(axis);
      if (steps[i] <= 0)
        unsupported("{}: slice step {} (only positive steps)", ctx.where(), steps[i]);
      auto clamp_index = [size](int64_t index) {
        if (index < 0) index += size;
        return std::clamp<int64_t>(index, 0, size);
      };
      const int64_t start = clamp_index(starts[i]);
      const int64_t end = std::max(start, clamp_index(ends[i]));
      y = camlab::slice(y, axis, start, end, steps[i]);
    }
    return camlab::contiguous(y);
  })};
}

Outputs gather_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  const int64_t axis = normalize_axis(ctx, ctx.node.integer("axis", 0), x.dim());
  const Tensor& index_value = ctx.in(1);
  std::vector<int64_t> indices = ctx.ints(1);
  for (int64_t& i : indices) {
    CAMLAB_CHECK(i >= -x.size(axis) && i < x.size(axis),
                 "{}: index {} out of range for axis {} of "
                 "size {}",
                 ctx.where(), i, axis, x.size(axis));
    if (i < 0) i += x.size(axis);
  }
  // out: x.shape[:axis] + indices.shape + x.shape[axis+1:]
  Shape out_shape(x.shape().begin(), x.shape().begin() + axis);
  out_shape.insert(out_shape.end(), index_value.shape().begin(), index_value.shape().end());
  out_shape.insert(out_shape.end(), x.shape().begin() + axis + 1, x.shape().end());
  return {on_values(x, [&](const Tensor& v) {
    Tensor index = int_tensor(indices).to(v.device());
    return camlab::reshape(camlab::index_select(v, axis, index), out_shape);
  })};
}

}  // namespace

Tensor pad_constant(const Tensor& x, const std::vector<int64_t>& before,
                    const std::vector<int64_t>& after, double value) {
  Tensor y = x;
  for (size_t d = 0; d < before.size(); ++d) {
    const auto dim = static_cast<int64_t>(d);
    // A negative pad crops.
    const int64_t crop_front = std::max<int64_t>(0, -before[d]);
    const int64_t crop_back = std::max<int64_t>(0, -after[d]);
    if (crop_front + crop_back > 0) {
      y = camlab::narrow(y, dim, crop_front, y.size(dim) - crop_front - crop_back);
    }
    std::vector<Tensor> parts;
    for (int64_t amount : {before[d], int64_t{-1}, after[d]}) {
      if (amount == -1) {
        parts.push_back(y);
      } else if (amount > 0) {
        Shape shape = y.shape();
        shape[d] = amount;
        parts.push_back(ops::full(shape, value, y.dtype(), y.device()));
      }
    }
    if (parts.size() > 1) y = camlab::cat(parts, dim);
  }
  return y;
}

namespace {

// Pad: pads (and the value) are attributes before opset 11 and inputs from 11 on; only mode
// "constant" is implemented.
Outputs pad_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  const std::string mode = ctx.node.string("mode", "constant");
  if (mode != "constant") unsupported("{}: pad mode '{}' (only 'constant')", ctx.where(), mode);
  const std::vector<int64_t> pads = ctx.opset < 11 ? ctx.node.ints("pads") : ctx.ints(1);
  const double value =
      ctx.opset < 11 ? ctx.node.real("value", 0.0) : (ctx.has(2) ? ctx.number(2) : 0.0);
  if (ctx.has(3)) unsupported("{}: the axes input (opset 18)", ctx.where());
  CAMLAB_CHECK(static_cast<int64_t>(pads.size()) == 2 * x.dim(),
               "{}: pads has {} entries, a {}-d input needs {}", ctx.where(), pads.size(), x.dim(),
               2 * x.dim());
  const std::vector<int64_t> before(pads.begin(), pads.begin() + x.dim());
  const std::vector<int64_t> after(pads.begin() + x.dim(), pads.end());
  return {on_values(x, [&](const Tensor& v) { return pad_constant(v, before, after, value); })};
}

Outputs constant_op(const OpContext& ctx) {
  auto it = ctx.node.attributes.find("value");
  CAMLAB_CHECK(it != ctx.node.attributes.end() && it->second.kind == Attribute::Kind::Tensor,
               "{}: only the 'value' tensor form is supported", ctx.where());
  return {it->second.tensor};
}

}  // namespace

std::vector<GraphOp> shape_graph_ops() {
  return {{"Shape", shape_op},         {"Reshape", reshape_op}, {"Flatten", flatten_op},
          {"Transpose", transpose_op}, {"Squeeze", squeeze_op}, {"Unsqueeze", unsqueeze_op},
          {"Concat", concat_op},       {"Split", split_op},     {"Slice", slice_op},
          {"Gather", gather_op},       {"Pad", pad_op},         {"Constant", constant_op}};
}

}  // namespace camlab::nn
