"""The scorecard of a unit: criteria met, indicators against thresholds, level, gaps, trend."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ntm.accounts.scope import get_object_for, get_unit_for, is_admin, units_for
from ntm.core.params import year_param
from ntm.figures.models import Period
from ntm.figures.views import entry_open
from ntm.units.models import Unit

from .models import RecomputeJob, RecomputePart
from .scorecard import reform_mark, scorecard, years_of
from .services import registry_covers, resume_recompute, start_national_recompute, start_recompute

ENTRY_UNTIL = 2026  # the latest reporting year offered for a unit with no figures yet


def pick_year(request, years: list[int]) -> int | None:
    year = year_param(request, None)
    if year in years:
        return year
    return years[-1] if years else None


@login_required
def unit_detail(request, pk: int):
    unit = get_unit_for(request, pk)
    years = years_of(unit)
    year = pick_year(request, years)
    ancestors = unit.ancestors()
    predecessors = list(Unit.objects.filter(successor_links__target=unit).order_by("code"))
    successors = list(Unit.objects.filter(predecessor_links__source=unit).order_by("code"))
    related = [u.pk for u in [*ancestors, *predecessors, *successors]]
    context = {"unit": unit, "years": years, "year": year, "ancestors": ancestors,
               "predecessors": predecessors, "successors": successors,
               # names of units the reader may not open are shown without a link
               "visible_ids": set(units_for(request.user).filter(pk__in=related).values_list("pk", flat=True)),
               "can_edit": year is not None and entry_open(request.user, unit, year),
               "closed": year is not None and Period.is_closed(unit, year),
               "reform": reform_mark(),
               "entry_year": next((y for y in range(ENTRY_UNTIL, 2009, -1) if registry_covers(unit.level, y)), None)}
    if year is None and context["entry_year"] and not entry_open(request.user, unit, context["entry_year"]):
        context["entry_year"] = None
    if year is not None:
        context.update(scorecard(unit, year))
        history = [r["year"] for r in (context.get("rollup") or {}).get("history", [])]
        context["reform"]["crossed"] = bool(history) and history[0] < context["reform"]["year"] <= history[-1]
        now = (context.get("rollup") or {}).get("now")
        if now:
            shares = sorted(now["criteria_share"].items(), key=lambda kv: kv[1])[:3]
            context["weakest"] = [(code, round(share * 100)) for code, share in shares]
    return render(request, "units/detail.html", context)


@login_required
def recompute(request, pk: int):
    """Start a province's recompute (POST) and go to its progress page."""
    from django.http import HttpResponseNotAllowed
    from django.shortcuts import redirect

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    unit = get_unit_for(request, pk, "evaluations.recompute")
    job = start_recompute(request.user, unit if unit.level == Unit.Level.PROVINCE else unit.province)
    return redirect("recompute_job", pk=job.pk)


@login_required
@require_POST
def recompute_national(request):
    """Start a national recompute (a national administrator): one task per province."""
    if not is_admin(request.user):
        raise Http404
    return redirect("recompute_job", pk=start_national_recompute(request.user).pk)


@login_required
@require_POST
def recompute_resume(request, pk: int):
    """Queue again the provinces of a national recompute that are not done (a national administrator)."""
    if not is_admin(request.user):
        raise Http404
    job = get_object_for(request, RecomputeJob.objects.filter(by_province=True), pk)
    resume_recompute(request.user, job)
    return redirect("recompute_job", pk=job.pk)


def stalled(part: RecomputePart) -> bool:
    """A part held by a worker that stopped renewing its lease (settings.NTM_RECOMPUTE_LEASE): dead."""
    lease = timedelta(seconds=settings.NTM_RECOMPUTE_LEASE)
    return part.status == RecomputeJob.Status.RUNNING and (
        part.heartbeat_at is None or part.heartbeat_at < timezone.now() - lease)


@login_required
def recompute_job(request, pk: int):
    """A recompute's progress; the page polls itself (htmx) while the task runs. A national job lists
    its provinces that are running or failed."""
    job = get_object_for(request, RecomputeJob.objects.select_related("province"), pk)
    template = "evaluations/_job.html" if request.htmx else "evaluations/job.html"
    parts = list(job.parts.exclude(status__in=[RecomputeJob.Status.DONE, RecomputeJob.Status.QUEUED])) if job.by_province else []
    return render(request, template, {"job": job, "parts": parts,
                                      "can_resume": job.by_province and is_admin(request.user) and (
                                          job.status == RecomputeJob.Status.FAILED or any(map(stalled, parts)))})
