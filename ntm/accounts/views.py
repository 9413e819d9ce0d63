"""Administrators manage users and their unit-scoped grants; every member reads its units' change log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import services
from .forms import AuditFilterForm, GrantForm, UserCreateForm
from .models import AuditEntry, Grant
from .scope import get_unit_for, is_admin, restrict


def _admin_only(request):
    if not is_admin(request.user):
        raise Http404  # outsiders do not learn the page exists


@login_required
def user_list(request):
    _admin_only(request)
    users = User.objects.order_by("username").prefetch_related("grants__unit")
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = services.create_user(request.user, username=d["username"], password=d["password"],
                                        full_name=d["full_name"], role=d["role"], unit=d["unit"])
        except ValidationError as exc:
            form.add_error("unit", exc)
        else:
            messages.success(request, _("Đã tạo người dùng %(username)s.") % {"username": user.username})
            return redirect("user_list")
    return render(request, "accounts/users.html", {"users": users, "form": form})


@login_required
def user_grants(request, pk: int):
    _admin_only(request)
    user = get_object_or_404(User, pk=pk)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and request.POST.get("delete"):
        services.revoke(request.user, get_object_or_404(Grant, pk=request.POST["delete"], user=user))
        messages.success(request, _("Đã thu hồi quyền."))
        return redirect("user_grants", pk=user.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant(request.user, user, form.cleaned_data["role"], form.cleaned_data["unit"])
        except ValidationError as exc:
            form.add_error("unit", exc)
        else:
            messages.success(request, _("Đã cấp quyền."))
            return redirect("user_grants", pk=user.pk)
    return render(request, "accounts/grants.html", {"subject": user, "grants": user.grants.select_related("unit"), "form": form})


@login_required
def audit_log(request, pk: int):
    """Nhật ký thay đổi of a unit and everything under it, newest first, filterable."""
    unit = get_unit_for(request, pk, "accounts.audit")
    entries = restrict(AuditEntry.objects.all(), request.user, "view").select_related("user", "unit")
    if unit.level == unit.Level.PROVINCE:
        entries = entries.filter(unit__province=unit) | entries.filter(unit=unit)
    elif unit.level == unit.Level.DISTRICT:
        entries = entries.filter(unit__parent=unit) | entries.filter(unit=unit) | entries.filter(unit__parent__parent=unit)
    else:
        entries = entries.filter(unit=unit) | entries.filter(unit__parent=unit)
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        d = form.cleaned_data
        if d.get("action"):
            entries = entries.filter(action__startswith=d["action"])
        if d.get("user"):
            entries = entries.filter(user__username__iexact=d["user"])
        if d.get("since"):
            entries = entries.filter(at__date__gte=d["since"])
        if d.get("until"):
            entries = entries.filter(at__date__lte=d["until"])
    page = Paginator(entries.order_by("-at", "-id"), 50).get_page(request.GET.get("trang"))
    return render(request, "accounts/audit.html", {"unit": unit, "page": page, "form": form,
                                                   "ancestors": unit.ancestors()})


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once a username has failed too often from one address
    (AXES_LOCKOUT_CALLABLE): a Vietnamese page in the site's layout, status 429."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else None
    return render(request, "registration/locked.html",
                  {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
                  status=settings.AXES_HTTP_RESPONSE_CODE)
