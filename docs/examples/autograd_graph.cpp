// Writes the autograd graph of docs/autograd.md's example as Graphviz DOT.
//
//   g++ -std=c++20 -O1 -I. docs/examples/autograd_graph.cpp build/autograd/libcamlab_autograd.a \
//     build/tensor/libcamlab_tensor.a -lfmt -lopenblas -fopenmp -o /tmp/autograd_graph
//   (a CUDA build also needs -L/usr/local/cuda/lib -lcudart -lcublas)
//   /tmp/autograd_graph > /tmp/graph.dot && dot -Tpng /tmp/graph.dot -o
//   docs/images/autograd-graph.png
#include <iostream>

#include "autograd/graphviz.h"
#include "autograd/ops.h"

int main() {
  using namespace camlab;
  Generator gen(0);
  Tensor x = ops::randn({4, 1, 12, 12}, gen);                         // a batch of images
  Tensor w1 = ops::randn({4, 1, 3, 3}, gen).set_requires_grad(true);  // conv1.weight
  Tensor w2 = ops::randn({3, 4}, gen).set_requires_grad(true);        // fc.weight
  Tensor target = Tensor::from_vector<int64_t>({0, 2, 1, 0}, {4});

  Tensor a = relu(conv2d(x, w1, Tensor(), {.kernel = {3, 3}, .padding = {1, 1}}));
  Tensor logits = linear(mean(a, {2, 3}), w2, Tensor());  // GAP + linear head
  Tensor loss = cross_entropy(logits, target);
  std::cout << autograd::to_dot(loss);
}
