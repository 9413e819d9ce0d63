"""The landing page: signed-in users go to their own unit; everyone else sees what NTM is."""

from django.shortcuts import redirect, render

from ntm.accounts.scope import home_unit, is_admin
from ntm.criteria.models import CriteriaSet
from ntm.evaluations.models import Evaluation
from ntm.units.models import Unit


def home(request):
    """Signed-in users land on their own unit; everyone else sees what NTM is."""
    if request.user.is_authenticated:
        unit = home_unit(request.user)
        if unit and unit.level in (Unit.Level.PROVINCE, Unit.Level.DISTRICT):
            return redirect("dashboard", pk=unit.pk)
        if unit:
            return redirect("unit_detail", pk=unit.pk)
        if is_admin(request.user):
            return redirect("national")
    stats = {
        "provinces": Unit.objects.filter(scheme=Unit.Scheme.CURRENT, level=Unit.Level.PROVINCE).count(),
        "communes": Unit.objects.filter(scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE).count(),
        "legacy_communes": Unit.objects.filter(scheme=Unit.Scheme.LEGACY, level=Unit.Level.COMMUNE).count(),
        "sets": CriteriaSet.objects.filter(published=True).values("code").distinct().count(),
        "evaluations": Evaluation.objects.count(),
    }
    return render(request, "home.html", {"stats": stats})
