// Visualize one filter: the input that most excites channel 3 of conv2, found by gradient ascent
// on the pixels (Erhan et al. 2009; Chollet's recipe).
//
//   build/examples/visualize_filter [out.png=filter.png] [steps=40]
#include <cstdio>
#include <string>

#include <camlab/cam/render/png_io.h>
#include <camlab/cam/visualize/feature_vis.h>

#include "small_net.h"

int main(int argc, char** argv) {
  using namespace camlab;
  namespace vis = cam::visualize;
  const std::string out = argc > 1 ? argv[1] : "filter.png";
  Generator gen(0);
  auto net = examples::small_net(gen);
  examples::train_on_shapes(*net, 60);

  vis::FeatureVisOptions options = vis::recipe("chollet");
  options.layer = "conv2";
  options.units = {3};
  options.image_shape = {1, 16, 16};
  options.steps = argc > 2 ? std::stoll(argv[2]) : 40;
  const vis::FeatureVisResult result = vis::visualize_features(*net, options);
  render::write_png(out, vis::feature_grid(result));

  const vis::UnitRecord& unit = result.record.units.at(0);
  std::printf("conv2 channel %lld: mean activation %.4f -> %.4f after %lld steps; wrote %s\n",
              static_cast<long long>(unit.unit), unit.start_objective, unit.final_objective,
              static_cast<long long>(options.steps), out.c_str());
  return unit.final_objective > unit.start_objective ? 0 : 1;  // the ascent must ascend
}
