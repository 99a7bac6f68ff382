// feature_grid(): the synthesised images of a feature_vis run as one labelled sheet.
#include <algorithm>

#include "cam/render/draw.h"
#include "cam/render/font.h"
#include "cam/render/tile.h"
#include "cam/visualize/display.h"
#include "cam/visualize/feature_vis.h"
#include "tensor/error.h"

namespace camlab::cam::visualize {
namespace {

std::string cell_label(const FeatureVisRecord& record, const UnitRecord& unit) {
  std::string name;
  if (record.objective == "class") {
    name = fmt::format("class {}", unit.unit);
  } else if (record.objective == "deepdream") {
    name = fmt::format("img {}", unit.image);
  } else if (record.objective == "diversity") {
    name = fmt::format("ch {}.{}", unit.unit, unit.image);
  } else {
    name = fmt::format("ch {}", unit.unit);
  }
  return fmt::format("{}\n{:.3g}", name, unit.final_objective);
}

}  // namespace

render::RgbImage feature_grid(const FeatureVisResult& result, const FeatureGridOptions& options) {
  const Tensor& images = result.images;  // [B, C, H, W]
  const FeatureVisRecord& record = result.record;
  CAMLAB_CHECK(images.defined() && images.dim() == 4 &&
                   images.size(0) == static_cast<int64_t>(record.units.size()),
               "feature_grid: expected images [B, C, H, W] with one record per image, got {} and "
               "{} records",
               images.defined() ? shape_str(images.shape()) : "undefined", record.units.size());
  CAMLAB_CHECK(options.columns > 0 && options.padding >= 0 && options.text_scale > 0,
               "feature_grid: columns and text_scale must be positive, padding >= 0");
  const int64_t longer = std::max(images.size(2), images.size(3));
  const int64_t upscale = std::max<int64_t>(1, (options.min_cell + longer - 1) / longer);
  const int64_t gap = 2 * options.text_scale;

  std::vector<render::RgbImage> cells;
  for (int64_t b = 0; b < images.size(0); ++b) {
    const render::RgbImage picture =
        render::upscale(standardized_rgb(images.select(0, b)), upscale, render::Resample::Nearest);
    const std::string label = cell_label(record, record.units[b]);
    render::RgbImage cell = render::RgbImage::filled(
        std::max(picture.width, render::text_width(label, options.text_scale)),
        picture.height + gap + render::text_height(label, options.text_scale), render::kWhite);
    render::paste(cell, picture, 0, 0);
    render::draw_text(cell, 0, picture.height + gap, label, render::kBlack, options.text_scale);
    cells.push_back(std::move(cell));
  }
  const render::RgbImage sheet = render::tile(cells, options.columns, options.padding);

  const std::string subject =
      record.layer.empty() ? record.objective : record.layer + " " + record.objective;
  const std::string title =
      fmt::format("{}, {} + {}, {} steps x {} octave{}", subject, record.parametrization,
                  record.optimizer, record.steps, record.octaves, record.octaves == 1 ? "" : "s");
  const int64_t title_scale = options.text_scale;
  const int64_t title_height = render::text_height(title, title_scale);
  render::RgbImage figure = render::RgbImage::filled(
      std::max(sheet.width, render::text_width(title, title_scale) + 2 * options.padding),
      options.padding + title_height + sheet.height, render::kWhite);
  render::draw_text(figure, options.padding, options.padding, title, render::kBlack, title_scale);
  render::paste(figure, sheet, 0, options.padding + title_height);
  return figure;
}

}  // namespace camlab::cam::visualize
