#include "experiments/explain/explain_inputs.h"

#include <fmt/format.h>

#include "cam/render/heatmap.h"
#include "datasets/image_file.h"
#include "experiments/explain/selection.h"
#include "tensor/ops.h"

namespace camlab::experiments {

ExplainInputs dataset_inputs(nn::Module& model, datasets::DataLoader& loader,
                             const datasets::ImageDataset& test,
                             const datasets::Pipeline& eval_pipeline, Device device,
                             bool multilabel, const DatasetChoice& choice) {
  std::vector<int64_t> indices;
  if (choice.indices.empty()) {
    const Predictions predictions = predict_all(model, loader, device, multilabel);
    indices = select_images(choice.select, predictions, choice.count, choice.seed);
  } else {
    indices = parse_indices(choice.indices, test.size());
  }
  CAMLAB_CHECK(!indices.empty(), "explain: --select {} found no images to explain", choice.select);
  datasets::DataLoader picked(
      test.subset(indices), {.batch_size = static_cast<int64_t>(indices.size()), .shuffle = false},
      eval_pipeline);
  datasets::Batch batch = picked.batch(0, 0);
  ExplainInputs in;
  in.images = batch.images;                                              // [N, C, H, W]
  in.labels = multilabel ? ops::argmax(batch.labels, 1) : batch.labels;  // [N]
  in.indices = Tensor::from_vector(indices, {static_cast<int64_t>(indices.size())});  // [N]
  for (size_t i = 0; i < indices.size(); ++i) {
    in.names.push_back(fmt::format("#{}", indices[i]));
    in.shown.push_back(render::to_rgb(batch.images.select(0, static_cast<int64_t>(i))));
  }
  return in;
}

ExplainInputs photo_inputs(const std::vector<std::filesystem::path>& sources,
                           const datasets::PhotoPreprocess& recipe) {
  ExplainInputs in;
  for (const std::filesystem::path& source : sources) {
    if (std::filesystem::is_directory(source)) {
      for (const auto& file : datasets::list_image_files(source)) in.files.push_back(file);
    } else {
      in.files.push_back(source);
    }
  }
  CAMLAB_CHECK(!in.files.empty(), "explain: no photos given (--image FILE... or --images DIR)");
  std::vector<Tensor> inputs;
  for (const std::filesystem::path& file : in.files) {
    datasets::Image8 photo = datasets::read_image(file.string());
    datasets::PreparedPhoto prepared = datasets::prepare_photo(photo, recipe, file.string());
    CAMLAB_CHECK(inputs.empty() || prepared.input.shape() == inputs.front().shape(),
                 "explain: {} becomes {} but {} became {}; set a crop so every photo has one "
                 "size",
                 file.string(), shape_str(prepared.input.shape()), in.files.front().string(),
                 shape_str(inputs.front().shape()));
    inputs.push_back(prepared.input);
    in.names.push_back(file.filename().string());
    in.shown.push_back(render::to_rgb(prepared.pixels, render::DisplayRange{0.0, 1.0}));
    in.photos.push_back(std::move(photo));
    in.crops.push_back(prepared.crop_box);
  }
  const auto n = static_cast<int64_t>(inputs.size());
  in.images = ops::stack(inputs, 0);  // [N, C, H, W]
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  in.indices = Tensor::from_vector(order, {n});  // [N]
  return in;
}

}  // namespace camlab::experiments
