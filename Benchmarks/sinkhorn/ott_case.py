"""One ott-jax run for Benchmarks/sinkhorn/bench.py (a separate process, so that its
peak memory can be measured with /usr/bin/time): the regularised OT cost between point
clouds and its gradient with respect to x, jitted; prints one JSON line.

usage: ott_case.py DATA.npz EPS TOL {stored,online} [BATCH]
"""
import json
import sys
import time

import numpy as np


def main():
    path, eps, tol, mode = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else 1024
    d = np.load(path)
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from ott.geometry import pointcloud
    from ott.problems.linear import linear_problem
    from ott.solvers.linear import sinkhorn

    x, y, a, b = (jnp.asarray(d[k]) for k in ("x", "y", "a", "b"))
    solver = sinkhorn.Sinkhorn(threshold=tol, max_iterations=100_000)

    def cost(x_):
        geom = pointcloud.PointCloud(x_, y, epsilon=eps, batch_size=(batch if mode == "online" else None))
        out = solver(linear_problem.LinearProblem(geom, a=a, b=b))
        return out.reg_ot_cost, (out.n_iters, out.converged, out.errors)

    f = jax.jit(jax.value_and_grad(cost, has_aux=True))
    t0 = time.perf_counter()
    (v, (nit, conv, errs)), g = f(x)
    jax.block_until_ready(g)
    t1 = time.perf_counter()
    (v, (nit, conv, errs)), g = f(x)
    jax.block_until_ready(g)
    t2 = time.perf_counter()
    errs = np.asarray(errs)
    last = float(errs[errs >= 0][-1]) if np.any(errs >= 0) else float("nan")
    print(json.dumps({"seconds": t2 - t1, "first_call_seconds": t1 - t0, "cost": float(v), "iterations": int(nit),
                      "converged": bool(conv), "error": last, "grad_x": np.asarray(g).tolist()}))


if __name__ == "__main__":
    main()
