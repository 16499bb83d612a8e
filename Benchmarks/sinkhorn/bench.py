"""Point-cloud Sinkhorn side by side: ours (the release CLI, --no-outputs, a cost
cotangent) against ott-jax 0.6.0 (stored and online PointCloud geometry, jitted
value_and_grad of reg_ot_cost with respect to x, float64), on the same problems.

Problems: x, y uniform in the square [0, 1/sqrt 2]^2 (max squared distance 1), weights
uniform random in [0.5, 1.5] normalised, seed 0; tolerance 1e-9 on the marginals (L1).
Each side runs once in its own process; time and peak memory (max RSS) come from
/usr/bin/time -f "%e %M". For ott-jax the steady-state time of the second call is
reported (the first includes compilation) next to the process's peak memory. The
gradients are compared (max-norm relative difference).

usage:
  /work/venv-anchors/bin/python Benchmarks/sinkhorn/bench.py [--sizes 10000] [--eps 0.05 0.005]
        [--cli .build/release/implicitdiff] [--ott stored online] [--ott-timeout 1800] [--out FILE.md]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def problem(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 2)) / np.sqrt(2)
    y = rng.random((n, 2)) / np.sqrt(2)
    a = rng.random(n) + 0.5
    b = rng.random(n) + 0.5
    return x, y, a / a.sum(), b / b.sum()


def timed(cmd, timeout):
    """Runs cmd under /usr/bin/time; returns (stdout, wall seconds, peak MB, error)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        try:
            p = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", tf.name] + cmd, capture_output=True,
                               text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, None, None, f"timeout after {timeout} s"
        fields = open(tf.name).read().split()
        wall, kb = float(fields[-2]), float(fields[-1])
        err = None if p.returncode == 0 else (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1][-200:]
        return p.stdout, wall, kb / 1024, err


def run_ours(cli, x, y, a, b, eps, tol, workdir):
    path = os.path.join(workdir, "problem.json")
    with open(path, "w") as f:
        json.dump({"problem": "sinkhorn", "data": {"x": x.tolist(), "y": y.tolist(), "a": a.tolist(), "b": b.tolist(),
                                                    "epsilon": eps},
                   "derivative": {"vjp": {"cost": 1}}, "options": {"tol": tol}}, f)
    out, wall, mb, err = timed([cli, "solve", path, "--no-outputs", "--quiet"], None)
    if err:
        return dict(error=err, wall=wall, mb=mb)
    d = json.loads(out)
    s = d["stats"]
    return dict(seconds=s["forward_seconds"] + s["derivative_seconds"], wall=wall, mb=mb, iterations=s["forward_iterations"],
                error_a=s["certificate"]["marginal_a"], grad=np.asarray(d["vjp"]["x"]))


def run_ott(mode, x, y, a, b, eps, tol, workdir, timeout):
    path = os.path.join(workdir, "problem.npz")
    np.savez(path, x=x, y=y, a=a, b=b)
    out, wall, mb, err = timed([sys.executable, os.path.join(HERE, "ott_case.py"), path, str(eps), str(tol), mode], timeout)
    if err:
        return dict(error=err, wall=wall, mb=mb)
    d = json.loads(out.strip().splitlines()[-1])
    return dict(seconds=d["seconds"], first=d["first_call_seconds"], wall=wall, mb=mb, iterations=d["iterations"],
                converged=d["converged"], error_a=d["error"], grad=np.asarray(d["grad_x"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000])
    ap.add_argument("--eps", type=float, nargs="+", default=[0.05, 0.005])
    ap.add_argument("--tol", type=float, default=1e-9)
    ap.add_argument("--cli", default=os.path.join(HERE, "..", "..", ".build", "release", "implicitdiff"))
    ap.add_argument("--ott", nargs="*", default=["stored", "online"])
    ap.add_argument("--ott-timeout", type=float, default=1800)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for n in args.sizes:
            x, y, a, b = problem(n)
            for eps in args.eps:
                t0 = time.time()
                ours = run_ours(args.cli, x, y, a, b, eps, args.tol, work)
                print(f"n={n} eps={eps} ours: {ours.get('seconds', ours.get('error'))} s, {ours['mb']:.0f} MB "
                      f"({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
                row = dict(n=n, eps=eps, ours=ours, ott={})
                for mode in args.ott:
                    r = run_ott(mode, x, y, a, b, eps, args.tol, work, args.ott_timeout)
                    if "grad" in r and "grad" in ours:
                        r["grad_diff"] = float(np.abs(r["grad"] - ours["grad"]).max() / np.abs(r["grad"]).max())
                    print(f"  ott {mode}: {r.get('seconds', r.get('error'))}", file=sys.stderr, flush=True)
                    row["ott"][mode] = r
                rows.append(row)
    lines = ["| n = m | eps | ours: time (s) | ours: peak MB | ours: iterations | ott-jax mode | ott: time (s) | ott: peak MB | "
             "ott: iterations | time ratio ours/ott | gradient difference |", "|" + "---|" * 11]
    for r in rows:
        o = r["ours"]
        ot = r["ott"] or {"-": {"error": "not run"}}
        for mode, t in ot.items():
            ratio = f"{o['seconds'] / t['seconds']:.2f}" if "seconds" in o and "seconds" in t else "-"
            lines.append(f"| {r['n']} | {r['eps']} | {o.get('seconds', float('nan')):.2f} | {o['mb']:.0f} | {o.get('iterations', '-')} "
                         f"| {mode} | {t['seconds']:.2f} | {t['mb']:.0f} | {t.get('iterations', '-')} | {ratio} | "
                         f"{t.get('grad_diff', float('nan')):.1e} |" if "seconds" in t else
                         f"| {r['n']} | {r['eps']} | {o.get('seconds', float('nan')):.2f} | {o['mb']:.0f} | {o.get('iterations', '-')} "
                         f"| {mode} | failed: {t.get('error')} | {t.get('mb') or 0:.0f} | - | - | - |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "a") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
