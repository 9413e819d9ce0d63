"""Session set-up: load every administrative unit once (the loader is bulk, ~3 s)."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from ntm.units.loader import load_units

    with django_db_blocker.unblock():
        load_units()
