#!/usr/bin/env python3
"""Batch throughput: `implicitdiff batch` against qpth's batched layer and cvxpylayers
(issue 15), same problems, same run, CPU.

Workloads (seeded):
* qp:    1024 random feasible QPs, n = 50, m = 100 inequalities, p = 10 equalities,
         Q = M M' / n + I; solution plus the VJP of z (random cotangent) w.r.t. every
         parameter;
* lp:    10 000 random LPs with a known non-degenerate vertex, n = 20 (ours only);
* lasso: 1000 lassos, 200 x 50 (ours only).

Ours: wall time of the whole `implicitdiff batch FILE --jobs J --no-outputs` process
(JSON reading and writing included), for J = 1 and 2. Anchors: qpth `QPFunction` on the
whole batch (forward + backward of <zbar, z>), cvxpylayers (diffcp, `n_jobs` = cores) on
the same batch; each anchor's time is the minimum over repeats after one warm-up.

Derivative error: relative 2-norm error of d<zbar, z>/d(q, b, h) against a reference
computed in NumPy from the reduced KKT system on the active set of a tight solution
(Clarabel at 1e-12 through cvxpy when available, else our own z), on the first
`--check` problems.

    python Benchmarks/batch/run_batch.py --binary .build/release/implicitdiff [--count 1024] [--out results.md]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def qp_batch(count, n=50, m=100, p=10, seed=0):
    rng = np.random.default_rng(seed)
    probs = []
    for _ in range(count):
        M = rng.standard_normal((n, n))
        Q = M @ M.T / n + np.eye(n)
        A = rng.standard_normal((p, n))
        G = rng.standard_normal((m, n))
        z0 = rng.standard_normal(n)
        b = A @ z0
        h = G @ z0 + rng.uniform(0.1, 1.0, m)
        q = rng.standard_normal(n) * 3
        zbar = rng.standard_normal(n)
        probs.append(dict(Q=Q, q=q, A=A, b=b, G=G, h=h, zbar=zbar))
    return probs


def lp_batch(count, n=20, m=40, seed=1):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        G = rng.standard_normal((m, n))
        z = rng.standard_normal(n)
        h = G @ z
        h[n:] += rng.uniform(0.5, 1.5, m - n)
        mu = np.zeros(m)
        mu[:n] = rng.uniform(0.5, 1.5, n)
        c = -G.T @ mu
        out.append({"problem": "lp", "data": {"c": c.tolist(), "G": G.tolist(), "h": h.tolist()},
                    "derivative": {"vjp": {"value": 1}}})
    return out


def lasso_batch(count, N=200, d=50, seed=2):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        X = rng.standard_normal((N, d))
        w = np.zeros(d)
        w[:5] = rng.standard_normal(5)
        y = X @ w + 0.1 * rng.standard_normal(N)
        lam = 0.1 * np.abs(X.T @ y).max()
        out.append({"problem": "lasso", "data": {"X": X.tolist(), "y": y.tolist(), "lambda": lam},
                    "derivative": {"vjp": {"w": rng.standard_normal(d).tolist()}}})
    return out


def qp_doc(pr):
    return {"problem": "qp", "data": {k: pr[k].tolist() for k in ("Q", "q", "A", "b", "G", "h")},
            "derivative": {"vjp": {"z": pr["zbar"].tolist()}}}


def run_ours(binary, docs, jobs, workdir, name):
    path = os.path.join(workdir, f"{name}.jsonl")
    if not os.path.exists(path):
        with open(path, "w") as f:
            for d in docs:
                f.write(json.dumps(d) + "\n")
    out = os.path.join(workdir, f"{name}-{jobs}.out.jsonl")
    t0 = time.perf_counter()
    r = subprocess.run([binary, "batch", path, "--jobs", str(jobs), "--out", out, "--quiet"], capture_output=True)
    secs = time.perf_counter() - t0
    results = [json.loads(line) for line in open(out)]
    failed = sum(1 for x in results if "error" in x)
    return secs, results, failed, r.returncode


def reference_vjp(pr, z, mu):
    """d<zbar, z>/d(q, b, h) on the active set of a tight solution (rows with a multiplier
    above 1e-7 relative); None where a row is weakly active (slack and multiplier both
    tiny: no derivative)."""
    Q, A, G, h, zbar = pr["Q"], pr["A"], pr["G"], pr["h"], pr["zbar"]
    n, p = Q.shape[0], A.shape[0]
    slack = h - G @ z
    scale = 1e-7 * max(1.0, np.abs(mu).max())
    act = np.where(mu > scale)[0]
    if np.any((slack < 1e-7 * (1 + np.abs(h))) & (mu <= scale)):
        return None
    Ga = G[act]
    k = len(act)
    K = np.zeros((n + k + p, n + k + p))
    K[:n, :n] = Q
    K[:n, n:n + k] = Ga.T
    K[:n, n + k:] = A.T
    K[n:n + k, :n] = Ga
    K[n + k:, :n] = A
    rhs = np.concatenate([-zbar, np.zeros(k + p)])
    w = np.linalg.solve(K, rhs)
    qbar = w[:n]
    hbar = np.zeros(len(h))
    hbar[act] = -w[n:n + k]
    bbar = -w[n + k:]
    return np.concatenate([qbar, bbar, hbar])


def tight_solution(pr):
    try:
        import cvxpy as cp
    except ImportError:
        return None
    n = len(pr["q"])
    x = cp.Variable(n)
    obj = 0.5 * cp.quad_form(x, cp.psd_wrap(pr["Q"])) + pr["q"] @ x
    prob = cp.Problem(cp.Minimize(obj), [pr["A"] @ x == pr["b"], pr["G"] @ x <= pr["h"]])
    prob.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    return x.value, np.asarray(prob.constraints[1].dual_value)


def rel(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


def run_qpth(probs, repeats):
    import torch
    from qpth.qp import QPFunction

    torch.set_default_dtype(torch.float64)
    T = lambda key: torch.tensor(np.stack([p[key] for p in probs]))
    Q, q, A, b, G, h, zbar = (T(k) for k in ("Q", "q", "A", "b", "G", "h", "zbar"))
    best, grads = float("inf"), None
    for rep in range(repeats + 1):
        args = [t.clone().requires_grad_(True) for t in (Q, q, G, h, A, b)]
        t0 = time.perf_counter()
        z = QPFunction(verbose=-1, eps=1e-12, maxIter=50)(*args)
        (z * zbar).sum().backward()
        secs = time.perf_counter() - t0
        if rep > 0 and secs < best:
            best = secs
            grads = [a.grad.numpy() for a in args]
    qg, hg, bg = grads[1], grads[3], grads[5]
    return best, [np.concatenate([qg[i], bg[i], hg[i]]) for i in range(len(probs))]


def run_cvxpylayers(probs, repeats, jobs):
    import cvxpy as cp
    import torch
    from cvxpylayers.torch import CvxpyLayer

    torch.set_default_dtype(torch.float64)
    n, p, m = probs[0]["Q"].shape[0], probs[0]["A"].shape[0], probs[0]["G"].shape[0]
    L = cp.Parameter((n, n))
    q, A, b, G, h = cp.Parameter(n), cp.Parameter((p, n)), cp.Parameter(p), cp.Parameter((m, n)), cp.Parameter(m)
    x = cp.Variable(n)
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(L.T @ x) + q @ x), [A @ x == b, G @ x <= h])
    layer = CvxpyLayer(prob, parameters=[L, q, A, b, G, h], variables=[x])
    Lc = torch.tensor(np.stack([np.linalg.cholesky(pr["Q"]) for pr in probs]))
    T = lambda key: torch.tensor(np.stack([pr[key] for pr in probs]))
    qs, As, bs, Gs, hs, zbar = (T(k) for k in ("q", "A", "b", "G", "h", "zbar"))
    best, grads = float("inf"), None
    for rep in range(repeats + 1):
        args = [t.clone().requires_grad_(True) for t in (Lc, qs, As, bs, Gs, hs)]
        t0 = time.perf_counter()
        (z,) = layer(*args, solver_args={"eps": 1e-12, "max_iters": 100000, "n_jobs_forward": jobs, "n_jobs_backward": jobs})
        (z * zbar).sum().backward()
        secs = time.perf_counter() - t0
        if rep > 0 and secs < best:
            best = secs
            grads = [a.grad.numpy() for a in args]
    qg, bg, hg = grads[1], grads[3], grads[5]
    return best, [np.concatenate([qg[i], bg[i], hg[i]]) for i in range(len(probs))]


def without_timings(result):
    result = dict(result)
    stats = dict(result.get("stats") or {})
    stats.pop("forward_seconds", None)
    stats.pop("derivative_seconds", None)
    if stats:
        result["stats"] = stats
    return result


def run_dask(binary, docs, workdir, local_results, count, err):
    """The QP batch on a LocalCluster of 2 single-threaded worker processes through
    python/implicitdiff_dask; its results must equal the local run's (timings aside)."""
    package = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
    sys.path.insert(0, package)  # and for the worker processes:
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [package, os.environ.get("PYTHONPATH")]))
    from dask.distributed import Client, LocalCluster
    from implicitdiff_dask import run_batch

    path = os.path.join(workdir, "qp.jsonl")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        t0 = time.perf_counter()
        got = list(run_batch(path, client, binary=os.path.abspath(binary), partition_size=128, jobs_per_worker=1))
        secs = time.perf_counter() - t0
    same = [without_timings(r) for r in got] == [without_timings(r) for r in local_results]
    print(f"dask LocalCluster(2): {secs:.2f} s, results identical to the local batch: {same}", file=sys.stderr)
    if not same:
        raise SystemExit("the Dask run differs from the local batch")
    return ("", "implicitdiff_dask, LocalCluster 2 workers (identical to local: yes)", secs, count / secs, err,
            sum(1 for r in got if "error" in r))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/implicitdiff")
    ap.add_argument("--count", type=int, default=1024)
    ap.add_argument("--lp-count", type=int, default=10000)
    ap.add_argument("--lasso-count", type=int, default=1000)
    ap.add_argument("--check", type=int, default=32, help="problems whose derivatives are checked")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--skip-anchors", action="store_true")
    ap.add_argument("--dask", action="store_true",
                    help="also run the QP batch through implicitdiff_dask on a LocalCluster of 2 worker processes "
                         "and check that its results equal the local batch's (timings aside)")
    ap.add_argument("--out")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory() as work:
        probs = qp_batch(args.count)
        docs = [qp_doc(p) for p in probs]
        refs = []
        for pr in probs[:args.check]:
            sol = tight_solution(pr)
            refs.append(None if sol is None else reference_vjp(pr, *sol))
        ours = {}
        for jobs in (1, 2):
            best = None
            for _ in range(args.repeats):
                secs, results, failed, code = run_ours(args.binary, docs, jobs, work, "qp")
                if best is None or secs < best[0]:
                    best = (secs, results, failed)
            ours[jobs] = best
        secs1, results, failed = ours[1]
        errs = []
        for k, ref in enumerate(refs):
            if ref is None or "error" in results[k]:
                continue
            v = results[k]["vjp"]
            got = np.concatenate([v["q"], v["b"], v["h"]])
            errs.append(rel(got, ref))
        err_ours = max(errs) if errs else float("nan")
        rows.append((f"qp {args.count} (n=50, m=100, p=10), VJP", "implicitdiff batch --jobs 1", secs1, args.count / secs1, err_ours, failed))
        rows.append(("", "implicitdiff batch --jobs 2", ours[2][0], args.count / ours[2][0], err_ours, ours[2][2]))
        if args.dask:
            rows.append(run_dask(args.binary, docs, work, results, args.count, err_ours))
        if not args.skip_anchors:
            for name, fn in (("qpth (batched QPFunction)", lambda: run_qpth(probs, args.repeats)),
                             (f"cvxpylayers (diffcp, SCS eps 1e-12, n_jobs={cores})", lambda: run_cvxpylayers(probs, args.repeats, cores))):
                try:
                    secs, grads = fn()
                    e = [rel(grads[k], ref) for k, ref in enumerate(refs) if ref is not None]
                    rows.append(("", name, secs, args.count / secs, max(e) if e else float("nan"), 0))
                except Exception as ex:  # an anchor that fails only loses its row
                    print(f"{name}: {type(ex).__name__}: {ex}", file=sys.stderr)
        for label, docs2, name in ((f"lp {args.lp_count} (n=20, m=40), value VJP", lp_batch(args.lp_count), "lp"),
                                   (f"lasso {args.lasso_count} (200 x 50), VJP", lasso_batch(args.lasso_count), "lasso")):
            for jobs in (1, 2):
                secs, results, failed, _ = min((run_ours(args.binary, docs2, jobs, work, name) for _ in range(args.repeats)),
                                               key=lambda r: r[0])
                rows.append((label if jobs == 1 else "", f"implicitdiff batch --jobs {jobs}", secs, len(docs2) / secs,
                             float("nan"), failed))
    lines = ["| workload | runner | seconds | problems/s | max derivative error | failed |", "|---|---|---|---|---|---|"]
    for w, r, s, rate, e, f in rows:
        es = "-" if e != e else f"{e:.1e}"
        lines.append(f"| {w} | {r} | {s:.2f} | {rate:.0f} | {es} | {f} |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
