#include "datasets/image_folder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "datasets/png_io.h"
#include "tensor/error.h"

namespace camlab::datasets {
namespace {

namespace fs = std::filesystem;

bool is_png(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png";
}

std::vector<fs::path> sorted_entries(const fs::path& dir, bool directories) {
  std::vector<fs::path> out;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (directories ? e.is_directory() : (e.is_regular_file() && is_png(e.path()))) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Copies an [H, W, C] image into an [C, H, W] slot, repeating a gray plane `channels` times.
void to_planar(const Image8& img, int64_t channels, uint8_t* out) {
  const int64_t plane = img.width * img.height;
  for (int64_t c = 0; c < channels; ++c) {
    const int64_t from = img.channels == 1 ? 0 : c;
    for (int64_t i = 0; i < plane; ++i) out[c * plane + i] = img.pixels[i * img.channels + from];
  }
}

}  // namespace

ImageDataset load_image_folder(const std::string& root) {
  CAMLAB_CHECK(fs::is_directory(root),
               "image folder {} not found; expected a folder with one subfolder of PNGs per class",
               root);
  ImageDataset d;
  d.name = fs::path(root).filename().string();
  std::vector<Image8> images;
  std::vector<int64_t> labels;
  std::vector<std::string> files;
  for (const fs::path& class_dir : sorted_entries(root, true)) {
    const std::vector<fs::path> pngs = sorted_entries(class_dir, false);
    if (pngs.empty()) continue;
    const auto label = static_cast<int64_t>(d.class_names.size());
    d.class_names.push_back(class_dir.filename().string());
    for (const fs::path& file : pngs) {
      images.push_back(read_png(file.string()));
      labels.push_back(label);
      files.push_back(file.string());
      const Image8& first = images.front();
      const Image8& last = images.back();
      CAMLAB_CHECK(last.width == first.width && last.height == first.height,
                   "image folder {}: {} is {}x{} but {} is {}x{}; every image must have the same "
                   "size (resize them first)",
                   root, file.string(), last.width, last.height, files.front(), first.width,
                   first.height);
    }
  }
  CAMLAB_CHECK(!images.empty(), "image folder {} has no PNG files; expected {}/<class>/<image>.png",
               root, root);
  int64_t channels = 1;
  for (const Image8& img : images) channels = std::max(channels, img.channels);
  const auto n = static_cast<int64_t>(images.size());
  const int64_t h = images[0].height, w = images[0].width;
  d.images = Tensor::empty({n, channels, h, w}, DType::UInt8);  // [N, C, H, W]
  for (int64_t i = 0; i < n; ++i) {
    to_planar(images[i], channels, d.images.data<uint8_t>() + i * channels * h * w);
  }
  d.labels = Tensor::from_vector(labels, {n});  // [N]
  return d;
}

}  // namespace camlab::datasets
