#include "nn/merge.h"

#include <fmt/format.h>

#include "autograd/ops.h"

namespace camlab::nn {
namespace {

// A squeeze-and-excitation gate: [N, C] against a map [N, C, H, W].
bool is_gate_of(const Shape& gate, const Shape& map) {
  return gate.size() == 2 && map.size() == 4 && gate[0] == map[0] && gate[1] == map[1];
}

// Concat joins along dim 1: every other dim must agree.
bool concat_fits(const Shape& a, const Shape& b) {
  if (a.size() != b.size() || a.size() < 2) return false;
  for (size_t d = 0; d < a.size(); ++d) {
    if (d != 1 && a[d] != b[d]) return false;
  }
  return true;
}

// map · gate with the gate [N, C] viewed as [N, C, 1, 1] and broadcast over H and W.
Tensor mul_two(const Tensor& a, const Tensor& b) {
  if (is_gate_of(a.shape(), b.shape())) return mul(reshape(a, {a.size(0), a.size(1), 1, 1}), b);
  if (is_gate_of(b.shape(), a.shape())) return mul(a, reshape(b, {b.size(0), b.size(1), 1, 1}));
  return mul(a, b);
}

}  // namespace

std::string merge_kind_name(MergeKind kind) {
  switch (kind) {
    case MergeKind::Add: return "add";
    case MergeKind::Concat: return "concat";
    case MergeKind::Mul: return "mul";
  }
  return "?";
}

std::string merge_requirement(MergeKind kind) {
  switch (kind) {
    case MergeKind::Add: return "add needs equal shapes";
    case MergeKind::Concat:
      return "concat joins along channels (dim 1) and needs every other dim equal";
    case MergeKind::Mul: return "mul needs equal shapes, or an [N, C] gate and an [N, C, H, W] map";
  }
  return {};
}

std::optional<Shape> merge_two_shapes(MergeKind kind, const Shape& a, const Shape& b) {
  if (kind == MergeKind::Concat) {
    if (!concat_fits(a, b)) return std::nullopt;
    Shape out = a;
    out[1] = a[1] + b[1];
    return out;
  }
  if (a == b) return a;
  if (kind == MergeKind::Mul && is_gate_of(a, b)) return b;
  if (kind == MergeKind::Mul && is_gate_of(b, a)) return a;
  return std::nullopt;
}

Shape merged_shape(MergeKind kind, const std::vector<Shape>& shapes, const std::string& who) {
  CAMLAB_CHECK(shapes.size() >= 2, "{}: a merge needs at least 2 inputs, got {}", who,
               shapes.size());
  Shape out = shapes[0];
  for (size_t i = 1; i < shapes.size(); ++i) {
    const std::optional<Shape> merged = merge_two_shapes(kind, out, shapes[i]);
    CAMLAB_CHECK(merged.has_value(), "{}: cannot {} {} and {} — {}", who, merge_kind_name(kind),
                 shape_str(out), shape_str(shapes[i]), merge_requirement(kind));
    out = *merged;
  }
  return out;
}

Tensor Merge::operator()(const std::vector<Tensor>& operands) {
  CAMLAB_CHECK(operands.size() >= 2, "merge '{}' ({}) needs at least 2 inputs, got {}", label(),
               merge_kind_name(kind_), operands.size());
  CAMLAB_CHECK(pending_.empty(), "merge '{}' was called again from inside its own hooks", label());
  pending_ = operands;
  try {
    Tensor merged = Module::operator()(operands[0]);
    pending_.clear();
    return merged;
  } catch (...) {
    pending_.clear();
    throw;
  }
}

Tensor Merge::forward(const Tensor& first) {
  CAMLAB_CHECK(!pending_.empty(),
               "merge '{}' ({}) combines several inputs: call it as merge({{a, b}}), or give it "
               "inputs in a Sequential",
               label(), merge_kind_name(kind_));
  std::vector<Tensor> operands = pending_;
  operands[0] = first;  // a forward pre-hook may have replaced it
  return merge(operands);
}

Tensor Merge::merge(const std::vector<Tensor>& operands) const {
  std::vector<Shape> shapes;
  for (const Tensor& t : operands) shapes.push_back(t.shape());
  merged_shape(kind_, shapes, fmt::format("merge '{}'", label()));
  if (kind_ == MergeKind::Concat) return cat(operands, 1);
  Tensor out = operands[0];
  for (size_t i = 1; i < operands.size(); ++i) {
    out = kind_ == MergeKind::Add ? add(out, operands[i]) : mul_two(out, operands[i]);
  }
  return out;
}

}  // namespace camlab::nn
