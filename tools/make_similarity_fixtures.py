#!/usr/bin/python3
"""Write tests/fixtures/similarity.h5: SciPy / scikit-image references for cam/metrics/.

Run from the repository root:  /usr/bin/python3 tools/make_similarity_fixtures.py

Layout (maps float64, values computed by scipy.stats.spearmanr, scipy.stats.pearsonr,
skimage.metrics.structural_similarity and skimage.feature.hog):
    /<case>/a, /<case>/b      [H, W] maps (random, smooth, and quantized maps with ties)
    /<case>/spearman, /<case>/pearson   scalars
    /<case>/ssim              gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                              data_range=1 (skimage crops a border of 5 px before the mean)
    /<case>/hog_a, /<case>/hog_b  descriptors: orientations=9, pixels_per_cell=(8, 8),
                              cells_per_block=(2, 2), block_norm='L2-Hys', feature_vector=True
"""
import os
import sys

try:
    import h5py
    import numpy as np
    import scipy.stats
    import skimage.feature
    import skimage.metrics
except ImportError as e:
    sys.exit(f"make_similarity_fixtures: {e}; run with /usr/bin/python3 (Debian's numpy, scipy, "
             "h5py, scikit-image)")

OUT_PATH = os.path.join("tests", "fixtures", "similarity.h5")


def cases(rng):
    yy, xx = np.mgrid[0:32, 0:48] / 8.0
    smooth = 0.5 + 0.5 * np.sin(yy) * np.cos(xx)
    return {
        "random_28x28": (rng.random((28, 28)), rng.random((28, 28))),
        "smooth_32x48": (smooth, np.clip(smooth + 0.1 * rng.standard_normal(smooth.shape), 0, 1)),
        "ties_28x28": (np.round(rng.random((28, 28)) * 4) / 4, np.round(rng.random((28, 28)) * 3) / 3),
    }


def hog(m):
    return skimage.feature.hog(m, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2),
                               block_norm="L2-Hys", feature_vector=True)


def main():
    rng = np.random.default_rng(17)
    with h5py.File(OUT_PATH, "w") as f:
        for name, (a, b) in cases(rng).items():
            # float32-representable values, since camlab's maps are float32 tensors
            a, b = (m.astype(np.float32).astype(np.float64) for m in (a, b))
            g = f.create_group(name)
            g["a"], g["b"] = a, b
            g["spearman"] = scipy.stats.spearmanr(a.ravel(), b.ravel()).statistic
            g["pearson"] = scipy.stats.pearsonr(a.ravel(), b.ravel()).statistic
            g["ssim"] = skimage.metrics.structural_similarity(
                a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1.0)
            g["hog_a"], g["hog_b"] = hog(a), hog(b)
    print(f"wrote {OUT_PATH}")


if __name__ == "__main__":
    main()
