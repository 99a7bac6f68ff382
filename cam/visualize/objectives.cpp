#include "cam/visualize/objectives.h"

#include <algorithm>
#include <array>
#include <string>

#include "autograd/ops.h"
#include "tensor/error.h"

namespace camlab::cam::visualize {
namespace {

constexpr std::array<std::pair<Objective, std::string_view>, 5> kObjectives{{
    {Objective::Channel, "channel"},
    {Objective::Neuron, "neuron"},
    {Objective::Class, "class"},
    {Objective::DeepDream, "deepdream"},
    {Objective::Diversity, "diversity"},
}};

// [B, 1, ...] int64 on `like`'s device holding units[b] in every position of row b.
Tensor unit_index(const std::vector<int64_t>& units, const Shape& shape, const Tensor& like) {
  Shape column(shape.size(), 1);
  column[0] = static_cast<int64_t>(units.size());
  return Tensor::from_vector(units, column).expand(shape).contiguous().to(like.device());
}

void check_units(const Tensor& act, const std::vector<int64_t>& units, std::string_view op) {
  CAMLAB_CHECK(act.defined() && act.dim() >= 2 && act.size(0) == static_cast<int64_t>(units.size()),
               "{}: expected one unit per image of {}, got {} units", op,
               act.defined() ? shape_str(act.shape()) : "undefined", units.size());
  for (int64_t unit : units) {
    CAMLAB_CHECK(unit >= 0 && unit < act.size(1), "{}: unit {} out of range for {} (valid 0..{})",
                 op, unit, shape_str(act.shape()), act.size(1) - 1);
  }
}

}  // namespace

std::string_view objective_name(Objective objective) {
  for (const auto& [value, name] : kObjectives) {
    if (value == objective) return name;
  }
  return "?";
}

Objective parse_objective(std::string_view name) {
  std::string valid;
  for (const auto& [value, known] : kObjectives) {
    if (known == name) return value;
    valid += valid.empty() ? std::string(known) : ", " + std::string(known);
  }
  fail("visualize: unknown objective '{}'; valid objectives: {}", name, valid);
}

int64_t auto_border(int64_t height, int64_t width) {
  return std::clamp<int64_t>((std::min(height, width) - 1) / 4, 0, 2);
}

Tensor channel_objective(const Tensor& act, const std::vector<int64_t>& units, int64_t border) {
  check_units(act, units, "channel_objective");
  CAMLAB_CHECK(act.dim() == 4, "channel_objective: expected activations [B, K, h, w], got {}",
               shape_str(act.shape()));
  CAMLAB_CHECK(border >= 0 && 2 * border < std::min(act.size(2), act.size(3)),
               "channel_objective: border {} leaves nothing of a {}x{} map (use 0..{})", border,
               act.size(2), act.size(3), (std::min(act.size(2), act.size(3)) - 1) / 2);
  const Tensor inner = camlab::narrow(camlab::narrow(act, 2, border, act.size(2) - 2 * border), 3,
                                      border, act.size(3) - 2 * border);  // [B, K, h', w']
  Shape picked = inner.shape();
  picked[1] = 1;
  const Tensor own = camlab::gather(inner, 1, unit_index(units, picked, act));  // [B, 1, h', w']
  return camlab::mean(own, {1, 2, 3});
}

Tensor neuron_objective(const Tensor& act, const std::vector<int64_t>& units) {
  check_units(act, units, "neuron_objective");
  CAMLAB_CHECK(act.dim() == 2 || act.dim() == 4,
               "neuron_objective: expected activations [B, K, h, w] or [B, K], got {}",
               shape_str(act.shape()));
  const Tensor units_of_image = act.dim() == 2
                                    ? act
                                    : camlab::select(camlab::select(act, 3, act.size(3) / 2), 2,
                                                     act.size(2) / 2);  // [B, K]
  const Tensor own =
      camlab::gather(units_of_image, 1, unit_index(units, {act.size(0), 1}, act));  // [B, 1]
  return camlab::reshape(own, {act.size(0)});
}

Tensor class_objective(const Tensor& logits, const std::vector<int64_t>& units) {
  check_units(logits, units, "class_objective");
  CAMLAB_CHECK(logits.dim() == 2, "class_objective: expected logits [B, classes], got {}",
               shape_str(logits.shape()));
  return neuron_objective(logits, units);
}

Tensor deepdream_objective(const Tensor& act) {
  CAMLAB_CHECK(act.defined() && act.dim() >= 2,
               "deepdream_objective: expected activations [B, ...], got {}",
               act.defined() ? shape_str(act.shape()) : "undefined");
  const Tensor flat = camlab::reshape(act, {act.size(0), -1});  // [B, K·h·w]
  return camlab::mean(flat * flat, {1});
}

}  // namespace camlab::cam::visualize
