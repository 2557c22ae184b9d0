"""On PostgreSQL the database itself keeps the audit trail and every history
table append-only: a trigger refuses UPDATE, and DELETE — of history rows
always, of audit rows until they are older than the legal minimum (184 days),
so that only the pruning task can remove them, and only those. Installed after
every migrate, so a history table added later is covered too."""

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from simple_history.models import HistoricalChanges

from audit.models import MINIMUM_RETENTION_DAYS, AuditEvent

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_NARGS = 2
     AND (to_jsonb(OLD) ->> TG_ARGV[0])::timestamptz < now() - (TG_ARGV[1] || ' days')::interval THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'rows of % are append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def protected_tables() -> dict[str, tuple[str, ...]]:
    """table → trigger arguments (time column and days after which a row may be deleted)."""
    tables = {AuditEvent._meta.db_table: ("at", str(MINIMUM_RETENTION_DAYS))}
    for model in apps.get_models():
        if issubclass(model, HistoricalChanges):
            tables[model._meta.db_table] = ()
    return tables


def protect_audit_tables(sender=None, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if sender is not None and sender.name != "audit":
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table, args in protected_tables().items():
            if table not in existing:
                continue
            quoted = connection.ops.quote_name(table)
            arguments = ", ".join(f"'{a}'" for a in args)
            cursor.execute(f"DROP TRIGGER IF EXISTS append_only ON {quoted}")
            cursor.execute(
                f"CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON {quoted} "
                f"FOR EACH ROW EXECUTE FUNCTION audit_append_only({arguments})"
            )
