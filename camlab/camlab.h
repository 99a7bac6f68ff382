// Everything a program that uses camlab as a library needs, in one include: tensors and their
// ops, autograd, layers and optimizers, datasets and the loader, the explanation methods, their
// metrics and pictures, and the experiment config.
//
//   #include <camlab/camlab.h>
//   using namespace camlab;
//   std::shared_ptr<nn::Sequential> net = my_network();        // layers as in README.md
//   nn::load_checkpoint("runs/quick/best.h5", *net);
//   auto gradcam = cam::make_method("gradcam", *net, {.common = {.layers = {"relu4"}}});
//   cam::Explanation e = gradcam->explain(images);             // e.maps: [N, H, W] in [0, 1]
//
// Installed as <prefix>/include/camlab/camlab.h; each header it names can also be included on
// its own, as <camlab/tensor/tensor.h>, <camlab/nn/nn.h>, ...
#pragma once

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "cam/methods/method.h"
#include "cam/methods/target.h"
#include "cam/metrics/box.h"
#include "cam/metrics/faithfulness.h"
#include "cam/metrics/localization.h"
#include "cam/metrics/segmentation.h"
#include "cam/render/colormap.h"
#include "cam/render/heatmap.h"
#include "cam/render/png_io.h"
#include "cam/visualize/activations.h"
#include "cam/visualize/feature_vis.h"
#include "datasets/catalog.h"
#include "datasets/data_loader.h"
#include "datasets/hdf5_dataset.h"
#include "datasets/image_dataset.h"
#include "datasets/shapes.h"
#include "experiments/config/config.h"
#include "experiments/explain/explanations_file.h"
#include "nn/nn.h"
#include "tensor/device.h"
#include "tensor/generator.h"
#include "tensor/ops.h"
#include "tensor/tensor.h"
