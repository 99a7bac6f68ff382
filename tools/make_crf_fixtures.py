#!/usr/bin/python3
"""Write tests/fixtures/dense_crf.h5: a straightforward double-precision reference of the fully
connected CRF's mean-field inference (Krahenbuhl & Koltun 2011) for experiments/wsol/dense_crf.*

Run from the repository root:  /usr/bin/python3 tools/make_crf_fixtures.py

Written from the paper's equations, pixel pair by pixel pair (no vectorised trick shared with the
C++ code):
    k(i, j) = w_a exp(-|p_i - p_j|^2 / 2 theta_a^2 - |I_i - I_j|^2 / 2 theta_b^2)
            + w_s exp(-|p_i - p_j|^2 / 2 theta_g^2),             i != j
    Q_i(l) = exp(u_i(l) + sum_{j != i} k(i, j) Q_j(l)) / Z_i       (Potts compatibility)
Layout, one group per case:
    /<case>/image  [N, C, H, W] float64     /<case>/unary [N, L, H, W] float64 (logits)
    /<case>/q      [N, L, H, W] float64 after `iterations` parallel updates
    attributes: iterations, appearance_weight, appearance_xy, appearance_intensity,
                smoothness_weight, smoothness_xy
"""
import os
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:
    sys.exit(f"make_crf_fixtures: {e}; run with /usr/bin/python3 (Debian's numpy and h5py)")

OUT_PATH = os.path.join("tests", "fixtures", "dense_crf.h5")


def kernel(image, o):
    c, h, w = image.shape
    pixels = [(y, x) for y in range(h) for x in range(w)]
    k = np.zeros((h * w, h * w))
    for i, (yi, xi) in enumerate(pixels):
        for j, (yj, xj) in enumerate(pixels):
            if i == j:
                continue
            d_pos = (yi - yj) ** 2 + (xi - xj) ** 2
            d_int = sum((image[ch, yi, xi] - image[ch, yj, xj]) ** 2 for ch in range(c))
            k[i, j] = (o["appearance_weight"] *
                       np.exp(-d_pos / (2 * o["appearance_xy"] ** 2) -
                              d_int / (2 * o["appearance_intensity"] ** 2)) +
                       o["smoothness_weight"] * np.exp(-d_pos / (2 * o["smoothness_xy"] ** 2)))
    return k


def mean_field(unary, image, o):
    labels, h, w = unary.shape
    u = unary.reshape(labels, h * w)
    k = kernel(image, o)

    def softmax(z):
        z = z - z.max(axis=0, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=0, keepdims=True)

    q = softmax(u)
    for _ in range(o["iterations"]):
        messages = np.zeros_like(q)
        for i in range(h * w):
            for l in range(labels):
                messages[l, i] = sum(k[i, j] * q[l, j] for j in range(h * w))
        q = softmax(u + messages)
    return q.reshape(labels, h, w)


def cases(rng):
    two_regions = np.zeros((2, 1, 6, 7))
    two_regions[:, :, :, 4:] = 1.0
    two_regions += 0.1 * rng.standard_normal(two_regions.shape)
    return {
        "grey_two_regions": (two_regions, 2.0 * rng.standard_normal((2, 3, 6, 7)),
                             dict(iterations=5, appearance_weight=2.0, appearance_xy=3.0,
                                  appearance_intensity=0.3, smoothness_weight=1.0,
                                  smoothness_xy=1.0)),
        "colour_random": (rng.random((1, 3, 5, 5)), rng.standard_normal((1, 4, 5, 5)),
                          dict(iterations=3, appearance_weight=1.5, appearance_xy=2.0,
                               appearance_intensity=0.5, smoothness_weight=0.5,
                               smoothness_xy=1.5)),
    }


def main():
    rng = np.random.default_rng(20)
    with h5py.File(OUT_PATH, "w") as f:
        for name, (image, unary, options) in cases(rng).items():
            g = f.create_group(name)
            g["image"] = image
            g["unary"] = unary
            g["q"] = np.stack([mean_field(unary[n], image[n], options)
                               for n in range(image.shape[0])])
            for key, value in options.items():
                g.attrs[key] = value
    print(f"wrote {OUT_PATH}")


if __name__ == "__main__":
    main()
