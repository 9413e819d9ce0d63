"""A figure's history rows keep their references (figure, changed_by) through Django, not as
database constraints (see FigureChange): PostgreSQL checked each row's two at commit, 150 ms of a
province's 7,500-cell import. The figures' table leaves room on each page (fillfactor 60,
PostgreSQL only) so that rewriting a value puts its new version beside the old one (a HOT update,
no index touched): an import rewriting most of a province's cells took 180–200 ms, 50 ms with it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fillfactor(value: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":  # SQLite has no such setting: nothing to do
            schema_editor.execute(f"ALTER TABLE figures_figure SET (fillfactor = {value})")
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("figures", "0004_figure_unit_index_in_unique"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="figurechange",
            name="changed_by",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name="figurechange",
            name="figure",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="changes", to="figures.figure"),
        ),
        # existing pages keep their rows as they are; pages written from now on keep the room
        migrations.RunPython(fillfactor(60), fillfactor(100), elidable=False),
    ]
