#include "experiments/sanity/run_sanity.h"

#include <algorithm>

#include "autograd/grad_mode.h"
#include "experiments/config/comma_list.h"
#include "experiments/wsol/wsol_data.h"
#include "tensor/ops.h"

namespace camlab::experiments {
namespace {

// The classes the trained network predicts: the maps of every model explain these, so only the
// weights change between columns.
Tensor predicted_classes(nn::Module& model, const Tensor& fed, Device device, int64_t batch) {
  autograd::NoGradGuard no_grad;
  model.eval();
  std::vector<Tensor> parts;
  for (int64_t first = 0; first < fed.size(0); first += batch) {
    const int64_t b = std::min(batch, fed.size(0) - first);
    const Tensor logits = model(fed.narrow(0, first, b).to(device)).to(Device::cpu());  // [b, K]
    CAMLAB_CHECK(logits.dim() == 2,
                 "sanity: the model's output is {}; the checks need logits [N, K]",
                 shape_str(logits.shape()));
    parts.push_back(ops::argmax(logits, 1).to(DType::Int64));
  }
  return ops::cat(parts, 0);  // int64 [N]
}

std::string cam_layer_of(const SanityFlags& flags, const Config& cfg) {
  if (!flags.cam_layer.empty()) return flags.cam_layer;
  const std::string layer = cfg.get_string("explain.layer");
  return layer.empty() ? cfg.get_string("model.cam_layer") : layer;
}

void set_schedules(const std::string& text, SanityOptions& o) {
  o.cascading = o.independent = false;
  for (const std::string& s : comma_list(text)) {
    CAMLAB_CHECK(s == "cascading" || s == "independent",
                 "sanity: --schedules '{}' holds '{}'; valid: cascading, independent", text, s);
    (s == "cascading" ? o.cascading : o.independent) = true;
  }
  CAMLAB_CHECK(o.cascading || o.independent,
               "sanity: --schedules is empty; give cascading, independent or both");
}

// The same images as the other run's network takes them: its own evaluation pipeline, checked
// to give the same input shape.
Tensor fed_for(const TrainedModel& against, const datasets::ImageDataset& images,
               const Tensor& fed) {
  const Tensor other = fed_images(images, against.data.eval_pipeline);  // [N, C, H, W]
  CAMLAB_CHECK(other.shape() == fed.shape(),
               "sanity: --against {} takes images {}, but {} are compared; the two runs need the "
               "same data",
               against.run_dir.string(), shape_str(other.shape()), shape_str(fed.shape()));
  return other;
}

}  // namespace

SanityResult run_sanity(const TrainedModel& trained, const SanityFlags& flags,
                        const TrainedModel* against) {
  const Config& cfg = trained.config;
  CAMLAB_CHECK(flags.images > 0, "sanity: --images must be at least 1, got {}", flags.images);
  CAMLAB_CHECK(trained.data.test.size() > 0, "sanity: the run's test set is empty");
  const datasets::ImageDataset data = first_items(trained.data.test, flags.images);
  SanityImages images;
  images.fed = fed_images(data, trained.data.eval_pipeline);  // [N, C, H, W]
  images.display = data.images;                               // [N, C, H, W]
  images.targets = predicted_classes(*trained.model, images.fed, trained.device, flags.batch_size);

  SanityOptions o{.methods = flags.methods.empty() ? cfg.get_strings("explain.methods")
                                                   : comma_list(flags.methods),
                  .cam_layer = cam_layer_of(flags, cfg),
                  .layers = comma_list(flags.layers),
                  .seed = static_cast<uint64_t>(cfg.get_int("experiment.seed")),
                  .batch_size = flags.batch_size,
                  .figure_image = flags.figure_image,
                  .device = trained.device,
                  .out = flags.out.empty() ? trained.run_dir / "sanity" : flags.out};
  set_schedules(flags.schedules, o);
  SanityAgainst other;
  if (against != nullptr) {
    other = {.model = against->model.get(),
             .fed = fed_for(*against, data, images.fed),
             .name = against->run_dir.filename().string()};
  }
  return sanity_checks(*trained.model, images, o, other);
}

}  // namespace camlab::experiments
