"""`BENCH_ONLY=workers make bench`: a national recompute on the task queue, run by 1 and by 2
`manage.py db_worker` processes (NTM_TASKS=database) sharing the bench's database.

Fills the part's fresh database with one year of figures for every legacy commune (10,051; the
generator of bench/recompute.py), recomputes once inline (so every round replaces existing rows),
then alternates no queue (one `recompute_all` in this process, for reference), 1 worker, 2 workers,
… (BENCH_ROUNDS rounds, default 3): each worker round starts the
workers, waits until each has said it is polling, queues the national job (`manage.py recompute
--queue`: one task per province and code space) and waits for its end. The time of a round is the
job's own: from its creation to its last province done (both stamped in the database), so the
workers' and the command's start-up are not counted. Prints `workers_1_s`, `workers_2_s` (medians)
and the speed-up.

Not part of the main figure list: a plain `make bench` skips it (it prints n/a); name it in
BENCH_ONLY to run it. On a 2-core machine two workers share the cores with the database server.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import database_url, timed

YEAR = 2024
ROOT = Path(__file__).resolve().parents[1]


def run() -> dict[str, float]:
    """Part of `make bench` (bench/__main__.py): {"workers_1_s": …, "workers_2_s": …}."""
    if "workers" not in os.environ.get("BENCH_ONLY", "").split(","):
        print("skipped (BENCH_ONLY=workers runs it)")
        return {}
    try:
        from bench.recompute import generate  # figures of every legacy commune, shared with the recompute part
    except ImportError:
        print("needs bench/recompute.py's generate(years) (the ten-year recompute bench)")
        return {}
    from ntm.criteria.loader import load_all
    from ntm.evaluations.models import Evaluation
    from ntm.evaluations.recompute import recompute_all
    from ntm.units.loader import load_units

    t0 = time.perf_counter()
    load_units()
    load_all()
    rows = generate([YEAR])
    recompute_all(years=[YEAR])
    print(f"figure rows: {sum(rows.values())}, evaluations: {Evaluation.all_rows.filter(year=YEAR).count()}, "
          f"set up in {time.perf_counter() - t0:.1f} s", flush=True)
    times: dict[int, list[float]] = {0: [], 1: [], 2: []}
    for _ in range(int(os.environ.get("BENCH_ROUNDS", "3"))):
        times[0].append(timed(lambda: recompute_all(years=[YEAR])))
        print(f"in this process, one national recompute_all (no queue): {times[0][-1]:.2f} s", flush=True)
        for n in (1, 2):
            seconds, parts = national_job(n)
            times[n].append(seconds)
            print(f"{n} worker(s): {seconds:.2f} s ({parts} provinces)", flush=True)
    inline, one, two = (statistics.median(times[n]) for n in (0, 1, 2))
    print(f"no queue: {inline:.2f} s (medians of {len(times[0])})")
    print(f"workers_1_s: {one:.2f}  workers_2_s: {two:.2f}  speedup: {one / two:.2f}×")
    return {"workers_1_s": one, "workers_2_s": two}


def national_job(workers: int) -> tuple[float, int]:
    """Seconds from the job's creation to its end with `workers` db_worker processes; and its parts."""
    from ntm.evaluations.models import RecomputeJob

    env = {**os.environ, "DATABASE_URL": database_url(), "NTM_TASKS": "database", "DJANGO_DEBUG": "0",
           "DJANGO_SECRET_KEY": "bench-only", "DB_CONN_MAX_AGE": "60",
           "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
                               "--interval", "0.05"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for _ in range(workers)]
    try:
        for p in procs:  # "Starting worker worker_id=… queues=default": polling from now on
            line = p.stdout.readline()
            assert line.startswith("Starting worker"), line
        out = subprocess.run([sys.executable, "manage.py", "recompute", "--queue", "--year", str(YEAR), "--format",
                              "json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr
        pk = json.loads(out.stdout)["job"]
        while True:
            job = RecomputeJob.objects.get(pk=pk)
            if job.status in (RecomputeJob.Status.DONE, RecomputeJob.Status.FAILED):
                break
            time.sleep(0.05)
        assert job.status == RecomputeJob.Status.DONE, job.message
        return (job.finished_at - job.created_at).total_seconds(), job.total
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=120)
