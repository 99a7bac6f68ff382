// The losses of SEC, "Seed, Expand and Constrain" (Kolesnikov & Lampert 2016), for a segmenter
// with K classes + background trained from CAM seeds and image labels only.
//
//   Tensor probs = camlab::softmax(logits, 1);                       // [N, K + 1, H, W]
//   Tensor seed = seed_loss(logits, seeds);                          // seeds uint8 [N, H, W]
//   Tensor expand = expand_loss(probs, present);                     // present uint8 [N, K]
//   camlab::backward(seed + expand);   // the constrain loss (KL to a CRF) is not implemented
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

}  // namespace camlab::experiments
