// A photo turned into a network input: torchvision's ImageNet evaluation recipe by default.
//
//   Image8 photo = read_image("dog.jpg");                             // 500 x 375 RGB
//   PreparedPhoto p = prepare_photo(photo, PhotoPreprocess{});        // the ImageNet recipe
//   p.input;            // [3, 224, 224], (x / 255 - mean) / std
//   p.crop_box;         // where those 224 x 224 pixels came from in the 500 x 375 photo
//
// The recipe, as transforms.Compose([Resize(256), CenterCrop(224), ToTensor(), Normalize(...)]):
//   1. resize so the shorter side is `resize` (the longer one int(resize * long / short)), with
//      antialiased bilinear (datasets/resize_antialias.h);
//   2. cut the centred `crop` x `crop` square (offsets round((size - crop) / 2), half to even);
//   3. subtract `mean` and divide by `std` per channel, on values scaled to [0, 1].
// Resizing runs on x / 255 in float, as torchvision's tensor path; its PIL path rounds the resized
// photo to 8 bits first, which moves values by at most 0.5 / 255.
#pragma once

#include <string>
#include <vector>

#include "datasets/image8.h"
#include "tensor/tensor.h"

namespace camlab::datasets {

struct PhotoPreprocess {
  int64_t resize = 256;  // the shorter side after resizing; 0 keeps the photo's size
  int64_t crop = 224;    // the centre square's side; 0 keeps the whole (resized) photo
  int64_t channels = 3;  // 3: grey photos are replicated; 1: RGB photos become luma
  std::vector<double> mean = {0.485, 0.456, 0.406};  // ImageNet's, per channel (or one value)
  std::vector<double> std = {0.229, 0.224, 0.225};
};

// A rectangle in the original photo's pixels, edges as fractions: [x0, x1) x [y0, y1).
struct CropBox {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

struct PreparedPhoto {
  Tensor input;  // float32 [C, h, w], normalized: what the network sees
  Tensor
      pixels;  // float32 [C, h, w] in [0, 1], the same crop before normalizing: what a figure shows
  CropBox crop_box;
};

// `name` (the file) is used in errors, e.g. a crop larger than the resized photo.
PreparedPhoto prepare_photo(const Image8& photo, const PhotoPreprocess& recipe,
                            const std::string& name);

}  // namespace camlab::datasets
