"""Runs INSIDE the BI-client virtual environment (SQLAlchemy 1.4, psycopg2, duckdb 2,
duckdb-engine), never imported by the test suite: it must not need the project's packages.

Reads a JSON list of jobs on stdin and prints a JSON list of results, one per job:
- {"url": U, "statements": [...]}: each statement on its own connection through SQLAlchemy;
  "@inspect" reflects relations and columns; "@rw <sql>" runs <sql> in a READ WRITE transaction;
  each result is {"rows": [...]} or {"error": "<Type>: <first line>"};
- {"dsn": D, "statements": [...]}: the same through psycopg2 with a libpq keyword string;
- {"python": CODE}: exec the code; {"stdout": ...} or {"error": ...};
- {"versions": true}: the installed versions of the stack.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import io
import json
import sys


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10] if not isinstance(value, datetime.datetime) else str(value)
    if isinstance(value, decimal.Decimal | float):
        return round(float(value), 9)
    return value


def _error(exc: BaseException) -> dict:
    return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}


def _rows(result) -> list:
    return [[_plain(v) for v in row] for row in result.fetchall()] if result.returns_rows else []


def _sqlalchemy(url: str, statements: list[str]) -> list[dict]:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    except Exception as exc:
        return [_error(exc)]
    out = []
    for statement in statements:
        try:
            with engine.connect() as connection:
                if statement == "@inspect":
                    inspector = sa.inspect(connection)
                    names = inspector.get_table_names() + inspector.get_view_names()
                    columns = {n: [c["name"] for c in inspector.get_columns(n)] for n in names}
                    out.append({"relations": sorted(names), "columns": columns})
                elif statement.startswith("@rw "):
                    with connection.begin():
                        connection.exec_driver_sql("SET TRANSACTION READ WRITE")
                        connection.exec_driver_sql(statement[4:])
                    out.append({"rows": []})
                else:
                    out.append({"rows": _rows(connection.exec_driver_sql(statement))})
        except Exception as exc:
            out.append(_error(exc))
    engine.dispose()
    return out


def _psycopg2(dsn: str, statements: list[str]) -> list[dict]:
    import psycopg2

    out = []
    for statement in statements:
        try:
            with contextlib.closing(psycopg2.connect(dsn)) as connection:
                with connection.cursor() as cursor:
                    cursor.execute(statement)
                    rows = cursor.fetchall() if cursor.description else []
                out.append({"rows": [[_plain(v) for v in row] for row in rows]})
        except Exception as exc:
            out.append(_error(exc))
    return out


def _python(code: str) -> dict:
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            exec(compile(code, "<docs/bi.md>", "exec"), {"__name__": "__doc_example__"})
    except Exception as exc:
        return _error(exc)
    return {"stdout": buffer.getvalue()}


def _versions() -> dict:
    from importlib.metadata import version

    names = ["sqlalchemy", "duckdb", "duckdb-engine", "psycopg2-binary"]
    return {"versions": {n: version(n) for n in names}}


def main() -> None:
    results = []
    for job in json.load(sys.stdin):
        if "url" in job:
            results.append(_sqlalchemy(job["url"], job["statements"]))
        elif "dsn" in job:
            results.append(_psycopg2(job["dsn"], job["statements"]))
        elif "python" in job:
            results.append(_python(job["python"]))
        else:
            results.append(_versions())
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
