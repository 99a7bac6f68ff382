// The losses of SEC, "Seed, Expand and Constrain" (Kolesnikov & Lampert 2016), for a segmenter
// with K classes + background trained from CAM seeds and image labels only.
//
//   Tensor probs = camlab::softmax(logits, 1);                       // [N, K + 1, H, W]
//   Tensor seed = seed_loss(logits, seeds);                          // seeds uint8 [N, H, W]
//   Tensor expand = expand_loss(probs, present);                     // present uint8 [N, K]
//   Tensor q = dense_crf(log_softmax(detach(logits), 1), images, {});  // dense_crf.h
//   Tensor constrain = constrain_loss(logits, q);                    // KL(Q ‖ f), Q constant
//   camlab::backward(seed + expand + constrain);
//
// Channel 0 is background, channel k + 1 is class k, as in the dataset schema's masks.
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace camlab::experiments {

// SEC's decays: present classes, background (always present), absent classes (d = 0: the max).
constexpr double kDecayPresent = 0.996;
constexpr double kDecayBackground = 0.999;
constexpr double kDecayAbsent = 0.0;

// Global weighted rank pooling (SEC eq. 4): per (image, channel) the scores sorted in descending
// order x_(1) ≥ x_(2) ≥ ..., G = Σ_j d^(j−1)·x_(j) / Σ_j d^(j−1). scores [N, C, P] (differentiable;
// the ranking itself is not), decays [N·C] row-major -> [N, C].
Tensor global_weighted_rank_pooling(const Tensor& scores, const std::vector<double>& decays);

// Seed loss (SEC eq. 3): −(1/|S|) Σ over seed pixels u with label c of log f_{u,c}, where f is the
// softmax over channels. logits [N, K + 1, H, W], seeds uint8 [N, H, W] (255: no seed). 0 when the
// batch has no seed at all.
Tensor seed_loss(const Tensor& logits, const Tensor& seeds);

// Expand loss (SEC eq. 5): −(1/|T|) Σ_{c∈T} log G_c(d₊) − (1/|C∖T|) Σ_{c∉T} log(1 − G_c(d₋))
// − log G_bg(d_bg), averaged over images. probs [N, K + 1, H, W] (softmax), present [N, K] (0/1).
Tensor expand_loss(const Tensor& probs, const Tensor& present);

// Constrain-to-boundary loss (SEC eq. 6): (1/n) Σ_u Σ_c Q_{u,c} log(Q_{u,c} / f_{u,c}), the mean
// over the n = N·H·W pixels of KL(Q_u ‖ f_u), where f = softmax(logits) and Q is its refinement
// by a fully connected CRF on the image (dense_crf.h), treated as a constant: the gradient pulls
// f toward the CRF's boundaries and never moves Q. logits [N, L, H, W], refined [N, L, H, W]
// (rows sum to 1).
Tensor constrain_loss(const Tensor& logits, const Tensor& refined);

}  // namespace camlab::experiments
