#!/usr/bin/env python3
"""Maros-Meszaros problems as QPS files, and a check that the CLI solves a problem from
its QPS file (`"data": {"qps": path}`) as it solves the same problem in coordinate form
(run.py's input).

    /work/venv-qp/bin/python Benchmarks/maros_meszaros/qps.py --binary .build/release/implicitdiff \
        --data ../shared/data/maros_meszaros --problems HS21,QAFIRO,AUG3DCQP [--keep DIR]

The .mat files hold min 1/2 x'Px + q'x + r s.t. l <= Ax <= u (bounds as the identity block
of A, split off by run.load). The QPS file (free MPS) lists the rows in the order the
coordinate form stacks them (equality rows, then the others), Q's lower triangle in
QUADOBJ, the constant as minus the right-hand side of the objective row, two-sided rows
as L rows with a range, and every bound explicitly. Compared: z, the value (QPS: with the
constant), the row duals (QPS: d value/d rhs = -y), and one VJP of z (random zbar) w.r.t.
c and rhs against the coordinate form's q and (b, h, l) gradients.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import scipy.io as sio
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import cli_input, load  # noqa: E402


def num(v):
    return repr(float(v))


def write_qps(prob, r, path, name):
    """Writes (P, q, A, l, u, lb, ub) + constant r as a free-format QPS file; rows in the
    coordinate form's order. Returns the row order (indices into A)."""
    P, q, A, l, u, lb, ub = prob
    n = P.shape[0]
    eq = np.isfinite(l) & (l == u)
    order = list(np.where(eq)[0]) + list(np.where(~eq)[0])
    A = sp.csc_matrix(A)
    rank = {i: k for k, i in enumerate(order)}
    with open(path, "w") as f:
        f.write(f"NAME {name}\nROWS\n N OBJ\n")
        types, rhs, ranges = [], [], []
        for k, i in enumerate(order):
            lo, up = l[i], u[i]
            if eq[i]:
                t, b = "E", lo
            elif math.isfinite(up):
                t, b = "L", up
                if math.isfinite(lo):
                    ranges.append((k, up - lo))
            elif math.isfinite(lo):
                t, b = "G", lo
            else:
                t, b = "L", 1e30
            f.write(f" {t} R{k}\n")
            rhs.append((k, b))
        f.write("COLUMNS\n")
        for j in range(n):
            f.write(f" C{j} OBJ {num(q[j])}\n")
            for e in range(A.indptr[j], A.indptr[j + 1]):
                f.write(f" C{j} R{rank[A.indices[e]]} {num(A.data[e])}\n")
        f.write("RHS\n")
        if r != 0:
            f.write(f" RHS OBJ {num(-r)}\n")
        for k, b in rhs:
            if b != 0:
                f.write(f" RHS R{k} {num(b)}\n")
        if ranges:
            f.write("RANGES\n")
            for k, width in ranges:
                f.write(f" RNG R{k} {num(width)}\n")
        f.write("BOUNDS\n")
        for j in range(n):
            lo, up = lb[j], ub[j]
            if not math.isfinite(lo) and not math.isfinite(up):
                f.write(f" FR BND C{j}\n")
            elif lo == up:
                f.write(f" FX BND C{j} {num(lo)}\n")
            else:
                if not math.isfinite(lo):
                    f.write(f" MI BND C{j}\n")
                elif lo != 0 or (math.isfinite(up) and up < 0):
                    f.write(f" LO BND C{j} {num(lo)}\n")
                if math.isfinite(up):
                    f.write(f" UP BND C{j} {num(up)}\n")
        Pl = sp.tril(sp.csc_matrix(P)).tocoo()
        if Pl.nnz:
            f.write("QUADOBJ\n")
            for i, j, v in zip(Pl.row, Pl.col, Pl.data):
                f.write(f" C{j} C{i} {num(v)}\n")
        f.write("ENDATA\n")
    return order


def cli(binary, doc, tmp, tag):
    path = os.path.join(tmp, tag + ".json")
    with open(path, "w") as f:
        json.dump(doc, f)
    p = subprocess.run([binary, "solve", path, "--quiet"], capture_output=True, text=True)
    os.unlink(path)
    return p.returncode, json.loads(p.stdout) if p.stdout else {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/implicitdiff")
    ap.add_argument("--data", default="../shared/data/maros_meszaros")
    ap.add_argument("--problems", default="HS21,HS35,HS76,QAFIRO,QPCBLEND,DUALC1,CVXQP1_S,PRIMALC1,QSCTAP1,MOSARQP1,AUG3DCQP,CONT-050")
    ap.add_argument("--keep", default="", help="folder to keep the QPS files in")
    a = ap.parse_args()
    tmp = a.keep or tempfile.mkdtemp()
    os.makedirs(tmp, exist_ok=True)
    print("| problem | n | m | QPS MB | max abs diff z | value diff | row duals diff | VJP diff (c, rhs) | note |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in a.problems.split(","):
        mat = os.path.join(a.data, name + ".mat")
        prob = load(mat)
        r = float(np.asarray(sio.loadmat(mat).get("r", [[0]])).flatten()[0])
        P, q, A, l, u, lb, ub = prob
        n, m = P.shape[0], A.shape[0]
        path = os.path.join(tmp, name + ".qps")
        order = write_qps(prob, r, path, name)
        zbar = np.random.default_rng(0).standard_normal(n)
        doc_c, eq, ineq = cli_input(prob, {"vjp": {"z": zbar.tolist()}})
        doc_q = {"problem": "qp", "data": {"qps": path}, "derivative": {"vjp": {"z": zbar.tolist()}}}
        rc_c, res_c = cli(a.binary, doc_c, tmp, name + "-coo")
        rc_q, res_q = cli(a.binary, doc_q, tmp, name + "-qps")
        note = ""
        if rc_c == 4 and rc_q == 4:  # not differentiable in both forms: compare the solves
            note = "not differentiable (exit 4 in both forms): solves compared"
            del doc_c["derivative"], doc_q["derivative"]
            rc_c, res_c = cli(a.binary, doc_c, tmp, name + "-coo")
            rc_q, res_q = cli(a.binary, doc_q, tmp, name + "-qps")
        size = os.path.getsize(path) / 1e6
        if not a.keep:
            os.unlink(path)
        if rc_c != 0 or rc_q != 0:
            why = lambda res: res.get("error", {}).get("kind", "")
            print(f"| {name} | {n} | {m} | {size:.2f} | | | | | exit {rc_c} {why(res_c)} (coordinate) / {rc_q} {why(res_q)} (QPS) |", flush=True)
            continue
        oc, oq = res_c["outputs"], res_q["outputs"]
        zc, zq = np.array(oc["z"]), np.array(oq["z"])
        y = np.concatenate([oc["lambda"], oc["mu"]])  # stacked order = QPS row order
        dz = np.max(np.abs(zc - zq)) / max(1.0, np.max(np.abs(zc)))
        dv = abs(oc["value"] + r - oq["value"]) / max(1.0, abs(oq["value"]))
        dd = np.max(np.abs(-y - np.array(oq["row_duals"])), initial=0) / max(1.0, np.max(np.abs(y), initial=0))
        if "vjp" not in res_c:
            print(f"| {name} | {n} | {m} | {size:.2f} | {dz:.1e} | {dv:.1e} | {dd:.1e} | | {note} |", flush=True)
            continue
        gc, gq = res_c["vjp"], res_q["vjp"]
        # rhs_k moves both finite sides of row k: its gradient is the sum of the sides' gradients.
        ineq_rows = np.where(ineq)[0]
        lo_fin, up_fin = np.isfinite(l[ineq_rows]), np.isfinite(u[ineq_rows])
        g_rhs = np.concatenate([gc["b"], np.where(up_fin, gc["h"], 0) + np.where(lo_fin, gc["l"], 0)])
        scale = max(1.0, np.max(np.abs(gc["q"])), np.max(np.abs(g_rhs), initial=0))
        dg = max(np.max(np.abs(np.array(gc["q"]) - gq["c"])), np.max(np.abs(g_rhs - np.array(gq["rhs"])), initial=0)) / scale
        print(f"| {name} | {n} | {m} | {size:.2f} | {dz:.1e} | {dv:.1e} | {dd:.1e} | {dg:.1e} | |", flush=True)


if __name__ == "__main__":
    main()
