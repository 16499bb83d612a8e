#!/usr/bin/env bash
# The test command of the README: installs missing system libraries, then runs
# every test target (Swift Testing) in a debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"
