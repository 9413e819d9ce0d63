"""Session set-up: load every administrative unit once (the loader is bulk, ~3 s)."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from ntm.units.loader import load_units

    with django_db_blocker.unblock():
        load_units()


@pytest.fixture(scope="module")
def world(request, django_db_setup, django_db_blocker):
    """A small real world (ntm.testing.build_world) shared by a test module, rolled back after it.
    A module may set WORLD_COMMUNES to evaluate more or fewer communes."""
    from django.db import transaction

    from ntm.testing import build_world

    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(communes=getattr(request.module, "WORLD_COMMUNES", 4))
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: cached pages are keyed by data versions that live in the
    database, and those roll back with each test while the local-memory cache would not."""
    from django.core.cache import caches

    from ntm.reports.views import clear_memo

    for alias in ("default", "local"):
        caches[alias].clear()
    clear_memo()
