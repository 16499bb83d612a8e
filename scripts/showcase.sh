#!/usr/bin/env bash
# The showcase command of the README: installs missing system libraries, builds in
# release mode and runs the examples (or the one named: scripts/showcase.sh NAME).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
examples=(SqrtThreeWays QPLayerFitting DecisionFocusedLearning SinkhornGradientFlow LassoTuning BratuContinuation)
if [ $# -gt 0 ]; then examples=("$@"); fi
swift build -c release --product implicitdiff >/dev/null
for e in "${examples[@]}"; do
  echo "=== swift run -c release $e ==="
  swift run -c release "$e"
  echo
done
