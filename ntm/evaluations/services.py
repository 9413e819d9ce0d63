"""Keeping stored evaluations current, and reading one unit's evaluation.

- On `figures_changed` (sent inside the figures' write transaction) the units written are
  recomputed in the same transaction when few, or by a task on commit when many; a crash between
  the two is repaired by `manage.py recompute --stale` (or any recompute: they are idempotent).
- Publishing a criteria set version or changing a classification recomputes the units affected,
  as a task (`recompute_task`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from ntm.accounts.audit import record
from ntm.accounts.scope import can, is_admin
from ntm.core import requestid
from ntm.criteria.evaluate import EvaluationError, base_set_for
from ntm.criteria.levels import ladder
from ntm.criteria.loader import registry
from ntm.figures.live import live_outcome
from ntm.units.models import Unit

from .models import Evaluation, LevelChange, RecomputeJob
from .recompute import district_rollup_values, recompute_all, recompute_units
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


def on_figures_changed(sender, unit_ids: list[int], years: list[int], user=None, **kwargs) -> None:
    if len(unit_ids) * len(years) <= INLINE_LIMIT:
        recompute_units(unit_ids, years, reason=LevelChange.Reason.FIGURES)
    else:
        run_or_enqueue(unit_ids=unit_ids, years=years, reason=LevelChange.Reason.FIGURES)


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
    """Recompute a province (the province office) or the country (a national administrator) as a task;
    the job row reports its progress. Raises PermissionDenied."""
    if province is None:
        if not is_admin(user):
            raise PermissionDenied("Chỉ quản trị viên được tính lại toàn quốc")
    elif not can(user, province, "evaluations.recompute"):
        raise PermissionDenied("Bạn không có quyền tính lại kết quả của tỉnh này")
    job = RecomputeJob.objects.create(province=province, years=years or [], started_by=user)
    record(user, "evaluations.recompute", job, unit=province, after={"years": years or "tất cả"})
    transaction.on_commit(lambda: recompute_job_task.enqueue(job.pk))  # inline backend: runs right after commit
    return job


def unit_ref(unit: Unit) -> dict:
    return {"code": unit.code, "scheme": unit.scheme, "name": unit.full_name, "level": unit.level}


def live_evaluation(unit: Unit, year: int):
    """The engine's full answer for one unit and year from its stored figures (same path as recompute)."""
    outcome = live_outcome(unit, year)
    return outcome.result if outcome else None


def evaluate_stored_unit(unit: Unit, year: int) -> dict:
    """The unit's full evaluation from its stored figures, plus, for a province or district,
    the rollup of its communes' stored evaluations. Raises EvaluationError with the reason."""
    communes = communes_of(unit)
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


def communes_of(unit: Unit):
    if unit.level == Unit.Level.DISTRICT:
        return Unit.objects.filter(parent=unit, level=Unit.Level.COMMUNE)
    if unit.level == Unit.Level.PROVINCE:
        return Unit.objects.filter(province=unit, level=Unit.Level.COMMUNE)
    return None


__all__ = ["district_rollup_values", "evaluate_stored_unit", "live_evaluation", "on_figures_changed",
           "recompute_task", "schedule_recompute"]
