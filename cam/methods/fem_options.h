// FEM's own option (Fuad et al. 2020): the k of its k-sigma rule.
//
//   Fem fem(*model, {.layers = {"relu4"}}, FemOptions{.k = 3});
#pragma once

namespace camlab::cam {

struct FemOptions {
  // A position of channel c is "on" where A^c > mean(A^c) + k·std(A^c); 2 as pytorch-grad-cam.
  double k = 2.0;
};

}  // namespace camlab::cam
