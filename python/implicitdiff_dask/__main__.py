"""`python -m implicitdiff_dask PROBLEMS.jsonl [--scheduler ADDRESS] [--out RESULTS.jsonl]`:
`implicitdiff batch` across a Dask cluster (a local one when no scheduler is named).
Exit 0 when every line succeeded, 1 when a line failed, 2 when the batch cannot run."""
import argparse
import json
import sys

from . import BatchError, run_batch


def main(argv=None):
    ap = argparse.ArgumentParser(prog="implicitdiff-dask", description=__doc__)
    ap.add_argument("problems", help="JSON Lines file of problems")
    ap.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:8786); default: a LocalCluster")
    ap.add_argument("--workers", type=int, default=2, help="workers of the LocalCluster (no --scheduler)")
    ap.add_argument("--binary", default="implicitdiff", help="path of implicitdiff on the workers")
    ap.add_argument("--partition-size", type=int, default=256)
    ap.add_argument("--jobs-per-worker", type=int)
    ap.add_argument("--out", help="write the result lines here instead of standard output")
    args = ap.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    if args.scheduler:
        client = Client(args.scheduler)
    else:
        client = Client(LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True))
    out = open(args.out, "w") if args.out else sys.stdout
    failed = 0
    try:
        for line in run_batch(args.problems, client, binary=args.binary, partition_size=args.partition_size,
                              jobs_per_worker=args.jobs_per_worker, parse=False):
            if "error" in json.loads(line):
                failed += 1
            out.write(line + "\n")
    except BatchError as e:
        print(json.dumps({"error": {"kind": "invalid_input", "message": str(e)}}))
        return 2
    finally:
        if args.out:
            out.close()
        client.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
