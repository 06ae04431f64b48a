"""The floor: read every landing file with the fastest plain reader, write Parquet and DuckDB.

No validation, no mapping, no bookkeeping: what the same bytes cost to move. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from python_calamine import CalamineWorkbook


def read_xlsx(path: Path, header_row: int, sheet: str | None) -> pa.Table:
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(sheet or book.sheet_names[0]).to_python()[header_row - 1 :]
    header = [str(h) for h in rows[0]]
    cols = list(zip(*rows[1:], strict=False)) if len(rows) > 1 else [[] for _ in header]
    return pa.table(
        {h: [None if v == "" else str(v) for v in c] for h, c in zip(header, cols, strict=False)}
    )


def main(landing: Path, out: Path) -> None:
    con = duckdb.connect(str(out / "floor.duckdb"))
    rows = 0
    for n, path in enumerate(
        sorted(p for p in landing.rglob("*") if p.is_file() and not p.name.startswith("_"))
    ):
        if "_reference" in path.parts:
            continue
        trust = yaml.safe_load(
            (
                Path(__file__).resolve().parents[1]
                / "config"
                / "trusts"
                / f"{path.parent.parent.name}.yaml"
            ).read_text()
        )
        if path.suffix == ".parquet":
            table = con.sql(f"SELECT * FROM read_parquet('{path}')").to_arrow_table()
        elif path.suffix == ".xlsx":
            table = read_xlsx(path, trust.get("header_row", 1), trust.get("sheet"))
        else:
            enc = {"cp1252": "latin-1", "utf-8-sig": "utf-8"}.get(
                trust.get("encoding", "utf-8"), "utf-8"
            )
            delim = trust.get("delimiter", ",")
            table = con.sql(
                f"SELECT * FROM read_csv('{path}', all_varchar=true, header=true, delim='{delim}', encoding='{enc}')"
            ).to_arrow_table()
        pq.write_table(table, out / f"part-{n}.parquet")
        name = (
            f"t_{path.parent.parent.name}_{'ri' if 'interv' in path.name.lower() else 'ws'}".lower()
        )
        con.register("incoming", table)
        exists = con.sql(
            f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{name}'"
        ).fetchone()[0]
        if exists:
            con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM incoming')
        else:
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')
        con.unregister("incoming")
        rows += table.num_rows
    con.close()
    print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
