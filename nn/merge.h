// Merge: combines the outputs of several layers into one — the join of a branchy network.
//
//   Merge concat(MergeKind::Concat);
//   Tensor y = concat({a, b});        // [N, Ca + Cb, H, W]: Inception's branches side by side
//   Tensor s = Merge(MergeKind::Add)({x, f});         // a residual sum, same shapes
//   Tensor g = Merge(MergeKind::Mul)({map, gate});    // map [N, C, H, W] · gate [N, C]
//
// Add needs equal shapes; Concat joins along channels (dim 1), the other dims equal; Mul takes
// equal shapes, or an [N, C] gate scaled over each channel of an [N, C, H, W] map, as
// squeeze-and-excitation does (Hu et al. 2018, eq. 4). Built from the differentiable ops (add,
// cat, mul), so gradients reach every operand.
//
// Module::operator() carries one tensor: hooks on a Merge see the first operand as the input and
// the merged tensor as the output (a pre-hook's replacement replaces the first operand).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nn/module.h"

namespace camlab::nn {

enum class MergeKind { Add, Concat, Mul };

// "add", "concat", "mul".
std::string merge_kind_name(MergeKind kind);

class Merge : public Module {
 public:
  explicit Merge(MergeKind kind) : kind_(kind) {}

  // Merges two or more operands; the Module's hooks fire around it.
  Tensor operator()(const std::vector<Tensor>& operands);
  // The one-tensor protocol: valid only inside operator()(operands), which it runs.
  Tensor forward(const Tensor& first) override;

  std::string type_name() const override { return "Merge"; }
  std::string extra_repr() const override { return merge_kind_name(kind_); }
  MergeKind kind() const { return kind_; }

 private:
  Tensor merge(const std::vector<Tensor>& operands) const;

  MergeKind kind_;
  std::vector<Tensor> pending_;  // the operands of the call under way; empty between calls
};

// The shape that merging operands of these shapes gives, or an Error naming the two shapes that
// do not fit (`who` opens the message: "merge 'cat1'"). Shapes include the batch dim.
Shape merged_shape(MergeKind kind, const std::vector<Shape>& shapes, const std::string& who);
// The shape of merging a and b, or nothing when they do not fit.
std::optional<Shape> merge_two_shapes(MergeKind kind, const Shape& a, const Shape& b);
// What the kind needs of its operands, for errors: "add needs equal shapes".
std::string merge_requirement(MergeKind kind);

}  // namespace camlab::nn
