#!/usr/bin/env bash
# A QP-only consumer must not link GLPK (only ImplicitDiffLP does): builds the
# QPOnlyConsumer executable, runs it, and fails if `ldd` lists libglpk or, since GLPK is
# linked statically (Sources/_CGLPK/module.modulemap), if the binary holds any glp_ symbol.
# Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."
config="${1:-debug}"
swift build -c "$config" --product QPOnlyConsumer
bin="$(swift build -c "$config" --show-bin-path)/QPOnlyConsumer"
"$bin"
if ldd "$bin" | grep -i glpk; then
  echo "FAIL: QPOnlyConsumer (ImplicitDiffQP only) links GLPK dynamically" >&2
  exit 1
fi
glp="$(nm "$bin" | grep -c ' [TtDdBbRr] _*glp_' || true)"
if [ "$glp" -ne 0 ]; then
  echo "FAIL: QPOnlyConsumer (ImplicitDiffQP only) holds $glp GLPK symbols" >&2
  exit 1
fi
# The check must be able to fail: an LP consumer (the LP example) does hold GLPK.
swift build -c "$config" --product DecisionFocusedLearning
lp="$(nm "$(dirname "$bin")/DecisionFocusedLearning" | grep -c ' [TtDdBbRr] _*glp_' || true)"
if [ "$lp" -eq 0 ]; then
  echo "FAIL: the symbol check sees no GLPK in the LP example either; it cannot tell" >&2
  exit 1
fi
echo "ok: QPOnlyConsumer does not link GLPK ($(ldd "$bin" | wc -l) shared libraries, 0 glp_ symbols)"
