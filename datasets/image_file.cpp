#include "datasets/image_file.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>

#include "datasets/jpeg_io.h"
#include "datasets/png_io.h"
#include "tensor/error.h"

namespace camlab::datasets {
namespace {

bool has_image_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

}  // namespace

Image8 read_image(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  CAMLAB_CHECK(in.good() && std::filesystem::is_regular_file(path),
               "image {} not found (or not a regular file)", path);
  std::array<unsigned char, 8> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  const std::array<unsigned char, 8> png_signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (in.gcount() == 8 && head == png_signature) return read_png(path);
  if (in.gcount() >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) {
    return read_jpeg(path);
  }
  fail("image {} is neither a JPEG nor a PNG file (by its first bytes); camlab reads those two",
       path);
}

std::vector<std::filesystem::path> list_image_files(const std::filesystem::path& folder) {
  CAMLAB_CHECK(std::filesystem::is_directory(folder), "image folder {} not found", folder.string());
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.is_regular_file() && has_image_extension(entry.path())) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  CAMLAB_CHECK(!files.empty(), "image folder {} holds no .jpg, .jpeg or .png files",
               folder.string());
  return files;
}

}  // namespace camlab::datasets
