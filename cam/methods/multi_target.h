// Several target classes per image in one call: the image batch is expanded (image i repeated once
// per class) so a method runs once on N·T images instead of T times on N, and the result is split
// back into one Explanation per target column.
//
//   Tensor classes = top_k_classes(logits, 3);                    // int64 [N, 3], best first
//   std::vector<Explanation> per_rank =
//       explain_classes(*gradcam, images, classes, softmax_score());
//   per_rank[0].maps;   // [N, H, W]: each image's most probable class
//   per_rank[2].targets;  // int64 [N]: each image's third class
#pragma once

#include <cstdint>
#include <vector>

#include "cam/methods/method.h"
#include "cam/methods/target.h"
#include "tensor/tensor.h"

namespace camlab::cam {

// The k largest logits' classes of each image, largest first (ties: the lower class first).
// logits [N, K] -> int64 [N, k] on the CPU. k must be in 1..K.
Tensor top_k_classes(const Tensor& logits, int64_t k);

// Every class for every image: int64 [N, K] with row n = 0..K-1.
Tensor all_classes(int64_t images, int64_t classes);

// Explains column t of `classes` (int64 [N, T]) for every t, scoring each with `score`. Images are
// repeated per column so each method call sees up to `max_images` images (at least one column per
// call); the maps equal T one-class calls because every method treats images independently (DFF
// excepted: its concepts are factorised from the whole batch, so it gets one call per column).
std::vector<Explanation> explain_classes(Method& method, const Tensor& images,
                                         const Tensor& classes, const ScoreFn& score,
                                         int64_t max_images = 64);

}  // namespace camlab::cam
