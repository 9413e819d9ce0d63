"""core.bulk.collector_paused: the cyclic collector off inside, as it was after — even after a failure."""

import gc

import pytest

from ntm.core.bulk import collector_paused


def test_the_collector_is_off_inside_and_restored_after():
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with collector_paused():
            assert not gc.isenabled()
            raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_the_national_recompute_runs_with_the_collector_off(monkeypatch):
    from ntm.evaluations import recompute

    seen = []
    monkeypatch.setattr(recompute, "_Scope", lambda units: "scope")
    monkeypatch.setattr(recompute, "_recompute_year", lambda scope, year, reason: seen.append(gc.isenabled()) or 0)
    recompute.recompute_all(years=[2024, 2025])
    assert seen == [False, False] and gc.isenabled()
