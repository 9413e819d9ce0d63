"""Pages of the resources ledger: entries and totals per unit, reversing entries, contributors,
residents' decisions, disclosures, Excel export/import; community projects and their supervision
boards; and the public disclosure page (no sign-in). Objects come through the scope (404 outsider,
403 read-only); writes go through services."""

from __future__ import annotations

import base64
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from ntm.accounts.pages import unit_list
from ntm.accounts.scope import can, get_object_for, get_unit_for
from ntm.core.pages import flash_errors, flash_form_errors, submit
from ntm.units.models import Unit

from . import excel, services
from .config import rules
from .forms import (
    BoardForm,
    CeilingForm,
    ContributorForm,
    DecisionForm,
    DisclosureForm,
    EntryForm,
    FollowUpForm,
    ImportForm,
    InspectionForm,
    ProjectForm,
    ProjectTypeForm,
    ReverseForm,
)
from .models import (
    Ceiling,
    CommunityProject,
    Contribution,
    Contributor,
    Disclosure,
    ProjectType,
    Request,
    ResidentDecision,
)
from .selectors import by_unit, disclosure, projects, summary, unit_ledger

EDIT = services.EDIT
MAX_IMPORT = 5_000_000  # bytes; the previewed file waits in the session until confirmed
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request) -> int | None:
    raw = request.GET.get("nam", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


@login_required
def ledger(request, pk: int):
    unit = get_unit_for(request, pk)
    refused: dict[str, forms.Form] = {}
    if request.method == "POST":
        refused = _post_ledger(request, pk)
        if not refused:
            return redirect("funding:ledger", pk=unit.pk)
    year = _year(request)
    rows = unit_ledger(unit, year).select_related("contributor", "project", "task").order_by("-date", "-pk")
    years = sorted(set(unit_ledger(unit).values_list("year", flat=True)))
    reversed_ids = set(Contribution.objects.filter(reverses__in=rows).values_list("reverses_id", flat=True))
    return render(request, "funding/ledger.html", {
        "unit": unit, "year": year, "years": years, "rows": rows[:500], "reversed_ids": reversed_ids,
        "summary": summary(unit, year), "can_edit": can(request.user, unit, EDIT),
        "by_unit": by_unit(unit, year) if unit.level in (Unit.Level.PROVINCE, Unit.Level.DISTRICT) else [],
        "entry_form": EntryForm(unit=unit, initial={"date": dt.date.today()}), "contributor_form": ContributorForm(),
        "decision_form": DecisionForm(), "disclosure_form": DisclosureForm(initial={"year": year or dt.date.today().year}),
        **refused,  # a refused form again, with what was typed and its errors
        "decisions": ResidentDecision.objects.filter(unit=unit)[:50],
        "contributors": Contributor.objects.filter(unit=unit)[:200],
        "disclosures": Disclosure.objects.filter(unit=unit)[:20], "labels": {s.code: s.label for s in rules().sources},
        "exemptions": rules().exemptions, "agreement": rules().agreement_share, "import_form": ImportForm(),
    }, status=400 if refused else 200)


def _post_ledger(request, pk: int) -> dict[str, forms.Form]:
    """One of the ledger page's forms, written through its service. Returns {} when written (or the
    action is unknown), else {"<what>_form": the bound form} for the page to show again with what the
    user typed and the reasons (also as messages)."""
    unit = get_unit_for(request, pk, EDIT)
    what = request.POST.get("what")
    form = None
    try:
        if what == "entry":
            form = EntryForm(request.POST, unit=unit)
            if form.is_valid():
                d = form.cleaned_data
                row = services.add_entry(request.user, unit, services.EntryInput(
                    source=d["source"], date=d["date"], amount=d["amount"], quantity=d["quantity"], rate=d["rate"],
                    contributor=d["contributor"], project=d["project"], work=d["work"], decision=d["decision"],
                    obligation=d["obligation"], note=d["note"]))
                messages.success(request, "Đã ghi khoản huy động")
                if row.flagged:
                    messages.warning(request, row.flagged)
            else:
                flash_form_errors(request, form)
        elif what == "contributor":
            form = ContributorForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                services.save_contributor(request.user, unit, d["name"], d["kind"], exemption=d["exemption"],
                                          public_consent=d["public_consent"])
                messages.success(request, "Đã thêm người đóng góp")
            else:
                flash_form_errors(request, form)
        elif what == "decision":
            form = DecisionForm(request.POST)
            if form.is_valid():
                row = services.record_decision(request.user, unit, **form.cleaned_data)
                if row.passed:
                    messages.success(request, "Đã ghi cuộc họp dân: đủ tỷ lệ đồng ý")
                else:
                    messages.warning(request, "Đã ghi cuộc họp dân nhưng chưa đủ tỷ lệ đồng ý: không thể huy động theo quyết định này")
                if row.over_ceiling:
                    messages.warning(request, "Mức đóng góp mỗi hộ vượt mức trần của tỉnh: cần xem lại")
            else:
                flash_form_errors(request, form)
        elif what == "disclosure":
            form = DisclosureForm(request.POST)
            if form.is_valid():
                services.disclose(request.user, unit, **form.cleaned_data)
                messages.success(request, "Đã ghi việc công khai")
            else:
                flash_form_errors(request, form)
        else:
            messages.error(request, "Thao tác không hợp lệ")
        if form is None or form.is_valid():
            return {}
    except services.EntryRefused as exc:
        for e in exc.errors:
            messages.error(request, e)
    except ValidationError as exc:
        flash_errors(request, exc)
    return {f"{what}_form": form}


@login_required
def reverse(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    entry = get_object_for(request, Contribution.objects.select_related("unit"), pk, EDIT)
    submit(request, ReverseForm(request.POST), lambda d: services.reverse(request.user, entry, d["reason"]),
           "Đã ghi bút toán đảo")
    return redirect("funding:ledger", pk=entry.unit_id)


@login_required
def export(request, pk: int):
    unit = get_unit_for(request, pk)
    year = _year(request)
    rows = unit_ledger(unit, year).select_related("contributor", "project").order_by("date", "pk")
    response = HttpResponse(excel.ledger_workbook(unit, rows, summary(unit, year)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="so-huy-dong-{unit.code}{"-" + str(year) if year else ""}.xlsx"'
    return response


@login_required
def import_entries(request, pk: int):
    """GET: the template. POST a file: every row checked; with no error, a preview of what would be
    written (the file kept in the session); POST "confirm": written all-or-nothing through the service."""
    unit = get_unit_for(request, pk, EDIT)
    if request.method != "POST":
        response = HttpResponse(excel.template(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="mau-nhap-dong-gop.xlsx"'
        return response
    key = f"funding-import-{unit.pk}"
    if request.POST.get("confirm"):
        stored = request.session.pop(key, None)
        if not stored:
            messages.error(request, "Hết phiên xem trước: hãy tải tệp lên lại")
            return redirect("funding:ledger", pk=unit.pk)
        data = base64.b64decode(stored)
    else:
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            flash_form_errors(request, form)
            return redirect("funding:ledger", pk=unit.pk)
        data = form.cleaned_data["file"].read(MAX_IMPORT + 1)
        if len(data) > MAX_IMPORT:
            messages.error(request, "Tệp quá lớn (tối đa 5 MB): hãy chia thành nhiều tệp")
            return redirect("funding:ledger", pk=unit.pk)
    entries, where, errors = excel.read(data, unit)
    if not errors and not request.POST.get("confirm"):
        request.session[key] = base64.b64encode(data).decode()
        labels = {s.code: s.label for s in rules().sources}
        return render(request, "funding/import_preview.html", {"unit": unit, "rows": [
            {"where": w, "e": e, "label": labels.get(e.source, e.source)} for w, e in zip(where, entries, strict=True)]})
    if not errors:
        try:
            services.add_entries(request.user, unit, entries, where=where)
        except services.EntryRefused as exc:
            errors = exc.errors
    if errors:
        messages.error(request, f"Không ghi dòng nào: {len(errors)} lỗi")
        for e in errors[:50]:
            messages.error(request, e)
    else:
        messages.success(request, f"Đã nhập {len(entries)} khoản huy động")
    return redirect("funding:ledger", pk=unit.pk)


@login_required
def project_list(request, pk: int):
    return unit_list(
        request, pk, action=EDIT, form=lambda data, unit: ProjectForm(data, unit=unit),
        create=services.create_project, created="Đã ghi dự án", detail="funding:project",
        template="funding/projects.html",
        context=lambda unit: {"projects": projects(unit), "form": ProjectForm(unit=unit), "cap": rules().project_cap})


@login_required
def project(request, pk: int):
    obj = get_object_for(request, CommunityProject.objects.select_related("unit", "type"), pk)
    refused: dict[str, forms.Form] = {}
    if request.method == "POST":
        what = request.POST.get("what")
        form = None
        try:
            if what == "board":
                obj = get_object_for(request, CommunityProject.objects.select_related("unit"), pk, EDIT)
                form = BoardForm(request.POST)
                if form.is_valid():
                    members = []
                    for line in form.cleaned_data["members"].splitlines():
                        if line.strip():
                            name, _, role = line.partition(";")
                            members.append((name.strip(), role.strip() or "member"))
                    services.elect_board(request.user, obj, elected_on=form.cleaned_data["elected_on"],
                                         meeting=form.cleaned_data["meeting"], members=members)
                    messages.success(request, "Đã ghi ban giám sát")
                else:
                    flash_form_errors(request, form)
            elif what == "inspection":
                obj = get_object_for(request, CommunityProject.objects.select_related("unit"), pk, services.SUPERVISE)
                form = InspectionForm(request.POST)
                if form.is_valid() and hasattr(obj, "board"):
                    d = form.cleaned_data
                    inspection = services.inspect(request.user, obj.board, date=d["date"], content=d["content"],
                                                  findings=d["findings"])
                    if d["request_text"].strip():
                        services.make_request(request.user, inspection, text=d["request_text"],
                                              addressed_to=d["addressed_to"] or "UBND xã")
                    messages.success(request, "Đã ghi đợt giám sát")
                elif not hasattr(obj, "board"):
                    messages.error(request, "Dự án chưa có ban giám sát")
                else:
                    flash_form_errors(request, form)
            elif what == "follow_up":
                obj = get_object_for(request, CommunityProject.objects.select_related("unit"), pk, EDIT)
                row = get_object_for(request, Request.objects.filter(inspection__board__project=obj),
                                     request.POST.get("request"), EDIT)
                form = FollowUpForm(request.POST)
                if form.is_valid():
                    services.follow_up(request.user, row, **form.cleaned_data)
                    messages.success(request, "Đã ghi kết quả xử lý kiến nghị")
                else:
                    flash_form_errors(request, form)
            else:
                messages.error(request, "Thao tác không hợp lệ")
        except ValidationError as exc:
            flash_errors(request, exc)
            if form is not None:
                form.add_error(None, exc.messages)
        if form is None or not form.errors:
            return redirect("funding:project", pk=obj.pk)
        # refused: the page again, the form as typed
        refused = {{"board": "board_form", "inspection": "inspection_form", "follow_up": "follow_form"}[what]: form}
        if what == "follow_up":
            refused["follow_for"] = row.pk  # the request whose answer was refused
    board = getattr(obj, "board", None)
    return render(request, "funding/project.html", {
        "project": obj, "unit": obj.unit, "board": board, "can_edit": can(request.user, obj.unit, EDIT),
        "can_supervise": can(request.user, obj.unit, services.SUPERVISE), "board_form": BoardForm(),
        "inspection_form": InspectionForm(), "follow_form": FollowUpForm(),
        "mobilised": sum((c.value for c in obj.contributions.all()), 0),
        "spent": sum((e.amount for e in obj.expenditures.all()), 0), "limits": rules(), **refused,
    }, status=400 if refused else 200)


@login_required
def settings(request, pk: int):
    """The province's own values: the ceiling per household and the list of project types."""
    unit = get_unit_for(request, pk)
    province = unit if unit.level == Unit.Level.PROVINCE else unit.province
    if province is None:
        raise Http404("Không có tỉnh")
    refused = {}
    if request.method == "POST":
        province = get_unit_for(request, province.pk, services.SETTINGS)
        if request.POST.get("what") == "ceiling":
            key, form = "ceiling_form", CeilingForm(request.POST)
            submit(request, form,
                   lambda d: services.set_ceiling(request.user, province, d["year_from"], d["amount"], d["decision"]),
                   "Đã ghi")
        else:
            key, form = "type_form", ProjectTypeForm(request.POST)
            submit(request, form,
                   lambda d: services.set_project_type(request.user, province, d["code"], d["name"], d["decision"]),
                   "Đã ghi")
        if not form.errors:
            return redirect("funding:settings", pk=unit.pk)
        refused = {key: form}
    return render(request, "funding/settings.html", {
        "unit": unit, "province": province, "ceilings": Ceiling.objects.filter(province=province).order_by("year_from"),
        "types": ProjectType.objects.filter(province=province).order_by("code"),
        "can_edit": can(request.user, province, services.SETTINGS), "ceiling_form": CeilingForm(),
        "type_form": ProjectTypeForm(), "rules": rules(), **refused,  # a refused form again, as typed
    }, status=400 if refused else 200)


def public_disclosure(request, code: str):
    """Public (no sign-in): what a commune mobilised and spent, per project and source, as disclosed
    (date and place), with its predecessors' disclosures before the 2025 merger. Contributors are
    named only with their consent."""
    unit = Unit.objects.filter(scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE, code=code).first()
    if unit is None:
        raise Http404("Không có xã này")
    history = [(pred, disclosure(pred)) for pred in unit.predecessors.all().order_by("code")]
    return render(request, "funding/disclosure.html", {
        "unit": unit, "disclosures": disclosure(unit), "history": [(p, d) for p, d in history if d],
    })
