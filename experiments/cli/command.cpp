#include "experiments/cli/command.h"

#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include "tensor/error.h"

namespace camlab::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"train", "train a model from an experiment TOML file into a run directory",
       "  camlab train experiments/configs/fmnist-gapnet.toml\n"
       "  camlab train experiments/configs/fmnist-gapnet.toml --set train.epochs=2 --out "
       "runs/quick\n"
       "  camlab train experiments/configs/fmnist-gapnet-bn.toml --device cpu --set "
       "train.optimizer.lr=0.1\n"
       "  camlab train runs/quick/config.toml --out runs/quick --resume   # after a crash\n",
       train_main},
      {"eval", "evaluate a run (or a checkpoint) on its test set: accuracy, loss, confusion matrix",
       "  camlab eval runs/quick\n"
       "  camlab eval runs/quick/best.h5\n"
       "  camlab eval runs/quick --set data.test_subset=1000 --out runs/quick/eval-1k\n",
       eval_main},
      {"explain",
       "write CAM / Grad-CAM / Score-CAM / attribution figures (and maps) for a run or photos",
       "  camlab explain runs/quick --select misclassified\n"
       "  camlab explain runs/quick --methods cam,gradcam,gradcam++,scorecam --indices 0:16\n"
       "  camlab explain runs/quick --methods gradcam --layer conv3 --target label --h5 maps.h5\n"
       "  camlab explain runs/quick --select confident-wrong --methods gradcam,guided-gradcam\n"
       "  camlab explain resnet50.onnx --image cat_dog.jpg --labels "
       "experiments/labels/imagenet1k.txt\n"
       "      --methods gradcam --target \"boxer,tiger cat\"   # one map per class, top-5 "
       "printed\n",
       explain_main},
      {"sweep", "train every point of a config's [sweep] table; results.csv, results.md, plots",
       "  camlab sweep experiments/configs/ablation-width-depth.toml\n"
       "  camlab sweep experiments/configs/ablation-width-depth.toml --parallel 2 --out runs/abl\n"
       "  camlab sweep my.toml --set train.epochs=1 --dry-run      # list the runs\n"
       "  camlab sweep my.toml --out runs/abl   # again: finished runs are skipped (resume)\n",
       sweep_main},
      {"import", "convert an ONNX model into a camlab checkpoint (graph, names, opset, weights)",
       "  camlab import resnet18.onnx --out resnet18.h5\n"
       "  camlab explain resnet18.h5 ...     # the checkpoint loads like the .onnx file itself\n",
       import_main},
      {"report", "write one self-contained HTML page for a run or a sweep (images inlined)",
       "  camlab report runs/quick                      # runs/quick/report.html\n"
       "  camlab report runs/abl --out ablation.html    # a sweep folder: comparison and plots\n",
       report_main},
      {"visualize", "synthesize inputs that excite channels or classes (gradient ascent, Lucid)",
       "  camlab visualize runs/quick --layer conv4 --channels 0:16\n"
       "  camlab visualize runs/quick --objective class --channels 0:10\n"
       "  camlab visualize runs/quick --layer conv3 --recipe lucid --regularize "
       "jitter,scale,rotate\n"
       "  camlab visualize runs/quick --objective deepdream --layer conv3 --image 7 --octaves 3\n"
       "  camlab visualize resnet50.onnx --layer layer4 --channels 0:8 --recipe lucid\n"
       "  camlab visualize resnet50.onnx --objective deepdream --layer layer3 --photo cat.jpg\n",
       visualize_main},
      {"activations", "draw every channel of chosen layers for one test image",
       "  camlab activations runs/quick --index 0\n"
       "  camlab activations runs/quick --index 12 --layers conv1,conv4\n",
       activations_main},
      {"make-dataset",
       "make a dataset with true boxes and masks (composite Fashion-MNIST canvases)",
       "  camlab make-dataset composite --base fashion-mnist --split train --canvas 64 --objects 1 "
       "--scale 0.7:1.3 --clutter 2 --n 20000 --seed 1 --out data/wsol64-train.h5\n"
       "  camlab make-dataset composite --split test --objects 2 --n 2000 --seed 2 --out "
       "data/wsol64-2obj-test.h5\n",
       make_dataset_main},
      {"localize",
       "score each method's maps as boxes (GT-known Loc, MaxBoxAcc, pointing game) and "
       "as explanations (Average Drop, Deletion, Insertion)",
       "  camlab localize runs/wsol-fmnist64 --data data/wsol64-test.h5 --sweep\n"
       "  camlab localize runs/wsol-fmnist64 --data data/wsol64-test.h5 --methods cam,gradcam "
       "--threshold 0.15 --count 500\n",
       localize_main},
      {"segment", "seed masks from class maps, mIoU against true masks, and an SEC-style segmenter",
       "  camlab segment runs/wsol-fmnist64 --data data/wsol64-test.h5 --methods cam,gradcam\n"
       "  camlab segment runs/wsol-fmnist64 --data data/wsol64-test.h5 --train-segmenter "
       "--epochs 4\n",
       segment_main},
      {"bench",
       "measure training, inference, Grad-CAM and Score-CAM images/s, peak memory and conv2d "
       "GFLOP/s against this machine's FMA peak",
       "  camlab bench                                 # all cores, table on stdout\n"
       "  camlab bench --threads 2 --json bench.json   # what bench/torch_reference.py reads\n"
       "  camlab bench --quick                         # a few seconds, rough figures\n"
       "  camlab bench --device cuda\n",
       bench_main},
      {"sanity",
       "sanity checks (Adebayo et al. 2018): how each method's maps change as layers are "
       "randomized",
       "  camlab sanity runs/quick --methods gradcam,scorecam,saliency --images 16\n"
       "  camlab sanity runs/quick --methods gradcam --layers fc,conv4 --schedules cascading\n"
       "  camlab sanity runs/quick --methods gradcam,saliency --against runs/quick-permuted\n",
       sanity_main},
  };
  return all;
}

const Command& find_command(const std::string& name) {
  for (const Command& c : commands()) {
    if (c.name == name) return c;
  }
  std::string names;
  for (const Command& c : commands()) names += (names.empty() ? "" : ", ") + c.name;
  throw po::error(fmt::format("unknown verb '{}'; valid verbs: {}", name, names));
}

bool parse_args(const std::vector<std::string>& args, const Command& command,
                const po::options_description& options,
                const po::positional_options_description& positional, po::variables_map& vm) {
  po::options_description all;
  all.add_options()("help,h", "show this help");
  all.add(options);
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << fmt::format(
        "camlab {} — {}\n\n{}\nexamples:\n{}", command.name, command.summary,
        [&] {
          std::ostringstream text;
          text << all;
          return text.str();
        }(),
        command.examples);
    return false;
  }
  po::notify(vm);
  return true;
}

}  // namespace camlab::cli
