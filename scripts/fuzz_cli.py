#!/usr/bin/env python3
"""Seeded mutation fuzzing of the `implicitdiff` CLI (issue 13).

Takes problem documents (the conformance cases of ../shared/cases/public, or any folder of
`*.json` problem files, or `implicitdiff`'s own sample problems), applies 1-3 random
mutations to each draw (extreme numbers, rescaled rows, dropped or unknown keys, wrong
types, truncated arrays, hostile options, broken text), runs `implicitdiff solve` on it
with a time limit, and checks what comes back:

* the process ends within the limit (no hang) and is not killed by a signal (no crash);
* standard output is exactly one JSON object; exit 0 carries a `status`, any other exit
  is 2, 3 or 4 with the matching `error.kind` of the contract;
* a success is re-checked here, independently of the package: every number finite, and
  per kind the optimality conditions of the returned answer on the (mutated) data
  (LP/QP primal feasibility and stationarity, Sinkhorn marginals, Newton residuals,
  lasso and ridge optimality), relative to the data's scale.

Usage:  fuzz_cli.py BINARY [CASE_DIR ...] [--runs N] [--seed S] [--budget SECONDS]
Prints one line per failure and closes with `fuzz: N passed, N failed`.
Exit 0 when nothing failed.
"""
import argparse
import copy
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time

EXTREMES = [0.0, -0.0, 1.0, -1.0, 1e308, -1e308, 1e-308, 5e-324, 1e15, -1e15, 1e200, 1e-200,
            1e-12, 2.0 ** 53, 3.5, 1e7, -1e7, 0.5]
TYPES = ["x", None, [], {}, True, [[1, 2], [3]], [1, "a"]]
TOL = 1e-6
EXIT_KINDS = {2: {"invalid_input"}, 3: {"infeasible", "unbounded", "not_converged"}, 4: {"not_differentiable"}}


def paths(node, prefix=()):
    """Every path (tuple of keys/indices) in a JSON value, leaves and containers."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


def get(node, path):
    for p in path:
        node = node[p]
    return node


def put(node, path, value):
    parent = get(node, path[:-1])
    parent[path[-1]] = value


def mutate(doc, rng):
    """One random mutation of the problem document, in place (text mutations return text)."""
    all_paths = [p for p in paths(doc) if p and p[0] in ("data", "options", "derivative")]
    numbers = [p for p in all_paths if isinstance(get(doc, p), (int, float)) and not isinstance(get(doc, p), bool)]
    lists = [p for p in all_paths if isinstance(get(doc, p), list) and get(doc, p)]
    dicts = [p for p in all_paths if isinstance(get(doc, p), dict)]
    op = rng.choice(["extreme", "extreme", "scale_row", "scale_all", "drop_key", "unknown_key", "wrong_type",
                     "truncate", "duplicate", "options", "options", "derivative", "text"])
    if op == "extreme" and numbers:
        put(doc, rng.choice(numbers), rng.choice(EXTREMES) * rng.choice([1, -1]))
    elif op == "scale_row" and lists:
        p = rng.choice(lists)
        factor = 10.0 ** rng.choice([-200, -12, -9, -6, 6, 9, 12, 15, 200])
        put(doc, p, scale(get(doc, p), factor))
    elif op == "scale_all":
        factor = 10.0 ** rng.choice([-9, -6, 6, 9])
        doc["data"] = scale(doc.get("data", {}), factor)
    elif op == "drop_key" and dicts:
        d = get(doc, rng.choice(dicts))
        if d:
            del d[rng.choice(list(d))]
    elif op == "unknown_key" and dicts:
        get(doc, rng.choice(dicts))["zzz_unknown"] = 1
    elif op == "wrong_type" and all_paths:
        put(doc, rng.choice(all_paths), copy.deepcopy(rng.choice(TYPES)))
    elif op == "truncate" and lists:
        p = rng.choice(lists)
        v = get(doc, p)
        put(doc, p, v[:-1] if rng.random() < 0.7 else [])
    elif op == "duplicate" and lists:
        p = rng.choice(lists)
        v = get(doc, p)
        put(doc, p, v + [copy.deepcopy(v[-1])])
    elif op == "options":
        o = doc.setdefault("options", {})
        key, values = rng.choice([("max_iter", [1, 2, 5, 0, -1, 10 ** 12]), ("tol", [1e-15, 1e-300, 1.0, 0.0, -1.0]),
                                  ("linear_solver", ["gmres", "cg", "bicgstab", "direct", "minres", "auto", "x"]),
                                  ("linear_tol", [1e-16, 1e-300, 0.5, 0.0]), ("lp_smoothing", [1e-12, 1.0, 1e12, 0.0]),
                                  ("weakly_active", ["inactive", "active", "x"])])
        o[key] = rng.choice(values)
    elif op == "derivative":
        doc["derivative"] = rng.choice([{"vjp": {"zzz": 1}}, {"jvp": {}}, {"vjp": {}}, {"jacobian": {"of": "value", "wrt": "c"}},
                                        {"jacobian": {"of": "z", "wrt": "h"}}, {"vjp": {"value": 1}}, {"vjp": {"cost": 1}},
                                        {"vjp": {"y": 1}}, 3, None])
    elif op == "text":
        text = json.dumps(doc)
        i = rng.randrange(len(text))
        return rng.choice([text[:i], text[:i] + rng.choice(["\x00", "NaN", "1e999", "}", "[", '"', "\\u"]) + text[i:]])
    return None


def scale(value, factor):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return value * factor
    if isinstance(value, list):
        return [scale(v, factor) for v in value]
    if isinstance(value, dict):
        return {k: (scale(v, factor) if k not in ("n", "shape", "rows", "cols", "family") else v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------- independent checks

def finite(node):
    if isinstance(node, bool) or node is None or isinstance(node, str):
        return True
    if isinstance(node, (int, float)):
        return math.isfinite(node)
    if isinstance(node, list):
        return all(finite(v) for v in node)
    if isinstance(node, dict):
        return all(finite(v) for v in node.values())
    return True


def dense(m):
    """Rows of a matrix given as rows or in coordinate form; None when not a matrix."""
    if isinstance(m, dict) and "shape" in m:
        r, c = m["shape"]
        a = [[0.0] * c for _ in range(r)]
        for i, j, v in zip(m["rows"], m["cols"], m["values"]):
            a[i][j] += v
        return a
    return m


def matvec(a, x):
    return [sum(aij * xj for aij, xj in zip(row, x)) for row in a]


def matTvec(a, y, n):
    out = [0.0] * n
    for row, yi in zip(a, y):
        for j, aij in enumerate(row):
            out[j] += aij * yi
    return out


def inf(v):
    return max((abs(x) for x in v), default=0.0)


def check_qp_lp(data, out, quadratic):
    """Primal feasibility and stationarity of (z, lambda, mu), relative to the data's scale."""
    z = out.get("z")
    if z is None or "lambda" not in out:
        return None
    n = len(z)
    A, b = dense(data.get("A")) or [], data.get("b") or []
    G, h = dense(data.get("G")) or [], data.get("h") or []
    q = data.get("q") if quadratic else data.get("c")
    Q = dense(data.get("Q")) if quadratic else None
    if Q:
        # 1/2 z'Qz sees only the symmetric part (the CLI accepts asymmetries up to 1e-12
        # of max |Q_ij| and symmetrises): the gradient is (Q + Q')/2 z.
        Q = [[(Q[i][j] + Q[j][i]) / 2 for j in range(len(Q))] for i in range(len(Q))]
    lam, mu = out["lambda"], out["mu"]
    zs = 1 + inf(z)
    problems = []
    Az, Gz = matvec(A, z), matvec(G, z)
    rowscale_a = [1 + abs(bi) + sum(abs(x) for x in row) * zs for row, bi in zip(A, b)]
    rowscale_g = [1 + abs(hi) + sum(abs(x) for x in row) * zs for row, hi in zip(G, h)]
    for i, (v, bi) in enumerate(zip(Az, b)):
        if abs(v - bi) > TOL * rowscale_a[i]:
            problems.append(f"equality row {i} violated by {abs(v - bi):.3g}")
    for i, (v, hi) in enumerate(zip(Gz, h)):
        if v - hi > TOL * rowscale_g[i]:
            problems.append(f"inequality row {i} violated by {v - hi:.3g}")
    if any(m < -1e-6 * (1 + inf(mu)) for m in mu):
        problems.append("negative multiplier")
    grad = list(q)
    if Q:
        grad = [g + qz for g, qz in zip(grad, matvec(Q, z))]
    grad = [g + a for g, a in zip(grad, matTvec(A, lam, n))]
    grad = [g + a for g, a in zip(grad, matTvec(G, mu, n))]
    dscale = 1 + inf(q) + (inf(matvec(Q, z)) if Q else 0) + inf(matTvec([[abs(x) for x in r] for r in A], [abs(x) for x in lam], n)) \
        + inf(matTvec([[abs(x) for x in r] for r in G], [abs(x) for x in mu], n))
    if inf(grad) > TOL * dscale:
        problems.append(f"stationarity residual {inf(grad):.3g} (scale {dscale:.3g})")
    return problems


def check_sinkhorn(data, out):
    plan = out.get("plan")
    if plan is None or "tau_a" in data or "tau_b" in data:
        return None
    n = len(plan)
    m = len(plan[0]) if n else 0
    a = data.get("a") or [1.0 / n] * n
    b = data.get("b") or [1.0 / m] * m
    problems = []
    rows = [sum(r) for r in plan]
    cols = [sum(plan[i][j] for i in range(n)) for j in range(m)]
    mass = sum(a)
    err_a = sum(abs(r - ai) for r, ai in zip(rows, a)) / mass
    err_b = sum(abs(c - bj) for c, bj in zip(cols, b)) / mass
    if err_a > TOL or err_b > TOL:
        problems.append(f"marginal errors {err_a:.3g}, {err_b:.3g}")
    if any(p < 0 for r in plan for p in r):
        problems.append("negative plan entry")
    return problems


def check_equations(data, out):
    y = out.get("y")
    if y is None or data.get("family") != "cubic":
        return None
    x = data["x"]
    problems = []
    for i, (xi, yi) in enumerate(zip(x, y)):
        r = yi ** 3 + yi - xi
        if abs(r) > 1e-2 * TOL * (abs(xi) + abs(yi) ** 3 + abs(yi) + 1e-300):
            problems.append(f"component {i}: residual {r:.3g} at x = {xi:.6g}")
    return problems


def check_regression(data, out, kind):
    w = out.get("w")
    X, y, lam = dense(data.get("X")), data.get("y"), data.get("lambda")
    if w is None or X is None:
        return None
    d = len(w)
    r = [yi - v for yi, v in zip(y, matvec(X, w))]
    g = matTvec(X, r, d)  # X'(y - Xw)
    scale = 1 + inf(matTvec([[abs(v) for v in row] for row in X], [abs(v) for v in y], d)) \
        + inf(matTvec([[abs(v) for v in row] for row in X], [abs(v) for v in matvec(X, w)], d)) + lam * inf(w)
    problems = []
    for j in range(d):
        if kind == "ridge":
            res = abs(g[j] - lam * w[j])
        elif w[j] != 0:
            res = abs(g[j] - lam * math.copysign(1, w[j]))
        else:
            res = max(abs(g[j]) - lam, 0)
        if res > TOL * scale:
            problems.append(f"optimality of w[{j}] off by {res:.3g} (scale {scale:.3g})")
    return problems


def independent_check(doc, result):
    """Problems found in a success; the thresholds loosen with a loose requested `tol`."""
    global TOL
    tol = doc.get("options", {}).get("tol") if isinstance(doc.get("options"), dict) else None
    TOL = max(1e-6, 10 * tol) if isinstance(tol, (int, float)) and not isinstance(tol, bool) else 1e-6
    data, out = doc.get("data", {}), result.get("outputs")
    if out is None:
        return []
    if not finite(out):
        return ["non-finite output reported as a success"]
    kind = doc.get("problem")
    try:
        if kind == "qp" and "qps" not in data:
            return check_qp_lp(data, out, True) or []
        if kind == "lp" and "mps" not in data and "cplex_lp" not in data:
            return check_qp_lp(data, out, False) or []
        if kind == "sinkhorn":
            return check_sinkhorn(data, out) or []
        if kind == "equations":
            return check_equations(data, out) or []
        if kind in ("lasso", "ridge"):
            return check_regression(data, out, kind) or []
    except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError, OverflowError) as e:
        return [f"success on data the checker cannot read ({type(e).__name__}: {e})"]
    return []


# ---------------------------------------------------------------- driver

def load_cases(dirs):
    cases = []
    for d in dirs:
        for name in sorted(os.listdir(d)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(d, name)) as f:
                case = json.load(f)
            if "raw_input" in case or "problem" not in case:
                continue
            doc = {k: case[k] for k in ("problem", "data", "derivative", "options") if k in case}
            for key in ("mps", "cplex_lp", "qps"):
                if isinstance(doc.get("data", {}).get(key), str):
                    doc["data"][key] = os.path.abspath(os.path.join(d, doc["data"][key]))
            cases.append((name, doc))
    return cases


def run_one(binary, text, limit, workdir):
    path = os.path.join(workdir, "problem.json")
    with open(path, "w") as f:
        f.write(text)
    t0 = time.monotonic()
    try:
        p = subprocess.run([binary, "solve", path, "--quiet"], capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return None, None, time.monotonic() - t0
    return p.returncode, p.stdout.decode("utf-8", "replace"), time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("dirs", nargs="*")
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budget", type=float, default=300, help="stop after this many seconds")
    ap.add_argument("--limit", type=float, default=60, help="time limit of one run (a hang beyond it fails)")
    ap.add_argument("--save", help="write each failing input to this folder")
    args = ap.parse_args()
    cases = load_cases(args.dirs)
    if not cases:
        print("fuzz: no problem documents found", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    passed = failed = 0
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as workdir:
        for k in range(args.runs):
            if time.monotonic() - start > args.budget:
                break
            name, base = rng.choice(cases)
            doc = copy.deepcopy(base)
            text = None
            for _ in range(rng.randint(1, 3)):
                t = mutate(doc, rng)
                if t is not None:
                    text = t
                    break
            if text is None:
                text = json.dumps(doc)
            code, stdout, secs = run_one(args.binary, text, args.limit, workdir)
            why = []
            if code is None:
                why.append(f"no answer within {args.limit:.0f} s (hang)")
            elif code < 0 or code > 4 or code == 1:
                why.append(f"exit code {code} (crash or abort)")
            else:
                try:
                    result = json.loads(stdout)
                    if not isinstance(result, dict):
                        raise ValueError("not an object")
                except ValueError:
                    result = None
                    why.append(f"standard output is not one JSON object: {stdout[:200]!r}")
                if result is not None:
                    if code == 0:
                        if "status" not in result:
                            why.append("exit 0 without a status")
                        else:
                            why += independent_check(doc, result)
                            for key in ("vjp", "jvp", "jacobian"):
                                if key in result and not finite(result[key]):
                                    why.append(f"non-finite {key}")
                    else:
                        kind = result.get("error", {}).get("kind")
                        if kind not in EXIT_KINDS.get(code, set()):
                            why.append(f"exit {code} with error kind {kind!r}")
            if why:
                failed += 1
                print(f"FAIL run {k} ({name}, seed {args.seed}): {'; '.join(why)}")
                print(f"     input: {text[:400]}")
                if args.save:
                    os.makedirs(args.save, exist_ok=True)
                    with open(os.path.join(args.save, f"fail-{args.seed}-{k}.json"), "w") as f:
                        f.write(text)
            else:
                passed += 1
    print(f"fuzz: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
