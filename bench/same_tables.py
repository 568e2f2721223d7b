"""Are two runs' kept tables the same rows? The check behind every "outputs identical" in bench/notes.md.

    python bench/same_tables.py RUN_A RUN_B [--exclude COL ...]

RUN_A and RUN_B are kept folders (`recon-state-runs/<run id>/`). Each `*.parquet` present in either
is compared with EXCEPT ALL both ways (duplicates count), over every column but those that name the
run rather than the data (run and load ids, first-seen markers, load times). Exit 1 when a table
differs or is missing on one side, so a speed change that alters output cannot pass unnoticed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

RUN_COLUMNS = {"run_id", "_load_id", "first_seen_run", "first_seen_at"}
# In recon's own bookkeeping tables these name the load or the clock; elsewhere (tms.deliveries.load_id,
# a truck load) they are data and stay compared.
MAIN_RUN_COLUMNS = {"load_id", "loaded_at", "started_at", "finished_at", "seconds", "exception_id"}


def compare(a: Path, b: Path, exclude: set[str]) -> int:
    names = sorted({p.name for p in a.glob("*.parquet")} | {p.name for p in b.glob("*.parquet")})
    con = duckdb.connect()
    failures = 0
    for name in names:
        left, right = a / name, b / name
        if not (left.exists() and right.exists()):
            print(f"MISSING  {name}: only in {a if left.exists() else b}")
            failures += 1
            continue
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{left}')").fetchall()]
        skip = exclude | RUN_COLUMNS | (MAIN_RUN_COLUMNS if name.startswith("main.") else set())
        kept = ", ".join(f'"{c}"' for c in columns if c not in skip)
        rows = con.execute(f"SELECT count(*) FROM read_parquet('{left}')").fetchone()[0]
        only = [con.execute(f"SELECT count(*) FROM (SELECT {kept} FROM read_parquet('{x}') EXCEPT ALL "
                            f"SELECT {kept} FROM read_parquet('{y}'))").fetchone()[0]
                for x, y in ((left, right), (right, left))]
        status = "same" if only == [0, 0] else "DIFFERS"
        failures += status != "same"
        print(f"{status:8} {name}: {rows:,} rows; only in A {only[0]:,}, only in B {only[1]:,}")
    return 1 if failures else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    p.add_argument("--exclude", action="append", default=[], help="a further column to leave out")
    args = p.parse_args()
    return compare(args.a, args.b, set(args.exclude))


if __name__ == "__main__":
    sys.exit(main())
