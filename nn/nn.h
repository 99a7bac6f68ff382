// Everything in nn/ at once: Module and layers, losses, init, optimizers, schedulers, checkpoints.
//
//   #include "nn/nn.h"
//   using namespace camlab::nn;
//   auto net = std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
//       std::make_shared<Conv2d>(1, 8, 3), std::make_shared<ReLU>(),
//       std::make_shared<GlobalAvgPool>()});
#pragma once

#include "autograd/ops.h"
#include "nn/activation.h"
#include "nn/batch_norm.h"
#include "nn/bottleneck_block.h"
#include "nn/checkpoint.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/flatten.h"
#include "nn/hooks.h"
#include "nn/init.h"
#include "nn/linear.h"
#include "nn/loss.h"
#include "nn/merge.h"
#include "nn/module.h"
#include "nn/named_tensors.h"
#include "nn/optim/adam.h"
#include "nn/optim/optimizer.h"
#include "nn/optim/scheduler.h"
#include "nn/optim/sgd.h"
#include "nn/pool.h"
#include "nn/residual_block.h"
#include "nn/sequential.h"
#include "nn/upsample.h"
