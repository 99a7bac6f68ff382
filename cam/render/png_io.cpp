#include "cam/render/png_io.h"

#include <png.h>

#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <vector>

#include "tensor/error.h"

namespace camlab::render {
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

// Warnings (e.g. a broken iCCP profile) do not stop a figure from loading.
void on_png_warning(png_structp, png_const_charp) {}

struct File {
  std::FILE* handle = nullptr;
  ~File() {
    if (handle != nullptr) {
      std::fclose(handle);
    }
  }
};

struct WriteStruct {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~WriteStruct() { png_destroy_write_struct(&png, &info); }
};

struct ReadStruct {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~ReadStruct() { png_destroy_read_struct(&png, &info, nullptr); }
};

bool encode(png_structp png, png_infop info, std::FILE* file, png_uint_32 width, png_uint_32 height,
            int color_type, png_bytep* rows) {
  if (setjmp(png_jmpbuf(png))) {
    return false;
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, width, height, 8, color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

// The decoded layout after the transforms read_png asks for.
struct DecodedInfo {
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int channels = 0;  // 3 (RGB) or 4 (RGB + alpha from an alpha channel or tRNS)
  int bit_depth = 0;
  size_t row_bytes = 0;
};

bool decode_header(png_structp png, png_infop info, std::FILE* file, DecodedInfo* decoded) {
  if (setjmp(png_jmpbuf(png))) {
    return false;
  }
  png_init_io(png, file);
  png_read_info(png, info);
  int color_type = png_get_color_type(png, info);
  if (png_get_bit_depth(png, info) == 16) {
    png_set_scale_16(png);
  }
  png_set_expand(png);  // palette -> RGB, grey 1/2/4 bits -> 8 bits, tRNS -> alpha
  if ((color_type & PNG_COLOR_MASK_COLOR) == 0) {
    png_set_gray_to_rgb(png);
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  decoded->width = png_get_image_width(png, info);
  decoded->height = png_get_image_height(png, info);
  decoded->channels = png_get_channels(png, info);
  decoded->bit_depth = png_get_bit_depth(png, info);
  decoded->row_bytes = png_get_rowbytes(png, info);
  return true;
}

bool decode_rows(png_structp png, png_bytep* rows) {
  if (setjmp(png_jmpbuf(png))) {
    return false;
  }
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  return true;
}

void write_bytes(const std::filesystem::path& path, int64_t width, int64_t height, int channels,
                 const std::vector<uint8_t>& pixels) {
  CAMLAB_CHECK(width > 0 && height > 0, "write_png: '{}': the image is empty ({}x{})",
               path.string(), width, height);
  CAMLAB_CHECK(static_cast<int64_t>(pixels.size()) == width * height * channels,
               "write_png: '{}': {} bytes do not fill a {}x{} image with {} channels",
               path.string(), pixels.size(), width, height, channels);
  File file{std::fopen(path.c_str(), "wb")};
  CAMLAB_CHECK(file.handle != nullptr, "write_png: cannot open '{}' for writing: {}", path.string(),
               std::strerror(errno));
  PngError error;
  WriteStruct png;
  png.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &error, on_png_error, on_png_warning);
  CAMLAB_CHECK(png.png != nullptr, "write_png: '{}': libpng could not allocate", path.string());
  png.info = png_create_info_struct(png.png);
  CAMLAB_CHECK(png.info != nullptr, "write_png: '{}': libpng could not allocate", path.string());
  std::vector<png_bytep> rows(static_cast<size_t>(height));
  for (int64_t y = 0; y < height; ++y) {
    rows[y] = const_cast<png_bytep>(&pixels[y * width * channels]);  // libpng only reads them
  }
  int color_type = channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY;
  bool encoded = encode(png.png, png.info, file.handle, static_cast<png_uint_32>(width),
                        static_cast<png_uint_32>(height), color_type, rows.data());
  bool closed = std::fclose(file.handle) == 0;
  file.handle = nullptr;
  if (!encoded || !closed) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
  CAMLAB_CHECK(encoded, "write_png: '{}': {}", path.string(), error.message);
  CAMLAB_CHECK(closed, "write_png: '{}': closing failed: {}", path.string(), std::strerror(errno));
}

}  // namespace

void write_png(const std::filesystem::path& path, const RgbImage& image) {
  write_bytes(path, image.width, image.height, 3, image.pixels);
}

void write_png(const std::filesystem::path& path, const GrayImage& image) {
  write_bytes(path, image.width, image.height, 1, image.pixels);
}

RgbImage read_png(const std::filesystem::path& path) {
  File file{std::fopen(path.c_str(), "rb")};
  CAMLAB_CHECK(file.handle != nullptr, "read_png: cannot open '{}': {}", path.string(),
               std::strerror(errno));
  png_byte signature[8] = {};
  size_t got = std::fread(signature, 1, sizeof signature, file.handle);
  CAMLAB_CHECK(got == sizeof signature && png_sig_cmp(signature, 0, sizeof signature) == 0,
               "read_png: '{}' is not a PNG file (its first 8 bytes are not the PNG signature)",
               path.string());
  PngError error;
  ReadStruct png;
  png.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &error, on_png_error, on_png_warning);
  CAMLAB_CHECK(png.png != nullptr, "read_png: '{}': libpng could not allocate", path.string());
  png.info = png_create_info_struct(png.png);
  CAMLAB_CHECK(png.info != nullptr, "read_png: '{}': libpng could not allocate", path.string());
  png_set_sig_bytes(png.png, sizeof signature);

  DecodedInfo decoded;
  CAMLAB_CHECK(decode_header(png.png, png.info, file.handle, &decoded), "read_png: '{}': {}",
               path.string(), error.message);
  CAMLAB_CHECK(decoded.bit_depth == 8 && (decoded.channels == 3 || decoded.channels == 4),
               "read_png: '{}': unsupported layout after conversion ({} channels, {} bits)",
               path.string(), decoded.channels, decoded.bit_depth);
  std::vector<uint8_t> raw(decoded.row_bytes * decoded.height);  // [H, W, channels]
  std::vector<png_bytep> rows(decoded.height);
  for (png_uint_32 y = 0; y < decoded.height; ++y) {
    rows[y] = &raw[y * decoded.row_bytes];
  }
  CAMLAB_CHECK(decode_rows(png.png, rows.data()), "read_png: '{}': {}", path.string(),
               error.message);

  int64_t width = decoded.width;
  int64_t height = decoded.height;
  RgbImage image = RgbImage::filled(width, height, kBlack);
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      const uint8_t* source = &raw[y * decoded.row_bytes + x * decoded.channels];
      std::memcpy(&image.pixels[(y * width + x) * 3], source, 3);
    }
  }
  return image;
}

}  // namespace camlab::render
