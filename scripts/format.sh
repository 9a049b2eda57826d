#!/usr/bin/env bash
# The Swift tree's one format (.swift-format; swift-format ships with the toolchain):
#   scripts/format.sh          formats Sources, Tests and Package.swift in place
#   scripts/format.sh --check  lists the files that are not formatted and fails if there are any (scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift-format >/dev/null 2>&1; then
  echo "swift-format is not on PATH (it ships with Swift 6 toolchains); skipping the format check" >&2
  exit 0
fi
if [ "${1:-}" != "--check" ]; then
  exec swift-format format --in-place --parallel --recursive Sources Tests Package.swift
fi
unformatted=0
while IFS= read -r file; do
  if ! swift-format format "$file" | cmp -s - "$file"; then
    echo "not formatted: $file (run scripts/format.sh)"
    unformatted=1
  fi
done < <(git ls-files 'Sources/*.swift' 'Tests/*.swift' Package.swift)
exit "$unformatted"
