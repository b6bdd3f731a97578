"""The site search's indexes (public/search.py).

SQLite: the FTS5 table `search_index` (what readers may see, one row per company, deal, source and
excerpt, rebuilt by public/search_sqlite.py whenever the dataset version moved) and
`search_index_state` (the version it was built at). PostgreSQL: GIN trigram indexes on source
titles and excerpt quotes (substring search, which a CJK query needs) and full-text indexes on the
documents `search_postgres.ranked()` builds (the same SQL, as in companies' migration 0008).
Neither database gets the other's. No model changes: nothing here is in any model's state.
"""

from django.db import migrations

SQLITE_TABLES = [
    # kind and record_id name the record; title and body are searched (diacritics folded: "Skoda"
    # finds "Škoda").
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5("
    "kind UNINDEXED, record_id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TABLE IF NOT EXISTS search_index_state (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)",
]
POSTGRES_INDEXES = {
    "source_title_trigram": ("Source", "upper(title::text) gin_trgm_ops"),
    "excerpt_quote_trigram": ("Excerpt", "upper(quote::text) gin_trgm_ops"),
    "source_search_document": (
        "Source",
        "(setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || setweight(to_tsvector("
        "'english'::regconfig, COALESCE(publisher, '') || ' ' || COALESCE(author, '')), 'B'))",
    ),
    "excerpt_search_document": ("Excerpt", "setweight(to_tsvector('english'::regconfig, COALESCE(quote, '')), 'B')"),
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_TABLES:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        for name, (model, expression) in POSTGRES_INDEXES.items():
            table = schema_editor.quote_name(apps.get_model("sources", model)._meta.db_table)
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression})")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_index")
        schema_editor.execute("DROP TABLE IF EXISTS search_index_state")
    elif vendor == "postgresql":
        for name in POSTGRES_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0007_natural_sort_keys"),
        ("companies", "0008_search_indexes"),  # pg_trgm
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
