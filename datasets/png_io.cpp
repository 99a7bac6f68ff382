#include "datasets/png_io.h"

#include <png.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "tensor/error.h"

namespace camlab::datasets {
namespace {

// libpng reports errors by longjmp. Every function below that calls setjmp holds only trivially
// destructible locals, so the jump never skips a destructor; the C++ objects live in the callers.
struct PngError {
  char message[256] = "unknown libpng error";
};

void on_png_error(png_structp png, png_const_charp message) {
  auto* error = static_cast<PngError*>(png_get_error_ptr(png));
  std::snprintf(error->message, sizeof error->message, "%s", message);
  png_longjmp(png, 1);
}

// Warnings (e.g. a broken iCCP profile) do not stop an image from loading.
void on_png_warning(png_structp, png_const_charp) {}

struct File {
  std::FILE* handle = nullptr;
  ~File() {
    if (handle != nullptr) std::fclose(handle);
  }
};

// libpng's read or write state, created with our error handlers; an Error names `path` when
// libpng cannot allocate it.
template <bool kWrite>
struct PngStruct {
  png_structp png = nullptr;
  png_infop info = nullptr;
  PngStruct(PngError* error, const std::string& path) {
    png = kWrite
              ? png_create_write_struct(PNG_LIBPNG_VER_STRING, error, on_png_error, on_png_warning)
              : png_create_read_struct(PNG_LIBPNG_VER_STRING, error, on_png_error, on_png_warning);
    info = png != nullptr ? png_create_info_struct(png) : nullptr;
    CAMLAB_CHECK(info != nullptr, "{}: '{}': libpng could not allocate",
                 kWrite ? "write_png" : "read_png", path);
  }
  ~PngStruct() {
    if constexpr (kWrite) {
      png_destroy_write_struct(&png, &info);
    } else {
      png_destroy_read_struct(&png, &info, nullptr);
    }
  }
  PngStruct(const PngStruct&) = delete;
  PngStruct& operator=(const PngStruct&) = delete;
};

bool encode(png_structp png, png_infop info, std::FILE* file, png_uint_32 width, png_uint_32 height,
            int color_type, png_bytep* rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_init_io(png, file);
  png_set_IHDR(png, info, width, height, 8, color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

// The stored size, read before any transform is set up (so before any pixel allocation).
bool read_header(png_structp png, png_infop info, std::FILE* file, png_uint_32* width,
                 png_uint_32* height) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_init_io(png, file);
  png_read_info(png, info);
  *width = png_get_image_width(png, info);
  *height = png_get_image_height(png, info);
  return true;
}

// The decoded layout after the transforms set_transforms asks for.
struct DecodedInfo {
  int channels = 0;  // 1 (grey) or 3 (RGB)
  int bit_depth = 0;
  size_t row_bytes = 0;
};

bool set_transforms(png_structp png, png_infop info, DecodedInfo* decoded) {
  if (setjmp(png_jmpbuf(png))) return false;
  if (png_get_bit_depth(png, info) == 16) png_set_scale_16(png);
  png_set_expand(png);       // palette -> RGB, grey 1/2/4 bits -> 8 bits, tRNS -> alpha
  png_set_strip_alpha(png);  // then dropped, as PIL's convert("RGB")
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  decoded->channels = png_get_channels(png, info);
  decoded->bit_depth = png_get_bit_depth(png, info);
  decoded->row_bytes = png_get_rowbytes(png, info);
  return true;
}

bool decode_rows(png_structp png, png_bytep* rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  return true;
}

}  // namespace

Image8 read_png(const std::string& path) {
  File file{std::fopen(path.c_str(), "rb")};
  CAMLAB_CHECK(file.handle != nullptr, "read_png: cannot open '{}': {}", path,
               std::strerror(errno));
  png_byte signature[8] = {};
  size_t got = std::fread(signature, 1, sizeof signature, file.handle);
  CAMLAB_CHECK(got == sizeof signature && png_sig_cmp(signature, 0, sizeof signature) == 0,
               "read_png: '{}' is not a PNG file (its first 8 bytes are not the PNG signature)",
               path);
  PngError error;
  PngStruct<false> png(&error, path);
  png_set_sig_bytes(png.png, sizeof signature);
  // libpng's own default limit is 10^6 pixels a side; ours is the pixel count checked below.
  png_set_user_limits(png.png, 0x7fffffff, 0x7fffffff);

  png_uint_32 width = 0, height = 0;
  CAMLAB_CHECK(read_header(png.png, png.info, file.handle, &width, &height), "read_png: '{}': {}",
               path, error.message);
  check_image_size(path, width, height);
  DecodedInfo decoded;
  CAMLAB_CHECK(set_transforms(png.png, png.info, &decoded), "read_png: '{}': {}", path,
               error.message);
  CAMLAB_CHECK(decoded.bit_depth == 8 && (decoded.channels == 1 || decoded.channels == 3) &&
                   decoded.row_bytes == size_t{width} * decoded.channels,
               "read_png: '{}': unsupported layout after conversion ({} channels, {} bits)", path,
               decoded.channels, decoded.bit_depth);
  Image8 image{width, height, decoded.channels, {}};
  image.pixels.resize(decoded.row_bytes * height);  // [H, W, C]
  std::vector<png_bytep> rows(height);
  for (png_uint_32 y = 0; y < height; ++y) rows[y] = &image.pixels[y * decoded.row_bytes];
  CAMLAB_CHECK(decode_rows(png.png, rows.data()), "read_png: '{}': {}", path, error.message);
  return image;
}

void write_png(const std::string& path, const Image8& image) {
  CAMLAB_CHECK(image.width > 0 && image.height > 0, "write_png: '{}': the image is empty ({}x{})",
               path, image.width, image.height);
  CAMLAB_CHECK(
      (image.channels == 1 || image.channels == 3) &&
          static_cast<int64_t>(image.pixels.size()) == image.width * image.height * image.channels,
      "write_png: '{}': {} bytes for a {}x{} image with {} channels; expected 1 or 3 "
      "channels and width * height * channels bytes",
      path, image.pixels.size(), image.width, image.height, image.channels);
  File file{std::fopen(path.c_str(), "wb")};
  CAMLAB_CHECK(file.handle != nullptr, "write_png: cannot open '{}' for writing: {}", path,
               std::strerror(errno));
  PngError error;
  PngStruct<true> png(&error, path);
  const int64_t row_bytes = image.width * image.channels;
  std::vector<png_bytep> rows(static_cast<size_t>(image.height));
  for (int64_t y = 0; y < image.height; ++y) {
    rows[y] = const_cast<png_bytep>(&image.pixels[y * row_bytes]);  // libpng only reads them
  }
  int color_type = image.channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY;
  bool encoded = encode(png.png, png.info, file.handle, static_cast<png_uint_32>(image.width),
                        static_cast<png_uint_32>(image.height), color_type, rows.data());
  bool closed = std::fclose(file.handle) == 0;
  file.handle = nullptr;
  if (!encoded || !closed) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
  CAMLAB_CHECK(encoded, "write_png: '{}': {}", path, error.message);
  CAMLAB_CHECK(closed, "write_png: '{}': closing failed: {}", path, std::strerror(errno));
}

}  // namespace camlab::datasets
