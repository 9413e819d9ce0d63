"""Figure.unit loses its own index: the unique (unit, year, field) starts with unit and serves every
lookup by unit, and a fifth index cost every write (a province's import: 7,500 more index entries).

Only the index is dropped (Django's AlterField would rebuild the table on SQLite, and on PostgreSQL
drop and re-validate the foreign key over every figure); the foreign key stays as it was."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "figures_figure_unit_id_5df69c8f"  # Django's name for it, the same on SQLite and PostgreSQL


class Migration(migrations.Migration):

    dependencies = [
        ("figures", "0003_period_reason"),
        ("units", "0002_classification_inputs_classification_set_at_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{INDEX}"',
                                  reverse_sql=f'CREATE INDEX "{INDEX}" ON "figures_figure" ("unit_id")'),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="figure",
                    name="unit",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="figures", to="units.unit", verbose_name="đơn vị"),
                ),
            ],
        ),
    ]
