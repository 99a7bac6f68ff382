// A folder of PNGs with one subfolder per class (the torchvision ImageFolder layout).
//
//   root/cat/001.png, root/cat/002.png, root/dog/001.png ...
//   ImageDataset d = load_image_folder("root");   // classes {"cat", "dog"}, uint8 [N, C, H, W]
//
// Classes are the subfolders in sorted order; files within a class are sorted by name, so the
// item order is the same on every machine. Every image must have the same size (the error names
// the first file that differs); gray images are promoted to RGB when any image is in colour.
#pragma once

#include <string>

#include "datasets/image_dataset.h"

namespace camlab::datasets {

ImageDataset load_image_folder(const std::string& root);

}  // namespace camlab::datasets
