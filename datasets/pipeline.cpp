#include "datasets/pipeline.h"

#include "datasets/seeding.h"

namespace camlab::datasets {

Pipeline Pipeline::parse(const std::vector<std::string>& specs) {
  Pipeline p;
  for (const std::string& spec : specs) p.add(parse_transform(spec));
  return p;
}

Pipeline& Pipeline::add(std::shared_ptr<Transform> transform) {
  transforms_.push_back(std::move(transform));
  return *this;
}

void Pipeline::fit(const ImageDataset& dataset) {
  for (const auto& t : transforms_) t->fit(dataset);
}

void Pipeline::apply(ImageView image, uint64_t seed, int64_t epoch, int64_t index) const {
  const uint64_t key = sample_seed(seed, epoch, index);
  Generator gen(key);
  for (size_t i = 0; i < transforms_.size(); ++i) {
    // Transform i draws from counters [i * 2^32, (i + 1) * 2^32): no two transforms share one.
    gen.set_state(key, static_cast<uint64_t>(i) << 32);
    transforms_[i]->apply(image, gen);
  }
}

Pipeline Pipeline::eval_only() const {
  Pipeline p;
  for (const auto& t : transforms_) {
    if (!t->is_random()) p.add(t);
  }
  return p;
}

std::vector<std::string> Pipeline::specs() const {
  std::vector<std::string> out;
  for (const auto& t : transforms_) out.push_back(t->str());
  return out;
}

}  // namespace camlab::datasets
