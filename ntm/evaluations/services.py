"""Keeping stored evaluations current, and reading one unit's evaluation.

- On `figures_changed` (sent inside the figures' write transaction) the units written are
  recomputed in the same transaction when few, or by a task on commit when many; a crash between
  the two is repaired by `manage.py recompute --stale` (or any recompute: they are idempotent).
- Publishing a criteria set version or changing a classification recomputes the units affected,
  as a task (`recompute_task`).
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.tasks import task
from django.utils import timezone

from ntm.accounts.audit import record
from ntm.accounts.scope import can, is_admin
from ntm.core import requestid
from ntm.criteria.batch import Outcome
from ntm.criteria.evaluate import EvaluationError, base_set_for
from ntm.criteria.levels import ladder
from ntm.criteria.loader import registry
from ntm.figures.live import live_outcome
from ntm.units.models import Unit, valid_in

from .models import Evaluation, LevelChange, RecomputeJob, RecomputePart
from .recompute import district_rollup_values, prepare_units, recompute_all, recompute_units
from .rollup import Summary, rollup

# Up to this many unit-years are recomputed inside the write's own transaction (a form save, a
# province's import); more go to the task queue after commit.
INLINE_LIMIT = 5000


def _inline_backend() -> bool:
    from django.tasks.backends.immediate import ImmediateBackend

    return isinstance(recompute_task.get_backend(), ImmediateBackend)


def run_or_enqueue(**kwargs) -> None:
    """Recompute now, inside the caller's transaction, on the inline backend (development, tests);
    with a worker, enqueue it once the caller's transaction has committed."""
    if _inline_backend():
        recompute_task.call(**kwargs)
    else:
        transaction.on_commit(lambda: recompute_task.enqueue(**kwargs))


def on_figures_changing(sender, unit_ids: list[int], years: list[int], detail: bool = False, **kwargs):
    """A large write about to change some of these units (figures.signals): what their recompute reads,
    read now; returns the step that recomputes those written
    (`recompute.prepare_units`), or None when they will be recomputed after (more than INLINE_LIMIT
    unit-years: queued; years that read one another)."""
    if len(unit_ids) * len(years) > INLINE_LIMIT:
        return None
    return prepare_units(unit_ids, years, reason=LevelChange.Reason.FIGURES, keep={} if detail else None)


def on_figures_changed(sender, unit_ids: list[int], years: list[int], user=None, detail: bool = False,
                       values: dict[tuple[int, int], dict] | None = None, prepared: dict | None = None,
                       **kwargs) -> dict[tuple[int, int], Outcome] | None:
    """Recompute the units written, inline when few, from the figures the write hands over (`values`,
    see figures.signals; read when None); with `detail`, return what was computed (the evaluations
    with indicator detail) so the form need not evaluate again. Already done when `prepared` holds
    the answer of `on_figures_changing`'s step."""
    if prepared and on_figures_changing in prepared:
        return prepared[on_figures_changing]
    if len(unit_ids) * len(years) <= INLINE_LIMIT:
        keep: dict[tuple[int, int], Outcome] | None = {} if detail else None
        recompute_units(unit_ids, years, reason=LevelChange.Reason.FIGURES, keep=keep, raw=values)
        return keep
    run_or_enqueue(unit_ids=unit_ids, years=years, reason=LevelChange.Reason.FIGURES)
    return None


def on_set_published(sender, code: str, version: int, years: list[int], province: str = "", **kwargs) -> None:
    """A new version of a set (or a province's own version) recomputes every unit-year it covers."""
    schedule_recompute(province=province or None, years=years, reason=LevelChange.Reason.SET_VERSION)


def on_classification_changed(sender, unit_ids: list[int], years: list[int], **kwargs) -> None:
    """A unit's group, region or flags changed: its stored results for those years follow."""
    run_or_enqueue(unit_ids=unit_ids, years=years, reason=LevelChange.Reason.CLASSIFICATION)


@task
def recompute_task(unit_ids: list[int] | None = None, years: list[int] | None = None, province: str | None = None,
                   reason: str = LevelChange.Reason.RECOMPUTE) -> int:
    """Recompute some units × years, or a whole province / the country (unit_ids None)."""
    with requestid.activity("task"):
        if unit_ids is not None:
            return recompute_units(sorted(unit_ids), sorted(years or []), reason=reason)
        return recompute_all(province_code=province, years=years, reason=reason)


def schedule_recompute(*, province: str | None = None, years: list[int] | None = None,
                       unit_ids: list[int] | None = None, reason: str = LevelChange.Reason.RECOMPUTE) -> None:
    """A recompute of some units, a province or the country: now on the inline backend, else queued."""
    run_or_enqueue(unit_ids=unit_ids, years=years, province=province, reason=reason)


@task
def recompute_job_task(job_id: int) -> int:
    """Run a RecomputeJob, writing its progress (years done / total) as it goes."""
    job = RecomputeJob.objects.get(pk=job_id)
    job.status = RecomputeJob.Status.RUNNING
    job.save(update_fields=["status"])

    def progress(done: int, total: int) -> None:
        RecomputeJob.objects.filter(pk=job_id).update(done=done, total=total)

    try:
        with requestid.activity("task"):
            rows = recompute_all(province_code=job.province.code if job.province else None, years=job.years or None,
                                 reason=LevelChange.Reason.RECOMPUTE, progress=progress)
    except Exception as exc:  # the page must say it failed; the rerun is safe (idempotent)
        RecomputeJob.objects.filter(pk=job_id).update(status=RecomputeJob.Status.FAILED, message=str(exc)[:255],
                                                      finished_at=timezone.now())
        raise
    RecomputeJob.objects.filter(pk=job_id).update(status=RecomputeJob.Status.DONE, rows=rows, finished_at=timezone.now())
    return rows


@transaction.atomic
def start_recompute(user, province: Unit | None, years: list[int] | None = None) -> RecomputeJob:
    """Recompute a province (the province office) as one task, or the country (a national administrator)
    as one task per province (`start_national_recompute`); the job row reports its progress.
    Raises PermissionDenied."""
    if province is None:
        return start_national_recompute(user, years=years)
    if not can(user, province, "evaluations.recompute"):
        raise PermissionDenied("Bạn không có quyền tính lại kết quả của tỉnh này")
    job = RecomputeJob.objects.create(province=province, years=years or [], started_by=user)
    record(user, "evaluations.recompute", job, unit=province, after={"years": years or "tất cả"})
    transaction.on_commit(lambda: recompute_job_task.enqueue(job.pk))  # inline backend: runs right after commit
    return job


# --- The national recompute, split per province for any number of workers --------------------------
#
# One RecomputeJob (by_province) + one RecomputePart per province and code space, each run by its own
# task (`recompute_part_task`) on the tasks framework's queue. With NTM_TASKS=database every
# `manage.py db_worker` on any machine sharing the database takes tasks; django-tasks-db hands each
# queued task to one worker (SELECT … FOR UPDATE SKIP LOCKED). The part row is a second guard: a task
# runs only after claiming its part (one conditional UPDATE), so a task enqueued twice (a resume while
# the first is still queued) does the work once, and a part whose worker died (heartbeat older than
# settings.NTM_RECOMPUTE_LEASE seconds) can be taken again. recompute_all is idempotent and commits
# year by year, so re-running a part after a crash gives the same rows as an uninterrupted run.


def province_parts(province_code: str | None = None, legacy: bool | None = None) -> list[tuple[str, bool, str]]:
    """[(province code, legacy?, display name)]: the parts a national recompute splits into — every
    province code that has units under it, once for its pre-2025 units and once for its current units
    and hamlets (the two code spaces `recompute_all(legacy=…)` separates). Together they cover every
    unit with a province; optionally one code and one code space."""
    names = {(scheme, code): name for scheme, code, name in Unit.objects.filter(level=Unit.Level.PROVINCE)
             .values_list("scheme", "code", "full_name")}
    pairs = set()
    for code, scheme in Unit.objects.filter(province__isnull=False).values_list("province__code", "scheme").distinct():
        pairs.add((code, scheme == Unit.Scheme.LEGACY))
    out = []
    for code, is_legacy in sorted(pairs, key=lambda p: (p[0], not p[1])):
        if (province_code and code != province_code) or (legacy is not None and is_legacy != legacy):
            continue
        name = names.get((Unit.Scheme.LEGACY, code)) if is_legacy else (
            names.get((Unit.Scheme.CURRENT, code)) or names.get((Unit.Scheme.LEGACY, code)))
        out.append((code, is_legacy, f"{name or code} ({'trước 01/07/2025' if is_legacy else 'hiện hành'})"))
    return out


@transaction.atomic
def start_national_recompute(user, years: list[int] | None = None, legacy: bool | None = None,
                             province_code: str | None = None) -> RecomputeJob:
    """Queue a recompute of the country (optionally some years, one code space, one province code) as one
    task per province; `user` None is the command line. Returns the job (its parts are its progress).
    Raises PermissionDenied (not a national administrator), ValueError (nothing to recompute)."""
    if user is not None and not is_admin(user):
        raise PermissionDenied("Chỉ quản trị viên được tính lại toàn quốc")
    parts = province_parts(province_code, legacy)
    if not parts:
        raise ValueError(f"Không có tỉnh nào mã {province_code}" if province_code else "Chưa có đơn vị hành chính")
    job = RecomputeJob.objects.create(years=sorted(years or []), started_by=user, by_province=True, total=len(parts))
    RecomputePart.objects.bulk_create(RecomputePart(job=job, province_code=code, legacy=is_legacy, name=name)
                                      for code, is_legacy, name in parts)
    record(user, "evaluations.recompute", job, after={"years": years or "tất cả", "provinces": len(parts)})
    _enqueue_parts(list(job.parts.values_list("pk", flat=True)))
    return job


def _enqueue_parts(part_ids: list[int]) -> None:
    """Queue one task per part: with a database queue inside the caller's transaction (the job and its
    tasks commit together); inline, right after commit."""
    if _inline_backend():
        transaction.on_commit(lambda: [recompute_part_task.enqueue(pk) for pk in part_ids])
    else:
        for pk in part_ids:
            recompute_part_task.enqueue(pk)


@transaction.atomic
def resume_recompute(user, job: RecomputeJob) -> int:
    """Queue again every part of a national job that is not done (failed, never started, or taken by a
    worker that died): safe at any time, a part running on a live worker is left to it. Returns the
    number of parts queued. Raises PermissionDenied."""
    if user is not None and not is_admin(user):
        raise PermissionDenied("Chỉ quản trị viên được tính lại toàn quốc")
    ids = list(job.parts.exclude(status=RecomputeJob.Status.DONE).values_list("pk", flat=True))
    if ids:
        # failed parts become queued again now, not when a worker claims them: else the first resumed
        # part to finish would still count them as failed and end the job while they wait
        job.parts.filter(pk__in=ids, status=RecomputeJob.Status.FAILED).update(status=RecomputeJob.Status.QUEUED,
                                                                               message="", finished_at=None)
        RecomputeJob.objects.filter(pk=job.pk).update(status=RecomputeJob.Status.RUNNING, finished_at=None, message="",
                                                      failed=0)
        record(user, "evaluations.recompute_resume", job, after={"parts": len(ids)})
        _enqueue_parts(ids)
    return len(ids)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


@task
def recompute_part_task(part_id: int) -> int:
    """Recompute one province's part of a national job, if this worker can claim it (else 0: it is done,
    or a live worker has it). Returns the rows written; a failure is recorded on the part and re-raised."""
    now, worker = timezone.now(), worker_name()
    lease = timedelta(seconds=settings.NTM_RECOMPUTE_LEASE)
    claimable = Q(status__in=[RecomputeJob.Status.QUEUED, RecomputeJob.Status.FAILED]) | Q(
        status=RecomputeJob.Status.RUNNING, heartbeat_at__lt=now - lease)
    if not RecomputePart.objects.filter(claimable, pk=part_id).update(
            status=RecomputeJob.Status.RUNNING, attempts=F("attempts") + 1, worker=worker, heartbeat_at=now, message=""):
        return 0
    part = RecomputePart.objects.select_related("job").get(pk=part_id)
    RecomputeJob.objects.filter(pk=part.job_id, status=RecomputeJob.Status.QUEUED).update(status=RecomputeJob.Status.RUNNING)

    def progress(done: int, total: int) -> None:  # after each year: progress, and "this worker is alive"
        RecomputePart.objects.filter(pk=part_id, worker=worker).update(years_done=done, years_total=total,
                                                                       heartbeat_at=timezone.now())

    try:
        with requestid.activity("task"):
            rows = recompute_all(province_code=part.province_code, years=part.job.years or None, legacy=part.legacy,
                                 reason=LevelChange.Reason.RECOMPUTE, progress=progress)
    except Exception as exc:
        _finish_part(part_id, worker, RecomputeJob.Status.FAILED, message=str(exc))
        raise
    _finish_part(part_id, worker, RecomputeJob.Status.DONE, rows=rows)
    return rows


@transaction.atomic
def _finish_part(part_id: int, worker: str, status: str, rows: int = 0, message: str = "") -> None:
    """Record a part's end and recount its job. The job row is locked first, so parts finishing at the
    same moment on different workers are counted one after the other (none is lost)."""
    job_id = RecomputePart.objects.values_list("job_id", flat=True).get(pk=part_id)
    job = RecomputeJob.objects.select_for_update().get(pk=job_id)
    now = timezone.now()
    RecomputePart.objects.filter(pk=part_id, worker=worker).update(status=status, rows=rows, finished_at=now,
                                                                   message=message[:255])
    counts = dict(job.parts.values_list("status").annotate(n=Count("id")))
    job.done, job.failed = counts.get(RecomputeJob.Status.DONE, 0), counts.get(RecomputeJob.Status.FAILED, 0)
    job.rows = job.parts.filter(status=RecomputeJob.Status.DONE).aggregate(n=Sum("rows"))["n"] or 0
    if job.done + job.failed >= job.total:
        job.status = RecomputeJob.Status.FAILED if job.failed else RecomputeJob.Status.DONE
        job.finished_at = now
        job.message = "" if not job.failed else f"{job.failed}/{job.total} tỉnh lỗi"
    job.save(update_fields=["done", "failed", "rows", "status", "finished_at", "message"])


def unit_ref(unit: Unit) -> dict:
    return {"code": unit.code, "scheme": unit.scheme, "name": unit.full_name, "level": unit.level}


def live_evaluation(unit: Unit, year: int):
    """The engine's full answer for one unit and year from its stored figures (same path as recompute)."""
    outcome = live_outcome(unit, year)
    return outcome.result if outcome else None


def evaluate_stored_unit(unit: Unit, year: int) -> dict:
    """The unit's full evaluation from its stored figures, plus, for a province or district,
    the rollup of its communes' stored evaluations. Raises EvaluationError with the reason."""
    communes = communes_of(unit, year)
    if communes is None and not registry_covers(unit.level, year):
        raise EvaluationError(f"Không có bộ tiêu chí nào cho cấp '{unit.get_level_display()}' năm {year}")
    outcome = live_outcome(unit, year)
    if outcome is not None and outcome.result is None and communes is None:
        return {"unit": unit_ref(unit), "year": year, "set": outcome.set_code or None,
                "set_version": outcome.set_version or None, "level": None, "error": outcome.error}
    result = outcome.result if outcome else None
    if result is None and communes is None:
        raise EvaluationError(f"{unit.full_name} chưa có số liệu năm {year}")
    out = result.as_dict() if result else {"set": None, "year": year, "level": None, "criteria_met": None,
                                           "criteria_total": None, "criteria": [], "indicators": []}
    out["set_version"] = outcome.set_version if outcome else None
    out["unit"] = unit_ref(unit)
    if communes is not None:
        summaries = [
            Summary(e.unit_id, e.year, e.level, e.criteria_met, e.criteria_total, e.met)
            for e in Evaluation.objects.filter(unit__in=communes, year=year).only(
                "unit_id", "year", "level", "criteria_met", "criteria_total", "met")
        ]
        out["communes"] = (rollup(summaries, communes.count(), year_ladders([year])) or [None])[0]
    return out


def year_ladders(years, unit_level: str = "commune") -> dict[int, list]:
    """{year: the ladder of levels in force} (criteria.levels.Step lists) for these years."""
    specs = registry()
    return {y: ladder(specs, unit_level, y) for y in set(years)}


def registry_covers(level: str, year: int) -> bool:
    try:
        base_set_for(registry(), level, year)
    except EvaluationError:
        return False
    return True


def communes_of(unit: Unit, year: int | None = None):
    """The xã a district's or province's rollups count (None for other units), as a queryset: with
    `year`, only those in force on 1 January of that year (units.valid_in) — communes merged away in
    2019 or 2024 stay under their district as records of their time, and phường and thị trấn are not
    assessed against the commune sets. The API and the scorecard count with this one rule."""
    if unit.level == Unit.Level.DISTRICT:
        qs = Unit.objects.filter(parent=unit, level=Unit.Level.COMMUNE, kind="xã")
    elif unit.level == Unit.Level.PROVINCE:
        qs = Unit.objects.filter(province=unit, level=Unit.Level.COMMUNE, kind="xã")
    else:
        return None
    return qs if year is None else qs.filter(valid_in(year))


__all__ = ["district_rollup_values", "recompute_part_task", "resume_recompute", "start_national_recompute", "evaluate_stored_unit", "live_evaluation", "on_figures_changed",
           "recompute_task", "schedule_recompute"]
