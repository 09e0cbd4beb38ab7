"""The roster search's columns (experts/names.py::search_columns), filled for existing rows,
and on PostgreSQL the pg_trgm extension and a trigram GIN index on each. SQLite has no
trigram index: there the columns are kept all the same and the search scans."""

from django.db import migrations, models

from experts.names import search_columns

INDEXES = {
    "experts_expert_search_text_trgm": "search_text",
    "experts_expert_search_grams_trgm": "search_grams",
}


def fill(apps, schema_editor):
    Expert = apps.get_model("experts", "Expert")
    manager = Expert.objects.using(schema_editor.connection.alias)
    batch = []
    for expert in manager.select_related("employer").order_by("pk").iterator(chunk_size=1000):
        expert.search_text, expert.search_grams = search_columns(
            name=expert.name, pinyin=expert.name_pinyin, initials=expert.name_initials, key=expert.key,
            specialties=expert.specialties, employer=expert.employer.name if expert.employer_id else "",
        )  # fmt: skip
        batch.append(expert)
        if len(batch) == 1000:
            manager.bulk_update(batch, ["search_text", "search_grams"])
            batch = []
    manager.bulk_update(batch, ["search_text", "search_grams"])


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON experts_expert USING gin ({column} gin_trgm_ops)")
        # No statistics on these columns: with them the planner estimates a common word (a tag
        # 7% of the roster has) well, but prices LIKE on every row as nearly free and so reads
        # the whole table (130 ms at 50,000 experts) instead of the index (15 ms). Without
        # them it takes LIKE's default, small estimate and the index (docs/benchmarks.md).
        schema_editor.execute(f"ALTER TABLE experts_expert ALTER COLUMN {column} SET STATISTICS 0")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")  # the extension stays: others may use it
        schema_editor.execute(f"ALTER TABLE experts_expert ALTER COLUMN {column} SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("experts", "0003_signin_code")]

    operations = [
        migrations.AddField(
            model_name="expert",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="expert",
            name="search_grams",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
