"""Independent test of the uniqueness of an LP's optimum with HiGHS (not GLPK).

For each MPS model: HiGHS solves it (optimal value v*); then the optimal set is cut out
by the extra row c'x <= v* + eps (eps = 1e-12 (1 + |v*|), plus HiGHS's feasibility tolerance), and a random objective r
(fixed seed) is minimised and maximised over it. The optimum is unique exactly when the
optimal face is one point, i.e. max r'x = min r'x for almost every r; the slab's own
width (eps over the smallest positive reduced cost) is far below the threshold used,
spread > 1e-6 (1 + ||x||_inf) ||r||_1. Prints one line per model:
    NAME unique|not-unique spread v*
Usage: python check_uniqueness.py MODEL.mps ...   (the anchors venv has highspy)
"""
import sys

import highspy
import numpy as np


def solve(h):
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return None
    return h.getInfo().objective_function_value


def check(path):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(path)
    v = solve(h)
    if v is None:
        return f"{path} no-optimum"
    lp = h.getLp()
    n = lp.num_col_
    c = np.array(lp.col_cost_)
    sense = 1.0 if lp.sense_ == highspy.ObjSense.kMinimize else -1.0
    x0 = np.array(h.getSolution().col_value)
    eps = 1e-12 * (1 + abs(v))
    # the optimal set: sense * c'x <= sense * (v - offset) + eps
    offset = lp.offset_
    idx = np.nonzero(c)[0].astype(np.int32)
    if sense > 0:
        h.addRow(-highspy.kHighsInf, (v - offset) + eps, len(idx), idx, c[idx])
    else:
        h.addRow((v - offset) - eps, highspy.kHighsInf, len(idx), idx, c[idx])
    rng = np.random.default_rng(1)
    r = rng.uniform(-1, 1, n)
    values = []
    for s in (1.0, -1.0):
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        h.changeObjectiveOffset(0.0)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), s * r)
        h.setBasis()  # cold start: no bias from the first solve's basis
        if solve(h) is None:
            return f"{path} aux-failed"
        values.append(r @ np.array(h.getSolution().col_value))
    spread = abs(values[0] - values[1])
    scale = (1 + np.abs(x0).max()) * np.abs(r).sum()
    verdict = "unique" if spread <= 1e-6 * scale else "not-unique"
    return f"{path} {verdict} {spread / scale:.3e} {v:.12g}"


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(check(p), flush=True)
