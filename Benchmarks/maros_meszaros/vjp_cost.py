#!/usr/bin/env python3
"""Cost of one VJP against the forward solve on Maros-Meszaros problems (issue 12's target:
VJP of z w.r.t. (q, l, u) <= 0.1x the forward, on every solved problem where the solution is
differentiable).

    /work/venv-qp/bin/python Benchmarks/maros_meszaros/vjp_cost.py --binary .build/release/implicitdiff \
        --data ../shared/data/maros_meszaros --repeat 5 [--problems HS21,AUG3DC]

Each problem goes to the CLI as run.py sends it (coordinate form) with a random zbar
(seed 0) and wrt = (q, b, h, l, lb, ub); `--repeat N` makes the CLI report the minimum
of N forward solves and of N derivatives (`stats.forward_seconds`,
`stats.derivative_seconds`: the derivative time covers preparing the derivative, the
pullback and the gradients, not JSON). Prints a Markdown table.

`--callgrind` counts instructions instead (valgrind's callgrind, load-independent): the
inclusive counts of the forward solve (`SparseQPSolver.solve`) and of the derivative
(`CheckedDerivativeRequest.evaluate`, the whole CLI request) over the N repetitions, and
in the last column the library's part alone (preparing `SparseQPDerivative` and one
`pullbackWithResidual`, without the CLI's parsing and result dictionaries).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import cli_input, load  # noqa: E402

# The 17 problems of the spot check in README.md (2026-12-04).
SPOT = ["HS21", "HS35", "HS51", "HS52", "HS53", "HS76", "GENHS28", "TAME", "ZECEVIC2", "LOTSCHD", "QPTEST",
        "DPKLO1", "PRIMAL4", "MOSARQP1", "AUG3DCQP", "AUG3DC", "AUG2DC"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/implicitdiff")
    ap.add_argument("--data", default="../shared/data/maros_meszaros")
    ap.add_argument("--problems", default=",".join(SPOT))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--callgrind", action="store_true", help="instruction counts (valgrind) instead of times")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    print("| problem | n | forward (s) | VJP (s) | VJP / forward | linear residual |")
    print("|---|---|---|---|---|---|")
    for name in a.problems.split(","):
        prob = load(os.path.join(a.data, name + ".mat"))
        n = prob[0].shape[0]
        zbar = np.random.default_rng(0).standard_normal(n)
        obj, _, _ = cli_input(prob, {"vjp": {"z": zbar.tolist()}, "wrt": ["q", "b", "h", "l", "lb", "ub"]})
        path = os.path.join(tmp, name + ".json")
        with open(path, "w") as f:
            json.dump(obj, f)
        cmd = [a.binary, "solve", path, "--repeat", str(a.repeat), "--quiet"]
        if a.callgrind:
            out = os.path.join(tmp, name + ".cg")
            cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + cmd
        p = subprocess.run(cmd, capture_output=True, text=True)
        os.unlink(path)
        if a.callgrind and p.returncode == 0:
            ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out],
                                 capture_output=True, text=True).stdout
            os.unlink(out)

            def count(pattern):
                best = 0
                for line in ann.splitlines():
                    if re.search(pattern, line):
                        best = max(best, int(line.split()[0].replace(",", "")))
                return best
            f = count(r"SparseQPSolverV5solveAA0D10QPSolutionVyKF")
            d = count(r"CheckedDerivativeRequestO8evaluate2on")
            # The library's part: preparing the derivative and one pullback (without the
            # CLI's cotangent parsing, name checks and result dictionaries).
            lib = count(r"SolvedSparseQPC10derivative0abF00E12QPDerivativeVyKF") + \
                count(r"SparseQPDerivativeV20pullbackWithResidual")
            print(f"| {name} | {n} | {f:.3g} | {d:.3g} | {d / f:.3f} | instructions; library {lib:.3g} = {lib / f:.3f} |",
                  flush=True)
            continue
        if p.returncode != 0:
            msg = json.loads(p.stdout)["error"]["message"][:80] if p.stdout else p.stderr[-80:]
            print(f"| {name} | {n} | exit {p.returncode} | | | {msg} |", flush=True)
            continue
        s = json.loads(p.stdout)["stats"]
        f, d = s["forward_seconds"], s["derivative_seconds"]
        print(f"| {name} | {n} | {f:.3g} | {d:.3g} | {d / f:.3f} | {s['linear_residual']:.1e} |", flush=True)


if __name__ == "__main__":
    main()
