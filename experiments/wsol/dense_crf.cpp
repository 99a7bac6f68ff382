#include "experiments/wsol/dense_crf.h"

#include "autograd/grad_mode.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

// Squared differences (a_i − a_j)² of a column of values a [P] as a [P, P] matrix.
Tensor squared_differences(const Tensor& a) {
  const int64_t p = a.size(0);
  Tensor d = ops::sub(a.reshape({p, 1}), a.reshape({1, p}));  // [P, P]
  return ops::mul(d, d);
}

// |p_i − p_j|² over the pixel grid, [P, P].
Tensor position_distances(int64_t height, int64_t width, DType dtype, Device device) {
  Tensor ys = ops::arange(0, static_cast<double>(height), 1, dtype, device);  // [H]
  Tensor xs = ops::arange(0, static_cast<double>(width), 1, dtype, device);   // [W]
  Tensor y = ys.reshape({height, 1}).expand({height, width}).contiguous().reshape({height * width});
  Tensor x = xs.reshape({1, width}).expand({height, width}).contiguous().reshape({height * width});
  return ops::add(squared_differences(y), squared_differences(x));  // [P, P]
}

void check_inputs(const Tensor& unary_logits, const Tensor& images, const DenseCrfOptions& o) {
  CAMLAB_CHECK(unary_logits.dim() == 4 && images.dim() == 4 &&
                   unary_logits.size(0) == images.size(0) &&
                   unary_logits.size(2) == images.size(2) && unary_logits.size(3) == images.size(3),
               "dense_crf: unary logits {} and images {}; expected [N, L, H, W] and [N, C, H, W]",
               shape_str(unary_logits.shape()), shape_str(images.shape()));
  CAMLAB_CHECK(o.iterations >= 0 && o.appearance_weight >= 0 && o.smoothness_weight >= 0 &&
                   o.appearance_xy > 0 && o.appearance_intensity > 0 && o.smoothness_xy > 0,
               "dense_crf: {} iterations, weights {} and {}, widths {}, {}, {}; valid: iterations "
               ">= 0, weights >= 0, widths > 0",
               o.iterations, o.appearance_weight, o.smoothness_weight, o.appearance_xy,
               o.appearance_intensity, o.smoothness_xy);
}

// The kernel from precomputed position distances [P, P] and one image [C, H, W].
Tensor kernel_from(const Tensor& positions, const Tensor& image, const DenseCrfOptions& o) {
  const int64_t p = image.size(1) * image.size(2);
  Tensor pixels = image.to(positions.dtype()).contiguous().reshape({image.size(0), p});  // [C, P]
  Tensor intensity = ops::zeros_like(positions);                                         // [P, P]
  for (int64_t c = 0; c < image.size(0); ++c) {
    intensity = ops::add(intensity, squared_differences(pixels.select(0, c).contiguous()));
  }
  const double alpha = 2 * o.appearance_xy * o.appearance_xy;
  const double beta = 2 * o.appearance_intensity * o.appearance_intensity;
  const double gamma = 2 * o.smoothness_xy * o.smoothness_xy;
  Tensor appearance =
      ops::exp(ops::add(ops::mul(positions, -1 / alpha), ops::mul(intensity, -1 / beta)));
  Tensor smoothness = ops::exp(ops::mul(positions, -1 / gamma));
  Tensor k = ops::add(ops::mul(appearance, o.appearance_weight),
                      ops::mul(smoothness, o.smoothness_weight));  // [P, P]
  Tensor off_diagonal = ops::add(ops::neg(ops::eye(p, k.dtype(), k.device())), 1.0);
  return ops::mul(k, off_diagonal);
}

}  // namespace

Tensor crf_kernel(const Tensor& image, const DenseCrfOptions& o) {
  CAMLAB_CHECK(image.dim() == 3, "crf_kernel: image {}; expected [C, H, W]",
               shape_str(image.shape()));
  const DType dtype = image.dtype() == DType::Float64 ? DType::Float64 : DType::Float32;
  return kernel_from(position_distances(image.size(1), image.size(2), dtype, image.device()), image,
                     o);
}

Tensor dense_crf(const Tensor& unary_logits, const Tensor& images, const DenseCrfOptions& o) {
  check_inputs(unary_logits, images, o);
  autograd::NoGradGuard no_grad;
  const int64_t n = unary_logits.size(0), labels = unary_logits.size(1);
  const int64_t height = images.size(2), width = images.size(3), p = height * width;
  const Tensor positions =
      position_distances(height, width, unary_logits.dtype(), unary_logits.device());  // [P, P]
  std::vector<Tensor> refined;
  for (int64_t i = 0; i < n; ++i) {
    Tensor unary = unary_logits.select(0, i).contiguous().reshape({labels, p});  // [L, P]
    Tensor q = ops::softmax(unary, 0);                                           // [L, P]
    if (o.iterations > 0 && (o.appearance_weight > 0 || o.smoothness_weight > 0)) {
      // The kernel is symmetric, so the messages m = Q·K are Σ_j Q_lj k(j, i) = Σ_j k(i, j) Q_lj.
      const Tensor k = kernel_from(positions, images.select(0, i), o);  // [P, P]
      for (int64_t t = 0; t < o.iterations; ++t) {
        q = ops::softmax(ops::add(unary, ops::matmul(q, k)), 0);
      }
    }
    refined.push_back(q.reshape({1, labels, height, width}));
  }
  return ops::cat(refined, 0);
}

Tensor crf_free_energy(const Tensor& q, const Tensor& unary_logits, const Tensor& images,
                       const DenseCrfOptions& o) {
  check_inputs(unary_logits, images, o);
  CAMLAB_CHECK(q.shape() == unary_logits.shape(),
               "crf_free_energy: Q {} and unary logits {} differ; expected both [N, L, H, W]",
               shape_str(q.shape()), shape_str(unary_logits.shape()));
  autograd::NoGradGuard no_grad;
  const int64_t n = q.size(0), labels = q.size(1), p = q.size(2) * q.size(3);
  const Tensor positions = position_distances(q.size(2), q.size(3), q.dtype(), q.device());
  std::vector<Tensor> energies;
  for (int64_t i = 0; i < n; ++i) {
    Tensor qi = q.select(0, i).contiguous().reshape({labels, p});                // [L, P]
    Tensor unary = unary_logits.select(0, i).contiguous().reshape({labels, p});  // [L, P]
    Tensor log_p = ops::log_softmax(unary, 0);                                   // [L, P]
    const Tensor k = kernel_from(positions, images.select(0, i), o);             // [P, P]
    // Σ_{l'≠l} Q_jl' = 1 − Q_jl, so the Potts pairwise term of (i, l) is Σ_j k(i, j) − m_il.
    Tensor messages = ops::matmul(qi, k);                // [L, P]
    Tensor row_sums = ops::sum(k, {0}).reshape({1, p});  // [1, P]
    Tensor pairwise = ops::sub(row_sums.expand({labels, p}), messages);
    Tensor entropy_term = ops::mul(qi, ops::log(ops::clamp(qi, 1e-30, 1.0)));
    Tensor total = ops::add(ops::sub(ops::mul(qi, ops::mul(pairwise, 0.5)), ops::mul(qi, log_p)),
                            entropy_term);
    energies.push_back(ops::sum(total).reshape({1}));
  }
  return ops::cat(energies, 0);
}

}  // namespace camlab::experiments
