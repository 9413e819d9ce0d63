"""A national recompute run by real `manage.py db_worker` processes (NTM_TASKS=database) sharing one
database: two workers never run the same province, a worker killed mid-province leaves nothing wrong,
and `recompute --resume` + another worker finish the job with the rows of an uninterrupted run.

SQLite file by default, PostgreSQL beside the test database when DATABASE_URL points at it (the
`database`/`world_db` fixtures of tests/test_crash.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from tests.test_crash import ROOT, database, manage, state, world_db  # noqa: F401  (fixtures)

WORKER = ["manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", "-v0"]
JOB = """
import json
from ntm.evaluations.models import RecomputeJob
from django_tasks_db.models import DBTaskResult
job = RecomputeJob.objects.get(pk={pk})
print(json.dumps({{"status": job.status, "done": job.done, "failed": job.failed, "total": job.total,
  "parts": sorted([p.province_code, p.legacy, p.status, p.attempts, p.worker] for p in job.parts.all()),
  "tasks": sorted([t.status, len(t.worker_ids)] for t in DBTaskResult.objects.filter(
      task_path__endswith="recompute_part_task"))}}))
"""
WIPE = "from ntm.evaluations.models import Evaluation; Evaluation.all_rows.all().delete()"
CLEAR = ("from django_tasks_db.models import DBTaskResult; from ntm.evaluations.models import RecomputeJob; "
         "DBTaskResult.objects.all().delete(); RecomputeJob.objects.all().delete()")


def worker(db: str, *args: str, fault: str = "", lease: str = "600") -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db, "NTM_TASKS": "database", "NTM_FAULT": fault,
           "NTM_RECOMPUTE_LEASE_S": lease, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, *WORKER, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def queue(db: str, *args: str) -> int:
    out = subprocess.run([sys.executable, "manage.py", "recompute", *args, "--format", "json"], cwd=ROOT,
                         env={**os.environ, "DATABASE_URL": db, "NTM_TASKS": "database", "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["job"]


def job_state(db: str, pk: int) -> dict:
    out = manage(db, code=JOB.format(pk=pk))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_two_workers_share_the_provinces_and_run_each_once(world_db):  # noqa: F811
    clean = state(world_db)["evaluations"]
    assert manage(world_db, code=CLEAR).returncode == 0 and manage(world_db, code=WIPE).returncode == 0
    workers = [worker(world_db), worker(world_db)]
    try:
        time.sleep(4)  # both polling before the work arrives
        pk = queue(world_db, "--queue")
        deadline = time.monotonic() + 300
        while (job := job_state(world_db, pk))["status"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(1)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
            w.wait(timeout=60)
    assert (job["status"], job["done"], job["failed"]) == ("done", job["total"], 0)
    assert {p[3] for p in job["parts"]} == {1}  # every province run once
    assert len({p[4] for p in job["parts"]}) == 2  # by both workers
    assert job["tasks"] == [["SUCCESSFUL", 1]] * job["total"]  # each task taken by one worker
    assert state(world_db)["evaluations"] == clean


def test_a_worker_killed_mid_province_is_repaired_by_resume(world_db):  # noqa: F811
    clean = state(world_db)["evaluations"]
    assert manage(world_db, code=CLEAR).returncode == 0 and manage(world_db, code=WIPE).returncode == 0
    pk = queue(world_db, "--queue")
    crashed = worker(world_db, "--batch", fault="recompute.year")  # killed after its first province-year
    crashed.wait(timeout=300)
    assert crashed.returncode == -signal.SIGKILL
    job = job_state(world_db, pk)
    running = [p for p in job["parts"] if p[2] == "running"]
    assert job["status"] == "running" and len(running) == 1
    assert set(map(tuple, state(world_db)["evaluations"])) < set(map(tuple, clean))  # what committed is right
    resumed = subprocess.run([sys.executable, "manage.py", "recompute", "--resume", str(pk)], cwd=ROOT,
                             env={**os.environ, "DATABASE_URL": world_db, "NTM_TASKS": "database",
                                  "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0 and f"Lượt tính lại số {pk}" in resumed.stdout, resumed.stderr
    # a new worker: the dead one's heartbeat is past the lease (0 s here), so it takes that province again
    again = worker(world_db, "--batch", lease="0")
    assert again.wait(timeout=300) == 0, again.stderr.read()
    job = job_state(world_db, pk)
    assert (job["status"], job["done"], job["failed"]) == ("done", job["total"], 0)
    redone = [p for p in job["parts"] if p[:2] == running[0][:2]][0]
    assert redone[3] == 2 and redone[4] != running[0][4]
    assert state(world_db)["evaluations"] == clean
