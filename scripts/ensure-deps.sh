#!/usr/bin/env bash
# Installs the system libraries ImplicitDiff links against, when they are missing:
# OpenBLAS + LAPACKE (dense linear algebra), GLPK (LP forward solves) and SuiteSparse
# (LDL + AMD: sparse QP factorisations), and the static archives of what they need at run
# time (libgfortran and libquadmath for OpenBLAS's LAPACK, libltdl for GLPK), which the
# module maps link so that the CLI can be one static executable.
# Debian/Ubuntu only; needs root or sudo for apt-get.
set -euo pipefail
gcc_major=$(gcc -dumpversion 2>/dev/null | cut -d. -f1)
need=()
for pkg in libopenblas-dev liblapacke-dev libglpk-dev libsuitesparse-dev "libgfortran-${gcc_major:-12}-dev" libltdl-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "ensure-deps: installing ${need[*]}" >&2
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
