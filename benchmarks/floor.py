"""The floor: read every landing file with the fastest plain reader, write Parquet and DuckDB.

No validation, no mapping, no bookkeeping: what moving the same bytes costs. DuckDB's read_csv for
CSV (pyarrow's transcoding
reader for cp1252, which DuckDB cannot decode), read_parquet for Parquet,
python-calamine for XLSX. Prints one JSON line: {"rows": N}.
"""

from __future__ import annotations

import fnmatch
import json
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mhsip.config_loader import load_registry
from transforms.trust_config import TrustConfig

ENCODINGS = {"utf-8-sig": "utf-8", "utf-8": "utf-8"}


def read_xlsx(path: Path, trust: TrustConfig) -> pa.Table:
    book = CalamineWorkbook.from_path(str(path))
    sheet = book.get_sheet_by_name(trust.sheet or book.sheet_names[0])
    rows = sheet.to_python()[trust.header_row - 1 :]
    header = [str(h) for h in rows[0]]
    columns = list(zip(*rows[1:], strict=True)) if len(rows) > 1 else [() for _ in header]
    return pa.table(
        {h: [None if v == "" else str(v) for v in c] for h, c in zip(header, columns, strict=True)}
    )


def read_any(con: duckdb.DuckDBPyConnection, path: Path, trust: TrustConfig) -> pa.Table:
    if trust.format == "parquet":
        return con.sql("SELECT * FROM read_parquet(?)", params=[str(path)]).to_arrow_table()
    if trust.format == "xlsx":
        return read_xlsx(path, trust)
    if trust.encoding == "cp1252":  # DuckDB has no cp1252 decoder: pyarrow transcodes
        names = pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(encoding="cp1252"),
            parse_options=pacsv.ParseOptions(delimiter=trust.delimiter),
        ).column_names  # fmt: skip
        return pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(encoding="cp1252"),
            parse_options=pacsv.ParseOptions(delimiter=trust.delimiter),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
        )  # fmt: skip
    return con.sql(
        "SELECT * FROM read_csv(?, all_varchar = true, header = true, delim = ?, encoding = ?)",
        params=[str(path), trust.delimiter, ENCODINGS[trust.encoding]],
    ).to_arrow_table()


def main(landing: Path, out: Path) -> None:
    registry = load_registry(Path(__file__).resolve().parents[1] / "config")
    con = duckdb.connect(str(out / "floor.duckdb"))
    rows = 0
    for n, path in enumerate(sorted(landing.glob("*/*/*"))):
        trust = registry.trusts.get(path.parent.parent.name)
        if trust is None or not path.is_file():
            continue
        dataset = (
            "ri"
            if fnmatch.fnmatch(path.name.lower(), trust.files.restrictive_interventions.lower())
            else "ws"
        )
        table = read_any(con, path, trust)
        pq.write_table(table, out / f"part-{n}.parquet")
        name = f"t_{trust.ods_code}_{dataset}".lower()
        con.register("incoming", table)
        exists = con.sql(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", params=[name]
        ).fetchone()
        verb = (
            "INSERT INTO {} BY NAME SELECT * FROM incoming"
            if exists and exists[0]
            else "CREATE TABLE {} AS SELECT * FROM incoming"
        )
        con.execute(verb.format(name))
        con.unregister("incoming")
        rows += table.num_rows
    con.close()
    print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
