// "Did you mean ...?" for config keys, layer types and enum values.
//
//   nearest("optimiser", {"epochs", "optimizer", "schedule"});   // "optimizer"
//   nearest("zzz", {"epochs", "optimizer"});                     // "" (nothing close)
//   edit_distance("kitten", "sitting");                          // 3
//   join_quoted({"cpu", "cuda"}, "'");                           // "'cpu', 'cuda'"
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace camlab {

// Levenshtein distance (insert, delete, substitute all cost 1).
int edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, or "" when none is within max(2, |word| / 3) edits —
// a suggestion further away than that is noise.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates);

// Up to `count` candidates ordered by edit distance to `word` (nearest first), for error messages
// that list what the user may have meant.
std::vector<std::string> nearest_candidates(std::string_view word,
                                            const std::vector<std::string>& candidates,
                                            size_t count);

// "a, b, c" with each item wrapped in `quote`.
std::string join_quoted(const std::vector<std::string>& items, std::string_view quote);

}  // namespace camlab
