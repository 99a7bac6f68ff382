// cam/render: colormaps against matplotlib's values, tensor -> image conversion, overlays, PNG
// round trips (and hand-assembled PNGs for the reader's conversions), text, grids, tiles, plots.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "cam/render/colormap.h"
#include "cam/render/colormap_tables.h"
#include "cam/render/draw.h"
#include "cam/render/figure_grid.h"
#include "cam/render/font.h"
#include "cam/render/heatmap.h"
#include "cam/render/image.h"
#include "cam/render/palette.h"
#include "cam/render/plot.h"
#include "cam/render/png_io.h"
#include "cam/render/tile.h"
#include "tensor/error.h"
#include "tensor/tensor.h"

namespace camlab::render {
namespace {

namespace fs = std::filesystem;

// A folder under /tmp removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "camlab-render-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  fs::path file(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a camlab::Error";
  return "";
}

Rgb table_entry(const float (*table)[3], int k) {
  return {static_cast<uint8_t>(std::lround(table[k][0] * 255.0)),
          static_cast<uint8_t>(std::lround(table[k][1] * 255.0)),
          static_cast<uint8_t>(std::lround(table[k][2] * 255.0))};
}

// ---------------------------------------------------------------------------------------------
// Colormaps. Expected bytes are matplotlib 3.6's float values x 255, rounded.

TEST(Colormap, EndpointsMatchMatplotlib) {
  EXPECT_EQ(colormap_rgb(Colormap::Viridis, 0.0), (Rgb{68, 1, 84}));
  EXPECT_EQ(colormap_rgb(Colormap::Viridis, 1.0), (Rgb{253, 231, 37}));
  EXPECT_EQ(colormap_rgb(Colormap::Inferno, 0.0), (Rgb{0, 0, 4}));
  EXPECT_EQ(colormap_rgb(Colormap::Inferno, 1.0), (Rgb{252, 255, 164}));
  EXPECT_EQ(colormap_rgb(Colormap::Turbo, 0.0), (Rgb{48, 18, 59}));
  EXPECT_EQ(colormap_rgb(Colormap::Turbo, 1.0), (Rgb{122, 4, 3}));
  // matplotlib's jet starts at blue 0.5 = 127.5, which rounds to 128 (OpenCV's jet has 128 too).
  EXPECT_EQ(colormap_rgb(Colormap::Jet, 0.0), (Rgb{0, 0, 128}));
  EXPECT_EQ(colormap_rgb(Colormap::Jet, 1.0), (Rgb{128, 0, 0}));
  EXPECT_EQ(colormap_rgb(Colormap::Gray, 0.0), (Rgb{0, 0, 0}));
  EXPECT_EQ(colormap_rgb(Colormap::Gray, 1.0), (Rgb{255, 255, 255}));
}

TEST(Colormap, MidpointsMatchMatplotlib) {
  // Entry 128 (t = 128/255): viridis (32.53, 144.57, 140.39), jet (125, 255, 121.77),
  // inferno (187.60, 55.06, 84.21), turbo (164.12, 252.45, 59.56).
  EXPECT_EQ(colormap_rgb(Colormap::Viridis, 128.0 / 255.0), (Rgb{33, 145, 140}));
  EXPECT_EQ(colormap_rgb(Colormap::Jet, 128.0 / 255.0), (Rgb{125, 255, 122}));
  EXPECT_EQ(colormap_rgb(Colormap::Inferno, 128.0 / 255.0), (Rgb{188, 55, 84}));
  EXPECT_EQ(colormap_rgb(Colormap::Turbo, 128.0 / 255.0), (Rgb{164, 252, 60}));
  // t = 0.5 lies halfway between entries 127 and 128: viridis (32.83 + 32.53) / 2 = 32.68, ...
  EXPECT_EQ(colormap_rgb(Colormap::Viridis, 0.5), (Rgb{33, 144, 140}));
  EXPECT_EQ(colormap_rgb(Colormap::Gray, 0.25), (Rgb{64, 64, 64}));  // 63.75
}

TEST(Colormap, EveryTableEntrySitsAtKOver255) {
  const std::vector<std::pair<Colormap, const float(*)[3]>> tables = {
      {Colormap::Jet, detail::kJet},
      {Colormap::Viridis, detail::kViridis},
      {Colormap::Inferno, detail::kInferno},
      {Colormap::Turbo, detail::kTurbo},
      {Colormap::Gray, detail::kGray}};
  for (auto [cmap, table] : tables) {
    for (int k = 0; k < detail::kColormapEntries; ++k) {
      ASSERT_EQ(colormap_rgb(cmap, k / 255.0), table_entry(table, k))
          << colormap_name(cmap) << " entry " << k;
    }
  }
  for (int k = 0; k < detail::kColormapEntries; ++k) {
    ASSERT_EQ(table_entry(detail::kGray, k), (Rgb{uint8_t(k), uint8_t(k), uint8_t(k)})) << k;
  }
}

TEST(Colormap, ClampsOutsideUnitIntervalAndRejectsNaN) {
  EXPECT_EQ(colormap_rgb(Colormap::Viridis, -3.0), colormap_rgb(Colormap::Viridis, 0.0));
  EXPECT_EQ(colormap_rgb(Colormap::Viridis, 7.0), colormap_rgb(Colormap::Viridis, 1.0));
  std::string message = error_of([] { colormap_rgb(Colormap::Jet, std::nan("")); });
  EXPECT_NE(message.find("NaN"), std::string::npos) << message;
}

TEST(Colormap, ParsesNamesAndListsValidOnesOnError) {
  for (Colormap cmap : kColormaps) {
    EXPECT_EQ(parse_colormap(colormap_name(cmap)), cmap);
  }
  EXPECT_EQ(parse_colormap("Viridis"), Colormap::Viridis);
  EXPECT_EQ(parse_colormap("JET"), Colormap::Jet);
  std::string message = error_of([] { parse_colormap("hot"); });
  EXPECT_NE(message.find("'hot'"), std::string::npos) << message;
  EXPECT_NE(message.find("jet, viridis, inferno, turbo, gray"), std::string::npos) << message;
  EXPECT_FALSE(error_of([] { parse_colormap(""); }).empty());
}

// ---------------------------------------------------------------------------------------------
// Tensors to images.

TEST(ToRgb, GrayImageUsesMinMaxRange) {
  Tensor x = Tensor::from_vector<float>({-1.0f, 0.0f, 1.0f, 3.0f}, {1, 2, 2});
  RgbImage image = to_rgb(x);
  ASSERT_EQ(image.width, 2);
  ASSERT_EQ(image.height, 2);
  EXPECT_EQ(image.pixel(0, 0), (Rgb{0, 0, 0}));
  EXPECT_EQ(image.pixel(1, 0), (Rgb{64, 64, 64}));     // 1/4 * 255 = 63.75
  EXPECT_EQ(image.pixel(0, 1), (Rgb{128, 128, 128}));  // 2/4 * 255 = 127.5
  EXPECT_EQ(image.pixel(1, 1), (Rgb{255, 255, 255}));
}

TEST(ToRgb, GivenRangeClampsAndChannelsKeepTheirOrder) {
  // [3, 1, 2]: red, green, blue planes.
  Tensor x = Tensor::from_vector<double>({0.5, 2.0, 0.0, -1.0, 1.0, 0.25}, {3, 1, 2});
  RgbImage image = to_rgb(x, DisplayRange{0.0, 1.0});
  EXPECT_EQ(image.pixel(0, 0), (Rgb{128, 0, 255}));
  EXPECT_EQ(image.pixel(1, 0), (Rgb{255, 0, 64}));
}

TEST(ToRgb, AcceptsHwUint8AndNonContiguousImages) {
  Tensor bytes = Tensor::from_vector<uint8_t>({0, 10, 200, 255}, {2, 2});
  EXPECT_EQ(to_rgb(bytes).pixel(1, 0), (Rgb{10, 10, 10}));  // uint8 shows as stored
  Tensor x = Tensor::from_vector<float>({0, 1, 2, 3}, {1, 2, 2}).transpose(1, 2);
  EXPECT_EQ(to_rgb(x).pixel(1, 0), (Rgb{170, 170, 170}));  // x[0][0][1] = 2 of 0..3
  Tensor constant = Tensor::from_vector<float>({1, 1, 1, 1}, {1, 2, 2});
  EXPECT_EQ(to_rgb(constant).pixel(0, 0), (Rgb{255, 255, 255}));  // falls back to [0, 1]
}

TEST(ToRgb, RejectsWrongShapes) {
  Tensor two_channels = Tensor::from_vector<float>({0, 0, 0, 0}, {2, 1, 2});
  std::string message = error_of([&] { to_rgb(two_channels); });
  EXPECT_NE(message.find("[2, 1, 2]"), std::string::npos) << message;
  EXPECT_NE(message.find("C = 1 or 3"), std::string::npos) << message;
}

TEST(Heatmap, EachPixelIsTheColormapOfItsValue) {
  Tensor map = Tensor::from_vector<float>({0.0f, 0.3f, 0.7f, 1.0f, -0.5f, 2.0f}, {2, 3});
  RgbImage heat = heatmap_rgb(map, Colormap::Inferno);
  ASSERT_EQ(heat.width, 3);
  ASSERT_EQ(heat.height, 2);
  const std::vector<double> values = {0.0, 0.3f, 0.7f, 1.0, 0.0, 1.0};
  for (int64_t i = 0; i < 6; ++i) {
    EXPECT_EQ(heat.pixel(i % 3, i / 3), colormap_rgb(Colormap::Inferno, values[i])) << i;
  }
  Tensor bad = Tensor::from_vector<float>({0.0f, std::nanf("")}, {1, 2});
  std::string message = error_of([&] { heatmap_rgb(bad, Colormap::Jet); });
  EXPECT_NE(message.find("(y=0, x=1)"), std::string::npos) << message;
}

TEST(Overlay, BlendsHeatTimesAlphaWithImageTimesOneMinusAlpha) {
  RgbImage base{2, 2, {100, 50, 200, 0, 0, 0, 255, 255, 255, 10, 20, 30}};
  Tensor map = Tensor::from_vector<float>({0.0f, 1.0f, 0.5f, 0.25f}, {2, 2});
  RgbImage blend = overlay(base, map, Colormap::Jet, 0.5);
  // jet(0) = (0, 0, 128): (0 + 100) / 2, (0 + 50) / 2, (128 + 200) / 2.
  EXPECT_EQ(blend.pixel(0, 0), (Rgb{50, 25, 164}));
  // jet(1) = (128, 0, 0) over black.
  EXPECT_EQ(blend.pixel(1, 0), (Rgb{64, 0, 0}));
  RgbImage weighted = overlay(base, map, Colormap::Jet, 0.3);
  for (int64_t i = 0; i < 4; ++i) {
    Rgb heat = colormap_rgb(Colormap::Jet, map.at<float>({i / 2, i % 2}));
    Rgb image = base.pixel(i % 2, i / 2);
    for (int c = 0; c < 3; ++c) {
      EXPECT_EQ(weighted.pixel(i % 2, i / 2)[c], std::lround(0.3 * heat[c] + 0.7 * image[c]))
          << "pixel " << i << " channel " << c;
    }
  }
  EXPECT_EQ(overlay(base, map, Colormap::Jet, 0.0).pixels, base.pixels);
  EXPECT_EQ(overlay(base, map, Colormap::Jet, 1.0).pixels, heatmap_rgb(map, Colormap::Jet).pixels);
}

TEST(Overlay, RejectsMapOfAnotherSizeAndBadAlpha) {
  RgbImage base = RgbImage::filled(4, 4, kBlack);
  Tensor small = Tensor::from_vector<float>({0, 0, 0, 0}, {2, 2});
  std::string message = error_of([&] { overlay(base, small, Colormap::Jet, 0.5); });
  EXPECT_NE(message.find("[2, 2]"), std::string::npos) << message;
  EXPECT_NE(message.find("4x4"), std::string::npos) << message;
  Tensor map = Tensor::from_vector<float>(std::vector<float>(16, 0.5f), {4, 4});
  EXPECT_FALSE(error_of([&] { overlay(base, map, Colormap::Jet, 1.5); }).empty());
}

// ---------------------------------------------------------------------------------------------
// Resizing.

TEST(Resize, NearestReplicatesPixels) {
  RgbImage image{2, 1, {10, 20, 30, 40, 50, 60}};
  RgbImage big = upscale(image, 3, Resample::Nearest);
  ASSERT_EQ(big.width, 6);
  ASSERT_EQ(big.height, 3);
  for (int64_t y = 0; y < 3; ++y) {
    for (int64_t x = 0; x < 6; ++x) {
      EXPECT_EQ(big.pixel(x, y), x < 3 ? (Rgb{10, 20, 30}) : (Rgb{40, 50, 60}));
    }
  }
}

TEST(Resize, BilinearSamplesPixelCentersLikePyTorch) {
  // F.interpolate([[0, 255]], scale_factor=2, mode="bilinear", align_corners=False)
  // = [0, 63.75, 191.25, 255].
  RgbImage image{2, 1, {0, 0, 0, 255, 255, 255}};
  RgbImage big = upscale(image, 2, Resample::Bilinear);
  ASSERT_EQ(big.width, 4);
  EXPECT_EQ(big.pixel(0, 0)[0], 0);
  EXPECT_EQ(big.pixel(1, 0)[0], 64);
  EXPECT_EQ(big.pixel(2, 0)[0], 191);
  EXPECT_EQ(big.pixel(3, 1)[0], 255);
  EXPECT_FALSE(error_of([&] { upscale(image, 0, Resample::Nearest); }).empty());
}

// ---------------------------------------------------------------------------------------------
// PNG. The reader's conversions are checked on files assembled byte by byte here (stored
// deflate blocks), independent of libpng's writer.

uint32_t crc32(const std::vector<uint8_t>& bytes, size_t begin) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = begin; i < bytes.size(); ++i) {
    crc ^= bytes[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void put_be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void put_chunk(std::vector<uint8_t>& png, const char* type, const std::vector<uint8_t>& data) {
  put_be32(png, static_cast<uint32_t>(data.size()));
  std::vector<uint8_t> body(type, type + 4);
  body.insert(body.end(), data.begin(), data.end());
  png.insert(png.end(), body.begin(), body.end());
  put_be32(png, crc32(body, 0));
}

// A PNG with the given IHDR fields; `rows` holds each scanline's bytes (no filter byte).
std::vector<uint8_t> assemble_png(uint32_t width, uint32_t height, uint8_t bit_depth,
                                  uint8_t color_type, const std::vector<uint8_t>& rows) {
  std::vector<uint8_t> raw;
  size_t row_bytes = rows.size() / height;
  for (uint32_t y = 0; y < height; ++y) {
    raw.push_back(0);  // filter: none
    raw.insert(raw.end(), rows.begin() + y * row_bytes, rows.begin() + (y + 1) * row_bytes);
  }
  uint32_t a = 1, b = 0;  // Adler-32
  for (uint8_t v : raw) {
    a = (a + v) % 65521;
    b = (b + a) % 65521;
  }
  std::vector<uint8_t> zlib = {0x78, 0x01, 0x01};  // one final stored block (raw < 64 KiB)
  uint16_t length = static_cast<uint16_t>(raw.size());
  for (uint16_t v : {length, static_cast<uint16_t>(~length)}) {
    zlib.push_back(v & 0xFF);
    zlib.push_back(v >> 8);
  }
  zlib.insert(zlib.end(), raw.begin(), raw.end());
  put_be32(zlib, (b << 16) | a);

  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> header;
  put_be32(header, width);
  put_be32(header, height);
  header.insert(header.end(), {bit_depth, color_type, 0, 0, 0});
  put_chunk(png, "IHDR", header);
  put_chunk(png, "IDAT", zlib);
  put_chunk(png, "IEND", {});
  return png;
}

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Png, RgbRoundTripIsExact) {
  ScratchDir dir;
  RgbImage image = RgbImage::filled(7, 5, kBlack);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 37);
  write_png(dir.file("rgb.png"), image);
  RgbImage back = read_png(dir.file("rgb.png"));
  EXPECT_EQ(back.width, 7);
  EXPECT_EQ(back.height, 5);
  EXPECT_EQ(back.pixels, image.pixels);
  EXPECT_EQ(read_file(dir.file("rgb.png"))[25], 2);  // IHDR colour type: truecolour
}

TEST(Png, GrayRoundTripReadsBackAsEqualChannels) {
  ScratchDir dir;
  GrayImage gray{6, 4, std::vector<uint8_t>(24)};
  for (size_t i = 0; i < gray.pixels.size(); ++i) gray.pixels[i] = static_cast<uint8_t>(i * 11);
  write_png(dir.file("gray.png"), gray);
  EXPECT_EQ(read_file(dir.file("gray.png"))[25], 0);  // IHDR colour type: greyscale
  RgbImage back = read_png(dir.file("gray.png"));
  ASSERT_EQ(back.width, 6);
  ASSERT_EQ(back.height, 4);
  for (int64_t i = 0; i < 24; ++i) {
    EXPECT_EQ(back.pixel(i % 6, i / 6), (Rgb{gray.pixels[i], gray.pixels[i], gray.pixels[i]}));
  }
}

TEST(Png, ReaderDropsAlphaAndScales16Bit) {
  ScratchDir dir;
  // 2x1 RGBA: the alpha bytes (0 and 128) are dropped.
  write_file(dir.file("rgba.png"), assemble_png(2, 1, 8, 6, {1, 2, 3, 0, 250, 251, 252, 128}));
  RgbImage rgba = read_png(dir.file("rgba.png"));
  ASSERT_EQ(rgba.width, 2);
  EXPECT_EQ(rgba.pixel(0, 0), (Rgb{1, 2, 3}));
  EXPECT_EQ(rgba.pixel(1, 0), (Rgb{250, 251, 252}));
  // 3x1 16-bit grey 0x0000, 0x8080, 0xFFFF -> 0, 128, 255 (v * 255 / 65535).
  write_file(dir.file("gray16.png"), assemble_png(3, 1, 16, 0, {0, 0, 0x80, 0x80, 0xFF, 0xFF}));
  RgbImage gray16 = read_png(dir.file("gray16.png"));
  EXPECT_EQ(gray16.pixel(0, 0), (Rgb{0, 0, 0}));
  EXPECT_EQ(gray16.pixel(1, 0), (Rgb{128, 128, 128}));
  EXPECT_EQ(gray16.pixel(2, 0), (Rgb{255, 255, 255}));
  // 1x1 16-bit RGB 0x1234 0xABCD 0x00FF -> round(v / 257) = 18, 171, 1.
  write_file(dir.file("rgb16.png"), assemble_png(1, 1, 16, 2, {0x12, 0x34, 0xAB, 0xCD, 0, 0xFF}));
  EXPECT_EQ(read_png(dir.file("rgb16.png")).pixel(0, 0), (Rgb{18, 171, 1}));
}

TEST(Png, ErrorsNameTheFileAndTheReason) {
  ScratchDir dir;
  fs::path missing = dir.file("missing.png");
  std::string message = error_of([&] { read_png(missing); });
  EXPECT_NE(message.find(missing.string()), std::string::npos) << message;
  EXPECT_NE(message.find("No such file"), std::string::npos) << message;

  write_file(dir.file("text.png"), {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'});
  message = error_of([&] { read_png(dir.file("text.png")); });
  EXPECT_NE(message.find("text.png"), std::string::npos) << message;
  EXPECT_NE(message.find("not a PNG"), std::string::npos) << message;

  std::vector<uint8_t> whole = assemble_png(4, 4, 8, 2, std::vector<uint8_t>(48, 7));
  write_file(dir.file("cut.png"), std::vector<uint8_t>(whole.begin(), whole.begin() + 45));
  message = error_of([&] { read_png(dir.file("cut.png")); });
  EXPECT_NE(message.find("cut.png"), std::string::npos) << message;

  message =
      error_of([&] { write_png(dir.file("no/such/dir/x.png"), RgbImage::filled(1, 1, kWhite)); });
  EXPECT_NE(message.find("no/such/dir/x.png"), std::string::npos) << message;
  EXPECT_NE(message.find("No such file"), std::string::npos) << message;
}

// ---------------------------------------------------------------------------------------------
// Text.

// Bounding box of every pixel that differs from `background`: {x0, y0, x1, y1} (exclusive).
std::array<int64_t, 4> ink_box(const RgbImage& image, Rgb background) {
  std::array<int64_t, 4> box = {image.width, image.height, 0, 0};
  for (int64_t y = 0; y < image.height; ++y) {
    for (int64_t x = 0; x < image.width; ++x) {
      if (image.pixel(x, y) != background) {
        box = {std::min(box[0], x), std::min(box[1], y), std::max(box[2], x + 1),
               std::max(box[3], y + 1)};
      }
    }
  }
  return box;
}

TEST(Font, TextWidthAndHeightArithmetic) {
  EXPECT_EQ(text_width("", 2), 0);
  EXPECT_EQ(text_width("A", 1), 5);
  EXPECT_EQ(text_width("Sneaker 0.97", 2), 142);                     // (12 * 6 - 1) * 2
  EXPECT_EQ(text_width("true: Shirt\npred: T-shirt 0.81", 1), 107);  // widest line, 18 glyphs
  EXPECT_EQ(text_height("A", 3), 27);                                // 7 rows + 2 descender rows
  EXPECT_EQ(text_height("a\nb", 1), 20);                             // 11 + 9
}

TEST(Font, InkStaysInsideTheTextBox) {
  // 'H' has ink in its first column and top and bottom cap rows, 'g' in its last column and
  // lowest descender row, so the ink box of "Hg" is the whole text box.
  RgbImage canvas = RgbImage::filled(60, 30, kWhite);
  draw_text(canvas, 3, 4, "Hg", {200, 0, 0}, 2);
  EXPECT_EQ(ink_box(canvas, kWhite),
            (std::array<int64_t, 4>{3, 4, 3 + text_width("Hg", 2), 4 + text_height("Hg", 2)}));
  EXPECT_EQ(canvas.pixel(3, 4), (Rgb{200, 0, 0}));
  // Capitals stop at the baseline, two rows above the box's bottom.
  RgbImage caps = RgbImage::filled(60, 30, kWhite);
  draw_text(caps, 3, 4, "HM", kBlack, 2);
  EXPECT_EQ(ink_box(caps, kWhite),
            (std::array<int64_t, 4>{3, 4, 3 + text_width("HM", 2), 4 + kCapHeight * 2}));
}

TEST(Font, EveryPrintableGlyphHasDistinctInk) {
  std::set<std::string> seen;  // glyph pixels as bytes
  for (char c = 33; c <= 126; ++c) {
    RgbImage cell = RgbImage::filled(kGlyphWidth, kGlyphRows, kWhite);
    draw_text(cell, 0, 0, std::string(1, c), kBlack, 1);
    EXPECT_NE(cell.pixels, RgbImage::filled(kGlyphWidth, kGlyphRows, kWhite).pixels) << c;
    std::string ink(cell.pixels.begin(), cell.pixels.end());
    EXPECT_TRUE(seen.insert(ink).second) << "glyph '" << c << "' duplicates another";
  }
  RgbImage unknown = RgbImage::filled(5, 9, kWhite);
  RgbImage question = RgbImage::filled(5, 9, kWhite);
  draw_text(unknown, 0, 0, "\x01", kBlack);
  draw_text(question, 0, 0, "?", kBlack);
  EXPECT_EQ(unknown.pixels, question.pixels);
}

// ---------------------------------------------------------------------------------------------
// Figures.

TEST(FigureGrid, SizeFollowsTheLayoutArithmetic) {
  FigureGrid grid({"image", "CAM"});  // padding 8, text scale 2, cells upscaled to >= 112
  RgbImage input = RgbImage::filled(28, 28, {90, 90, 90});
  Tensor map = Tensor::from_vector<float>(std::vector<float>(28 * 28, 1.0f), {28, 28});
  grid.add_row("Sneaker 0.97", input, {map}, Colormap::Jet, 0.5);
  grid.add_row("true: Shirt\npred: T-shirt 0.81", {input, input});
  EXPECT_EQ(grid.cell_scale(), 4);
  RgbImage figure = grid.render();
  // label column = widest label line = (18 glyphs * 6 - 1) * 2 = 214; columns 112 each;
  // header = 9 rows * 2 = 18; rows 112 each.
  EXPECT_EQ(figure.width, 8 + 214 + 8 + 112 + 8 + 112 + 8);
  EXPECT_EQ(figure.height, 8 + 18 + 8 + 112 + 8 + 112 + 8);
  // The first row's overlay cell: jet(1) = (128, 0, 0) over 90 -> (109, 45, 45).
  int64_t cell_x = 8 + 214 + 8 + 112 + 8;
  int64_t cell_y = 8 + 18 + 8;
  EXPECT_EQ(figure.pixel(cell_x, cell_y), (Rgb{109, 45, 45}));
  EXPECT_EQ(figure.pixel(cell_x + 111, cell_y + 111), (Rgb{109, 45, 45}));
  EXPECT_EQ(figure.pixel(cell_x + 112, cell_y), kWhite);  // the gap after the last column
  EXPECT_EQ(figure.pixel(0, 0), kWhite);
}

TEST(FigureGrid, WritesAPngAndRejectsRowsOfTheWrongLength) {
  ScratchDir dir;
  FigureGrid grid({"a", "b"}, {.scale = 2, .padding = 3});
  RgbImage cell = RgbImage::filled(10, 6, {0, 0, 255});
  std::string message = error_of([&] { grid.add_row("x", {cell}); });
  EXPECT_NE(message.find("1 cells"), std::string::npos) << message;
  EXPECT_NE(message.find("2 columns"), std::string::npos) << message;
  EXPECT_FALSE(error_of([&] { grid.render(); }).empty());  // no rows yet
  grid.add_row("", {cell, cell});                          // no labels: no label column
  grid.write(dir.file("grid.png"));
  RgbImage back = read_png(dir.file("grid.png"));
  EXPECT_EQ(back.width, 3 + 20 + 3 + 20 + 3);
  EXPECT_EQ(back.height, 3 + 18 + 3 + 12 + 3);
  EXPECT_EQ(back.pixel(3, 3 + 18 + 3), (Rgb{0, 0, 255}));
}

TEST(Tile, PlacesImagesRowMajorWithPadding) {
  std::vector<RgbImage> images;
  for (uint8_t i = 0; i < 5; ++i) images.push_back(RgbImage::filled(3, 2, {i, i, i}));
  RgbImage sheet = tile(images, 3, 1, {255, 0, 255});
  EXPECT_EQ(sheet.width, 3 * 3 + 4 * 1);
  EXPECT_EQ(sheet.height, 2 * 2 + 3 * 1);
  EXPECT_EQ(sheet.pixel(0, 0), (Rgb{255, 0, 255}));
  EXPECT_EQ(sheet.pixel(1, 1), (Rgb{0, 0, 0}));
  EXPECT_EQ(sheet.pixel(1 + 2 * 4, 1), (Rgb{2, 2, 2}));
  EXPECT_EQ(sheet.pixel(1 + 4, 1 + 3), (Rgb{4, 4, 4}));
  EXPECT_EQ(sheet.pixel(1 + 8, 1 + 3), (Rgb{255, 0, 255}));  // the empty sixth cell
  EXPECT_EQ(tile(images, 10, 0).width, 5 * 3);               // columns capped at the count
}

// Where pixels of `color` are: topmost and bottommost (x, y).
struct Extremes {
  int64_t count = 0;
  int64_t top_x = -1, top_y = -1, bottom_x = -1, bottom_y = -1;
};
Extremes find_color(const RgbImage& image, Rgb color) {
  Extremes e;
  for (int64_t y = 0; y < image.height; ++y) {
    for (int64_t x = 0; x < image.width; ++x) {
      if (image.pixel(x, y) != color) continue;
      if (e.count++ == 0) e.top_x = x, e.top_y = y;
      e.bottom_x = x, e.bottom_y = y;
    }
  }
  return e;
}

// matplotlib's tab10 (matplotlib.colors.TABLEAU_COLORS): blue first, red fourth, cycling.
TEST(Palette, Tab10CyclesAndWritesHex) {
  EXPECT_EQ(category_color(0), (Rgb{31, 119, 180}));
  EXPECT_EQ(hex_color(category_color(3)), "#d62728");
  EXPECT_EQ(hex_color(category_color(9)), "#17becf");
  EXPECT_EQ(category_color(10), category_color(0));
  EXPECT_EQ(category_color(-1), category_color(9));
}

TEST(PlotLines, RisingValuesPutTheLineHighOnTheRight) {
  constexpr Rgb kLine{31, 119, 180};  // first Tableau 10 colour
  std::vector<Series> series = {{.y = {0.1, 0.4, 0.55, 0.7, 0.9}}};
  RgbImage plot = plot_lines(series, "accuracy", "epoch", "acc", 320, 200);
  ASSERT_EQ(plot.width, 320);
  ASSERT_EQ(plot.height, 200);
  Extremes line = find_color(plot, kLine);
  EXPECT_GT(line.count, 200);
  EXPECT_GT(line.top_x, 320 / 2);             // the highest point is the last epoch
  EXPECT_LT(line.bottom_x, 320 / 2);          // the lowest the first
  EXPECT_GT(line.bottom_y, line.top_y + 60);  // 0.1 -> 0.9 spans most of the plot area
  int64_t non_white = 0;
  for (int64_t y = 0; y < 200; ++y) {
    for (int64_t x = 0; x < 320; ++x) non_white += plot.pixel(x, y) != kWhite;
  }
  EXPECT_GT(non_white, 1000);  // axes, grid, ticks and labels too
}

TEST(PlotLines, FallingValuesAndLegendColors) {
  std::vector<Series> series = {
      {.name = "train", .x = {0, 10, 20}, .y = {2.0, 1.0, 0.5}, .color = Rgb{200, 0, 0}},
      {.name = "val", .y = {2.5, std::nan(""), 0.7}}};
  RgbImage plot = plot_lines(series, "", "step", "loss", 400, 260);
  Extremes train = find_color(plot, {200, 0, 0});
  Extremes val = find_color(plot, {255, 127, 14});  // second Tableau 10 colour
  ASSERT_GT(train.count, 0);
  ASSERT_GT(val.count, 0);
  EXPECT_GT(train.bottom_x, 400 / 2);  // the lowest loss comes last
  std::string message = error_of([] {
    plot_lines({{.x = {1}, .y = {1, 2}}}, "", "", "", 320, 200);
  });
  EXPECT_NE(message.find("1 x values but 2 y values"), std::string::npos) << message;
}

}  // namespace
}  // namespace camlab::render
