"""Session set-up: load every administrative unit once (the loader is bulk, ~3 s).

The suite runs on two processes (pytest-xdist: `make test` runs `-n auto --dist loadfile`). A
transactional test (the browser journeys, core/tests/test_sql.py) empties the database when it ends;
run alone, pytest-django orders those last, but a worker may be handed a plain test file after one,
so the next module loads the units again before its own fixtures run."""

import pytest

_emptied = False  # a transactional test ran on this process since the units were last loaded


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from ntm.units.loader import load_units

    with django_db_blocker.unblock():
        load_units()


@pytest.fixture(scope="module", autouse=True)
def _units_loaded(request, django_db_blocker):
    """Module-scoped and autouse, so it runs before a module's `world`."""
    global _emptied
    if _emptied:
        from ntm.units.loader import load_units

        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            load_units()
        _emptied = False


@pytest.fixture(autouse=True)
def _note_transactional(request):
    yield
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        global _emptied
        _emptied = True


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
