"""Conformance check against a folder of real-world sample files with a MANIFEST.tsv.

    python -m recon.load.x12.conformance /path/to/edi-corpus [--verbose]

The manifest (filename, transaction_sets, ..., notes) says what each file is; notes containing
NEGATIVE or MALFORMED mark files that must produce findings, and "ST xN" how many transaction
sets the file holds. Every file must parse without an exception; each file is parsed on its
own (so control numbers shared between unrelated samples do not count as duplicates), and
judged by the exit code `recon edi inspect` would give it. Expectations:

* X12 files: every transaction set is seen (sets found = the manifest's "ST xN");
* well-formed X12 files: rows load and inspect exits 0;
* defective X12 files (marked NEGATIVE/MALFORMED, or listed in KNOWN_DEFECTS): inspect exits 1
  and the finding that names the defect is there;
* EDIFACT files: every message is seen (messages found = the manifest's "UNH xN"), then as
  X12 files: a well-formed file loads rows and exits 0, a defective one exits 1 with the
  finding that names its defect.

Exit 0 when every file meets its expectation, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import traceback
from pathlib import Path

from recon.load.x12.inspect import EXIT_CLEAN, EXIT_FINDINGS, build_report
from recon.load.x12.parser import parse_x12_files

KNOWN_DEFECTS: dict[str, tuple[str, ...]] = {
    "850_nodex12_4.edi": ("X12-ISA13-DUPLICATE",),  # the same interchange twice
    "850_ediengine_3.edi": ("X12-PAIR-INCOMPLETE",),  # PO106 qualifier without PO107
    "850_edinet_1.edi": ("X12-ST02-DUPLICATE",),  # both sets are ST02 0001
    "850_edinet_2.edi": ("X12-IEA02-MISMATCH", "X12-ISA-LENGTH"),  # IEA02 1 closes ISA13 55; NBSP padding
    "850_edinet_3.edi": ("X12-ISA-LENGTH",),  # NBSP padding
    "856_nodex12_1.edi": ("X12-SEPARATOR-IN-VALUE",),  # ISA11 '-' also used inside REF02
    "810_edinet_1.edi": ("X12-ISA-LENGTH",),  # ISA02/ISA04/ISA08 not padded (81 characters)
    "810_edinet_2.edi": ("X12-ISA-LENGTH",),
    "997_staedi_2.edi": ("X12-GS06-DUPLICATE",),  # three interchanges reuse GS06
    "997_staedi_3.edi": ("X12-SEPARATOR-IN-VALUE",),
    "997_staedi_4.edi": ("X12-ELEMENT-INVALID",),
    "997_staedi_5.edi": ("X12-MISSING-SEGMENT",),
    "INVOIC_staedi_1.edi": ("EDIFACT-CHARSET",),  # UNOA (ASCII) declared, UTF-8 'Ü' in a NAD name
    "INVOIC_staedi_3.edi": ("EDIFACT-CHARSET", "EDIFACT-ELEMENT-DATE"),  # UNOA with UTF-8 'ü'; DTM+4 19999715
    "INVOIC_staedi_4.edi": ("EDIFACT-ELEMENT-NUMERIC",),  # QTY 1020A, PRI $1.179
    "INVOIC_staedi_5.edi": ("EDIFACT-CHARSET",),  # as INVOIC_staedi_1, wrapped
    "ORDERS_staedi_1.edi": ("EDIFACT-UNT-COUNT",),  # UNT says 21 segments, UNH..UNT are 18
    # UNT says 17 segments for 31; the UNT and UNZ references differ from UNH's and UNB's
    "ORDRSP_edinet_1.edi": ("EDIFACT-UNT-COUNT", "EDIFACT-UNT-REFERENCE", "EDIFACT-UNZ-REFERENCE"),
    "940_ediengine_3.edi": ("X12-QUALIFIER-MISSING",),  # empty N901
    "940_ediengine_5.edi": ("X12-SE02-MISMATCH", "X12-GE02-MISMATCH", "X12-IEA02-MISMATCH"),
    "940_ediengine_6.edi": ("X12-GE01-COUNT", "X12-IEA01-COUNT"),
    "940_ediengine_7.edi": ("X12-SE01-COUNT",),
}
"""Defects of the shared corpus (/work/shared/edi-corpus), found by reading the files: the
findings that must name them. Some files are marked NEGATIVE/MALFORMED in the manifest, others
are public samples whose authors did not notice (a duplicate control number, an unpadded ISA)."""

_SETS = re.compile(r"\b(?:ST|UNH) x(\d+)")


def check(folder: Path, verbose: bool = False) -> int:
    manifest = folder / "MANIFEST.tsv"
    with manifest.open(encoding="utf-8") as fh:
        entries = list(csv.DictReader(fh, delimiter="\t"))
    failures = 0
    for entry in entries:
        name = entry["filename"]
        notes = entry.get("notes", "")
        expected_codes = KNOWN_DEFECTS.get(name, ())
        negative = "NEGATIVE" in notes or "MALFORMED" in notes or bool(expected_codes)
        edifact = not entry["transaction_sets"].replace(",", "").isdecimal()
        sets_match = _SETS.search(notes)
        expected_sets = int(sets_match.group(1)) if sets_match else None
        path = folder / name
        try:
            result = parse_x12_files([path], display_names={path: name})
        except Exception:
            failures += 1
            print(f"FAIL {name}: exception\n{traceback.format_exc()}")
            continue
        report = build_report(result)
        codes = sorted({f.code for f in result.findings})
        rows = sum(t.num_rows for t in result.tables.values())
        sets = report["summary"]["transaction_sets"]
        problems = []
        if edifact and {fs.format for fs in result.files} != {"edifact"}:
            problems.append("not read as EDIFACT")
        if expected_sets is not None and sets != expected_sets:
            problems.append(f"{sets} sets seen, {expected_sets} in the file")
        if negative:
            if report["exit_code"] != EXIT_FINDINGS:
                problems.append(f"exit {report['exit_code']}, 1 expected")
            missing = [c for c in expected_codes if c not in codes]
            if missing:
                problems.append(f"no {', '.join(missing)} finding")
        else:
            if report["exit_code"] != EXIT_CLEAN:
                problems.append(f"exit {report['exit_code']}, 0 expected")
            if not rows:
                problems.append("no rows")
        failures += bool(problems)
        status = "FAIL" if problems else "ok  "
        kind = "EDIFACT" if edifact else "defective" if negative else "well-formed"
        if verbose or problems:
            print(f"{status} {name}: {kind}; {sets} sets; {rows} rows; exit {report['exit_code']}; "
                  f"findings {codes or '-'}{'; ' + '; '.join(problems) if problems else ''}")
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
