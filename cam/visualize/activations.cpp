#include "cam/visualize/activations.h"

#include <algorithm>
#include <ranges>

#include "autograd/grad_mode.h"
#include "cam/methods/layers.h"
#include "cam/render/draw.h"
#include "cam/render/font.h"
#include "cam/render/tile.h"
#include "cam/visualize/display.h"
#include "cam/visualize/model_probe.h"
#include "nn/hooks.h"
#include "nn/named_tensors.h"
#include "tensor/error.h"

namespace camlab::cam::visualize {
namespace {

Tensor as_single_image(const Tensor& image) {
  CAMLAB_CHECK(image.defined() && (image.dim() == 3 || (image.dim() == 4 && image.size(0) == 1)),
               "activations: expected one image [C, H, W] or [1, C, H, W], got {}",
               image.defined() ? shape_str(image.shape()) : "undefined");
  return image.dim() == 3 ? image.unsqueeze(0) : image;  // [1, C, H, W]
}

// A channel picture above its label, on white; the picture sits at the cell's top-left.
render::RgbImage labeled_cell(const render::RgbImage& picture, const std::string& label,
                              int64_t text_scale) {
  const int64_t gap = 2 * text_scale;
  const int64_t width = std::max(picture.width, render::text_width(label, text_scale));
  const int64_t height = picture.height + gap + render::text_height("0", text_scale);
  render::RgbImage cell = render::RgbImage::filled(width, height, render::kWhite);
  render::paste(cell, picture, 0, 0);
  render::draw_text(cell, 0, picture.height + gap, label, render::kBlack, text_scale);
  return cell;
}

}  // namespace

std::vector<LayerActivation> capture_activations(nn::Module& model, const Tensor& image,
                                                 const std::vector<std::string>& layers) {
  const Tensor batch = as_single_image(image);  // [1, C, H, W]
  CAMLAB_CHECK(!layers.empty(), "activations: no layers given; name some, e.g. --layers conv1");
  EvalModeGuard eval(model);
  std::vector<Tensor> outputs(layers.size());
  std::vector<nn::ScopedForwardHook> hooks;
  for (size_t i = 0; i < layers.size(); ++i) {
    nn::Module& layer = cam::find_layer(model, layers[i], "activations");
    hooks.emplace_back(layer.register_forward_hook(
        [&outputs, i](nn::Module&, const Tensor&, const Tensor& output) { outputs[i] = output; }));
  }
  {
    autograd::NoGradGuard no_grad;
    model(batch.to(model_device(model)).to(model_dtype(model)));
  }
  hooks.clear();

  std::vector<LayerActivation> captured;
  for (size_t i = 0; i < layers.size(); ++i) {
    CAMLAB_CHECK(outputs[i].defined(),
                 "activations: layer '{}' did not run in the model's forward; pick a layer on the "
                 "path from input to output",
                 layers[i]);
    if (outputs[i].dim() != 4) {
      fail("activations: layer '{}' gives {}, not a spatial map [1, C, H, W]; spatial layers: {}",
           layers[i], shape_str(outputs[i].shape()),
           nn::join_names(
               spatial_layer_names(model, batch.to(model_device(model)).to(model_dtype(model))),
               200));
    }
    captured.push_back({layers[i], outputs[i].select(0, 0)});  // [C, h, w]
  }
  return captured;
}

ActivationGrid activation_grid(const LayerActivation& activation,
                               const ActivationGridOptions& options) {
  const Tensor& value = activation.value;  // [C, h, w]
  CAMLAB_CHECK(value.defined() && value.dim() == 3,
               "activation_grid: layer '{}' must hold [C, h, w], got {}", activation.name,
               value.defined() ? shape_str(value.shape()) : "undefined");
  CAMLAB_CHECK(options.columns > 0 && options.padding >= 0 && options.text_scale > 0,
               "activation_grid: columns and text_scale must be positive, padding >= 0; got "
               "columns={}, padding={}, text_scale={}",
               options.columns, options.padding, options.text_scale);
  const int64_t channels = value.size(0);
  const int64_t longer = std::max(value.size(1), value.size(2));
  const int64_t upscale = std::max<int64_t>(1, (options.min_cell + longer - 1) / longer);

  ActivationGrid grid;
  grid.title = activation.name + " " + shape_str(value.shape());
  std::vector<render::RgbImage> cells;
  for (int64_t c = 0; c < channels; ++c) {
    const Tensor plane = value.select(0, c);  // [h, w]
    const bool dead = is_all_zero(plane);
    if (dead) grid.dead_channels.push_back(c);
    grid.labels.push_back(dead ? fmt::format("{} dead", c) : fmt::format("{}", c));
    const render::RgbImage picture =
        render::upscale(standardized_rgb(plane), upscale, render::Resample::Nearest);
    cells.push_back(labeled_cell(picture, grid.labels.back(), options.text_scale));
  }
  const render::RgbImage sheet = render::tile(cells, options.columns, options.padding);

  // tile()'s documented layout: cells as large as the largest, padding around and between.
  const int64_t pad = options.padding;
  const int64_t columns = std::min(options.columns, std::max<int64_t>(channels, 1));
  int64_t cell_width = 0;
  int64_t cell_height = 0;
  for (const auto& cell : cells) {
    cell_width = std::max(cell_width, cell.width);
    cell_height = std::max(cell_height, cell.height);
  }
  const int64_t title_scale = 2 * options.text_scale;
  const int64_t title_height = render::text_height(grid.title, title_scale);
  const int64_t title_width = render::text_width(grid.title, title_scale);
  grid.image = render::RgbImage::filled(std::max(sheet.width, title_width + 2 * pad),
                                        pad + title_height + sheet.height, render::kWhite);
  render::draw_text(grid.image, pad, pad, grid.title, render::kBlack, title_scale);
  render::paste(grid.image, sheet, 0, pad + title_height);
  for (int64_t c = 0; c < channels; ++c) {
    grid.cells.push_back({.x = pad + (c % columns) * (cell_width + pad),
                          .y = pad + title_height + pad + (c / columns) * (cell_height + pad),
                          .width = value.size(2) * upscale,
                          .height = value.size(1) * upscale});
  }
  return grid;
}

std::string activation_file_name(const std::string& layer) {
  std::string stem = layer;
  std::ranges::replace(stem, '.', '_');
  return "activations_" + stem + ".png";
}

}  // namespace camlab::cam::visualize
