"""An audit entry's before/after JSON compressed with LZ4 instead of PostgreSQL's own pglz: a
province's import writes 147 entries of about 3 KB each, compressed as they are stored — 2.5 ms of
its 12 with pglz (docs/benchmarks.md, "Import, seventh pass"); LZ4 also reads back faster. A server
built without LZ4 keeps pglz (nothing else changes); SQLite has no such setting."""

from django.db import migrations

COLUMNS = ("before", "after")


def compression(method: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        alter = ", ".join(f'ALTER COLUMN "{c}" SET COMPRESSION {method}' for c in COLUMNS)
        schema_editor.execute(  # feature_not_supported: this server was built without LZ4
            f"DO $$ BEGIN ALTER TABLE accounts_auditentry {alter}; "
            "EXCEPTION WHEN feature_not_supported THEN NULL; END $$")
    return run


class Migration(migrations.Migration):

    dependencies = [("accounts", "0002_auditentry_object_repr_auditentry_request_id_and_more")]

    operations = [migrations.RunPython(compression("lz4"), compression("pglz"), elidable=False)]
