"""Run `implicitdiff batch` on a Dask cluster.

A batch (a JSON Lines file, or an iterable of problem documents) is cut into partitions
of consecutive lines; each partition runs as one `implicitdiff batch -` process on a
Dask worker; the result lines come back in input order, one per problem line, with the
same semantics as one local `implicitdiff batch` run: each carries its input's `id` (the
0-based line number of the whole batch when there is none), and a failing line is
`{"id", "error": {"kind", "message"}, "exit": E}` without stopping the others.

    from dask.distributed import Client
    from implicitdiff_dask import run_batch
    client = Client("tcp://scheduler:8786")          # or LocalCluster()
    for result in run_batch("problems.jsonl", client, binary="/opt/implicitdiff/bin/implicitdiff"):
        ...

Every worker needs the `implicitdiff` binary (at the same path, or on its PATH). Built as
the README says (`swift build -c release -Xswiftc -static-executable --product
implicitdiff`) it is one static executable, with the Swift runtime, OpenBLAS, LAPACKE,
GLPK and SuiteSparse inside: it needs no shared library on the worker.
"""
import itertools
import json
import os
import subprocess

__all__ = ["run_batch", "run_partition", "BatchError"]
__version__ = "0.2.0"


class BatchError(RuntimeError):
    """A partition could not run at all (the binary is missing, or it exited with 2)."""


def run_partition(lines, binary="implicitdiff", jobs=None, extra_args=()):
    """Runs `implicitdiff batch -` on `lines` (strings, one problem each) and returns the
    result lines (strings), one per non-blank input line. Runs on a Dask worker."""
    args = [binary, "batch", "-", "--quiet"]
    if jobs:
        args += ["--jobs", str(jobs)]
    args += list(extra_args)
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    try:
        p = subprocess.run(args, input=text.encode(), capture_output=True)
    except OSError as e:
        raise BatchError(f"cannot run {binary!r} on this worker: {e}") from e
    if p.returncode not in (0, 1):
        raise BatchError(f"{binary} batch exited with {p.returncode}: {p.stdout.decode()[:500]} {p.stderr.decode()[:500]}")
    return p.stdout.decode().splitlines()


def _lines(problems):
    """Problem lines from a path, a file object, or an iterable of dicts / strings."""
    if isinstance(problems, (str, os.PathLike)):
        with open(problems) as f:
            yield from (line.rstrip("\n") for line in f)
        return
    for p in problems:
        yield p.rstrip("\n") if isinstance(p, str) else json.dumps(p)


def _has_id(line):
    try:
        doc = json.loads(line)
    except ValueError:
        return False
    return isinstance(doc, dict) and "id" in doc


def run_batch(problems, client=None, binary="implicitdiff", partition_size=256, jobs_per_worker=None,
              extra_args=(), parse=True, max_pending=None):
    """Solves every problem of `problems` on the cluster of `client` (the default client
    when None) and yields the results in input order.

    * `problems`: a JSON Lines path, or an iterable of problem dicts or JSON strings.
    * `partition_size`: problem lines per Dask task (one `implicitdiff batch` process).
    * `jobs_per_worker`: `--jobs` of each process (default: the worker's cores).
    * `parse`: yield dicts (default) or the result lines as strings.
    * `max_pending`: partitions submitted ahead of the one being gathered (default
      4 x the cluster's workers), so memory stays bounded for a batch of any length.
    """
    from dask.distributed import default_client

    client = client or default_client()
    if max_pending is None:
        max_pending = 4 * max(len(client.scheduler_info().get("workers", {})), 1)
    numbered = ((k, line) for k, line in enumerate(_lines(problems)) if line.strip())
    pending = []

    def submit(chunk):
        lines = [line for _, line in chunk]
        numbers = [None if _has_id(line) else k for k, line in chunk]
        future = client.submit(run_partition, lines, binary, jobs_per_worker, tuple(extra_args), pure=False)
        pending.append((future, numbers))

    chunks = iter(lambda: list(itertools.islice(numbered, partition_size)), [])
    for chunk in itertools.islice(chunks, max_pending):
        submit(chunk)
    while pending:
        future, numbers = pending.pop(0)
        results = future.result()
        nxt = next(chunks, None)
        if nxt:
            submit(nxt)
        if len(results) != len(numbers):
            raise BatchError(f"a partition of {len(numbers)} problems gave {len(results)} results")
        for line, number in zip(results, numbers):
            if number is not None:
                # The worker numbered its partition from 0; the id is the batch's line
                # number. The line starts with {"id": LOCAL, ... (a number, no comma).
                line = '{"id": ' + str(number) + line[line.index(","):]
            yield json.loads(line) if parse else line
