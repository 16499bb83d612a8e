"""Reference numbers for unbalanced Sinkhorn (tau_a, tau_b < 1) from ott-jax, float64.

Run with the anchors' environment:

    /work/venv-anchors/bin/python Benchmarks/sinkhorn/unbalanced_reference.py

Tests/ImplicitDiffSinkhornTests/SinkhornUnbalancedReferenceTests.swift embeds what it
prints. Conventions (ott-jax: LinearProblem(tau_a=, tau_b=), rho = eps tau / (1 - tau)):

* ott-jax's iteration f <- tau_a (eps log a - eps LSE((g - C)/eps)) converges to the
  potentials f, g and the plan P = exp((f + g - C)/eps) printed here (threshold 1e-14).
* The value is the optimal value of the problem that fixed point solves,
      OT_u = <P, C> + eps sum P (log P - 1) + rho_a KL(P 1 | a) + rho_b KL(P' 1 | b),
  evaluated on ott-jax's plan. ott-jax 0.6's own `reg_ot_cost` for tau < 1 evaluates its
  dual with phi*(-(f - eps log a)), i.e. the dual of the KL(P | a b') reference, at the
  potentials of the counting-measure problem; it is printed for the record: it is not
  stationary at ott-jax's solution (its Danskin gradient in `a` disagrees with central
  differences of itself, printed too), so it is not what we match.
* Gradients are jax.grad through ott-jax's implicit differentiation of the potentials
  (implicit_diff, the default), with the value recomputed from the differentiated f, g:
  they do not rely on the envelope theorem.
"""
import numpy as np
import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
from ott.geometry import geometry, pointcloud  # noqa: E402
from ott.problems.linear import linear_problem  # noqa: E402
from ott.solvers.linear import sinkhorn  # noqa: E402
from ott.tools import sinkhorn_divergence as sd  # noqa: E402

SOLVER = sinkhorn.Sinkhorn(threshold=1e-14, max_iterations=200_000)


def kl(r, w):
    return jnp.sum(r * jnp.log(r / w) - r + w)


def rho(eps, tau):
    return eps * tau / (1 - tau)


def value(C, f, g, a, b, eps, ta, tb):
    P = jnp.exp((f[:, None] + g[None, :] - C) / eps)
    v = jnp.sum(P * C) + eps * jnp.sum(P * (jnp.log(P) - 1))
    if ta < 1:
        v += rho(eps, ta) * kl(P.sum(1), a)
    if tb < 1:
        v += rho(eps, tb) * kl(P.sum(0), b)
    return v


def solve_matrix(C, a, b, eps, ta, tb):
    geom = geometry.Geometry(cost_matrix=C, epsilon=eps)
    return SOLVER(linear_problem.LinearProblem(geom, a=a, b=b, tau_a=ta, tau_b=tb))


def fmt(name, arr):
    arr = np.atleast_1d(np.asarray(arr, dtype=np.float64)).ravel()
    return f"let {name}: [Double] = [{', '.join(repr(float(v)) for v in arr)}]"


def cost_matrix_case(label, C, a, b, eps, ta, tb, W, wf, wg):
    out = solve_matrix(C, a, b, eps, ta, tb)
    assert bool(out.converged), label
    f, g, P = out.f, out.g, out.matrix
    print(f"// {label}: n = {C.shape[0]}, m = {C.shape[1]}, eps = {eps}, tau_a = {ta}, tau_b = {tb},"
          f" iterations {int(out.n_iters)}")
    print(f"// ott-jax reg_ot_cost (not matched, see the script): {float(out.reg_ot_cost)!r}")
    print(f"// ott-jax ent_reg_cost (documented as OT_u, not equal to it for tau < 1): {float(out.ent_reg_cost)!r}")
    print(fmt("f", f))
    print(fmt("g", g))
    print(fmt("plan", P))

    def cost_fn(C, a, b, eps):
        o = solve_matrix(C, a, b, eps, ta, tb)
        return value(C, o.f, o.g, a, b, eps, ta, tb)

    def loss_fn(C, a, b, eps):
        o = solve_matrix(C, a, b, eps, ta, tb)
        Pm = jnp.exp((o.f[:, None] + o.g[None, :] - C) / eps)
        return jnp.sum(W * Pm) + jnp.dot(wf, o.f) + jnp.dot(wg, o.g)

    v = value(C, f, g, a, b, eps, ta, tb)
    print(f"let cost = {float(v)!r}")
    gc = jax.grad(cost_fn, argnums=(0, 1, 2, 3))(C, a, b, eps)
    print(fmt("costGradC", gc[0]))
    print(fmt("costGradA", gc[1]))
    print(fmt("costGradB", gc[2]))
    print(f"let costGradEps = {float(gc[3])!r}")
    gl = jax.grad(loss_fn, argnums=(0, 1, 2, 3))(C, a, b, eps)
    print(fmt("lossGradC", gl[0]))
    print(fmt("lossGradA", gl[1]))
    print(fmt("lossGradB", gl[2]))
    print(f"let lossGradEps = {float(gl[3])!r}")
    # ott-jax's own reg_ot_cost: Danskin gradient in a against central differences of itself.
    reg = lambda a_: solve_matrix(C, a_, b, eps, ta, tb).reg_ot_cost  # noqa: E731
    danskin = jax.grad(reg)(a)
    h = 1e-6
    fd = np.array([(reg(a.at[i].add(h)) - reg(a.at[i].add(-h))) / (2 * h) for i in range(a.shape[0])])
    print(f"// ott-jax reg_ot_cost: Danskin d/da {np.asarray(danskin).tolist()} vs central differences {fd.tolist()}")
    print()


def point_cloud_case(label, x, y, a, b, eps, ta, tb, wf, wg):
    def solve(x, y, a, b):
        geom = pointcloud.PointCloud(x, y, epsilon=eps)
        return SOLVER(linear_problem.LinearProblem(geom, a=a, b=b, tau_a=ta, tau_b=tb))

    def C_of(x, y):
        return jnp.sum((x[:, None, :] - y[None, :, :]) ** 2, axis=-1)

    out = solve(x, y, a, b)
    assert bool(out.converged), label
    print(f"// {label}: n = {x.shape[0]}, m = {y.shape[0]}, d = {x.shape[1]}, eps = {eps}, tau_a = {ta}, tau_b = {tb}")
    print(fmt("f", out.f))
    print(fmt("g", out.g))

    def cost_fn(x, y, a, b):
        o = solve(x, y, a, b)
        return value(C_of(x, y), o.f, o.g, a, b, eps, ta, tb)

    def loss_fn(x, y, a, b):
        o = solve(x, y, a, b)
        return jnp.dot(wf, o.f) + jnp.dot(wg, o.g)

    print(f"let cost = {float(cost_fn(x, y, a, b))!r}")
    gc = jax.grad(cost_fn, argnums=(0, 1, 2, 3))(x, y, a, b)
    print(fmt("costGradX", gc[0]))
    print(fmt("costGradY", gc[1]))
    print(fmt("costGradA", gc[2]))
    print(fmt("costGradB", gc[3]))
    gl = jax.grad(loss_fn, argnums=(0, 1, 2, 3))(x, y, a, b)
    print(fmt("lossGradX", gl[0]))
    print(fmt("lossGradY", gl[1]))
    print(fmt("lossGradA", gl[2]))
    print(fmt("lossGradB", gl[3]))
    print()


def divergence_case(label, x, y, a, b, eps, ta, tb):
    def ot(x1, y1, a1, b1):
        geom = pointcloud.PointCloud(x1, y1, epsilon=eps)
        o = SOLVER(linear_problem.LinearProblem(geom, a=a1, b=b1, tau_a=ta, tau_b=tb))
        C = jnp.sum((x1[:, None, :] - y1[None, :, :]) ** 2, axis=-1)
        return value(C, o.f, o.g, a1, b1, eps, ta, tb)

    def div(x, y, a, b):
        return ot(x, y, a, b) - 0.5 * (ot(x, x, a, a) + ot(y, y, b, b))

    ott_div = sd.sinkhorn_divergence(pointcloud.PointCloud, x, y, a=a, b=b, epsilon=eps,
                                     solve_kwargs={"tau_a": ta, "tau_b": tb, "threshold": 1e-14,
                                                   "max_iterations": 200_000})
    print(f"// {label}: n = {x.shape[0]}, m = {y.shape[0]}, eps = {eps}, tau_a = {ta}, tau_b = {tb}")
    print(f"// ott-jax sinkhorn_divergence (reg_ot_cost based, not matched): {float(ott_div[0])!r}")
    print(f"let divergence = {float(div(x, y, a, b))!r}")
    g = jax.grad(div, argnums=(0, 1, 2, 3))(x, y, a, b)
    print(fmt("divergenceGradX", g[0]))
    print(fmt("divergenceGradY", g[1]))
    print(fmt("divergenceGradA", g[2]))
    print(fmt("divergenceGradB", g[3]))
    print()


def main():
    # Case 1: a cost matrix, unequal masses, both marginals relaxed.
    C = jnp.array([[0.30, 0.82, 0.11], [0.64, 0.05, 0.47], [0.93, 0.38, 0.72], [0.21, 0.56, 0.99]])
    a = jnp.array([0.2, 0.35, 0.15, 0.3])
    b = jnp.array([0.5, 0.4, 0.4])
    W = jnp.array([[1.0, -0.5, 0.25], [0.0, 2.0, -1.0], [0.5, 0.5, 0.0], [-1.5, 0.0, 1.0]])
    wf = jnp.array([0.3, -0.2, 0.5, 0.1])
    wg = jnp.array([-0.4, 0.6, 0.2])
    cost_matrix_case("case 1", C, a, b, 0.1, 0.7, 0.8, W, wf, wg)
    # Case 2: the same data, only the target marginal relaxed (tau_a = 1).
    cost_matrix_case("case 2", C, a, b, 0.2, 1.0, 0.5, W, wf, wg)
    # Case 3: point clouds in the plane.
    x = jnp.array([[0.0, 0.0], [0.5, 0.1], [0.2, 0.7], [0.9, 0.4], [0.4, 0.4]])
    y = jnp.array([[0.1, 0.3], [0.8, 0.8], [0.6, 0.0], [0.3, 0.9]])
    pa = jnp.array([0.1, 0.3, 0.2, 0.25, 0.15])
    pb = jnp.array([0.3, 0.3, 0.2, 0.4])
    point_cloud_case("case 3", x, y, pa, pb, 0.15, 0.9, 0.6,
                     jnp.array([0.2, -0.1, 0.4, 0.0, 0.3]), jnp.array([0.5, -0.3, 0.1, 0.2]))
    # Case 4: the divergence between the same clouds.
    divergence_case("case 4", x, y, pa, pb, 0.15, 0.8, 0.8)


if __name__ == "__main__":
    main()
