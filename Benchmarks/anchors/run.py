#!/usr/bin/env python3
"""Side-by-side benchmarks of the `implicitdiff` CLI against Python "anchors".

For every workload the problem is generated deterministically (numpy seeds),
written as a CLI problem JSON file (see shared spec cli-json.md), solved and
differentiated by our binary (`implicitdiff solve FILE --repeat R --no-outputs
--quiet`, timings from `stats`), and solved/differentiated by the anchor
libraries (JAXopt, ott-jax, cvxpylayers/diffcp, optimistix, POT, SciPy/HiGHS,
NumPy/LAPACK) on exactly the same data, in the same process run.

Anchor timings: one warm-up call (JIT compilation), then the minimum wall time
over several repeats.  "forward" is the solve alone; "derivative" is
min(time of solve + derivative) - min(time of solve), i.e. the extra cost of
the derivative, which is how our CLI reports `derivative_seconds`.

Derivative accuracy: relative 2-norm error of the (concatenated, flattened)
derivative against a reference computed in NumPy in closed form where one
exists (ridge, QP/LP on the known active set, lasso on the known support,
Bratu by a banded solve, Sinkhorn by the implicit-function formula on a
converged plan).

Run with the anchors venv (see setup_venv.sh):
    /work/venv-anchors/bin/python Benchmarks/anchors/run.py --quick
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings

import numpy as np

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KINDS = ["ridge", "qp", "lp", "sinkhorn", "lasso", "bratu"]

# Heavy imports are done lazily per workload so that a broken anchor package
# only disables its own rows.
_JAX = None


def jax_mod():
    global _JAX
    if _JAX is None:
        import jax

        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_platforms", "cpu")
        _JAX = jax
    return _JAX


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# JSON writing (fast enough for 3000 x 3000 matrices: ~6 s each, so cached)
# --------------------------------------------------------------------------


class Raw(str):
    """Pre-serialized JSON fragment."""


def to_json(obj) -> str:
    if isinstance(obj, Raw):
        return str(obj)
    if isinstance(obj, np.ndarray):
        return json.dumps(np.asarray(obj, dtype=np.float64).tolist(), separators=(",", ":"))
    if isinstance(obj, dict):
        return "{" + ",".join(json.dumps(str(k)) + ":" + to_json(v) for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join(to_json(v) for v in obj) + "]"
    if isinstance(obj, (np.floating, float)):
        return repr(float(obj))
    if isinstance(obj, (np.integer, int)) and not isinstance(obj, bool):
        return str(int(obj))
    return json.dumps(obj)


# --------------------------------------------------------------------------
# Timing helpers
# --------------------------------------------------------------------------


def block(x):
    if _JAX is not None:
        try:
            _JAX.block_until_ready(x)
        except Exception:
            pass
    return x


def bench(fn, repeats=5, budget=20.0, warmup=True):
    """Min wall time of fn() over repeats (after one warm-up call).

    The number of repeats is reduced so that the timed part stays within
    `budget` seconds.  Returns (min_seconds, last_output).
    """
    if warmup:
        out = block(fn())
    t = time.perf_counter()
    out = block(fn())
    best = time.perf_counter() - t
    more = repeats - 1
    if best > 0:
        more = min(more, int((budget - best) / best))
    for _ in range(max(0, more)):
        t = time.perf_counter()
        out = block(fn())
        best = min(best, time.perf_counter() - t)
    return best, out


def solve_dense(matvec, b, **kwargs):
    """Pytree-aware direct solver for JAXopt's implicit_diff_solve (materializes the matrix,
    then dense least squares); jaxopt.linear_solve.solve_lu does not accept KKTSolution pytrees."""
    jax = jax_mod()
    import jax.numpy as jnp
    from jax.flatten_util import ravel_pytree

    fb, unravel = ravel_pytree(b)
    mv = lambda x: ravel_pytree(matvec(unravel(x)))[0]  # noqa: E731
    M = jax.vmap(mv, out_axes=1)(jnp.eye(fb.shape[0], dtype=fb.dtype))
    # least squares: JAXopt OSQP's (BoxOSQP) implicit system is singular at inactive rows
    return unravel(jnp.linalg.lstsq(M, fb)[0])


def aot(jitted, *args):
    """Compile a jitted function ahead of time (no warm-up run needed); returns a thunk."""
    compiled = jitted.lower(*args).compile()
    return lambda: compiled(*args)


def flat(*arrays) -> np.ndarray:
    return np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in arrays])


def rel_err(got, ref) -> float:
    got = flat(*got) if isinstance(got, (list, tuple)) else flat(got)
    ref = flat(*ref) if isinstance(ref, (list, tuple)) else flat(ref)
    if got.shape != ref.shape:
        return float("nan")
    den = np.linalg.norm(ref)
    return float(np.linalg.norm(got - ref) / (den if den > 0 else 1.0))


def sym(M):
    M = np.asarray(M)
    return 0.5 * (M + M.T)


# --------------------------------------------------------------------------
# Our binary
# --------------------------------------------------------------------------


class Ours:
    """Runs `implicitdiff solve` on problem dicts; never raises."""

    def __init__(self, binary: str, repeat: int, timeout: float, keep_dir: str | None = None):
        self.binary = binary
        self.repeat = repeat
        self.timeout = timeout
        self.dir = keep_dir or tempfile.mkdtemp(prefix="implicitdiff-anchors-")
        self.keep = keep_dir is not None
        os.makedirs(self.dir, exist_ok=True)
        self.available = os.path.isfile(binary) and os.access(binary, os.X_OK)
        self.unsupported: set[str] = set()
        self._count = 0

    def cleanup(self):
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, name: str, problem: dict, repeat: int | None = None, outputs: bool = False) -> dict:
        """Returns {"ok": bool, "status": short text, "result": dict|None}."""
        kind = problem.get("problem", "?")
        if not self.available:
            return {"ok": False, "status": "binary missing", "result": None}
        if kind in self.unsupported:
            return {"ok": False, "status": "not yet supported", "result": None}
        self._count += 1
        path = os.path.join(self.dir, f"{self._count:03d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.json")
        with open(path, "w") as fh:
            fh.write(to_json(problem))
        cmd = [self.binary, "solve", path, "--repeat", str(repeat or self.repeat), "--quiet"]
        if not outputs:
            cmd.append("--no-outputs")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            return {"ok": False, "status": f"timeout > {self.timeout:.0f} s", "result": None}
        except OSError as e:
            return {"ok": False, "status": f"cannot run: {e}", "result": None}
        finally:
            if not self.keep:
                try:
                    os.remove(path)
                except OSError:
                    pass
        out = proc.stdout.strip()
        try:
            res = json.loads(out) if out else None
        except json.JSONDecodeError:
            res = None
        if proc.returncode == 0 and isinstance(res, dict) and "error" not in res:
            return {"ok": True, "status": "ok", "result": res}
        err = res.get("error", {}) if isinstance(res, dict) else {}
        ekind = str(err.get("kind", ""))
        msg = str(err.get("message", "")) or (proc.stderr.strip().splitlines() or [""])[-1]
        text = (msg + " " + proc.stderr + " " + out).lower()
        if proc.returncode == 2 and re.search(r"unknown problem|unknown (kind|family)|not (yet )?supported|unsupported", text):
            if "family" not in text:  # a whole kind is missing: skip its other instances
                self.unsupported.add(kind)
            return {"ok": False, "status": "not yet supported", "result": None}
        short = msg.replace("|", "/")[:80]
        return {"ok": False, "status": f"exit {proc.returncode} {ekind}: {short}".strip(), "result": None}


def ours_forward_check(ours: Ours, name: str, prob: dict, res: dict, output: str, ref, notes: list):
    """One extra run with outputs (repeat 1) to check our forward solution against a reference."""
    if not res["ok"]:
        return
    r = ours.run(name + " outputs", prob, repeat=1, outputs=True)
    try:
        got = np.asarray(r["result"]["outputs"][output], dtype=np.float64)
        notes.append(f"ours forward, {name}: {output} rel.err {rel_err(got, ref):.1e} vs reference")
    except Exception:  # noqa: BLE001
        notes.append(f"ours forward, {name}: no `{output}` in outputs ({r['status']})")


def ours_times(r: dict):
    if not r["ok"]:
        return None, None
    st = r["result"].get("stats", {})
    return st.get("forward_seconds"), st.get("derivative_seconds")


def ours_vjp(r: dict, names):
    if not r["ok"] or "vjp" not in r["result"]:
        return None
    v = r["result"]["vjp"]
    try:
        return [np.asarray(v[k], dtype=np.float64) for k in names]
    except KeyError:
        return None


# --------------------------------------------------------------------------
# Rows and tables
# --------------------------------------------------------------------------


def fmt_t(t):
    if t is None or (isinstance(t, float) and math.isnan(t)):
        return "-"
    if isinstance(t, str):
        return t
    if t <= 0:
        return "~0"
    if t < 1e-3:
        return f"{t * 1e6:.0f} us"
    if t < 1.0:
        return f"{t * 1e3:.1f} ms"
    return f"{t:.2f} s"


def fmt_r(a, b):
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or b is None or a is None:
        return "-"
    if b <= 0:
        return "-"
    return f"{a / b:.2f}x"


def fmt_e(e):
    if e is None:
        return "-"
    if isinstance(e, str):
        return e
    if math.isnan(e):
        return "n/a"
    return f"{e:.1e}"


class Row(dict):
    pass


def make_row(workload, ours_res, ours_err, anchor, a_fwd, a_der, a_err, note="",
             ours_fwd=None, ours_der=None):
    """ours_res: result of Ours.run (or None). Times may be overridden."""
    if ours_res is not None and ours_res["ok"]:
        of, od = ours_times(ours_res)
        of = ours_fwd if ours_fwd is not None else of
        od = ours_der if ours_der is not None else od
    elif ours_res is not None:
        of, od = ours_res["status"], "-"
    else:
        of, od = ours_fwd, ours_der
    return Row(workload=workload, ours_f=of, ours_d=od, anchor=anchor, a_f=a_fwd,
               a_d=a_der, ours_err=ours_err, a_err=a_err, note=note)


HEADER = ["workload", "ours forward", "ours derivative", "anchor", "anchor forward",
          "anchor derivative", "ratio fwd (ours/anchor)", "ratio deriv (ours/anchor)",
          "ours deriv rel.err", "anchor deriv rel.err", "notes"]


def table(title: str, rows: list[Row], notes: list[str]) -> str:
    lines = [f"### {title}", ""]
    lines.append("| " + " | ".join(HEADER) + " |")
    lines.append("|" + "|".join("---" for _ in HEADER) + "|")
    for r in rows:
        cells = [r["workload"], fmt_t(r["ours_f"]), fmt_t(r["ours_d"]), r["anchor"],
                 fmt_t(r["a_f"]), fmt_t(r["a_d"]), fmt_r(r["ours_f"], r["a_f"]),
                 fmt_r(r["ours_d"], r["a_d"]), fmt_e(r["ours_err"]), fmt_e(r["a_err"]),
                 str(r["note"]).replace("|", "/")]
        lines.append("| " + " | ".join(cells) + " |")
    if notes:
        lines.append("")
        for n in notes:
            lines.append(f"- {n}")
    lines.append("")
    return "\n".join(lines)


def anchor_failed(workload, ours_res, ours_err, anchor, exc) -> Row:
    msg = f"{type(exc).__name__}: {exc}".replace("\n", " ")[:120]
    log(f"  anchor {anchor} failed: {msg}")
    return make_row(workload, ours_res, ours_err, anchor, "failed", "failed", None, msg)


def fwd_der(fwd_fn, both_fn, repeats, budget):
    """Times forward and forward+derivative; returns (t_fwd, t_der, out_fwd, out_both)."""
    tf, of = bench(fwd_fn, repeats, budget)
    tb, ob = bench(both_fn, repeats, budget)
    return tf, max(tb - tf, 0.0), of, ob


# --------------------------------------------------------------------------
# a. ridge
# --------------------------------------------------------------------------


def ridge_reference(X, y, lam, v):
    d = X.shape[1]
    M = X.T @ X + lam * np.eye(d)
    w = np.linalg.solve(M, X.T @ y)
    u = np.linalg.solve(M, v)
    r = y - X @ w
    gX = np.outer(r, u) - np.outer(X @ u, w)
    gy = X @ u
    glam = np.array(-u @ w)
    return w, (gX, gy, glam)


def wl_ridge(cfg, ours: Ours):
    sizes = [(200, 100)] if cfg.quick else [(1000, 500)]
    rows, notes = [], []
    for N, d in sizes:
        name = f"ridge N={N} d={d}"
        log(f"[ridge] {name}")
        rng = np.random.default_rng(1000 + N)
        X = rng.standard_normal((N, d))
        y = X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(N)
        lam = 1.0
        v = rng.standard_normal(d)
        w_ref, g_ref = ridge_reference(X, y, lam, v)

        prob = {"problem": "ridge", "data": {"X": X, "y": y, "lambda": lam},
                "derivative": {"vjp": {"w": v}}}
        res = ours.run(name, prob)
        ours_forward_check(ours, name, prob, res, "w", w_ref, notes)
        g = ours_vjp(res, ["X", "y", "lambda"])
        ours_err = rel_err(g, g_ref) if g is not None else None

        # closed form with NumPy / LAPACK
        def np_fwd():
            return np.linalg.solve(X.T @ X + lam * np.eye(d), X.T @ y)

        def np_both():
            return ridge_reference(X, y, lam, v)

        tf, td, _, ob = fwd_der(np_fwd, np_both, cfg.repeats, cfg.budget)
        rows.append(make_row(name, res, ours_err, "NumPy closed form (np.linalg.solve)", tf, td,
                             0.0, "reference"))

        try:
            jax = jax_mod()
            import jax.numpy as jnp
            from jaxopt import implicit_diff, linear_solve

            def opt_grad(w, lam, X, y):
                return X.T @ (X @ w - y) + lam * w

            for label, solve in [("default CG", linear_solve.solve_cg),
                                 ("tight CG tol 1e-12", functools.partial(linear_solve.solve_cg, tol=1e-12, maxiter=10 * d))]:

                @implicit_diff.custom_root(opt_grad, solve=solve)
                def ridge_solver(init, lam, X, y):
                    return jnp.linalg.solve(X.T @ X + lam * jnp.eye(X.shape[1]), X.T @ y)

                f = jax.jit(lambda X, y, lam: ridge_solver(None, lam, X, y))
                fb = jax.jit(lambda X, y, lam, v: jax.vjp(lambda X, y, lam: ridge_solver(None, lam, X, y), X, y, lam)[1](v))
                Xj, yj, lj, vj = jnp.asarray(X), jnp.asarray(y), jnp.asarray(lam), jnp.asarray(v)
                tf, td, _, gb = fwd_der(lambda: f(Xj, yj, lj), lambda: fb(Xj, yj, lj, vj), cfg.repeats, cfg.budget)
                rows.append(make_row(name, res, ours_err, f"JAXopt custom_root + solve_cg ({label})", tf, td,
                                     rel_err(list(gb), g_ref)))
        except Exception as e:  # noqa: BLE001
            rows.append(anchor_failed(name, res, ours_err, "JAXopt custom_root", e))
    notes.append("VJP of w with a random cotangent w.r.t. (X, y, lambda); reference: NumPy closed form "
                 "(X'X + lambda I) u = v, dL/dX = r u' - X u w', dL/dy = X u, dL/dlambda = -u'w.")
    notes.append("JAXopt: forward is jnp.linalg.solve inside @custom_root(gradient condition); the "
                 "derivative is the implicit linear system solved by CG (jax.scipy cg default tol 1e-5).")
    return rows, notes


# --------------------------------------------------------------------------
# b. dense QP
# --------------------------------------------------------------------------


def make_qp(n, seed):
    rng = np.random.default_rng(seed)
    p, m = n // 10, n
    M = rng.standard_normal((n, n))
    Q = M @ M.T / n + 0.5 * np.eye(n)
    Q = 0.5 * (Q + Q.T)
    A = rng.standard_normal((p, n))
    G = rng.standard_normal((m, n))
    z = rng.standard_normal(n)
    lam = rng.standard_normal(p)
    active = np.zeros(m, dtype=bool)
    active[rng.permutation(m)[: m // 2]] = True
    mu = np.where(active, rng.uniform(0.5, 1.5, m), 0.0)
    b = A @ z
    h = G @ z + np.where(active, 0.0, rng.uniform(0.5, 1.5, m))
    q = -(Q @ z + A.T @ lam + G.T @ mu)
    return dict(Q=Q, q=q, A=A, b=b, G=G, h=h), dict(z=z, lam=lam, mu=mu, active=active)


def qp_reference_vjp(d, sol, v):
    """VJP of z through the KKT system restricted to the (known) active set."""
    Q, A, G = d["Q"], d["A"], d["G"]
    z, lam, mu, act = sol["z"], sol["lam"], sol["mu"], sol["active"]
    n, p = Q.shape[0], A.shape[0]
    GS = G[act]
    k = GS.shape[0]
    K = np.zeros((n + p + k, n + p + k))
    K[:n, :n] = Q
    K[:n, n:n + p] = A.T
    K[n:n + p, :n] = A
    K[:n, n + p:] = GS.T
    K[n + p:, :n] = GS
    rhs = np.concatenate([v, np.zeros(p + k)])
    u = np.linalg.solve(K, rhs)
    uz, ul, um = u[:n], u[n:n + p], u[n + p:]
    gQ = -sym(np.outer(uz, z))
    gq = -uz
    gA = -(np.outer(lam, uz) + np.outer(ul, z))
    gb = ul
    gG = np.zeros_like(G)
    gG[act] = -(np.outer(mu[act], uz) + np.outer(um, z))
    gh = np.zeros(G.shape[0])
    gh[act] = um
    return [gQ, gq, gA, gb, gG, gh]


CVXPYLAYERS_VARIANTS = [
    ("cvxpylayers/diffcp (default: SCS, lsqr)", {}),
    ("cvxpylayers/diffcp (tight: SCS eps 1e-10, max_iters 1e5, mode dense)",
     {"eps": 1e-10, "max_iters": 100000, "mode": "dense"}),
]

def fwd_args(sargs):
    """Solver args without the derivative-only ones (diffcp `mode` is not a SCS option)."""
    return {k: v for k, v in sargs.items() if k != "mode"}


QP_PARAMS = ["Q", "q", "A", "b", "G", "h"]


def wl_qp(cfg, ours: Ours):
    sizes = [20, 50] if cfg.quick else [50, 200, 500]
    rows, notes = [], []
    for n in sizes:
        name = f"qp n={n}"
        log(f"[qp] {name}")
        d, sol = make_qp(n, 2000 + n)
        rng = np.random.default_rng(2500 + n)
        v = rng.standard_normal(n)
        g_ref = qp_reference_vjp(d, sol, v)
        prob = {"problem": "qp", "data": {k: d[k] for k in QP_PARAMS}, "derivative": {"vjp": {"z": v}}}
        res = ours.run(name, prob)
        ours_forward_check(ours, name, prob, res, "z", sol["z"], notes)
        g = ours_vjp(res, QP_PARAMS)
        ours_err = rel_err(g, g_ref) if g is not None else None
        # subset without Q (for cvxpylayers)
        g_ref_noQ = g_ref[1:]
        ours_err_noQ = rel_err(g[1:], g_ref_noQ) if g is not None else None

        # ---- JAXopt OSQP and CvxpyQP
        try:
            jax = jax_mod()
            import jax.numpy as jnp
            from jaxopt import OSQP, CvxpyQP

            args = tuple(jnp.asarray(d[k]) for k in QP_PARAMS)
            vj = jnp.asarray(v)
            variants = [
                ("JAXopt OSQP (default tol 1e-3)", OSQP(), True),
                ("JAXopt OSQP (tight: tol 1e-9, maxiter 50000, dense lstsq)",
                 OSQP(tol=1e-9, maxiter=50000, implicit_diff_solve=solve_dense), True),
                ("JAXopt CvxpyQP (default: cvxpy OSQP)", CvxpyQP(), False),
                ("JAXopt CvxpyQP (tight: CLARABEL, dense lstsq)",
                 CvxpyQP(solver="CLARABEL", implicit_diff_solve=solve_dense), False),
            ]
            for label, solver, jittable in variants:
                try:
                    def zfun(Q, q, A, b, G, h, solver=solver):
                        return solver.run(None, params_obj=(Q, q), params_eq=(A, b), params_ineq=(G, h)).params.primal

                    def zvjp(Q, q, A, b, G, h, v, zfun=zfun):
                        return jax.vjp(zfun, Q, q, A, b, G, h)[1](v)

                    if jittable:
                        zfun_j, zvjp_j = jax.jit(zfun), jax.jit(zvjp)
                    else:
                        zfun_j, zvjp_j = zfun, zvjp
                    tf, td, zf, gb = fwd_der(lambda: zfun_j(*args), lambda: zvjp_j(*args, vj),
                                             cfg.repeats, cfg.budget)
                    gb = [np.asarray(x) for x in gb]
                    gb[0] = sym(gb[0])
                    zerr = rel_err(zf, sol["z"])
                    rows.append(make_row(name, res, ours_err, label, tf, td, rel_err(gb, g_ref),
                                         f"z rel.err {zerr:.1e}"))
                except Exception as e:  # noqa: BLE001
                    rows.append(anchor_failed(name, res, ours_err, label, e))
        except Exception as e:  # noqa: BLE001
            rows.append(anchor_failed(name, res, ours_err, "JAXopt", e))

        # ---- cvxpylayers (diffcp); Q is a constant (diffcp path needs DPP)
        try:
            jax = jax_mod()
            import jax.numpy as jnp
            import cvxpy as cp
            from cvxpylayers.jax import CvxpyLayer

            p, m = d["A"].shape[0], d["G"].shape[0]
            z = cp.Variable(n)
            qp_, Ap, bp, Gp, hp = (cp.Parameter(n), cp.Parameter((p, n)), cp.Parameter(p),
                                   cp.Parameter((m, n)), cp.Parameter(m))
            prob_cp = cp.Problem(cp.Minimize(0.5 * cp.quad_form(z, cp.psd_wrap(d["Q"])) + qp_ @ z),
                                 [Ap @ z == bp, Gp @ z <= hp])
            layer = CvxpyLayer(prob_cp, parameters=[qp_, Ap, bp, Gp, hp], variables=[z])
            cargs = tuple(jnp.asarray(d[k]) for k in QP_PARAMS[1:])
            vj = jnp.asarray(v)
            for label, sargs in CVXPYLAYERS_VARIANTS:
                try:
                    def fwd(sargs=fwd_args(sargs)):
                        return layer(*cargs, solver_args=sargs)[0]

                    def both(sargs=sargs):
                        return jax.vjp(lambda *a: layer(*a, solver_args=sargs)[0], *cargs)[1](vj)

                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        tf, td, zf, gb = fwd_der(fwd, both, cfg.repeats, cfg.budget)
                    zerr = rel_err(zf, sol["z"])
                    rows.append(make_row(name, res, ours_err_noQ, label, tf, td, rel_err(list(gb), g_ref_noQ),
                                         f"rel.errs w.r.t. (q,A,b,G,h), Q fixed; z rel.err {zerr:.1e}"))
                except Exception as e:  # noqa: BLE001
                    rows.append(anchor_failed(name, res, ours_err_noQ, label, e))
        except Exception as e:  # noqa: BLE001
            rows.append(anchor_failed(name, res, ours_err_noQ, "cvxpylayers", e))
    notes.append("n variables, n/10 equalities, n inequalities, exactly n/2 active at the optimum "
                 "(constructed: z*, lambda*, mu* chosen, h tight on the active half with mu* in [0.5,1.5], "
                 "slack in [0.5,1.5] elsewhere, q from stationarity).")
    notes.append("VJP of z with a random cotangent w.r.t. (Q, q, A, b, G, h); reference: the KKT system "
                 "on the known active set (NumPy dense solve). Q-gradients are symmetrized before comparing.")
    notes.append("cvxpylayers' DIFFCP path requires DPP, which rules out a parametric Q in quad_form: Q is a "
                 "constant there and its errors (and ours in the same row) are w.r.t. (q, A, b, G, h) only.")
    return rows, notes


# --------------------------------------------------------------------------
# c. LP
# --------------------------------------------------------------------------


def make_lp(n, seed):
    rng = np.random.default_rng(seed)
    p, k = n // 4, n // 2
    A = rng.standard_normal((p, n))
    Gr = rng.standard_normal((k, n))
    z0 = rng.uniform(1.0, 9.0, n)
    b = A @ z0
    hr = Gr @ z0 + rng.uniform(0.1, 1.0, k)
    # bounds 0 <= z <= 10 as rows of G
    G = np.vstack([Gr, -np.eye(n), np.eye(n)])
    h = np.concatenate([hr, np.zeros(n), 10.0 * np.ones(n)])
    c = rng.standard_normal(n)
    return dict(c=c, A=A, b=b, G=G, h=h)


def lp_reference_vjp(d, z, v):
    """At a non-degenerate vertex: [A; G_S] z = [b; h_S] with a square basis."""
    A, G, h = d["A"], d["G"], d["h"]
    n = A.shape[1]
    slack = h - G @ z
    scale = 1.0 + np.abs(h)
    order = np.argsort(slack / scale)
    act = np.zeros(G.shape[0], dtype=bool)
    need = n - A.shape[0]
    act[order[:need]] = True
    # non-degeneracy check: the need-th smallest slack is ~0, the next is not
    s_sorted = np.sort(slack / scale)
    if not (abs(s_sorted[need - 1]) < 1e-7 and s_sorted[need] > 1e-7):
        return None
    B = np.vstack([A, G[act]])
    u = np.linalg.solve(B.T, v)
    ua, us = u[: A.shape[0]], u[A.shape[0]:]
    gc = np.zeros(n)
    gA = -np.outer(ua, z)
    gb = ua
    gG = np.zeros_like(G)
    gG[act] = -np.outer(us, z)
    gh = np.zeros(G.shape[0])
    gh[act] = us
    return [gc, gA, gb, gG, gh]


LP_PARAMS = ["c", "A", "b", "G", "h"]


def wl_lp(cfg, ours: Ours):
    sizes = [30, 100] if cfg.quick else [100, 400]
    rows, notes = [], []
    from scipy.optimize import linprog

    for n in sizes:
        name = f"lp n={n}"
        log(f"[lp] {name}")
        d = make_lp(n, 3000 + n)
        v = np.random.default_rng(3500 + n).standard_normal(n)

        def hi():
            return linprog(d["c"], A_ub=d["G"], b_ub=d["h"], A_eq=d["A"], b_eq=d["b"],
                           bounds=(None, None), method="highs")

        t_hi, r_hi = bench(hi, cfg.repeats, cfg.budget)
        z_ref = r_hi.x
        g_ref = lp_reference_vjp(d, z_ref, v) if r_hi.status == 0 else None
        prob = {"problem": "lp", "data": {k: d[k] for k in LP_PARAMS}, "derivative": {"vjp": {"z": v}}}
        res = ours.run(name, prob)
        ours_forward_check(ours, name, prob, res, "z", z_ref, notes)
        g = ours_vjp(res, LP_PARAMS)
        ours_err = rel_err(g, g_ref) if (g is not None and g_ref is not None) else None
        rows.append(make_row(name, res, ours_err, "scipy linprog(method='highs')", t_hi, None, None,
                             "forward only; its vertex defines the reference" +
                             ("" if g_ref is not None else " (degenerate? no reference)")))
        try:
            jax = jax_mod()
            import jax.numpy as jnp
            import cvxpy as cp
            from cvxpylayers.jax import CvxpyLayer

            p, m = d["A"].shape[0], d["G"].shape[0]
            z = cp.Variable(n)
            cp_, Ap, bp, Gp, hp = (cp.Parameter(n), cp.Parameter((p, n)), cp.Parameter(p),
                                   cp.Parameter((m, n)), cp.Parameter(m))
            layer = CvxpyLayer(cp.Problem(cp.Minimize(cp_ @ z), [Ap @ z == bp, Gp @ z <= hp]),
                               parameters=[cp_, Ap, bp, Gp, hp], variables=[z])
            cargs = tuple(jnp.asarray(d[k]) for k in LP_PARAMS)
            vj = jnp.asarray(v)
            for label, sargs in CVXPYLAYERS_VARIANTS:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        tf, td, zf, gb = fwd_der(
                            lambda sargs=fwd_args(sargs): layer(*cargs, solver_args=sargs)[0],
                            lambda sargs=sargs: jax.vjp(lambda *a: layer(*a, solver_args=sargs)[0], *cargs)[1](vj),
                            cfg.repeats, cfg.budget)
                    aerr = rel_err(list(gb), g_ref) if g_ref is not None else None
                    rows.append(make_row(name, res, ours_err, label, tf, td, aerr,
                                         f"z rel.err vs HiGHS {rel_err(zf, z_ref):.1e}"))
                except Exception as e:  # noqa: BLE001
                    rows.append(anchor_failed(name, res, ours_err, label, e))
        except Exception as e:  # noqa: BLE001
            rows.append(anchor_failed(name, res, ours_err, "cvxpylayers", e))
    notes.append("min c'z s.t. A z = b (n/4 rows), G z <= h with n/2 random rows plus the bounds 0 <= z <= 10 "
                 "as 2n rows of G (same data for every solver); feasible by construction (interior z0), "
                 "bounded by the box, non-degenerate with probability 1 (checked on the HiGHS vertex).")
    notes.append("Derivative: VJP of z (random cotangent) w.r.t. (c, A, b, G, h); reference from the square "
                 "basis [A; G_active] at the HiGHS vertex. linprog has no derivative.")
    return rows, notes


# --------------------------------------------------------------------------
# d. Sinkhorn
# --------------------------------------------------------------------------


def make_clouds(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2))
    y = 0.8 * rng.standard_normal((n, 2)) + np.array([1.0, 0.0])
    C = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    s = math.sqrt(C.max())
    return x / s, y / s


def sqdist(x, y):
    return np.maximum((x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2 * x @ y.T, 0.0)


def sinkhorn_reference(x, y, a, b, eps, P, W):
    """Cost gradient (envelope) and plan VJP (implicit function theorem) w.r.t. x, from a plan P."""
    rows_ = P.sum(1)
    g_cost = 2.0 * (rows_[:, None] * x - P @ y)
    WP = W * P
    r1, r2 = WP.sum(1), WP.sum(0)
    # K = [[diag(rowsum), P], [P', diag(colsum)]] (null vector (1,-1)); Schur complement on g-block
    cols_ = P.sum(0)
    S = np.diag(cols_) - P.T @ (P / rows_[:, None])
    S += np.ones_like(S) / S.shape[0]
    vv = np.linalg.solve(S, r2 - P.T @ (r1 / rows_))
    uu = (r1 - P @ vv) / rows_
    Gc = P * (uu[:, None] + vv[None, :] - W) / eps
    g_plan = 2.0 * (Gc.sum(1)[:, None] * x - Gc @ y)
    return g_cost, g_plan


def wl_sinkhorn(cfg, ours: Ours):
    sizes = [100, 200] if cfg.quick else [200, 1000, 3000]
    epss = [0.05, 0.005]
    thr = 1e-9
    rows, notes = [], []
    # (anchor label, eps) -> dict(k=seconds per entry per iteration, iters=..., ratio=max(total/forward))
    seen = {}
    cap = cfg.anchor_cap

    def estimate(label, eps, n):
        e = seen.get((label, eps))
        if e is None:
            return None
        return e["k"] * n * n * e["iters"] * e["ratio"]

    for n in sizes:
        x, y = make_clouds(n, 4000 + n)
        a = np.full(n, 1.0 / n)
        b = np.full(n, 1.0 / n)
        W = np.random.default_rng(4500 + n).standard_normal((n, n))
        W_json = Raw(to_json(W)) if ours.available else W
        for eps in epss:
            name = f"sinkhorn n=m={n} eps={eps}"
            log(f"[sinkhorn] {name}")
            base = {"problem": "sinkhorn",
                    "data": {"a": a, "b": b, "epsilon": eps, "x": x, "y": y},
                    "options": {"tol": thr, "max_iter": 100000}}
            rep = 2 if n >= 3000 else None
            res_c = ours.run(name + " cost", dict(base, derivative={"vjp": {"cost": 1.0}}), repeat=rep)
            res_p = ours.run(name + " plan", dict(base, derivative={"vjp": {"plan": W_json}}), repeat=rep)
            g_ours_c = ours_vjp(res_c, ["x"])
            g_ours_p = ours_vjp(res_p, ["x"])
            g_ref_c = g_ref_p = P_ref = None
            ref_note = ""

            jax = jax_mod()
            import jax.numpy as jnp

            anchors = []
            try:
                from ott.geometry import pointcloud
                from ott.problems.linear import linear_problem
                from ott.solvers.linear import sinkhorn as ott_sinkhorn
                from ott.solvers.linear import implicit_differentiation as imp

                xj, yj, Wj = jnp.asarray(x), jnp.asarray(y), jnp.asarray(W)
                aj, bj = jnp.asarray(a), jnp.asarray(b)
                anchors = [("ott-jax Sinkhorn (implicit, default ImplicitDiff)", imp.ImplicitDiff()),
                           ("ott-jax Sinkhorn (unrolled)", None)]
            except Exception as e:  # noqa: BLE001
                rows.append(anchor_failed(name, res_c, None, "ott-jax", e))

            for label, idiff in anchors:
                est = estimate(label, eps, n)
                if est is not None and est > cap:
                    msg = f"skipped: est. {est:.0f} s > {cap:.0f} s"
                    rows.append(make_row(name + " (cost grad)", res_c, None, label, msg, msg, None, ""))
                    rows.append(make_row(name + " (plan VJP)", res_p, None, label, msg, msg, None, ""))
                    log(f"  {label}: {msg}")
                    continue
                try:
                    solver = ott_sinkhorn.Sinkhorn(threshold=thr, max_iterations=100000, implicit_diff=idiff)

                    def solve(x_, solver=solver):
                        geom = pointcloud.PointCloud(x_, yj, epsilon=eps)
                        return solver(linear_problem.LinearProblem(geom, a=aj, b=bj))

                    fwd = jax.jit(lambda x_, solve=solve: (lambda o: (o.matrix, o.reg_ot_cost, o.n_iters, o.converged))(solve(x_)))
                    gcost = jax.jit(jax.grad(lambda x_, solve=solve: solve(x_).reg_ot_cost))
                    gplan = jax.jit(lambda x_, W_, solve=solve: jax.vjp(lambda z: solve(z).matrix, x_)[1](W_)[0])
                    tf, (P, cost, nit, conv) = bench(aot(fwd, xj), cfg.repeats, cfg.budget, warmup=False)
                    nit, conv = int(nit), bool(conv)
                    tcb, gc = bench(aot(gcost, xj), cfg.repeats, cfg.budget, warmup=False)
                    tpb, gp = bench(aot(gplan, xj, Wj), cfg.repeats, cfg.budget, warmup=False)
                    seen[(label, eps)] = dict(k=tf / (n * n * max(nit, 1)), iters=nit,
                                              ratio=max(1.0, tcb / tf, tpb / tf))
                    P = np.asarray(P)
                    if g_ref_c is None and idiff is not None:
                        g_ref_c, g_ref_p = sinkhorn_reference(x, y, a, b, eps, P, W)
                        P_ref = P
                        ref_note = f"reference from the ott implicit plan ({nit} it., converged={conv})"
                    note = f"{nit} iterations, converged={conv}"
                    rows.append(make_row(name + " (cost grad)", res_c,
                                         rel_err(g_ours_c, g_ref_c) if g_ours_c is not None and g_ref_c is not None else None,
                                         label, tf, max(tcb - tf, 0.0),
                                         rel_err(np.asarray(gc), g_ref_c) if g_ref_c is not None else None, note))
                    rows.append(make_row(name + " (plan VJP)", res_p,
                                         rel_err(g_ours_p, g_ref_p) if g_ours_p is not None and g_ref_p is not None else None,
                                         label, tf, max(tpb - tf, 0.0),
                                         rel_err(np.asarray(gp), g_ref_p) if g_ref_p is not None else None, note))
                    del gc, gp
                except Exception as e:  # noqa: BLE001
                    rows.append(anchor_failed(name, res_c, None, label, e))

            # POT forward
            try:
                import ot

                label = "POT ot.bregman.sinkhorn_log (forward only)"
                est = estimate(label, eps, n)
                if est is not None and est > cap:
                    msg = f"skipped: est. {est:.0f} s > {cap:.0f} s"
                    rows.append(make_row(name + " (forward)", res_c, None, label, msg, None, None, ""))
                    log(f"  {label}: {msg}")
                else:
                    def pot():
                        M = sqdist(x, y)
                        return ot.bregman.sinkhorn_log(a, b, M, eps, numItermax=100000, stopThr=thr, log=True)

                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        tpot, (Ppot, lg) = bench(pot, min(cfg.repeats, 3), cfg.budget, warmup=n < 1000)
                    nit = int(lg.get("niter", 0))
                    seen[(label, eps)] = dict(k=tpot / (n * n * max(nit, 1)), iters=nit, ratio=1.0)
                    errs = lg.get("err") or [float("nan")]
                    note = f"{nit} iterations, final err {float(errs[-1]):.1e}"
                    rows.append(make_row(name + " (forward)", res_c, None, label, tpot, None, None, note))
                    del Ppot
            except Exception as e:  # noqa: BLE001
                rows.append(anchor_failed(name, res_c, None, "POT", e))
            if P_ref is not None and n <= 1000:
                ours_forward_check(ours, name, base, res_c, "plan", P_ref, notes)
            P_ref = None
            if ref_note:
                rows[-1]["note"] = (rows[-1]["note"] + "; " if rows[-1]["note"] else "") + ref_note
    notes.append("2-D point clouds (x ~ N(0, I), y ~ N((1,0), 0.64 I)) scaled so max C = 1, C = squared "
                 "Euclidean distance, uniform weights, threshold 1e-9 (ours: options.tol; ott: threshold "
                 "on the L1 marginal error, checked every 10 iterations; POT: stopThr on the 2-norm "
                 "marginal error), max 100000 iterations.")
    notes.append("cost grad = gradient of the regularized cost w.r.t. x (ott: reg_ot_cost); plan VJP = VJP of "
                 "the plan w.r.t. x with a random n x m cotangent. Reference: envelope formula "
                 "sum_j P_ij 2 (x_i - y_j) and the implicit-function formula (Schur complement of the dual "
                 "Hessian, dense NumPy) evaluated at the ott-jax implicit plan (so the reference itself is only "
                 "as converged as that plan, ~1e-9).")
    notes.append(f"An anchor run whose time (solve + derivative), extrapolated from the previous size's time per "
                 f"entry per iteration and iteration count, exceeds {cap:.0f} s is skipped (says so in the row).")
    return rows, notes


# --------------------------------------------------------------------------
# e. lasso
# --------------------------------------------------------------------------


def make_lasso(N, d, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, d)) / math.sqrt(N)
    k = max(1, round(0.1 * d))
    S = np.sort(rng.permutation(d)[:k])
    sgn = rng.choice([-1.0, 1.0], k)
    w = np.zeros(d)
    w[S] = sgn * rng.uniform(0.5, 1.5, k)
    s = rng.uniform(-0.8, 0.8, d)
    s[S] = sgn
    lam = 0.1
    # residual r with X' r = lam * s: r = lam X (X'X)^{-1} s + component orthogonal to range(X)
    r = lam * X @ np.linalg.solve(X.T @ X, s)
    noise = 0.1 * rng.standard_normal(N)
    Qx, _ = np.linalg.qr(X)
    noise -= Qx @ (Qx.T @ noise)
    y = X @ w + r + noise
    return X, y, lam, w, S, s


def lasso_reference_vjp(X, y, lam, w, S, s, v):
    XS = X[:, S]
    M = XS.T @ XS
    u = np.linalg.solve(M, v[S])
    r = y - XS @ w[S]
    gX = np.zeros_like(X)
    gX[:, S] = np.outer(r, u) - np.outer(XS @ u, w[S])
    gy = XS @ u
    glam = np.array(-s[S] @ u)
    return [gX, gy, glam]


def wl_lasso(cfg, ours: Ours):
    sizes = [(100, 40), (500, 200)] if cfg.quick else [(500, 200), (2000, 1000)]
    rows, notes = [], []
    for N, d in sizes:
        name = f"lasso N={N} d={d}"
        log(f"[lasso] {name}")
        X, y, lam, w_true, S, s = make_lasso(N, d, 5000 + N)
        v = np.random.default_rng(5500 + N).standard_normal(d)
        g_ref = lasso_reference_vjp(X, y, lam, w_true, S, s, v)
        prob = {"problem": "lasso", "data": {"X": X, "y": y, "lambda": lam},
                "derivative": {"vjp": {"w": v}}, "options": {"tol": 1e-10}}
        res = ours.run(name, prob)
        ours_forward_check(ours, name, prob, res, "w", w_true, notes)
        g = ours_vjp(res, ["X", "y", "lambda"])
        ours_err = rel_err(g, g_ref) if g is not None else None
        try:
            jax = jax_mod()
            import jax.numpy as jnp
            from jaxopt import ProximalGradient, linear_solve
            from jaxopt.prox import prox_lasso

            def fun(w, data):
                X_, y_ = data
                r_ = X_ @ w - y_
                return 0.5 * jnp.vdot(r_, r_)

            Xj, yj, lj, vj = jnp.asarray(X), jnp.asarray(y), jnp.asarray(lam), jnp.asarray(v)
            w0 = jnp.zeros(d)
            tight_solve = functools.partial(linear_solve.solve_normal_cg, tol=1e-12, maxiter=20 * d)
            variants = [
                ("JAXopt ProximalGradient implicit (default: tol 1e-3)", dict(implicit_diff=True)),
                ("JAXopt ProximalGradient unrolled (default: tol 1e-3)", dict(implicit_diff=False)),
                ("JAXopt ProximalGradient implicit (tight: tol 1e-10, normal CG tol 1e-12)",
                 dict(implicit_diff=True, tol=1e-10, maxiter=20000, implicit_diff_solve=tight_solve)),
                ("JAXopt ProximalGradient unrolled (tight: tol 1e-10)", dict(implicit_diff=False, tol=1e-10)),
            ]
            tight_iters = None
            for label, kw in variants:
                if not kw["implicit_diff"] and "tight" in label:
                    # unrolled cost grows with maxiter (a scan over maxiter steps): give it just
                    # enough iterations, as many as the implicit tight run needed (+10).
                    if tight_iters is None:
                        rows.append(make_row(name, res, ours_err, label, "skipped", "skipped", None,
                                             "tight implicit run failed"))
                        continue
                    kw = dict(kw, maxiter=tight_iters + 10)
                    label = label[:-1] + f", maxiter {tight_iters + 10})"
                try:
                    pg = ProximalGradient(fun=fun, prox=prox_lasso, **kw)

                    def wfun(X_, y_, l_, pg=pg):
                        return pg.run(w0, hyperparams_prox=l_, data=(X_, y_))

                    fwd = jax.jit(lambda X_, y_, l_, wfun=wfun: (lambda o: (o.params, o.state.iter_num))(wfun(X_, y_, l_)))
                    both = jax.jit(lambda X_, y_, l_, v_, wfun=wfun: jax.vjp(lambda a, b_, c: wfun(a, b_, c).params, X_, y_, l_)[1](v_))
                    tf, td, (wf, nit), gb = fwd_der(lambda: fwd(Xj, yj, lj), lambda: both(Xj, yj, lj, vj),
                                                    cfg.repeats, cfg.budget)
                    if kw["implicit_diff"] and "tight" in label:
                        tight_iters = int(nit)
                    nnz = int(np.sum(np.abs(np.asarray(wf)) > 1e-12))
                    rows.append(make_row(name, res, ours_err, label, tf, td, rel_err(list(gb), g_ref),
                                         f"{int(nit)} it., w rel.err {rel_err(wf, w_true):.1e}, nnz {nnz}/{d}"))
                except Exception as e:  # noqa: BLE001
                    rows.append(anchor_failed(name, res, ours_err, label, e))
        except Exception as e:  # noqa: BLE001
            rows.append(anchor_failed(name, res, ours_err, "JAXopt", e))
    notes.append("X ~ N(0, 1/N), w* with exactly 10% non-zeros chosen first and y built so that w* is the exact "
                 "lasso solution for lambda = 0.1 (subgradient on the off-support in [-0.8, 0.8], strictly inside); "
                 "ours with options.tol = 1e-10.")
    notes.append("VJP of w (random cotangent) w.r.t. (X, y, lambda); reference: closed form on the support S, "
                 "w_S = (X_S'X_S)^{-1}(X_S'y - lambda sign(w_S)).")
    return rows, notes


# --------------------------------------------------------------------------
# f. Bratu
# --------------------------------------------------------------------------


def bratu_reference(n, lam):
    from scipy.linalg import solve_banded

    h = 1.0 / (n + 1)
    y = np.zeros(n)
    for _ in range(50):
        yp = np.concatenate([[0.0], y, [0.0]])
        F = (2 * y - yp[:-2] - yp[2:]) / h ** 2 - lam * np.exp(y)
        ab = np.zeros((3, n))
        ab[0, 1:] = -1.0 / h ** 2
        ab[1, :] = 2.0 / h ** 2 - lam * np.exp(y)
        ab[2, :-1] = -1.0 / h ** 2
        dy = solve_banded((1, 1), ab, -F)
        y = y + dy
        if np.max(np.abs(dy)) < 1e-15 * max(1.0, np.max(np.abs(y))):
            break
    ab = np.zeros((3, n))
    ab[0, 1:] = -1.0 / h ** 2
    ab[1, :] = 2.0 / h ** 2 - lam * np.exp(y)
    ab[2, :-1] = -1.0 / h ** 2
    dydl = solve_banded((1, 1), ab, np.exp(y))
    return y, dydl


def wl_bratu(cfg, ours: Ours):
    sizes = [100, 1000] if cfg.quick else [1000, 10000]
    lam = 1.0
    rows, notes = [], []
    for n in sizes:
        name = f"bratu n={n} lambda=1"
        log(f"[bratu] {name}")
        y_ref, dy_ref = bratu_reference(n, lam)
        prob = {"problem": "equations", "data": {"family": "bratu", "lambda": lam, "n": n},
                "derivative": {"jvp": {"lambda": 1.0}}}
        res = ours.run(name, prob)
        ours_forward_check(ours, name, prob, res, "y", y_ref, notes)
        ours_err = None
        if res["ok"] and "jvp" in res["result"] and "y" in res["result"]["jvp"]:
            ours_err = rel_err(np.asarray(res["result"]["jvp"]["y"]), dy_ref)
        try:
            jax = jax_mod()
            import jax.numpy as jnp
            import lineax as lx
            import optimistix as optx

            h = 1.0 / (n + 1)

            def F(y, lam_):
                yp = jnp.pad(y, 1)
                return (2 * y - yp[:-2] - yp[2:]) / h ** 2 - lam_ * jnp.exp(y)

            variants = [("optimistix Newton + ImplicitAdjoint (lineax.Tridiagonal)", lx.Tridiagonal(),
                         frozenset({lx.tridiagonal_tag}))]
            if n <= 1000:
                variants.append(("optimistix Newton + ImplicitAdjoint (default AutoLinearSolver, dense LU)",
                                 lx.AutoLinearSolver(well_posed=None), frozenset()))
            for label, ls, tags in variants:
                try:
                    # F is O(1/h^2): an absolute tolerance of 1e-10 on F is below its rounding floor at
                    # n = 10000 (max_steps reached); use one relative to that scale.
                    solver = optx.Newton(rtol=1e-10, atol=1e-14 / h ** 2, linear_solver=ls)

                    def solve(l_, solver=solver, ls=ls, tags=tags):
                        sol = optx.root_find(F, solver, jnp.zeros(n), args=l_, max_steps=100, tags=tags,
                                             adjoint=optx.ImplicitAdjoint(linear_solver=ls))
                        return sol.value, sol.stats["num_steps"]

                    fwd = jax.jit(solve)
                    both = jax.jit(lambda l_, solve=solve: jax.jvp(lambda t: solve(t)[0], (l_,), (jnp.ones_like(l_),)))
                    lj = jnp.asarray(lam)
                    tf, td, (yf, nsteps), (_, dy) = fwd_der(lambda: fwd(lj), lambda: both(lj), cfg.repeats, cfg.budget)
                    rows.append(make_row(name, res, ours_err, label, tf, td, rel_err(np.asarray(dy), dy_ref),
                                         f"{int(nsteps)} Newton steps, y rel.err {rel_err(yf, y_ref):.1e}"))
                except Exception as e:  # noqa: BLE001
                    rows.append(anchor_failed(name, res, ours_err, label, e))
        except Exception as e:  # noqa: BLE001
            rows.append(anchor_failed(name, res, ours_err, "optimistix", e))
    notes.append("F_i = (2 y_i - y_{i-1} - y_{i+1})/h^2 - lambda exp(y_i), h = 1/(n+1), lower branch from y = 0; "
                 "derivative: dy/dlambda (JVP with tangent 1). Reference: NumPy Newton with a banded solve, "
                 "then J dy/dlambda = exp(y). optimistix Newton: rtol 1e-10, atol 1e-14/h^2 (F is O(1/h^2)).")
    return rows, notes


# --------------------------------------------------------------------------

WORKLOADS = {
    "ridge": ("a. ridge", wl_ridge),
    "qp": ("b. dense QP", wl_qp),
    "lp": ("c. LP", wl_lp),
    "sinkhorn": ("d. Sinkhorn (point clouds)", wl_sinkhorn),
    "lasso": ("e. lasso", wl_lasso),
    "bratu": ("f. Bratu (equations, Newton)", wl_bratu),
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(REPO_ROOT, ".build", "release", "implicitdiff"),
                    help="path of the implicitdiff binary (default: .build/release/implicitdiff in the repo)")
    ap.add_argument("--only", default="", help=f"comma-separated workloads to run, among {','.join(KINDS)}")
    ap.add_argument("--quick", action="store_true", help="small sizes only (a couple of minutes)")
    ap.add_argument("--out", default="", help="also write the Markdown report to this file")
    ap.add_argument("--repeat", type=int, default=0, help="--repeat passed to our binary (default 5, quick 3)")
    ap.add_argument("--anchor-repeats", type=int, default=0, help="timed repeats per anchor (default 5, quick 3)")
    ap.add_argument("--budget", type=float, default=10.0, help="max seconds of timed repeats per measurement")
    ap.add_argument("--anchor-cap", type=float, default=60.0,
                    help="skip Sinkhorn anchor runs estimated to take longer than this per solve")
    ap.add_argument("--timeout", type=float, default=900.0, help="timeout of one binary call, seconds")
    ap.add_argument("--keep-problems", default="", help="write the problem JSON files to this folder and keep them")
    args = ap.parse_args(argv)

    only = [k.strip() for k in args.only.split(",") if k.strip()] or KINDS
    bad = [k for k in only if k not in WORKLOADS]
    if bad:
        ap.error(f"unknown workload(s) {bad}; choose among {KINDS}")
    cfg = argparse.Namespace(
        quick=args.quick,
        repeats=args.anchor_repeats or (3 if args.quick else 5),
        budget=args.budget,
        anchor_cap=args.anchor_cap,
    )
    binary = os.path.abspath(os.path.join(REPO_ROOT, args.binary)) if not os.path.isabs(args.binary) else args.binary
    ours = Ours(binary, args.repeat or (3 if args.quick else 5), args.timeout, args.keep_problems or None)
    if not ours.available:
        log(f"note: {binary} not found or not executable; only the anchors will be measured")

    import platform

    header = ["# implicitdiff vs anchors (CPU)", ""]
    try:
        import importlib.metadata as md

        vers = []
        for pkg in ["jax", "jaxopt", "ott-jax", "cvxpy", "diffcp", "cvxpylayers", "optimistix", "lineax", "POT", "scipy", "numpy"]:
            try:
                vers.append(f"{pkg} {md.version(pkg)}")
            except md.PackageNotFoundError:
                vers.append(f"{pkg} (missing)")
        header.append(f"- versions: {', '.join(vers)}; Python {platform.python_version()}")
    except Exception:  # noqa: BLE001
        pass
    header.append(f"- machine: {platform.machine()}, {os.cpu_count()} CPUs; float64 everywhere (jax x64 enabled)")
    header.append(f"- binary: `{os.path.relpath(binary, REPO_ROOT)}` ({'found' if ours.available else 'MISSING'}), "
                  f"--repeat {ours.repeat}; anchors: min of up to {cfg.repeats} runs after a warm-up"
                  f"{'; --quick sizes' if cfg.quick else ''}")
    header.append("- derivative time = min(solve + derivative) - min(solve), for anchors; ours from stats")
    header.append("")
    text = "\n".join(header) + "\n"
    print(text, flush=True)
    t_all = time.perf_counter()
    try:
        for k in only:
            title, fn = WORKLOADS[k]
            t0 = time.perf_counter()
            try:
                rows, notes = fn(cfg, ours)
            except Exception as e:  # noqa: BLE001
                traceback.print_exc()
                rows, notes = [], [f"workload failed: {type(e).__name__}: {e}"]
            notes.append(f"wall time of this workload (all runs): {time.perf_counter() - t0:.0f} s")
            block_txt = table(title, rows, notes)
            print(block_txt, flush=True)
            text += block_txt + "\n"
    finally:
        ours.cleanup()
    text += f"Total wall time: {time.perf_counter() - t_all:.0f} s\n"
    print(f"Total wall time: {time.perf_counter() - t_all:.0f} s")
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)
        log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
