from django.urls import reverse

from ntm.accounts.scope import home_unit, is_admin


def nav(request):
    """The navbar: "Tổng quan" leads to the dashboard of a province or district office, to the unit's
    own page for a commune, a hamlet or a supervisor (dashboards are for provinces and districts)."""
    user = request.user
    if not user.is_authenticated:
        return {}
    unit = home_unit(user)
    home_url = None
    if unit is not None:
        dashboard = unit.level in (unit.Level.PROVINCE, unit.Level.DISTRICT)
        home_url = reverse("dashboard" if dashboard else "unit_detail", args=[unit.pk])
    return {"home_unit": unit, "home_url": home_url, "is_admin": is_admin(user)}
