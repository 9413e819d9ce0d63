"""core.sql.Behind: statements on a background thread, in order, inside the caller's transaction."""

import threading

import pytest
from django.db import connection, transaction

from ntm.core.sql import Behind

pytestmark = pytest.mark.django_db(transaction=True)


def _note(cursor, text, seen):
    cursor.execute("INSERT INTO core_t (note) VALUES (%s)", [text])
    seen.append(threading.current_thread().name)
    return text


@pytest.fixture
def table():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE core_t (note varchar(20))")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE core_t")


def _notes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM core_t")
        return sorted(r[0] for r in cursor.fetchall())


def test_statements_run_behind_in_order_inside_the_callers_transaction(table):
    seen = []
    with transaction.atomic():
        with Behind(connection) as behind:
            done = [behind.submit(_note, f"n{i}", seen) for i in range(5)]
        assert [d.result() for d in done] == [f"n{i}" for i in range(5)]
        assert all(d.done() for d in done)  # leaving the block waited for every statement
        assert _notes() == [f"n{i}" for i in range(5)]  # the caller's transaction sees them
        transaction.set_rollback(True)
    assert _notes() == []  # … and rolls them back with it
    assert set(seen) == {seen[0]} and seen[0] != threading.current_thread().name


def test_a_failing_statement_is_raised_to_the_caller_and_the_transaction_rolls_back(table):
    seen = []
    with pytest.raises(Exception) as failure:
        with transaction.atomic(), Behind(connection) as behind:
            behind.submit(_note, "ok", seen)
            broken = behind.submit(lambda cursor: cursor.execute("INSERT INTO core_t (missing) VALUES (1)"))
            broken.result()
    assert "missing" in str(failure.value).lower()
    assert _notes() == []


def test_a_failure_in_the_block_drops_what_has_not_started(table):
    import time

    seen = []
    with pytest.raises(ValueError):
        with transaction.atomic(), Behind(connection) as behind:
            first = behind.submit(lambda cursor: time.sleep(0.2) or _note(cursor, "first", seen))
            later = [behind.submit(_note, f"n{i}", seen) for i in range(3)]
            raise ValueError("lỗi trong khối")
    assert first.done() and not first.cancelled() and seen == [seen[0]]  # the running one finished
    assert all(f.cancelled() for f in later)
    assert _notes() == []
