#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60). cargo-fuzz needs nightly features;
# RUSTC_BOOTSTRAP=1 lets the stable toolchain build them. Seeds come from the test corpora.
# Usage: scripts/fuzz.sh [SECONDS]   (run longer: scripts/fuzz.sh 3600)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --quiet
fi

seed() { # target, then directories whose files seed the corpus
  local target="$1"; shift
  mkdir -p "fuzz/corpus/$target"
  for dir in "$@"; do
    find "$dir" -type f -name '*.json' -size -64k -exec cp -n {} "fuzz/corpus/$target/" \; 2>/dev/null || true
  done
}
seed policy_document tests/eval-cases tests/policy-invalid
seed trail_records tests/trail-records
seed error_text tests/error-texts

status=0
for target in policy_document trail_records error_text; do
  echo "fuzz: $target for ${seconds}s"
  if ! (cd fuzz && cargo fuzz run "$target" -- -max_total_time="$seconds" -max_len=16384 >"../target/fuzz-$target.log" 2>&1); then
    echo "fuzz: $target FOUND A CRASH — see target/fuzz-$target.log and fuzz/artifacts/$target/" >&2
    tail -n 30 "target/fuzz-$target.log" >&2
    status=1
  else
    grep -E "^Done|stat::number_of_executed_units" "target/fuzz-$target.log" | tail -n 1
  fi
done
exit "$status"
