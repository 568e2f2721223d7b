"""Conformance check against a folder of real-world sample files with a MANIFEST.tsv.

    python -m recon.load.x12.conformance /path/to/edi-corpus [--verbose]

The manifest (filename, transaction_sets, ..., notes) says what each file is; notes containing
NEGATIVE or MALFORMED mark files that must produce findings. Every file must parse without an
exception; each file is parsed on its own (so control numbers shared between unrelated samples
do not count as duplicates). Expectations:

* X12 files not marked negative: rows load and there is no error finding;
* negative/malformed X12 files: at least one finding;
* EDIFACT files: the X12-EDIFACT-UNSUPPORTED finding.

Exit 0 when every file meets its expectation, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import sys
import traceback
from pathlib import Path

from recon.load.x12.parser import parse_x12_files


def check(folder: Path, verbose: bool = False) -> int:
    manifest = folder / "MANIFEST.tsv"
    with manifest.open(encoding="utf-8") as fh:
        entries = list(csv.DictReader(fh, delimiter="\t"))
    failures = 0
    for entry in entries:
        name = entry["filename"]
        notes = entry.get("notes", "")
        negative = "NEGATIVE" in notes or "MALFORMED" in notes
        edifact = not entry["transaction_sets"].replace(",", "").isdecimal()
        path = folder / name
        try:
            result = parse_x12_files([path], display_names={path: name})
        except Exception:
            failures += 1
            print(f"FAIL {name}: exception\n{traceback.format_exc()}")
            continue
        codes = sorted({f.code for f in result.findings})
        errors = [f for f in result.findings if f.severity == "error"]
        rows = sum(t.num_rows for t in result.tables.values())
        if edifact:
            ok = "X12-EDIFACT-UNSUPPORTED" in codes
            expect = "EDIFACT finding"
        elif negative:
            ok = bool(result.findings)
            expect = "findings"
        else:
            ok = rows > 0 and not errors
            expect = "rows, no errors"
        failures += not ok
        status = "ok  " if ok else "FAIL"
        if verbose or not ok:
            print(f"{status} {name}: expected {expect}; {rows} rows; findings {codes or '-'}")
            if verbose:
                for f in result.findings:
                    print(f"       {f.severity} {f.code} seg {f.segment_position} {f.element or ''}: {f.message}")
    print(f"{len(entries) - failures}/{len(entries)} files as expected")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)
    return check(args.folder, args.verbose)


if __name__ == "__main__":
    sys.exit(main())
