"""On the embedded defaults (SQLite) the worker's heartbeat, housekeeping and the web process write
to one file. Two read-then-write transactions at once used to end one of them with "database is
locked" (a traceback in the console every five minutes): they now wait for each other."""

import textwrap

# Two threads, each on its own connection, each reading then writing inside a transaction, as
# update_or_create does (the heartbeat) while housekeeping updates jobs: both must get through.
COLLIDE = textwrap.dedent(
    """
    import threading, time
    from django.db import connection, connections, transaction

    print(connection.cursor().execute("PRAGMA journal_mode").fetchone()[0])
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE beat (name TEXT PRIMARY KEY, seen INTEGER)")
        cursor.execute("INSERT INTO beat VALUES ('worker', 0)")
    connection.close()
    failures = []

    def read_then_write(n):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT seen FROM beat WHERE name = 'worker'")
                    time.sleep(0.5)  # the other thread reads meanwhile
                    cursor.execute("UPDATE beat SET seen = %s WHERE name = 'worker'", [n])
        except Exception as exc:
            failures.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read_then_write, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(failures or "ok")
    from campaign.celery import app
    print(f"concurrency={app.conf.worker_concurrency}")
    """
)


def test_on_sqlite_a_heartbeat_and_housekeeping_at_once_both_get_through_on_one_worker_process(start_django, tmp_path):
    result = start_django(COLLIDE, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "ok", "concurrency=1"], result.stdout
