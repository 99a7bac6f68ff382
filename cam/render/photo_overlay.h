// A map drawn back onto the original photo at its full resolution.
//
//   PreparedPhoto p = prepare_photo(photo, {}, "dog.jpg");        // the 224 x 224 centre crop
//   Tensor map = e.maps.select(0, i);                              // [224, 224] in [0, 1]
//   RgbImage full = overlay_on_photo(photo, p.crop_box, map, Colormap::Jet);   // 500 x 375
//
// The network saw only the crop, so only the crop's footprint is coloured; a thin white frame
// marks it and the rest of the photo is shown as it is.
#pragma once

#include "cam/render/colormap.h"
#include "cam/render/image.h"
#include "datasets/image8.h"
#include "datasets/photo_preprocess.h"
#include "tensor/tensor.h"

namespace camlab::render {

// map: [h, w] in [0, 1] over the crop; resized bilinearly (align_corners = false) to the crop
// box's size in photo pixels, then blended as overlay() does.
RgbImage overlay_on_photo(const datasets::Image8& photo, const datasets::CropBox& box,
                          const Tensor& map, Colormap cmap, double alpha = 0.5);

}  // namespace camlab::render
