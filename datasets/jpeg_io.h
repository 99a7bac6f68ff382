// JPEG files through libjpeg-turbo's TurboJPEG API, turned upright by their EXIF orientation.
//
//   Image8 photo = read_jpeg("IMG_0042.jpg");     // grey JPEG -> 1 channel, colour -> 3 (RGB)
//   photo.pixels[(y * photo.width + x) * photo.channels + c];
//
// The decoder runs with TurboJPEG's defaults (accurate integer IDCT, smooth chroma upsampling),
// the settings PIL uses, so pixels match PIL's Image.open(...).convert("RGB") followed by
// ImageOps.exif_transpose.
#pragma once

#include <string>

#include "datasets/image8.h"

namespace camlab::datasets {

// The header's size is checked against kMaxImagePixels before the pixel buffer is allocated. Any
// libjpeg warning (a truncated or corrupt stream, which libjpeg would fill with grey) is an Error
// naming the file; CMYK/YCCK JPEGs are an Error too.
Image8 read_jpeg(const std::string& path);

}  // namespace camlab::datasets
