#!/usr/bin/env bash
# A QP-only consumer must not link GLPK (only ImplicitDiffLP does): builds the
# QPOnlyConsumer executable, runs it, and fails if `ldd` lists libglpk. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."
config="${1:-debug}"
swift build -c "$config" --product QPOnlyConsumer
bin="$(swift build -c "$config" --show-bin-path)/QPOnlyConsumer"
"$bin"
if ldd "$bin" | grep -i glpk; then
  echo "FAIL: QPOnlyConsumer (ImplicitDiffQP only) links GLPK" >&2
  exit 1
fi
echo "ok: QPOnlyConsumer does not link GLPK ($(ldd "$bin" | wc -l) libraries)"
