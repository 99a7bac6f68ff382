#!/usr/bin/env bash
# Check that every tracked C++/CUDA source matches .clang-format. Lists offenders and exits 1.
#
#   bash scripts/check-format.sh
#   clang-format -i $(git ls-files '*.h' '*.cpp' '*.cu' '*.cuh')    # to fix
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

CLANG_FORMAT="${CLANG_FORMAT:-}"
if [[ -z "$CLANG_FORMAT" ]]; then
  for c in clang-format clang-format-14; do
    if command -v "$c" >/dev/null; then CLANG_FORMAT="$c"; break; fi
  done
fi
if [[ -z "$CLANG_FORMAT" ]]; then
  echo "check-format: clang-format not found; run 'bash scripts/bootstrap.sh'" >&2
  exit 1
fi

mapfile -t files < <(git ls-files -- '*.h' '*.cpp' '*.cu' '*.cuh')
bad=()
for f in "${files[@]}"; do
  [[ -f "$f" ]] || continue  # deleted in the working tree
  "$CLANG_FORMAT" --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done

if ((${#bad[@]})); then
  echo "check-format: ${#bad[@]} of ${#files[@]} files need clang-format:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "check-format: fix with: $CLANG_FORMAT -i ${bad[*]}" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files clean"
