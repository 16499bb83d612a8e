#!/usr/bin/env python3
"""Maros-Meszaros benchmark: ImplicitDiff's sparse QP solver (through the CLI) against
PIQP, Clarabel and ProxQP on the same problems in the same run.

    /work/venv-qp/bin/python Benchmarks/maros_meszaros/run.py \
        --binary .build/release/implicitdiff --data ../shared/data/maros_meszaros \
        --time-limit 100 --out Benchmarks/maros_meszaros/results

Every solver runs in its own process (killed at the time limit; its peak RSS is read by
wait4). Every answer is checked by this script with qpbenchmark's high-accuracy
definitions, computed from the returned z and duals on the problem in the form
    min 1/2 z'Pz + q'z  s.t.  l <= A z <= u,  lb <= z <= ub
(bound rows of the .mat files, an identity block at the bottom of A, are split off):
    primal = max(||(Az - u)+||, ||(l - Az)+||, ||(z - ub)+||, ||(lb - z)+||)
    dual   = ||P z + q + A'y + w||
    gap    = |z'Pz + q'z + u'y+ - l'y- + ub'w+ - lb'w-|     (finite sides; inf if a multiplier
                                                          above 1e-9 sits on an infinite side)
all max norms, absolute, each <= 1e-9 for a success. Times are the solvers' solve times
(ours: `stats.forward_seconds`, the solve without JSON parsing; others: the solve call).
The shifted geometric mean (shift 10 s) counts failures at the time limit.
`--derivatives K` also spot-checks one VJP of z w.r.t. (q, l, u, lb, ub) on K solved
problems against central finite differences of re-solved problems.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.io as sio
import scipy.sparse as sp

TOL = 1e-9
SOLVERS = ["implicitdiff", "piqp", "clarabel", "proxqp"]


def load(path):
    """(P, q, A, l, u, lb, ub) with the bound block of A split off, inf for |x| >= 1e20."""
    d = sio.loadmat(path)
    P = sp.csc_matrix(d["P"]).astype(float)
    q = d["q"].flatten().astype(float)
    A = sp.csr_matrix(d["A"]).astype(float)
    l = d["l"].flatten().astype(float)
    u = d["u"].flatten().astype(float)
    n, m = P.shape[0], A.shape[0]
    l[l <= -9e19] = -np.inf
    u[u >= 9e19] = np.inf
    lb, ub = np.full(n, -np.inf), np.full(n, np.inf)
    if m >= n:
        B = A[m - n:]
        if B.nnz == n and (B != sp.eye(n, format="csr")).nnz == 0:
            lb, ub = l[m - n:].copy(), u[m - n:].copy()
            A, l, u = A[: m - n], l[: m - n], u[: m - n]
    return P, q, sp.csc_matrix(A), l, u, lb, ub


def residuals(prob, z, y, w):
    P, q, A, l, u, lb, ub = prob
    Az = A @ z
    with np.errstate(invalid="ignore"):
        primal = max(np.max(Az - u, initial=0), np.max(l - Az, initial=0),
                     np.max(z - ub, initial=0), np.max(lb - z, initial=0))
    dual = np.max(np.abs(P @ z + q + A.T @ y + w), initial=0)

    def support(v, lo, up):
        s = 0.0
        pos, neg = v > 0, v < 0
        # A multiplier on an infinite side must be 0 (up to the tolerance).
        if np.any(pos & ~np.isfinite(up) & (v > TOL)) or np.any(neg & ~np.isfinite(lo) & (v < -TOL)):
            return np.inf
        pos &= np.isfinite(up)
        neg &= np.isfinite(lo)
        s += np.dot(up[pos], v[pos]) + np.dot(lo[neg], v[neg])
        return s

    gap = abs(z @ (P @ z) + q @ z + support(y, l, u) + support(w, lb, ub))
    return float(primal), float(dual), float(gap)


# ---------------------------------------------------------------- workers (subprocesses)

def worker(solver, path, out, time_limit):
    prob = load(path)
    P, q, A, l, u, lb, ub = prob
    n, m = P.shape[0], A.shape[0]
    eq = np.isfinite(l) & (l == u)
    ineq = ~eq
    t0 = time.perf_counter()
    if solver == "piqp":
        import piqp
        s = piqp.SparseSolver()
        s.settings.eps_abs = TOL
        s.settings.eps_rel = 0.0
        s.settings.eps_duality_gap_abs = TOL
        s.settings.eps_duality_gap_rel = 0.0
        s.settings.check_duality_gap = True
        s.settings.max_iter = 1000
        Aeq, G = A[eq], A[ineq]
        s.setup(sp.csc_matrix(sp.triu(P)), q, sp.csc_matrix(Aeq) if Aeq.shape[0] else None, l[eq] if Aeq.shape[0] else None,
                sp.csc_matrix(G) if G.shape[0] else None, l[ineq] if G.shape[0] else None, u[ineq] if G.shape[0] else None,
                lb, ub)
        t0 = time.perf_counter()
        status = s.solve()
        elapsed = time.perf_counter() - t0
        r = s.result
        y = np.zeros(m)
        y[eq] = r.y
        y[ineq] = r.z_u - r.z_l
        w = r.z_bu - r.z_bl
        ok = str(status).endswith("Solved")
        x = r.x
    elif solver == "clarabel":
        import clarabel
        rows_u = ineq & np.isfinite(u)
        rows_l = ineq & np.isfinite(l)
        bu, bl = np.isfinite(ub), np.isfinite(lb)
        I = sp.eye(n, format="csr")
        Ac = sp.vstack([A[eq], A[rows_u], -A[rows_l], I[bu], -I[bl]]).tocsc()
        bc = np.concatenate([l[eq], u[rows_u], -l[rows_l], ub[bu], -lb[bl]])
        st = clarabel.DefaultSettings()
        st.verbose = False
        st.tol_gap_abs = TOL
        st.tol_gap_rel = 0.0
        st.tol_feas = TOL
        st.tol_infeas_abs = TOL
        st.tol_infeas_rel = 0.0
        st.tol_ktratio = 1e-7
        st.time_limit = time_limit
        cones = [clarabel.ZeroConeT(int(eq.sum())), clarabel.NonnegativeConeT(Ac.shape[0] - int(eq.sum()))]
        t0 = time.perf_counter()
        s = clarabel.DefaultSolver(sp.csc_matrix(sp.triu(P)), q, Ac, bc, cones, st)
        sol = s.solve()
        elapsed = time.perf_counter() - t0
        zc = np.array(sol.z)
        k = int(eq.sum())
        y = np.zeros(m)
        y[eq] = zc[:k]
        nu, nl = int(rows_u.sum()), int(rows_l.sum())
        y[rows_u] += zc[k:k + nu]
        y[rows_l] -= zc[k + nu:k + nu + nl]
        o = k + nu + nl
        w = np.zeros(n)
        w[bu] += zc[o:o + int(bu.sum())]
        w[bl] -= zc[o + int(bu.sum()):]
        x = np.array(sol.x)
        ok = str(sol.status) == "Solved"
    elif solver == "proxqp":
        import proxsuite
        I = sp.eye(n, format="csc")
        C = sp.vstack([A[ineq], I]).tocsc()
        cl = np.concatenate([l[ineq], lb])
        cu = np.concatenate([u[ineq], ub])
        cl[~np.isfinite(cl)] = -1e20
        cu[~np.isfinite(cu)] = 1e20
        neq = int(eq.sum())
        qp = proxsuite.proxqp.sparse.QP(n, neq, C.shape[0])
        qp.settings.eps_abs = TOL
        qp.settings.eps_rel = 0.0
        qp.settings.eps_duality_gap_abs = TOL
        qp.settings.eps_duality_gap_rel = 0.0
        qp.settings.check_duality_gap = True
        qp.settings.verbose = False
        t0 = time.perf_counter()
        qp.init(sp.csc_matrix(P), q, sp.csc_matrix(A[eq]) if neq else None, l[eq] if neq else None, C, cl, cu)
        qp.solve()
        elapsed = time.perf_counter() - t0
        r = qp.results
        x = np.array(r.x)
        y = np.zeros(m)
        if neq:
            y[eq] = r.y
        zc = np.array(r.z)
        ni = int(ineq.sum())
        y[ineq] = zc[:ni]
        w = zc[ni:]
        ok = "Solved" in str(r.info.status)
    else:
        raise SystemExit(f"unknown solver {solver}")
    np.savez(out, x=x, y=y, w=w, elapsed=elapsed, ok=ok)


def cli_input(prob, derivative=None):
    """The problem as the CLI's qp kind in coordinate form (sparse path): equality rows as
    A z = b, the others as l <= G z <= h, bounds lb, ub; infinities as +-1e20."""
    P, q, A, l, u, lb, ub = prob
    eq = np.isfinite(l) & (l == u)
    ineq = ~eq

    def coo(M):
        M = sp.coo_matrix(M)
        return {"shape": list(M.shape), "rows": M.row.tolist(), "cols": M.col.tolist(), "values": M.data.tolist()}

    def fin(v):
        return np.clip(np.nan_to_num(v, posinf=1e20, neginf=-1e20), -1e20, 1e20).tolist()

    data = {"Q": coo(P), "q": q.tolist(), "A": coo(A[eq]), "b": l[eq].tolist(), "G": coo(A[ineq]),
            "h": fin(u[ineq]), "l": fin(l[ineq]), "lb": fin(lb), "ub": fin(ub)}
    obj = {"problem": "qp", "data": data}
    if derivative is not None:
        obj["derivative"] = derivative
    return obj, eq, ineq


def child_peak_mb(pid):
    """Largest VmHWM (peak RSS since exec) among the children of `pid`, in MB (0 if none)."""
    peak = 0.0
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = f.read().split()
    except OSError:
        return 0.0
    for c in children:
        try:
            with open(f"/proc/{c}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            pass
    return peak


def run_process(cmd, time_limit):
    """Runs cmd; returns (returncode or None on timeout, wall seconds, peak RSS MB, stdout).
    The peak RSS is the solver process's own: measured by /usr/bin/time (%M) for a run that
    ends, and read from /proc (VmHWM) just before the kill for one that is stopped at the
    limit. (wait4's ru_maxrss of a child forked from this script would include this
    script's own RSS before the exec: Linux keeps the pre-exec high-water mark.)"""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as so, tempfile.NamedTemporaryFile("r", suffix=".rss") as tf:
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", tf.name] + cmd, stdout=so,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        rc, rss = None, 0.0
        while True:
            if p.poll() is not None:
                rc = p.returncode
                words = tf.read().split()
                rss = int(words[-1]) / 1024 if words and words[-1].isdigit() else 0.0
                if rc != 0 and words[:3] == ["Command", "terminated", "by"]:
                    rc = -int(words[4])  # killed by a signal: as Popen reports it
                break
            if time.perf_counter() - t0 > time_limit + 5:
                rss = child_peak_mb(p.pid)
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                break
            time.sleep(0.005)
        so.seek(0)
        out = so.read().decode(errors="replace")
    return rc, time.perf_counter() - t0, rss, out


def run_ours(binary, prob, time_limit, tmpdir, name):
    obj, eq, ineq = cli_input(prob)
    # The absolute accuracy every solver is asked for (PIQP, ProxQP: eps_abs = TOL with
    # eps_rel = 0; Clarabel: tol_gap_abs = tol_feas = TOL), on top of our relative default.
    obj["options"] = {"tol_abs": TOL}
    path = os.path.join(tmpdir, name + ".json")
    with open(path, "w") as f:
        json.dump(obj, f)
    rc, wall, rss, out = run_process([binary, "solve", path], time_limit)
    os.unlink(path)
    if rc != 0:
        return dict(ok=False, time=time_limit, rss=rss, note=f"exit {rc}")
    res = json.loads(out)
    o = res["outputs"]
    m = prob[2].shape[0]
    y = np.zeros(m)
    y[eq] = o["lambda"]
    y[ineq] = o["mu"]
    x = np.array(o["z"])
    w = np.array(o.get("w", np.zeros(len(x))))
    return dict(ok=True, time=res["stats"]["forward_seconds"], rss=rss, x=x, y=y, w=w)


def run_other(solver, path, time_limit, tmpdir, name):
    out = os.path.join(tmpdir, f"{name}-{solver}.npz")
    rc, wall, rss, _ = run_process([sys.executable, __file__, "--worker", solver, path, out, str(time_limit)], time_limit)
    if rc != 0 or not os.path.exists(out):
        return dict(ok=False, time=time_limit, rss=rss, note=f"exit {rc}")
    r = np.load(out)
    os.unlink(out)
    return dict(ok=True, time=float(r["elapsed"]), rss=rss, x=r["x"], y=r["y"], w=r["w"], claimed=bool(r["ok"]))


def shifted_gm(times, shift=10.0):
    return float(np.exp(np.mean(np.log(np.array(times) + shift))) - shift)


# ------------------------------------------------------------------- derivative check

def derivative_check(binary, name, prob, tmpdir, rng, time_limit):
    """One VJP of z (random zbar) w.r.t. (q, b, h, l, lb, ub) from the CLI against central
    differences of re-solved problems along a random direction t of the finite data:
    <zbar, (z(x + eps t) - z(x - eps t)) / 2 eps> vs <grad, t>."""
    P, q, A, l, u, lb, ub = prob
    n = P.shape[0]
    zbar = rng.standard_normal(n)
    obj, eq, ineq = cli_input(prob, {"vjp": {"z": zbar.tolist()}, "wrt": ["q", "b", "h", "l", "lb", "ub"]})
    path = os.path.join(tmpdir, name + "-d.json")
    with open(path, "w") as f:
        json.dump(obj, f)
    rc, _, _, out = run_process([binary, "solve", path], time_limit)
    if rc == 4:
        return dict(name=name, status="not differentiable", message=json.loads(out)["error"]["message"][:160] if out else "")
    if rc != 0:
        return dict(name=name, status=f"exit {rc}")
    res = json.loads(out)
    g = res["vjp"]
    fwd, der = res["stats"]["forward_seconds"], res["stats"]["derivative_seconds"]
    # Random direction on the finite data; equality rows move l and u together (b).
    tq = rng.standard_normal(n)
    tl = np.where(np.isfinite(l), rng.standard_normal(len(l)), 0.0)
    tu = np.where(np.isfinite(u), rng.standard_normal(len(u)), 0.0)
    tu[eq] = tl[eq]
    tlb = np.where(np.isfinite(lb), rng.standard_normal(n), 0.0)
    tub = np.where(np.isfinite(ub), rng.standard_normal(n), 0.0)
    fixed = np.isfinite(lb) & (lb == ub)
    tub[fixed] = tlb[fixed]
    predicted = (np.dot(g["q"], tq) + np.dot(g["b"], tl[eq]) + np.dot(g["h"], tu[ineq]) + np.dot(g["l"], tl[ineq])
                 + np.dot(g["lb"], tlb) + np.dot(g["ub"], tub))
    scale = max(1.0, np.max(np.abs(q)), np.max(np.abs(np.concatenate([l[np.isfinite(l)], u[np.isfinite(u)], [0]]))))
    eps = 1e-6 * scale
    zs = []
    for sgn in (1, -1):
        pp = (P, q + sgn * eps * tq, A, l + sgn * eps * tl, u + sgn * eps * tu, lb + sgn * eps * tlb, ub + sgn * eps * tub)
        r = run_ours(binary, pp, time_limit, tmpdir, name + "-fd")
        if not r["ok"]:
            return dict(name=name, status="re-solve failed")
        zs.append(r["x"])
    fd = np.dot(zbar, (zs[0] - zs[1]) / (2 * eps))
    err = abs(fd - predicted) / max(1e-12, abs(fd), abs(predicted))
    return dict(name=name, status="ok", vjp=predicted, fd=fd, rel_error=err, forward=fwd, vjp_seconds=der)


# ------------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", nargs=4, metavar=("SOLVER", "MAT", "OUT", "LIMIT"))
    ap.add_argument("--binary", default=".build/release/implicitdiff")
    ap.add_argument("--data", default="../shared/data/maros_meszaros")
    ap.add_argument("--time-limit", type=float, default=100)
    ap.add_argument("--solvers", default=",".join(SOLVERS))
    ap.add_argument("--problems", default="", help="comma-separated names (default: all)")
    ap.add_argument("--derivatives", type=int, default=0, help="spot-check K VJPs against finite differences")
    ap.add_argument("--derivative-min-n", type=int, default=0, help="spot-check only problems with at least this many variables")
    ap.add_argument("--out", default="Benchmarks/maros_meszaros/results")
    a = ap.parse_args()
    if a.worker:
        solver, path, out, limit = a.worker
        worker(solver, path, out, float(limit))
        return
    names = sorted(f[:-4] for f in os.listdir(a.data) if f.endswith(".mat"))
    if a.problems:
        wanted = set(a.problems.split(","))
        names = [x for x in names if x in wanted]
    solvers = a.solvers.split(",")
    os.makedirs(a.out, exist_ok=True)
    rows = []
    tmpdir = tempfile.mkdtemp()
    for name in names:
        path = os.path.join(a.data, name + ".mat")
        prob = load(path)
        row = {"name": name, "n": prob[0].shape[0], "m": prob[2].shape[0]}
        for s in solvers:
            r = run_ours(a.binary, prob, a.time_limit, tmpdir, name) if s == "implicitdiff" \
                else run_other(s, path, a.time_limit, tmpdir, name)
            if r["ok"]:
                pr, du, gp = residuals(prob, r["x"], r["y"], r["w"])
                success = max(pr, du, gp) <= TOL and r["time"] <= a.time_limit
                r.update(primal=pr, dual=du, gap=gp)
            else:
                success = False
            row[s] = dict(success=success, time=r["time"] if success else a.time_limit, rss=r["rss"],
                          primal=r.get("primal"), dual=r.get("dual"), gap=r.get("gap"), note=r.get("note", ""))
        rows.append(row)
        print(name, " ".join(f"{s}:{'ok' if row[s]['success'] else '--'} {row[s]['time']:.3g}s" for s in solvers), flush=True)
        with open(os.path.join(a.out, "results.json"), "w") as f:
            json.dump(rows, f, indent=1, default=float)
    summary(rows, solvers, a)
    if a.derivatives and "implicitdiff" in solvers:
        rng = np.random.default_rng(0)
        solved = sorted((r for r in rows if r["implicitdiff"]["success"] and r["n"] >= a.derivative_min_n),
                        key=lambda r: r["implicitdiff"]["time"])
        checks = []
        for r in solved:
            if sum(c["status"] == "ok" for c in checks) >= a.derivatives:
                break
            c = derivative_check(a.binary, r["name"], load(os.path.join(a.data, r["name"] + ".mat")), tmpdir, rng, a.time_limit)
            checks.append(c)
            print("derivative", json.dumps(c, default=float), flush=True)
        with open(os.path.join(a.out, "derivatives.json"), "w") as f:
            json.dump(checks, f, indent=1, default=float)


def summary(rows, solvers, a):
    lines = [f"Maros-Meszaros, {len(rows)} problems, high accuracy (primal, dual, gap <= 1e-9 absolute), "
             f"time limit {a.time_limit:g} s", "",
             "| solver | solved | success rate | shifted GM time (s) | vs Clarabel |", "|---|---|---|---|---|"]
    gms = {s: shifted_gm([r[s]["time"] for r in rows]) for s in solvers}
    for s in solvers:
        k = sum(r[s]["success"] for r in rows)
        rel = gms[s] / gms["clarabel"] if "clarabel" in gms and gms["clarabel"] > 0 else float("nan")
        lines.append(f"| {s} | {k}/{len(rows)} | {100 * k / max(1, len(rows)):.1f} % | {gms[s]:.3f} | {rel:.2f}x |")
    big = [r for r in rows if r["name"] in ("BOYD1", "BOYD2", "CONT-300")]
    if big:
        lines += ["", "Peak memory (MB, process RSS) on the largest problems:", "",
                  "| problem | " + " | ".join(solvers) + " |", "|---" * (len(solvers) + 1) + "|"]
        for r in big:
            lines.append(f"| {r['name']} | " + " | ".join(
                f"{r[s]['rss']:.0f}{'' if r[s]['success'] else ' (failed)'}" for s in solvers) + " |")
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(a.out, "summary.md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
