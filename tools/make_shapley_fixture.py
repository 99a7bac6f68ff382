"""Writes tests/fixtures/shapley_cam.h5: ShapleyCAM references from PyTorch.

ShapleyCAM (Cai et al. 2025, "CAMs as Shapley Value-based Explainers"), as pytorch-grad-cam's
shapley_cam.py: with g = dy/dA from torch.autograd.grad(create_graph=True) and the Hessian-vector
product H·A = torch.autograd.grad(g, A, grad_outputs=A),
    w_k = mean_ij (g - 0.5·H·A)^k_ij,   raw = ReLU(Σ_k w_k·A^k).
Computed in float64 for the fixture network and inputs stored in tests/fixtures/cam.h5 (which it
reads; tools/make_cam_fixtures.py writes it), for the labels:
    /<score>/<layer>/{raw, maps, weights}   score: softmax (H·A ≠ 0) or logit (H·A = 0 on this
                                            piecewise-linear net: Grad-CAM), layer: relu2, conv2
    /<score>/<layer>/hessian_product        H·A [N, K, h, w]
Run: /usr/bin/python3 tools/make_shapley_fixture.py (from the repository root).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_cam_fixtures as cam  # noqa: E402  (re-executes under /usr/bin/python3 if needed)

import h5py  # noqa: E402
import torch  # noqa: E402

SHAPLEY_PATH = os.path.join("tests", "fixtures", "shapley_cam.h5")


def shapley_cam(net, x, layer, classes, score):
    logits, (a,) = cam.forward_capture(net, x, [layer])
    (g,) = torch.autograd.grad(score(logits, classes).sum(), [a], create_graph=True)
    hvp = None
    if g.requires_grad:
        (hvp,) = torch.autograd.grad(g, [a], grad_outputs=a.detach(), allow_unused=True)
    if hvp is None:
        hvp = torch.zeros_like(a)
    w = (g - 0.5 * hvp).mean((2, 3)).detach()
    raw = cam.reduce_contributions(cam.weighted(w, a.detach()), False)
    return raw, w, hvp.detach()


def main():
    with h5py.File(cam.OUT_PATH, "r") as source:
        state = {key: torch.from_numpy(source["model"][key][()]) for key in source["model"]}
        x = torch.from_numpy(source["inputs"][()]).double()
        labels = torch.from_numpy(source["labels"][()])
    net = cam.make_net()
    net.load_state_dict(state)
    net = net.eval().double()
    with h5py.File(SHAPLEY_PATH, "w") as h5:
        h5.attrs["generator"] = "tools/make_shapley_fixture.py"
        h5.attrs["torch_version"] = str(torch.__version__)
        for score_name, score in (("softmax", cam.softmax_score), ("logit", cam.logit_score)):
            for layer in ("relu2", "conv2"):
                raw, w, hvp = shapley_cam(net, x, layer, labels, score)
                group = h5.create_group(f"{score_name}/{layer}")
                cam.put_result(group, raw, w)
                cam.put(group, "hessian_product", hvp)
    print(f"{SHAPLEY_PATH}: {os.path.getsize(SHAPLEY_PATH)} bytes")


if __name__ == "__main__":
    main()
