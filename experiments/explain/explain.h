// The explain pipeline as one call: maps of every method for every target class, the figure,
// full-resolution overlays on photos, the top-k predictions and the optional HDF5 file.
//
//   ExplainInputs in = photo_inputs({"cat_dog.jpg"}, PhotoPreprocess{});
//   ExplainRequest r{.methods = {"gradcam"}, .targets = {"boxer", "tiger cat"},
//                    .class_names = read_class_names("experiments/labels/imagenet1k.txt"),
//                    .out = "figures"};
//   ExplainResult res = explain(*model, in, r);   // figures/explain.png, cat_dog_gradcam_boxer.png
//   res.top[0][0].index;                          // the most probable class of the first photo
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cam/methods/method_settings.h"
#include "cam/render/colormap.h"
#include "experiments/explain/class_names.h"
#include "experiments/explain/explain_inputs.h"
#include "experiments/explain/explanations_file.h"
#include "nn/module.h"

namespace camlab::experiments {

struct ExplainRequest {
  std::vector<std::string> methods = {"gradcam"};
  std::string layer;  // "" = each method's automatic layer
  // One entry per map set: "pred" (each image's top class), "label" (its true class), a class
  // index or a class name; "all" (every class) and "topK" (each image's K largest logits) give
  // several. Two or more give one map per (method, class), the CAM and Grad-CAM papers'
  // two-class figures; each method runs once on the images repeated per class.
  std::vector<std::string> targets = {"pred"};
  // What a class column differentiates: "logit", "softmax" or "sigmoid" (cam::score_named). A
  // model with per-pixel logits [N, K, H, W] and "logit" gets the segmentation target instead:
  // the class's pixel logits summed over its predicted region.
  std::string score = "logit";
  // When defined ([1, C, H, W], preprocessed like the images): every column explains the cosine
  // between the image's features and this reference's instead of a class score.
  Tensor reference;
  std::string similarity_layer;  // the features compared: a layer's output; "" = the model's output
  std::vector<std::string> class_names;  // names of the model's classes (may be empty)
  bool multilabel = false;               // sigmoid instead of softmax for the probabilities
  render::Colormap colormap = render::Colormap::Jet;
  uint64_t seed = 0;  // Random-CAM's weights, SmoothGrad's noise
  // Each method's own options (SmoothGrad's samples, occlusion's window, ...) and aug/eigen-smooth;
  // explain() fills in the layer, the image shape and the seed.
  cam::MethodSettings method_settings;
  int64_t top_k = 5;
  Device device = Device::cpu();
  std::filesystem::path out;  // folder for explain.png and the photo overlays
  std::filesystem::path h5;   // also write the maps here ("" = no)
};

// One map column of the figure: which method and target, and where its maps are kept.
struct ExplainColumn {
  std::string key;       // its entry in ExplanationsFile::maps and ::raw
  std::string layer;     // the layer the method read; "" when it reads none
  std::string file_tag;  // photo overlays are "<photo stem>_<file_tag>.png"
};

struct ExplainResult {
  ExplanationsFile file;                    // maps keyed "method" (one target) or "method:target"
  std::vector<std::string> columns;         // the figure's map columns, in order
  std::vector<ExplainColumn> column_parts;  // the same columns' keys, layers and file tags
  Tensor probabilities;                     // [N, K] on the CPU: softmax (sigmoid) of the logits
  // With dff among the methods: every concept's map per image and the classifier's score of
  // each concept, for dff_concepts.png (cam/render/concept_figure.h); undefined otherwise.
  Tensor concept_maps;                         // [N, k, h, w]
  Tensor concept_scores;                       // [k, classes]
  std::vector<std::vector<ClassScore>> top;    // [N][top_k] most probable classes
  std::vector<std::filesystem::path> written;  // every file written
};

// Runs each method on `inputs.images` for each target and writes the figures; prints one line per
// map set and the top-k classes of each image. Errors name the method, target or file.
ExplainResult explain(nn::Module& model, const ExplainInputs& inputs,
                      const ExplainRequest& request);

// explain() in its two halves, for a caller that moves the maps in between (sharded_explain.h):
// every map and the top-k classes, printing and writing nothing; then the printed lines and the
// files, from a result whose rows are `inputs`' rows.
ExplainResult compute_explanations(nn::Module& model, const ExplainInputs& inputs,
                                   const ExplainRequest& request);
void write_explain_outputs(const ExplainInputs& inputs, ExplainResult& result,
                           const ExplainRequest& request);

}  // namespace camlab::experiments
