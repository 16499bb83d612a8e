"""The Dask runner gives exactly what one local `implicitdiff batch` gives (timings
aside), on a LocalCluster of 2 worker processes, including failing lines.

    IMPLICITDIFF=.build/release/implicitdiff python -m pytest python/tests
"""
import json
import os
import random
import subprocess

import pytest

BINARY = os.environ.get("IMPLICITDIFF", "implicitdiff")


def problems(count=60, seed=3):
    """A mixed batch: random strictly convex QPs (n = 6, p = 1, m = 8), ridge problems,
    cubic equations, with and without ids, plus an invalid line, an infeasible LP and a
    blank line."""
    rng = random.Random(seed)
    lines = []
    for k in range(count):
        if k % 3 == 0:
            n = 6
            m = [[rng.gauss(0, 1) for _ in range(n)] for _ in range(n)]
            Q = [[sum(m[i][t] * m[j][t] for t in range(n)) + (1 if i == j else 0) for j in range(n)] for i in range(n)]
            doc = {"problem": "qp", "data": {"Q": Q, "q": [rng.uniform(-3, 3) for _ in range(n)],
                                              "A": [[rng.gauss(0, 1) for _ in range(n)]], "b": [rng.gauss(0, 1)],
                                              "G": [[rng.gauss(0, 1) for _ in range(n)] for _ in range(8)],
                                              "h": [rng.uniform(0, 0.5) for _ in range(8)]},
                   "derivative": {"vjp": {"z": [1, 0, 0, 0, 0, 1]}}}
        elif k % 3 == 1:
            doc = {"problem": "ridge", "data": {"X": [[rng.gauss(0, 1) for _ in range(3)] for _ in range(5)],
                                                 "y": [rng.gauss(0, 1) for _ in range(5)], "lambda": rng.uniform(0.1, 2)},
                   "derivative": {"vjp": {"w": [1, 1, 1]}}}
        else:
            doc = {"problem": "equations", "data": {"family": "cubic", "x": [rng.uniform(-3, 3) for _ in range(4)]}}
        if k % 4 == 0:
            doc["id"] = f"problem-{k}"
        lines.append(json.dumps(doc))
    lines.insert(5, "{broken json")
    lines.insert(9, json.dumps({"problem": "lp", "data": {"c": [1], "G": [[1], [-1]], "h": [-1, -1]}}))
    lines.insert(12, "")
    return lines


def without_timings(result):
    stats = result.get("stats")
    if stats:
        stats.pop("forward_seconds", None)
        stats.pop("derivative_seconds", None)
    return result


def local_batch(lines):
    p = subprocess.run([BINARY, "batch", "-", "--jobs", "1", "--quiet"], input="\n".join(lines).encode(),
                       capture_output=True, check=False)
    assert p.returncode == 1, p.stderr  # the batch has failing lines
    return [without_timings(json.loads(line)) for line in p.stdout.decode().splitlines()]


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_same_results_as_one_local_batch(client):
    from implicitdiff_dask import run_batch

    lines = problems()
    expected = local_batch(lines)
    got = [without_timings(r) for r in run_batch(lines, client, binary=BINARY, partition_size=7, jobs_per_worker=1)]
    assert len(got) == len(expected) == len([line for line in lines if line.strip()])
    assert got == expected
    failed = [r for r in got if "error" in r]
    assert {r["error"]["kind"] for r in failed} == {"invalid_input", "infeasible"}
    assert all(r["exit"] in (2, 3) for r in failed)
    # ids: given ones kept, others the 0-based line number of the whole batch (blank
    # lines counted), as one local run gives
    assert got[0]["id"] == "problem-0"
    assert got[-1]["id"] == len(lines) - 1
    assert got[1]["id"] == 1


def test_file_input_and_cli(client, tmp_path):
    from implicitdiff_dask.__main__ import main

    lines = problems(count=12, seed=5)
    path = tmp_path / "problems.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "results.jsonl"
    address = client.scheduler.address
    code = main([str(path), "--scheduler", address, "--binary", BINARY, "--partition-size", "4", "--out", str(out)])
    assert code == 1
    got = [without_timings(json.loads(line)) for line in out.read_text().splitlines()]
    assert got == local_batch(lines)


def test_missing_binary_is_a_clear_error(client):
    from implicitdiff_dask import BatchError, run_batch

    with pytest.raises(BatchError):
        list(run_batch(problems(count=3), client, binary="/nonexistent/implicitdiff"))
