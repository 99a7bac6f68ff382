#include "distributed/gradient_buckets.h"

namespace camlab::distributed {

std::vector<std::vector<size_t>> assign_buckets(const std::vector<int64_t>& bytes,
                                                int64_t cap_bytes) {
  std::vector<std::vector<size_t>> buckets;
  std::vector<size_t> open;
  int64_t filled = 0;
  for (size_t k = bytes.size(); k-- > 0;) {
    open.push_back(k);
    filled += bytes[k];
    if (filled >= cap_bytes) {
      buckets.push_back(std::move(open));
      open.clear();
      filled = 0;
    }
  }
  if (!open.empty()) buckets.push_back(std::move(open));
  return buckets;
}

}  // namespace camlab::distributed
