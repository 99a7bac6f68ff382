// The figure of Deep Feature Factorization (Collins et al. 2018), as pytorch-grad-cam's DFF
// tutorial shows it: one row per image, the image and then every concept's map over it; each
// concept's column title names the classes that score it highest, so a column reads "this part
// of every image looks like a <class>".
//
//   const cam::Factorization& f = dff.factorization();       // maps [N, k, h, w], scores [k, K]
//   render::write_concept_figure("dff_concepts.png", shown, f.maps, f.scores, names);
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cam/render/colormap.h"
#include "cam/render/image.h"
#include "tensor/tensor.h"

namespace camlab::render {

// Column title of concept j: its two best classes with their scores, one per line,
// "concept 1\nSneaker 3.2\nSandal 1.1" (class indices when no names are given).
std::string concept_title(int64_t concept_index, const Tensor& scores,
                          const std::vector<std::string>& class_names);

// shown: one picture per image, the size of the inputs; maps [N, k, h, w] at any resolution (each
// is resized to the picture and scaled to [0, 1] on its own); scores [k, classes].
void write_concept_figure(const std::filesystem::path& path, const std::vector<RgbImage>& shown,
                          const Tensor& maps, const Tensor& scores,
                          const std::vector<std::string>& class_names,
                          Colormap colormap = Colormap::Jet);

}  // namespace camlab::render
