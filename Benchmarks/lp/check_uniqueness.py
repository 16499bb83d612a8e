"""Independent test of the uniqueness of an LP's optimum with HiGHS (not GLPK).

For each MPS model: HiGHS solves it (optimal value v*); then the optimal set is cut out
by the extra row c'x <= v* + eps, and a random objective r (fixed seed) is minimised and
maximised over it. The optimum is unique exactly when the optimal face is one point,
i.e. max r'x = min r'x for almost every r (an unbounded r'x: the face is unbounded). eps = 1e-12 (1 + |v*|), or the smallest of
1e-10, 1e-9, 1e-8 (relative) for which HiGHS solves both auxiliary LPs (a slab thinner
than its tolerances can be infeasible to it). The slab's own width (eps over the smallest
positive reduced cost) scales with eps; a face of positive size does not. Verdict:
unique when spread <= 1e-6 (1 + ||x||_inf) ||r||_1. One line per model:
    PATH unique|not-unique RELATIVE-SPREAD v* (slab EPS)
Usage: python check_uniqueness.py MODEL.mps ...   (the anchors venv has highspy)
"""
import sys

import highspy
import numpy as np


def new_model(path):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(path)
    return h


def solve(h):
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return h.getInfo().objective_function_value


def spread_in_slab(path, v, x0, relative_eps):
    h = new_model(path)
    h.setOptionValue("presolve", "off")  # a definite verdict (presolve says "infeasible or unbounded")
    lp = h.getLp()
    n = lp.num_col_
    c = np.array(lp.col_cost_)
    minimize = lp.sense_ == highspy.ObjSense.kMinimize
    eps = relative_eps * (1 + abs(v))
    idx = np.nonzero(c)[0].astype(np.int32)
    target = v - lp.offset_
    if minimize:
        h.addRow(-highspy.kHighsInf, target + eps, len(idx), idx, c[idx])
    else:
        h.addRow(target - eps, highspy.kHighsInf, len(idx), idx, c[idx])
    rng = np.random.default_rng(1)
    r = rng.uniform(-1, 1, n)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.changeObjectiveOffset(0.0)
    values = []
    for s in (1.0, -1.0):
        h.changeColsCost(n, np.arange(n, dtype=np.int32), s * r)
        if solve(h) is None:
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kUnbounded:
                return float("inf")  # the optimal face is unbounded: not unique
            print(f"# {path}: slab {relative_eps:g}: HiGHS status {h.modelStatusToString(status)}", file=sys.stderr)
            return None
        values.append(r @ np.array(h.getSolution().col_value))
    return abs(values[0] - values[1]) / ((1 + np.abs(x0).max()) * np.abs(r).sum())


def check(path):
    h = new_model(path)
    v = solve(h)
    if v is None:
        return f"{path} no-optimum"
    x0 = np.array(h.getSolution().col_value)
    for relative_eps in (1e-12, 1e-10, 1e-9, 1e-8):
        spread = spread_in_slab(path, v, x0, relative_eps)
        if spread is not None:
            verdict = "unique" if spread <= 1e-6 else "not-unique"
            return f"{path} {verdict} {spread:.3e} {v:.12g} (slab {relative_eps:g})"
    return f"{path} aux-failed"


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(check(p), flush=True)
