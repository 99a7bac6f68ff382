// A photo from disk, whatever its format: what `camlab explain --image` reads.
//
//   Image8 photo = read_image("dog.jpg");               // JPEG or PNG, told by the first bytes
//   for (auto& f : list_image_files("photos/")) ...      // *.jpg, *.jpeg, *.png, sorted
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "datasets/image8.h"

namespace camlab::datasets {

// JPEG (datasets/jpeg_io.h) or PNG (datasets/png_io.h), chosen by the file's signature, not its
// name. Anything else is an Error naming the file and the formats that are read.
Image8 read_image(const std::string& path);

// The JPEG and PNG files directly inside `folder` (by extension, any case), sorted by name. An
// Error when the folder is missing or holds none.
std::vector<std::filesystem::path> list_image_files(const std::filesystem::path& folder);

}  // namespace camlab::datasets
