"""SQLite's planner statistics, kept true when an index is added.

SQLite plans by the statistics in ``sqlite_stat1`` when there are any. An index added later
has none, or is measured differently from the old ones beside it, and then looks cheaper than
it is: the group queue once took ``ticket_group_id`` and sorted instead of walking its partial
index. A migration that adds an index to a measured table measures the table again (about 2 s
for the tickets at a million). PostgreSQL's autovacuum keeps its own statistics.
"""


def measure_again(schema_editor, table: str) -> None:
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is not None:
            cursor.execute(f'ANALYZE "{table}"')
