// cam/metrics/ Spearman, Pearson, SSIM and HOG against SciPy and scikit-image references in
// tests/fixtures/similarity.h5 (tools/make_similarity_fixtures.py): spearmanr / pearsonr,
// structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
// data_range=1) and hog(orientations=9, pixels_per_cell=8, cells_per_block=2, 'L2-Hys').
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cam/metrics/hog.h"
#include "cam/metrics/spearman.h"
#include "cam/metrics/ssim.h"
#include "tests/support/fixture.h"

namespace camlab::cam::test {
namespace {

using camlab::test::Array;
using camlab::test::Fixture;

constexpr double kRtol = 1e-5;
constexpr double kAtol = 1e-9;

Tensor as_tensor(const Array& a) {  // [H, W]
  return Tensor::from_vector(std::vector<float>(a.values.begin(), a.values.end()), a.shape);
}

void expect_close(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, kAtol + kRtol * std::abs(want)) << what;
}

TEST(SimilarityFixture, SpearmanAndPearsonMatchScipy) {
  const Fixture f("similarity.h5");
  for (const auto& c : f.cases()) {
    const Array a = f.array(c + "/a"), b = f.array(c + "/b");
    expect_close(spearman(as_tensor(a), as_tensor(b)), f.array(c + "/spearman").values[0], c);
    expect_close(pearson(a.values, b.values), f.array(c + "/pearson").values[0], c);
  }
}

TEST(SimilarityFixture, SsimMatchesSkimage) {
  const Fixture f("similarity.h5");
  for (const auto& c : f.cases()) {
    const double got = ssim(as_tensor(f.array(c + "/a")), as_tensor(f.array(c + "/b")));
    expect_close(got, f.array(c + "/ssim").values[0], c);
  }
}

TEST(SimilarityFixture, HogDescriptorsMatchSkimage) {
  const Fixture f("similarity.h5");
  for (const auto& c : f.cases()) {
    for (const std::string side : {"a", "b"}) {
      const std::vector<double> got = hog(as_tensor(f.array(c + "/" + side)), {.cell = 8});
      const Array want = f.array(c + "/hog_" + side);
      ASSERT_EQ(static_cast<int64_t>(got.size()), want.numel()) << c << side;
      for (size_t i = 0; i < got.size(); ++i) expect_close(got[i], want.values[i], c + side);
    }
  }
}

}  // namespace
}  // namespace camlab::cam::test
