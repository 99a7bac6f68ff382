// Explain one image with Grad-CAM (Selvaraju et al. 2017) and write the heatmap over the image.
//
//   build/examples/explain_gradcam [out.png=gradcam.png] [steps=120]
#include <cstdio>
#include <string>

#include <camlab/cam/methods/method.h>
#include <camlab/cam/render/heatmap.h>
#include <camlab/cam/render/png_io.h>

#include "small_net.h"

int main(int argc, char** argv) {
  using namespace camlab;
  const std::string out = argc > 1 ? argv[1] : "gradcam.png";
  const int64_t steps = argc > 2 ? std::stoll(argv[2]) : 120;
  Generator gen(0);
  auto net = examples::small_net(gen);
  examples::train_on_shapes(*net, steps);

  // One unseen image: [1, 1, 16, 16], pixels / 255 as the training batches had them.
  datasets::DataLoader one(datasets::make_shapes({.n = 1, .size = 16, .seed = 5}),
                           {.batch_size = 1, .shuffle = false, .prefetch = 0});
  const datasets::Batch batch = one.batch(0, 0);

  // Grad-CAM at relu2, the last activation before global average pooling.
  auto gradcam = cam::make_method("gradcam", *net, {.common = {.layers = {"relu2"}}});
  const cam::Explanation e = gradcam->explain(batch.images, cam::Target::predicted());
  const Tensor map = e.maps.select(0, 0);  // [16, 16] in [0, 1]

  render::RgbImage picture =
      render::overlay(render::to_rgb(batch.images.select(0, 0)), map, render::Colormap::Jet, 0.5);
  render::write_png(out, render::upscale(picture, 8, render::Resample::Nearest));
  std::printf("class %lld (label %lld) explained at layer %s; wrote %s\n",
              static_cast<long long>(e.targets.at<int64_t>({0})),
              static_cast<long long>(batch.labels.at<int64_t>({0})), e.layer.c_str(), out.c_str());
  return 0;
}
