"""Crashes: a `kill -9` in the middle of an import or of a province recompute leaves figures, audit
and stored evaluations consistent, and a rerun gives the same result as an uninterrupted run.

Runs real `manage.py` processes against a database of their own (a SQLite file, or a PostgreSQL
database beside the test one when DATABASE_URL points at PostgreSQL), killed at the crash points of
`ntm.core.faults`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[1]
OUTSIDER = None  # set from the database: the Hà Nội ward of the test world
SETUP = """
import io
from decimal import Decimal
from django.core.management import call_command
from ntm.units.loader import load_units
from ntm.testing import build_world
from ntm.figures.models import Figure
load_units()
world = build_world(communes=3)
Figure.objects.bulk_create([Figure(unit_id=f.unit_id, year=2027, field=f.field, value=f.value)
                            for f in Figure.objects.filter(year=2026, unit__province__code="38")])
call_command("recompute", stdout=io.StringIO())
"""
STATE = """
import json
from ntm.figures.models import Figure, FigureChange
from ntm.accounts.models import AuditEntry
from ntm.evaluations.models import Evaluation
print(json.dumps({
  "figures": sorted([f.unit_id, f.year, f.field, str(f.value)] for f in Figure.objects.all()),
  "changes": FigureChange.objects.count(),
  "audit": AuditEntry.objects.filter(action__startswith="figures.").count(),
  "evaluations": sorted([e.unit_id, e.year, e.set_code, e.set_version, e.level, e.criteria_met, e.error]
                        for e in Evaluation.all_rows.all()),
}))
"""


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        conf = dj_database_url.parse(url)
        # one database per xdist worker: test_crash and test_workers may run at once on two of them
        name = f"{conf['NAME']}_crash_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
        admin = psycopg.connect(host=conf["HOST"], port=conf["PORT"] or 5432, user=conf["USER"],
                                password=conf["PASSWORD"] or None, dbname="postgres", autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        yield url.rsplit("/", 1)[0] + "/" + name
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('crash') / 'db.sqlite3'}"


def manage(db: str, *args: str, fault: str = "", code: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": db, "NTM_FAULT": fault, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "manage.py", *args] if not code else [sys.executable, "manage.py", "shell", "-c", code]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def state(db: str) -> dict:
    out = manage(db, code=STATE)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def workbook(path: Path, db: str) -> None:
    code = f"""
from openpyxl import Workbook
from ntm.units.models import Unit
from ntm.figures.models import Figure
wb = Workbook(); ws = wb.active; ws.title = "Số liệu 2026"
ws.append(["Mã đơn vị", "Tên đơn vị", "Thu nhập"]); ws.append(["code", "name", "income_per_capita"])
for u in Unit.objects.filter(figures__year=2026, province__code="38").distinct().order_by("code"):
    ws.append([u.code, u.full_name, 1.5])
wb.save({str(path)!r})
"""
    assert manage(db, code=code).returncode == 0


@pytest.fixture(scope="module")
def world_db(database, tmp_path_factory):
    assert manage(database, "migrate", "--noinput", "-v0").returncode == 0
    out = manage(database, code=SETUP)
    assert out.returncode == 0, out.stderr
    return database


def test_kill_during_an_import_writes_nothing_and_a_rerun_completes_it(world_db, tmp_path):
    book = tmp_path / "import.xlsx"
    workbook(book, world_db)
    before = state(world_db)
    crashed = manage(world_db, "figures", "import", str(book), "--as", "tinh", fault="figures.written")
    assert crashed.returncode == -signal.SIGKILL
    assert state(world_db) == before  # all or nothing: no figure, no history, no audit, no evaluation moved
    done = manage(world_db, "figures", "import", str(book), "--as", "tinh", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    after = state(world_db)
    global OUTSIDER
    OUTSIDER = json.loads(manage(world_db, code="from ntm.units.models import Unit; "
                                             "print(Unit.objects.get(scheme='current', code='00004').pk)").stdout.split()[-1])
    assert after["audit"] > before["audit"] and after["changes"] > before["changes"]
    incomes = {v for u, y, f, v in after["figures"] if f == "income_per_capita" and y == 2026 and u != OUTSIDER}
    assert incomes == {"1.5000"}, incomes
    again = manage(world_db, "recompute", "--format", "json")  # stored results already match the figures
    assert json.loads(again.stdout)["changed"] == 0


def test_kill_during_a_province_recompute_is_repaired_by_a_rerun(world_db):
    clean = state(world_db)["evaluations"]
    wipe = "from ntm.evaluations.models import Evaluation; Evaluation.all_rows.filter(unit__province__code='38').delete()"
    assert manage(world_db, code=wipe).returncode == 0
    crashed = manage(world_db, "recompute", "--province", "38", fault="recompute.year")
    assert crashed.returncode == -signal.SIGKILL
    partial = state(world_db)["evaluations"]
    assert partial and set(map(tuple, partial)) < set(map(tuple, clean))  # finished years only, each row right
    assert {row[1] for row in set(map(tuple, clean)) - set(map(tuple, partial))} == {2027}
    first = manage(world_db, "recompute", "--province", "38", "--format", "json")
    assert first.returncode == 0, first.stderr
    assert state(world_db)["evaluations"] == clean
    second = manage(world_db, "recompute", "--province", "38", "--format", "json")
    assert json.loads(second.stdout)["changed"] == 0
