#!/usr/bin/python3
"""Write tests/fixtures/road.h5: NumPy / SciPy references for cam/metrics/road.h and arcc.h.

Run from the repository root:  /usr/bin/python3 tools/make_road_fixtures.py

The imputation is solved here with a direct sparse solver (scipy.sparse.linalg.spsolve), so the
test checks camlab's conjugate gradients against an independent solution. Noise is zero.

Layout (inputs float32-representable, references float64):
    /imputation/images [N, C, H, W], /imputation/keep [N, H, W] (1 kept, 0 imputed),
    /imputation/filled [N, C, H, W]
    /road/images [N, C, H, W], /road/maps [N, H, W] (informative, no ties), /road/classes [N],
    /road/weight [K, C*H*W], /road/bias [K]: the tiny model p = softmax(W x + b)[class],
    /road/morf, /road/lerf [N, 9] at percentiles 10..90, /road/combined [N]
    /arcc/coherency [N] (given), /arcc/road [N] (ROADCombined at 20, 40, 60, 80),
    /arcc/arcc [N] (pytorch-grad-cam's ARCC formula from the three terms)
"""
import os
import sys

try:
    import h5py
    import numpy as np
    import scipy.sparse
    import scipy.sparse.linalg
except ImportError as e:
    sys.exit(f"make_road_fixtures: {e}; run with /usr/bin/python3 (Debian's numpy, scipy, h5py)")

OUT_PATH = os.path.join("tests", "fixtures", "road.h5")
# Rong et al. 2022, sec. 4: edge neighbours 1/6, diagonal ones 1/12.
WEIGHTS = {(dy, dx): (1 / 12 if dy and dx else 1 / 6)
           for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx}


def impute(image, keep):
    """image [C, H, W], keep [H, W] -> image with removed pixels = weighted mean of neighbours."""
    c, h, w = image.shape
    removed = np.flatnonzero(keep.ravel() < 0.5)
    index = {p: k for k, p in enumerate(removed)}
    a = scipy.sparse.lil_matrix((len(removed), len(removed)))
    b = np.zeros((len(removed), c))
    for k, p in enumerate(removed):
        y, x = divmod(p, w)
        for (dy, dx), wt in WEIGHTS.items():
            ny, nx = y + dy, x + dx
            if not (0 <= ny < h and 0 <= nx < w):
                continue
            a[k, k] += wt
            q = ny * w + nx
            if q in index:
                a[k, index[q]] -= wt
            else:
                b[k] += wt * image[:, ny, nx]
    solution = scipy.sparse.linalg.spsolve(a.tocsc(), b).reshape(len(removed), c)
    out = image.astype(np.float64).copy().reshape(c, -1)
    out[:, removed] = solution.T
    return out.reshape(c, h, w)


def keep_mask(cam, percentile, most_relevant_first):
    """pytorch-grad-cam's RemoveMostRelevantFirst / RemoveLeastRelevantFirst: keep s < t."""
    s = cam if most_relevant_first else 1 - cam
    return (s < np.percentile(s, percentile)).astype(np.float64)


def probability(weight, bias, x, cls):
    logits = weight @ x.ravel() + bias
    e = np.exp(logits - logits.max())
    return e[cls] / e.sum()


def road(images, maps, classes, weight, bias, percentiles):
    morf = np.zeros((len(images), len(percentiles)))
    lerf = np.zeros_like(morf)
    for i, (x, m, cls) in enumerate(zip(images, maps, classes)):
        before = probability(weight, bias, x, cls)
        for j, p in enumerate(percentiles):
            for out, first in ((morf, True), (lerf, False)):
                filled = impute(x, keep_mask(m, p, first))
                out[i, j] = probability(weight, bias, filled, cls) - before
    return morf, lerf, np.mean(lerf - morf, axis=1) / 2


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def main():
    rng = np.random.default_rng(2022)
    with h5py.File(OUT_PATH, "w") as f:
        images = f32(rng.random((2, 3, 9, 11)))
        keep = (rng.random((2, 9, 11)) > 0.4).astype(np.float64)
        keep[0, 2:7, 3:9] = 0  # a removed block: interior pixels have only removed neighbours
        keep[1, :, 0] = 0      # a removed border column
        g = f.create_group("imputation")
        g["images"], g["keep"] = images, keep
        g["filled"] = np.stack([impute(x, k) for x, k in zip(images, keep)])

        n, c, h, w, classes_k = 3, 2, 7, 8, 4
        images = f32(rng.standard_normal((n, c, h, w)))
        weight = f32(0.1 * rng.standard_normal((classes_k, c * h * w)))
        bias = f32(0.1 * rng.standard_normal(classes_k))
        classes = np.argmax(images.reshape(n, -1) @ weight.T + bias, axis=1).astype(np.int64)
        # Informative maps (each pixel's contribution to its class logit, plus noise against ties),
        # so ROADCombined is positive and ARCC's clipped ROAD term is not zero.
        contribution = (weight[classes].reshape(n, c, h, w) * images).sum(axis=1)
        contribution += 0.01 * rng.standard_normal(contribution.shape)
        low = contribution.min(axis=(1, 2), keepdims=True)
        high = contribution.max(axis=(1, 2), keepdims=True)
        maps = f32((contribution - low) / (high - low))
        g = f.create_group("road")
        g["images"], g["maps"], g["classes"], g["weight"], g["bias"] = (
            images, maps, classes, weight, bias)
        g["morf"], g["lerf"], g["combined"] = road(images, maps, classes, weight, bias,
                                                   list(range(10, 100, 10)))

        coherency = f32(rng.random(n))
        road4 = road(images, maps, classes, weight, bias, [20, 40, 60, 80])[2]
        complexity = np.abs(maps).reshape(n, -1).mean(axis=1)
        road_scaled = np.clip(road4 * 2, 0, 1)
        eps = 1e-8
        g = f.create_group("arcc")
        g["coherency"], g["road"] = coherency, road4
        g["arcc"] = 3 / (1 / (coherency + eps) + 1 / ((1 - complexity) + eps) + 1 / (road_scaled + eps))
    print(f"wrote {OUT_PATH}")


if __name__ == "__main__":
    main()
