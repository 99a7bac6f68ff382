#include "tensor/suggest.h"

#include <algorithm>
#include <numeric>

namespace camlab {

int edit_distance(std::string_view a, std::string_view b) {
  // One row of the Wagner–Fischer table at a time.
  std::vector<int> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int above = row[j];
      const int substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
  const int limit = std::max<int>(2, static_cast<int>(word.size()) / 3);
  std::string best;
  int best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    const int d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string join_quoted(const std::vector<std::string>& items, std::string_view quote) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += quote;
    out += item;
    out += quote;
  }
  return out;
}

std::vector<std::string> nearest_candidates(std::string_view word,
                                            const std::vector<std::string>& candidates,
                                            size_t count) {
  std::vector<std::pair<int, std::string>> scored;
  for (const std::string& c : candidates) scored.emplace_back(edit_distance(word, c), c);
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> nearest_first;
  for (size_t i = 0; i < scored.size() && i < count; ++i) nearest_first.push_back(scored[i].second);
  return nearest_first;
}

}  // namespace camlab
