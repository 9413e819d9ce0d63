"""The admin site: every registered model's list opens for an administrator; a change made there is in
the audit log with before/after; services' data is read-only there."""

import pytest
from django.contrib import admin
from django.urls import reverse

from ntm.accounts.models import AuditEntry, Grant
from ntm.testing import login

WORLD_COMMUNES = 1
pytestmark = pytest.mark.django_db


def test_every_registered_model_lists_for_an_administrator(world):
    client = login("admin")
    registered = [m for m in admin.site._registry if m._meta.app_label in {"units", "accounts", "figures", "evaluations",
                                                                         "criteria", "reports"}]
    assert len(registered) >= 10
    for model in registered:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_a_grant_changed_on_the_admin_site_is_audited(world):
    grant = Grant.objects.get(user__username="xem")
    url = reverse("admin:accounts_grant_change", args=[grant.pk])
    r = login("admin").post(url, {"user": grant.user_id, "unit": grant.unit_id, "role": "supervisor"})
    assert r.status_code == 302
    entry = AuditEntry.objects.get(action="admin.change", object_id=str(grant.pk))
    assert entry.before["role"] == "viewer" and entry.after["role"] == "supervisor" and entry.user.username == "admin"


def test_figures_cannot_be_edited_on_the_admin_site(world):
    client = login("admin")
    assert client.get(reverse("admin:figures_figure_add")).status_code == 403
    assert client.get(reverse("admin:figures_period_add")).status_code == 403
