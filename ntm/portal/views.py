"""Public, read-only pages (no sign-in, phone first): the country, a province, a commune; lessons,
news, OCOP products, emulation; residents' feedback (form, tracking, answers).

Only what is public is read: stored evaluations (levels "theo số liệu", criteria met — never raw
figures or their history), moderated feedback with the commune's answer (never contact, address or
the name of whoever answered), published news, public lessons and products, commendations (names of
households and persons only when the decision may be published). Numbers come from the same helpers
as the signed-in dashboards (`evaluations.scorecard.progress`, `reports.views.province_table`,
`reports.views.commune_scopes`).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.cache import never_cache

from ntm.community import rules as community_rules
from ntm.community.forms import FeedbackForm
from ntm.community.models import Campaign, Commendation, CulturalTitle, Feedback
from ntm.community.services import SpamRefused, issue_challenge, submit_feedback, titles_by_year
from ntm.criteria.loader import registry
from ntm.criteria.spec import LEVEL_LABELS
from ntm.evaluations.models import Evaluation
from ntm.evaluations.scorecard import progress, trend
from ntm.ocop import stars as ocop_rules
from ntm.ocop.models import OcopProduct
from ntm.practices import services as practices
from ntm.recognition.services import recognised_levels
from ntm.reports.views import commune_scopes, province_table
from ntm.units.models import REFORM_DATE, Unit

from .cache import cached_page

CODE = re.compile(r"[\w.-]{1,64}")
PUBLIC_FEEDBACK = Q(moderation=community_rules.APPROVED)


def clean_code(value: str) -> str:
    """A unit or criterion code from the address bar, or "" (PostgreSQL refuses NUL bytes: never a 500)."""
    value = (value or "").strip()
    return value if CODE.fullmatch(value) else ""


def _unit(code: str, legacy: bool = False) -> Unit:
    if not clean_code(code):
        raise Http404("Không tìm thấy đơn vị")
    scheme = Unit.Scheme.LEGACY if legacy else Unit.Scheme.CURRENT
    unit = Unit.objects.select_related("parent", "province").filter(
        scheme=scheme, code=code, level__in=[Unit.Level.PROVINCE, Unit.Level.DISTRICT, Unit.Level.COMMUNE]).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị")
    return unit


def unit_url(unit: Unit) -> str:
    name = "portal:legacy_unit" if unit.scheme == Unit.Scheme.LEGACY else "portal:unit"
    return reverse(name, args=[unit.code])


def disclosure_path(unit: Unit) -> str | None:
    """The contributions disclosure page (funding app) of a current commune, when the path resolves."""
    if unit.level != Unit.Level.COMMUNE or unit.scheme != Unit.Scheme.CURRENT:
        return None
    path = f"/cong-khai/don-vi/{unit.code}/nguon-luc/"
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return path if match.url_name == "disclosure" else None


def recognised_counts(communes, year: int) -> dict:
    """{"ntm": how many of `communes` (a queryset) are recognised NTM or above by a decision in force in
    `year`, "year"} — beside the count "theo số liệu" (`recognition.services.recognised_levels`)."""
    return {"ntm": len(recognised_levels(communes.values("pk"), year)), "year": year}


def recognised_level(unit: Unit, year: int) -> str:
    """The label of the highest level a commune holds by a decision in force in `year`, or ""."""
    level = recognised_levels([unit.pk], year).get(unit.pk)
    return LEVEL_LABELS.get(level, level) if level else ""


def satisfaction_results(unit: Unit) -> list[dict]:
    """HOOK(recognition): residents' satisfaction survey results per year (recorded in recognition
    dossiers, SatisfactionSurvey of program-rules.md §7.4), once the recognition app exists."""
    return []


def _latest(history: list[dict]) -> dict | None:
    return history[-1] if history else None


def _news(units=None, limit=6):
    qs = practices.public_news()
    if units is not None:
        qs = qs.filter(unit__in=units)
    return qs[:limit]


@cached_page
def home(request):
    """The country: communes by level per year across the 2025 reform, provinces, latest posts."""
    communes = Unit.objects.filter(level=Unit.Level.COMMUNE, kind="xã")
    legacy, current = communes.filter(scheme=Unit.Scheme.LEGACY), communes.filter(scheme=Unit.Scheme.CURRENT)
    history = progress(legacy, current)
    latest = _latest(history)
    provinces, totals = province_table(latest["year"]) if latest else ([], {})
    recognised = recognised_counts(_communes_of(latest["year"], legacy, current), latest["year"]) if latest else None
    return render(request, "portal/home.html", {
        "history": history, "latest": latest, "provinces": [p for p in provinces if p["evaluated"]],
        "totals": totals, "news": _news(), "lessons": practices.public_practices()[:4],
        "ocop": OcopProduct.objects.filter(public=True, status=ocop_rules.IN_FORCE).count(),
        "answered": Feedback.objects.filter(PUBLIC_FEEDBACK, status__in=["answered", "closed"]).count(),
        "reform": REFORM_DATE, "recognised": recognised})


def _communes_of(year: int, legacy, current):
    """The communes a rollup of `year` counts: the pre-2025 ones up to the reform year, the new ones after."""
    return current if year > REFORM_DATE.year else legacy


def _region_context(unit: Unit) -> dict:
    every = Unit.objects.all()
    legacy, current = commune_scopes(None, unit, visible=every)
    history = progress(legacy, current)
    ids = list(current.values_list("pk", flat=True)) + list(legacy.values_list("pk", flat=True))
    area = Unit.objects.filter(Q(pk=unit.pk) | Q(pk__in=ids))
    children, recognised = [], None
    if history:
        year = history[-1]["year"]
        scope = _communes_of(year, legacy, current)
        recognised = recognised_counts(scope, year)
        if unit.level == Unit.Level.PROVINCE and unit.scheme == Unit.Scheme.CURRENT:
            children = list(Evaluation.objects.filter(unit__in=scope, year=year).select_related("unit")
                            .order_by("-criteria_met", "unit__search_name")[:400])
    return {"history": history, "latest": _latest(history), "children": children, "area": area,
            "recognised": recognised}


def _commune_context(unit: Unit) -> dict:
    series = trend(unit)
    evals = {e.year: e for e in Evaluation.objects.filter(unit=unit)}
    year = max(evals) if evals else None
    ev = evals.get(year)
    criteria = []
    if ev:
        spec = registry().get(ev.set_code)
        names = {c.code: c.name for c in spec.criteria} if spec else {}
        criteria = [{"code": code, "name": names.get(code, ""), "met": met, "set": ev.set_code}
                    for code, met in ev.met.items()]
    preds = Unit.objects.filter(successor_links__target=unit)
    area = Unit.objects.filter(Q(pk=unit.pk) | Q(pk__in=preds.values("pk")))
    return {"series": series, "evaluation": ev, "year": year, "criteria": criteria, "area": area,
            "recognised": recognised_level(unit, year or dt.date.today().year),
            "predecessors": preds, "successors": Unit.objects.filter(predecessor_links__source=unit)}


@cached_page
def unit(request, code: str, legacy: bool = False):
    u = _unit(code, legacy)
    context = {"unit": u, "levels": LEVEL_LABELS, "reform": REFORM_DATE,
               "satisfaction": satisfaction_results(u),
               "disclosure": disclosure_path(u) if not legacy else None,
               "ancestors": u.ancestors()}
    if u.level == Unit.Level.COMMUNE:
        context.update(_commune_context(u))
    else:
        context.update(_region_context(u))
    area = context["area"]
    scope = Q(unit__in=area) | Q(unit__parent__in=area) | Q(unit__province__in=area)
    context.update({
        "products": OcopProduct.objects.filter(scope, public=True).select_related("unit")[:12],
        "news": practices.public_news().filter(scope)[:6],
        "lessons": practices.public_practices().filter(scope)[:6],
        "feedback": Feedback.objects.filter(PUBLIC_FEEDBACK).filter(scope).select_related("unit")[:8]
        if u.level == Unit.Level.COMMUNE else [],
        "commendations": Commendation.objects.filter(scope, proposal=False).select_related("campaign")[:8],
        "titles": sorted(titles_by_year(area.values("pk")).items(), reverse=True)[:5],
        "title_names": dict(community_rules.choices("titles")),
    })
    return render(request, "portal/unit.html", context)


@cached_page
def lessons(request):
    qs = practices.public_practices()
    q = request.GET.get("q", "").strip()
    set_code, criterion = clean_code(request.GET.get("set", "")), clean_code(request.GET.get("criterion", ""))
    note = ""
    if q:
        qs = practices.search(qs, q)
    if set_code and criterion:
        tagged = practices.for_criterion(qs, set_code, criterion)
        if tagged.exists():
            qs = tagged
        else:
            note = "Chưa có bài học gắn với tiêu chí này; dưới đây là các bài học khác."
    page = Paginator(qs, 20).get_page(request.GET.get("trang"))
    return render(request, "portal/lessons.html", {"page": page, "q": q, "note": note,
                                                   "criterion": criterion, "set": set_code})


@cached_page
def lesson(request, pk: int):
    p = get_object_or_404(practices.public_practices(), pk=pk)
    return render(request, "portal/lesson.html", {"p": p, "refs": p.criteria.split(),
                                                  "news": p.news.filter(published=True)[:5]})


@cached_page
def news_list(request):
    qs = practices.public_news()
    q = request.GET.get("q", "").strip()
    if q:
        qs = practices.search(qs, q)
    page = Paginator(qs, 20).get_page(request.GET.get("trang"))
    return render(request, "portal/news_list.html", {"page": page, "q": q})


@cached_page
def news(request, pk: int):
    post = get_object_or_404(practices.public_news(), pk=pk)
    campaign = Campaign.objects.filter(code=post.campaign_code).first() if post.campaign_code else None
    return render(request, "portal/news.html", {"post": post, "lessons": post.lessons.filter(public=True),
                                                "campaign": campaign, "refs": post.criteria.split()})


@cached_page
def products(request):
    qs = OcopProduct.objects.filter(public=True).select_related("unit")
    code = clean_code(request.GET.get("don-vi", ""))
    place = None
    if code:
        place = Unit.objects.filter(scheme=Unit.Scheme.CURRENT, code=code).first()
        if place:
            qs = qs.filter(Q(unit=place) | Q(unit__province=place) | Q(unit__parent=place))
    stars = request.GET.get("sao", "")
    if stars.isdigit():
        qs = qs.filter(stars=int(stars))
    counts = dict(qs.values_list("stars").annotate(n=Count("id")).order_by())
    page = Paginator(qs, 24).get_page(request.GET.get("trang"))
    return render(request, "portal/products.html", {"page": page, "place": place, "counts": sorted(counts.items(), reverse=True),
                                                    "stars": stars, "code": code})


@cached_page
def product(request, pk: int):
    p = get_object_or_404(OcopProduct.objects.filter(public=True).select_related("unit"), pk=pk)
    return render(request, "portal/product.html", {"p": p, "status": OcopProduct.Status(p.status_today()).label})


@cached_page
def feedback_list(request):
    qs = Feedback.objects.filter(PUBLIC_FEEDBACK).select_related("unit")
    code = clean_code(request.GET.get("don-vi", ""))
    if code:
        qs = qs.filter(unit__code=code, unit__scheme=Unit.Scheme.CURRENT)
    page = Paginator(qs, 20).get_page(request.GET.get("trang"))
    return render(request, "portal/feedback_list.html", {"page": page, "states": community_rules.STATES, "code": code})


@cached_page
def feedback(request, pk: int):
    fb = get_object_or_404(Feedback.objects.filter(PUBLIC_FEEDBACK).select_related("unit"), pk=pk)
    return render(request, "portal/feedback.html", {"fb": fb, "states": community_rules.STATES})


def _client_address(request) -> str:
    """The sender's address for the rate limit. Behind a proxy (production), settings.NTM_CLIENT_IP_HEADER
    names the header the proxy sets (e.g. HTTP_X_FORWARDED_FOR); its last entry is the one the proxy
    saw, so a client cannot forge it by sending the header itself."""
    header = getattr(settings, "NTM_CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@never_cache
def feedback_form(request, code: str):
    """The feedback form of a commune (not cached: it carries a CSRF token and a fresh challenge)."""
    u = _unit(code)
    if u.level != Unit.Level.COMMUNE:
        raise Http404("Ý kiến gửi về một xã")
    form = FeedbackForm(request.POST or None, initial={"challenge": issue_challenge(),
                                                      "subject": request.GET.get("ve", "unit"),
                                                      "criterion": clean_code(request.GET.get("tieu-chi", ""))})
    error = ""
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                fb = submit_feedback(u, title=d["title"], body=d["body"], subject=d["subject"], criterion=d["criterion"],
                                     project=d["project"], author_name=d["author_name"], show_name=d["show_name"],
                                     contact=d["contact"], address=_client_address(request), challenge=d["challenge"],
                                     nonce=d["nonce"])
            except SpamRefused as exc:
                error = str(exc)
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                return redirect("portal:feedback_track", token=fb.token)
        data = form.data.copy()
        data["challenge"], data["nonce"] = issue_challenge(), ""  # a fresh challenge for the next try
        form.data = data
    spec = _criteria_names(u)
    return render(request, "portal/feedback_form.html", {
        "unit": u, "form": form, "error": error, "criteria": spec,
        "bits": community_rules.spam_rules().pow_bits}, status=429 if error.startswith("Địa chỉ") else
        (422 if request.method == "POST" else 200))


def _criteria_names(u: Unit) -> list[tuple[str, str]]:
    ev = Evaluation.objects.filter(unit=u).order_by("-year").first()
    spec = registry().get(ev.set_code) if ev else None
    return [(c.code, c.name) for c in spec.criteria] if spec else []


@never_cache
def feedback_track(request, token: str):
    """What the sender sees with their private link: their text, its state, and the answer."""
    if not re.fullmatch(r"[\w-]{1,32}", token):
        raise Http404("Không tìm thấy ý kiến")
    fb = get_object_or_404(Feedback.objects.select_related("unit"), token=token)
    return render(request, "portal/feedback_track.html", {"fb": fb, "states": community_rules.STATES,
                                                          "moderation": community_rules.MODERATION})


@cached_page
def emulation(request):
    campaigns = Campaign.objects.filter(parent__isnull=True).prefetch_related("plans")
    rows = Commendation.objects.filter(proposal=False).select_related("unit", "campaign")
    year = request.GET.get("nam", "")
    if year.isdigit():
        rows = rows.filter(decision_date__year=int(year))
    years = sorted({d.year for d in Commendation.objects.filter(proposal=False).dates("decision_date", "year")}, reverse=True)
    titles = CulturalTitle.objects.values("year", "title").annotate(n=Count("unit")).order_by("-year")
    return render(request, "portal/emulation.html", {
        "campaigns": campaigns, "rows": rows[:100], "years": years, "year": year,
        "titles": sorted(titles_by_year(CulturalTitle.objects.values("unit")).items(), reverse=True)[:6],
        "title_rows": titles, "title_names": dict(community_rules.choices("titles"))})
