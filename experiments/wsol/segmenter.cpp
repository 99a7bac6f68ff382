#include "experiments/wsol/segmenter.h"

#include "autograd/ops.h"
#include "experiments/wsol/sec_loss.h"
#include "nn/optim/adam.h"

namespace camlab::experiments {

Segmenter::Segmenter(int64_t in_channels, int64_t labels, Generator& gen) : labels_(labels) {
  CAMLAB_CHECK(in_channels >= 1 && labels >= 2,
               "Segmenter: {} input channels and {} labels; expected >= 1 and >= 2 (classes + "
               "background)",
               in_channels, labels);
  full_.push_back(add_stage("full1", in_channels, 32, 1, gen));
  full_.push_back(add_stage("full2", 32, 32, 1, gen));
  context_.push_back(add_stage("context1", 32, 64, 1, gen));
  context_.push_back(add_stage("context2", 64, 64, 2, gen));
  context_.push_back(add_stage("context3", 64, 64, 4, gen));
  fuse_ = add_stage("fuse", 64 + 32, 32, 1, gen);
  head_ = register_module("head",
                          std::make_shared<nn::Conv2d>(32, labels, 1, nn::Conv2dOptions{}, gen));
}

Segmenter::Stage Segmenter::add_stage(const std::string& name, int64_t in, int64_t out,
                                      int64_t dilation, Generator& gen) {
  nn::Conv2dOptions options{.padding = dilation, .dilation = dilation, .bias = false};
  Stage s{register_module(name, std::make_shared<nn::Conv2d>(in, out, 3, options, gen)),
          register_module(name + "_bn", std::make_shared<nn::BatchNorm2d>(out))};
  return s;
}

Tensor Segmenter::run(const Stage& s, const Tensor& x) {
  return camlab::relu((*s.bn)((*s.conv)(x)));
}

Tensor Segmenter::forward(const Tensor& x) {
  Tensor full = x;                                            // [N, C, H, W]
  for (const Stage& s : full_) full = run(s, full);           // [N, 32, H, W]
  Tensor context = camlab::max_pool2d(full, Pool2dParams{});  // [N, 32, H/2, W/2]
  for (const Stage& s : context_) context = run(s, context);  // [N, 64, H/2, W/2]
  Tensor up = camlab::upsample_bilinear2d(context, {x.size(2), x.size(3)}, false);  // [N,64,H,W]
  Tensor fused = run(fuse_, camlab::cat({up, full}, 1));                            // [N, 32, H, W]
  return (*head_)(fused);  // [N, labels, H, W]
}

std::vector<double> train_segmenter(Segmenter& net, const Tensor& images, const Tensor& seeds,
                                    const Tensor& present, const SegmenterTraining& o) {
  const int64_t n = images.size(0);
  CAMLAB_CHECK(images.dim() == 4 && seeds.dim() == 3 && seeds.size(0) == n && present.dim() == 2 &&
                   present.size(0) == n && present.size(1) + 1 == net.labels(),
               "train_segmenter: images {}, seeds {} and present {} do not fit a segmenter of {} "
               "labels; expected [N, C, H, W], [N, H, W], [N, labels − 1]",
               shape_str(images.shape()), shape_str(seeds.shape()), shape_str(present.shape()),
               net.labels());
  net.to(o.device);
  net.train();
  nn::Adam adam(net.parameters(), {.lr = o.lr});
  Generator order_gen(o.seed);
  std::vector<double> epoch_losses;
  for (int64_t epoch = 0; epoch < o.epochs; ++epoch) {
    const std::vector<int64_t> order = order_gen.permutation(n);
    double total = 0;
    int64_t batches = 0;
    for (int64_t first = 0; first < n; first += o.batch_size) {
      const int64_t b = std::min(o.batch_size, n - first);
      Tensor index = Tensor::from_vector(
          std::vector<int64_t>(order.begin() + first, order.begin() + first + b), {b});
      Tensor x = ops::index_select(images, 0, index).to(o.device);  // [b, C, H, W]
      Tensor s = ops::index_select(seeds, 0, index);                // [b, H, W]
      Tensor p = ops::index_select(present, 0, index);              // [b, K]
      Tensor logits = net(x);                                       // [b, K + 1, H, W]
      Tensor loss = seed_loss(logits, s);
      if (o.expand) loss = camlab::add(loss, expand_loss(camlab::softmax(logits, 1), p));
      if (o.constrain > 0) {
        // SEC: the CRF's unaries are the segmenter's own log-probabilities.
        Tensor refined =
            dense_crf(ops::log_softmax(detach(logits), 1), x, o.crf);  // [b, K+1, H, W]
        loss = camlab::add(loss, camlab::mul(constrain_loss(logits, refined), o.constrain));
      }
      adam.zero_grad();
      camlab::backward(loss);
      adam.step();
      total += loss.item();
      ++batches;
    }
    epoch_losses.push_back(total / static_cast<double>(std::max<int64_t>(batches, 1)));
  }
  net.eval();
  return epoch_losses;
}

Tensor predict_masks(Segmenter& net, const Tensor& images, const Tensor& present,
                     int64_t batch_size, Device device) {
  autograd::NoGradGuard no_grad;
  net.eval();
  const int64_t n = images.size(0);
  std::vector<Tensor> parts;
  for (int64_t first = 0; first < n; first += batch_size) {
    const int64_t b = std::min(batch_size, n - first);
    Tensor logits = net(images.narrow(0, first, b).to(device)).to(Device::cpu());  // [b, L, H, W]
    if (present.defined()) {
      // Absent classes are pushed to −inf: only background and the image's classes compete.
      Tensor allowed = ops::cat(
          {ops::ones({b, 1}, DType::Float32), present.narrow(0, first, b).to(DType::Float32)},
          1);                                                            // [b, L]
      Tensor blocked = ops::lt(allowed, 0.5).unsqueeze(2).unsqueeze(3);  // [b, L, 1, 1]
      logits = ops::masked_fill(logits, blocked, -1e30);
    }
    parts.push_back(ops::argmax(logits, 1).to(DType::UInt8));  // [b, H, W]
  }
  return ops::cat(parts, 0);
}

}  // namespace camlab::experiments
