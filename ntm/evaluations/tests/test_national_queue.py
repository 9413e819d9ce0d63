"""The national recompute as one task per province: the same stored results as one national run,
progress per province, a part taken once, a dead worker's part taken again, a failed province
reported and resumed. Tasks run inline here (the default backend); tests/test_workers.py runs real
`db_worker` processes."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from ntm.evaluations import services
from ntm.evaluations.models import Evaluation, RecomputeJob, RecomputePart
from ntm.evaluations.recompute import recompute_all
from ntm.evaluations.services import province_parts, recompute_part_task, resume_recompute, start_national_recompute
from ntm.units.models import Unit

from .test_recompute import FULL, fill, legacy, national_admin, sets  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run the tasks it queues on commit (the test's transaction never commits)."""
    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return call


def stored() -> set[tuple]:
    return set(Evaluation.all_rows.values_list("unit_id", "year", "set_code", "set_version", "level", "criteria_met",
                                               "error"))


@pytest.fixture
def country(sets):  # noqa: F811
    """Figures in three legacy provinces (Thanh Hóa, Hà Nội, Nghệ An) and one current commune."""
    fill(legacy("15505"), 2021, FULL)
    fill(Unit.objects.filter(scheme="legacy", province__code="01", kind="xã").order_by("code").first(), 2021,
         {**FULL, "income_per_capita": 39})
    fill(Unit.objects.filter(scheme="legacy", province__code="40", kind="xã").order_by("code").first(), 2022, FULL)
    fill(Unit.objects.get(scheme="current", code="15505"), 2026, {"income_per_capita": 50})


def test_parts_cover_every_province_once_per_code_space():
    parts = province_parts()
    legacy_codes = {c for c, is_legacy, _ in parts if is_legacy}
    current_codes = {c for c, is_legacy, _ in parts if not is_legacy}
    assert legacy_codes == set(Unit.objects.filter(scheme="legacy", level="province").values_list("code", flat=True))
    assert current_codes >= set(Unit.objects.filter(scheme="current", level="province").values_list("code", flat=True))
    assert len(parts) == len(set((c, is_legacy) for c, is_legacy, _ in parts))
    assert ("38", True, "Tỉnh Thanh Hóa (trước 01/07/2025)") in parts
    assert province_parts("38", legacy=False) == [("38", False, "Tỉnh Thanh Hóa (hiện hành)")]


def test_queued_national_recompute_gives_the_same_rows_as_one_national_run(country, run):
    recompute_all()
    expected = stored()
    Evaluation.all_rows.all().delete()
    job = run(start_national_recompute, national_admin())  # inline backend: every part runs on commit
    job.refresh_from_db()
    assert (job.status, job.by_province, job.done, job.failed) == ("done", True, job.total, 0)
    assert job.total == len(province_parts()) and job.rows == len(expected)
    assert stored() == expected
    parts = RecomputePart.objects.filter(job=job)
    assert set(parts.values_list("status", "attempts")) == {("done", 1)}
    thanh_hoa = parts.get(province_code="38", legacy=True)
    assert (thanh_hoa.rows, thanh_hoa.years_done, thanh_hoa.years_total) == (1, 1, 1)
    assert parts.get(province_code="38", legacy=False).rows == 1  # the current commune's "why not" row


def test_a_part_is_run_once_and_a_dead_workers_part_is_taken_again(country, run):
    job = run(start_national_recompute, None, years=[2021], province_code="38", legacy=True)
    part = job.parts.get()
    assert part.status == "done"
    assert recompute_part_task.call(part.pk) == 0  # done: a second task for it does nothing
    assert RecomputePart.objects.get(pk=part.pk).attempts == 1
    # a worker took it and is alive (fresh heartbeat): another worker leaves it alone
    RecomputePart.objects.filter(pk=part.pk).update(status="running", worker="other:1", heartbeat_at=timezone.now())
    assert recompute_part_task.call(part.pk) == 0
    assert RecomputePart.objects.get(pk=part.pk).worker == "other:1"
    # its heartbeat is older than the lease: that worker died, the part is run again, without damage
    before = stored()
    RecomputePart.objects.filter(pk=part.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert recompute_part_task.call(part.pk) == 1
    part.refresh_from_db()
    assert (part.status, part.attempts, part.worker) == ("done", 2, services.worker_name())
    assert stored() == before


def test_a_failed_province_is_reported_and_resumed(country, monkeypatch, run, django_capture_on_commit_callbacks):
    real = services.recompute_all

    def flaky(**kwargs):
        if kwargs["province_code"] == "01":
            raise RuntimeError("mất kết nối cơ sở dữ liệu")
        return real(**kwargs)

    monkeypatch.setattr(services, "recompute_all", flaky)
    admin = national_admin()
    run(start_national_recompute, admin, legacy=True)  # the failure is the part's, the other provinces go on
    job = RecomputeJob.objects.get()
    assert (job.status, job.failed, job.done, job.total) == ("failed", 1, job.total - 1, job.total)
    failed = job.parts.get(status="failed")
    assert failed.province_code == "01" and "mất kết nối" in failed.message
    client = Client()
    client.force_login(admin)
    page = client.get(f"/cong-viec/tinh-lai/{job.pk}/").content.decode()
    assert "Thành phố Hà Nội (trước 01/07/2025)" in page and "mất kết nối" in page and "/chay-lai/" in page
    monkeypatch.setattr(services, "recompute_all", real)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/cong-viec/tinh-lai/{job.pk}/chay-lai/")
    assert r.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.failed, job.done) == ("done", 0, job.total)
    assert job.parts.get(province_code="01").attempts == 2
    assert job.parts.filter(attempts=1).count() == job.total - 1  # the others were not run again
    assert resume_recompute(None, job) == 0


def test_national_page_starts_it_for_an_administrator_only(country, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(national_admin())
    assert "/toan-quoc/tinh-lai/" in client.get("/toan-quoc/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/toan-quoc/tinh-lai/")
    job = RecomputeJob.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/cong-viec/tinh-lai/{job.pk}/")
    page = client.get(r["Location"]).content.decode()
    assert 'data-status="done"' in page and f"{job.total}/{job.total} tỉnh" in page
    assert client.get("/toan-quoc/tinh-lai/").status_code == 405
    office = User.objects.create_user("vp")
    from ntm.accounts.models import Grant

    Grant.objects.create(user=office, unit=Unit.objects.get(scheme="current", level="province", code="38"), role="province")
    client.force_login(office)
    assert client.post("/toan-quoc/tinh-lai/").status_code == 404
    assert RecomputeJob.objects.count() == 1


def test_command_queues_one_task_per_province(country, capsys, run):
    run(call_command, "recompute", "--queue", "--legacy", "--year", "2021", "--format", "json")
    out = json.loads(capsys.readouterr().out)
    job = RecomputeJob.objects.get(pk=out["job"])
    # printed before the test's (never committed) transaction would run the tasks
    assert out == {"job": job.pk, "queued": job.total, "status": "queued", "done": 0, "failed": 0,
                   "total": len(province_parts(legacy=True)), "evaluations": 0}
    assert (job.status, job.done, job.rows) == ("done", job.total, 2)
    assert job.years == [2021] and not job.parts.filter(legacy=False).exists()
    call_command("recompute", "--resume", str(job.pk), "--wait")
    assert "đã xếp 0 việc" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Không có lượt tính lại toàn quốc số 999"):
        call_command("recompute", "--resume", "999")
    with pytest.raises(CommandError, match="Không có tỉnh nào mã 99"):
        call_command("recompute", "--queue", "--province", "99")


def test_a_job_resumed_with_two_failed_provinces_ends_only_when_both_are_done(country, monkeypatch, run,
                                                                               django_capture_on_commit_callbacks):
    real = services.recompute_all

    def flaky(**kwargs):
        if kwargs["province_code"] in ("01", "79"):
            raise RuntimeError("mất kết nối cơ sở dữ liệu")
        return real(**kwargs)

    monkeypatch.setattr(services, "recompute_all", flaky)
    run(start_national_recompute, national_admin(), legacy=True)
    job = RecomputeJob.objects.get()
    assert job.failed == 2
    monkeypatch.setattr(services, "recompute_all", real)
    with django_capture_on_commit_callbacks(execute=False):  # queued, no worker has taken them yet
        assert resume_recompute(None, job) == 2
    job.refresh_from_db()
    assert (job.status, job.failed) == ("running", 0)
    first, second = job.parts.filter(province_code__in=["01", "79"]).order_by("province_code")
    assert (first.status, second.status) == ("queued", "queued")
    recompute_part_task.call(first.pk)
    job.refresh_from_db()
    assert (job.status, job.finished_at) == ("running", None)  # the other province still waits: not over
    recompute_part_task.call(second.pk)
    job.refresh_from_db()
    assert (job.status, job.failed, job.done) == ("done", 0, job.total)


def test_a_province_held_by_a_dead_worker_offers_resume(country, run, django_capture_on_commit_callbacks):
    admin = national_admin()
    run(start_national_recompute, admin, legacy=True)
    job = RecomputeJob.objects.get()
    part = job.parts.first()
    RecomputePart.objects.filter(pk=part.pk).update(status="running", heartbeat_at=timezone.now() - timedelta(hours=1))
    RecomputeJob.objects.filter(pk=job.pk).update(status="running", finished_at=None)
    client = Client()
    client.force_login(admin)
    assert "/chay-lai/" in client.get(f"/cong-viec/tinh-lai/{job.pk}/").content.decode()
    RecomputePart.objects.filter(pk=part.pk).update(heartbeat_at=timezone.now())  # alive: nothing to resume
    assert "/chay-lai/" not in client.get(f"/cong-viec/tinh-lai/{job.pk}/").content.decode()
