// A small fully-convolutional segmenter trained SEC-style from CAM seeds (sec_loss.h): one
// downsample for context, dilated convolutions for a receptive field as large as the items, a
// bilinear upsample and a skip from full resolution, K + 1 output channels (0 = background).
//
//   Generator gen(0);
//   Segmenter net(1, 11, gen);                                   // grey input, 10 classes + bg
//   auto losses = train_segmenter(net, images, seeds, present, {.epochs = 4});
//   Tensor masks = predict_masks(net, images, present);          // uint8 [N, H, W]
#pragma once

#include <memory>
#include <vector>

#include "experiments/wsol/dense_crf.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/module.h"
#include "tensor/generator.h"

namespace camlab::experiments {

class Segmenter : public nn::Module {
 public:
  // Receptive field of an output pixel: 5 px at full resolution, then 3x3 at stride 2 and dilated
  // 3x3 (2, 4) at stride 2 add 4 + 8 + 16, the last 3x3 after the upsample 2: about 35 px, the
  // span of a scaled Fashion-MNIST item.
  Segmenter(int64_t in_channels, int64_t labels, Generator& gen);

  Tensor forward(const Tensor& x) override;  // [N, C, H, W] -> logits [N, labels, H, W]
  std::string type_name() const override { return "Segmenter"; }
  int64_t labels() const { return labels_; }

 private:
  struct Stage {
    std::shared_ptr<nn::Conv2d> conv;
    std::shared_ptr<nn::BatchNorm2d> bn;
  };
  Stage add_stage(const std::string& name, int64_t in, int64_t out, int64_t dilation,
                  Generator& gen);
  static Tensor run(const Stage& s, const Tensor& x);

  int64_t labels_;
  std::vector<Stage> full_;     // at input resolution
  std::vector<Stage> context_;  // after the 2x2 max pool
  Stage fuse_;                  // upsampled context concatenated with full-resolution features
  std::shared_ptr<nn::Conv2d> head_;
};

struct SegmenterTraining {
  int64_t epochs = 4;
  int64_t batch_size = 32;
  double lr = 1e-3;    // Adam
  bool expand = true;  // add the expand loss to the seed loss
  // Weight of SEC's constrain-to-boundary loss (KL to the CRF-refined output); 0 leaves it out.
  double constrain = 0;
  DenseCrfOptions crf;  // the CRF that constrain refines with, on the images as fed
  uint64_t seed = 0;    // batch order
  Device device = Device::cpu();
};

// images float [N, C, H, W] (as fed to the classifier), seeds uint8 [N, H, W] (255: no seed),
// present uint8 [N, K] (image labels). Returns the mean loss of each epoch.
std::vector<double> train_segmenter(Segmenter& net, const Tensor& images, const Tensor& seeds,
                                    const Tensor& present, const SegmenterTraining& options);

// The arg-max label of every pixel, uint8 [N, H, W]. With `present` [N, K] defined, only the
// background and the image's own classes compete (the labels SEC's seeds also know).
Tensor predict_masks(Segmenter& net, const Tensor& images, const Tensor& present = Tensor(),
                     int64_t batch_size = 64, Device device = Device::cpu());

}  // namespace camlab::experiments
