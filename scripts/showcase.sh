#!/usr/bin/env bash
# The showcase command of the README: installs missing system libraries, builds the
# examples in release mode and runs them (or only those named: scripts/showcase.sh NAME...).
# Pictures go to Examples/output/*.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
examples=(SqrtThreeWays QPLayerFitting DecisionFocusedLearning SinkhornGradientFlow LassoTuning BratuContinuation)
if [ $# -gt 0 ]; then examples=("$@"); fi
for e in "${examples[@]}"; do
  swift build -c release --product "$e" >/dev/null
done
for e in "${examples[@]}"; do
  echo "=== $e ==="
  ".build/release/$e"
  echo
done
