"""`.restrict(user, action)` for every model that belongs to a unit.

A model opts in by declaring `unit_path` (the lookup from the model to its `Unit`, "" for Unit
itself) and using `ScopedManager`. The policy (grants down the unit tree) lives in
`ntm.accounts.scope` and is installed at start-up, so this bottom layer imports no app.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

Policy = Callable[[models.QuerySet, object, str], models.QuerySet]
_policy: list[Policy] = []


def install_policy(policy: Policy) -> None:
    _policy[:] = [policy]


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> models.QuerySet:
        """Only the rows `user` may `action` (e.g. "view", "figures.edit"); nothing without a policy."""
        if not _policy:
            return self.none()
        return _policy[0](self, user, action)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
