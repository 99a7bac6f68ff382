// A fully connected CRF over the pixels of an image with mean-field inference (Krähenbühl &
// Koltun, "Efficient Inference in Fully Connected CRFs with Gaussian Edge Potentials", NIPS 2011),
// as SEC's constrain-to-boundary loss uses it to refine a segmenter's output.
//
//   DenseCrfOptions crf{.iterations = 5};
//   Tensor q = dense_crf(log_softmax(logits, 1), images, crf);   // [N, L, H, W], rows sum to 1
//   Tensor f = crf_free_energy(q, log_softmax(logits, 1), images, crf);   // [N]
//
// Energy of a labelling x: E(x) = Σ_i ψ_u(x_i) + Σ_{i<j} μ(x_i, x_j) k(f_i, f_j), with unaries
// ψ_u = −log p (the `unary_logits` given), Potts compatibility μ(l, l') = [l ≠ l'] and two Gaussian
// kernels over positions p and intensities I (K&K eq. 3):
//   k(i, j) = w_a exp(−|p_i − p_j|² / 2θ_α² − |I_i − I_j|² / 2θ_β²)   (appearance, bilateral)
//           + w_s exp(−|p_i − p_j|² / 2θ_γ²)                          (smoothness).
// Mean field (K&K algorithm 1, all pixels updated in parallel): with m_il = Σ_{j≠i} k(i, j) Q_jl,
//   Q_il ∝ exp(log p_il − Σ_{l'} μ(l, l') m_il') = exp(log p_il + m_il − Σ_l' m_il')
// and the last term does not depend on l, so Q_i = softmax_l(log p_il + m_il).
// At 64×64 (P = 4096 pixels) the exact kernel matrix [P, P] costs 64 MiB in float32 and one
// matrix product per iteration, so no permutohedral lattice is needed; images are done one by one.
#pragma once

#include <cstdint>

#include "tensor/tensor.h"

namespace camlab::experiments {

struct DenseCrfOptions {
  int64_t iterations = 5;
  double appearance_weight = 5;       // w_a
  double appearance_xy = 8;           // θ_α, pixels
  double appearance_intensity = 0.3;  // θ_β, in the units of the images given
  double smoothness_weight = 3;       // w_s
  double smoothness_xy = 1;           // θ_γ, pixels
};

// The pairwise kernel k(i, j) of one image [C, H, W] as a [P, P] matrix, P = H·W in row-major
// pixel order, with a zero diagonal (a pixel sends no message to itself).
Tensor crf_kernel(const Tensor& image, const DenseCrfOptions& options);

// Mean-field marginals Q [N, L, H, W] from unary_logits [N, L, H, W] (log-probabilities, up to a
// per-pixel constant) and images [N, C, H, W]. No gradient flows through it.
Tensor dense_crf(const Tensor& unary_logits, const Tensor& images, const DenseCrfOptions& options);

// The mean-field free energy of Q per image [N], the KL(Q ‖ P) that mean field minimises, up to
// log Z: Σ_il Q_il ψ_u(l) + ½ Σ_{i≠j} k(i, j) Σ_{l≠l'} Q_il Q_jl' + Σ_il Q_il log Q_il.
Tensor crf_free_energy(const Tensor& q, const Tensor& unary_logits, const Tensor& images,
                       const DenseCrfOptions& options);

}  // namespace camlab::experiments
