#!/usr/bin/env bash
# Recreate the Python virtual environment with the anchor libraries used by
# Benchmarks/anchors/run.py (JAXopt, ott-jax, cvxpylayers/diffcp, optimistix, POT).
# Idempotent: an existing venv is reused and the pinned set is (re)installed.
# The venv lives OUTSIDE the repository; override its path with ANCHORS_VENV.
#   ANCHORS_VENV=/some/where bash Benchmarks/anchors/setup_venv.sh
set -euo pipefail

VENV="${ANCHORS_VENV:-/work/venv-anchors}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    echo "creating venv at $VENV" >&2
    "$PYTHON" -m venv "$VENV"
fi

# Pinned versions (what was installed and tested with Python 3.11, CPU only).
# Top-level packages first; the full resolved set is pinned below as constraints.
REQS=(
    "jax[cpu]==0.10.2"
    "jaxlib==0.10.2"
    "jaxopt==0.8.5"
    "ott-jax==0.6.0"
    "cvxpy==1.9.3"
    "diffcp==1.1.9"
    "cvxpylayers==1.2.0"
    "optimistix==0.1.0"
    "lineax==0.1.1"
    "equinox==0.13.8"
    "POT==0.9.7.post1"
    "scipy==1.17.1"
    "numpy==2.4.6"
)

CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
cat > "$CONSTRAINTS" <<'PINS'
absl-py==2.5.1
cffi==2.1.1
clarabel==0.11.1
cloudpickle==3.1.3
cvxpy==1.9.3
cvxpylayers==1.2.0
diffcp==1.1.9
equinox==0.13.8
highspy==1.16.0
jax==0.10.2
jaxlib==0.10.2
jaxopt==0.8.5
jaxtyping==0.3.11
Jinja2==3.1.6
joblib==1.6.0
lineax==0.1.1
MarkupSafe==3.0.4
ml_dtypes==0.6.0
numpy==2.4.6
opt_einsum==3.4.0
optax==0.2.8
optimistix==0.1.0
osqp==1.1.3
ott-jax==0.6.0
POT==0.9.7.post1
pycparser==3.12
qdldl==0.1.9.post1
scipy==1.17.1
scs==3.3.1
sparsediffpy==0.6.1
threadpoolctl==3.8.0
typing_extensions==4.16.0
wadler_lindig==0.1.8
PINS

"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -c "$CONSTRAINTS" "${REQS[@]}"

# Smoke test: every anchor imports.
"$VENV/bin/python" - <<'PY'
import jax
jax.config.update("jax_enable_x64", True)
import jaxopt, ott, optimistix, lineax, cvxpy, diffcp, ot, scipy, numpy
from cvxpylayers.jax import CvxpyLayer
print("anchors venv OK: jax", jax.__version__, "ott", ott.__version__,
      "cvxpy", cvxpy.__version__, "POT", ot.__version__, "devices", jax.devices())
PY
echo "run with: $VENV/bin/python Benchmarks/anchors/run.py --quick" >&2
