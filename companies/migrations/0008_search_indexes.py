"""pg_trgm and GIN indexes for the site search (public/search_postgres.py), PostgreSQL only: on
SQLite every operation here does nothing (the search there has its own index, sources' migration
0008). The indexes are not in the models' Meta because SQLite cannot create them.

- Trigram indexes on company names, aliases and deal titles, in capitals as Django's `icontains`
  compares them (`UPPER(name) LIKE …`): found by similarity (`%`, `%>`) or by containing the words
  (which the lists' search does too).
- Full-text indexes on the documents the search builds for companies and deals: each expression
  is, character for character, the SQL Django writes for `search_postgres.ranked()`'s SearchVector
  (tests/test_search.py checks the planner uses them).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "company_name_trigram": ("Company", "upper(name::text) gin_trgm_ops"),
    "alias_name_trigram": ("Alias", "upper(name::text) gin_trgm_ops"),
    "deal_title_trigram": ("Deal", "upper(title::text) gin_trgm_ops"),
    "company_search_document": (
        "Company",
        "(setweight(to_tsvector('english'::regconfig, COALESCE(name, '')), 'A') || "
        "setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'B'))",
    ),
    "deal_search_document": (
        "Deal",
        "(setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || setweight(to_tsvector("
        "'english'::regconfig, COALESCE(summary, '') || ' ' || COALESCE(round_name, '')), 'B'))",
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (model, expression) in INDEXES.items():
        table = schema_editor.quote_name(apps.get_model("companies", model)._meta.db_table)
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression})")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0007_natural_sort_keys"),
    ]

    operations = [
        TrigramExtension(),  # CREATE EXTENSION IF NOT EXISTS pg_trgm; nothing on SQLite
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
