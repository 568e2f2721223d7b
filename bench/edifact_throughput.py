"""EDIFACT parser throughput: synthesise a large valid ORDERS/DESADV/INVOIC file, parse it, print segments/s.

    .venv/bin/python bench/edifact_throughput.py                     # ~2M segments, ' + LF layout
    .venv/bin/python bench/edifact_throughput.py --layout none --release --profile
    .venv/bin/python bench/edifact_throughput.py --segments 4000000 --interchanges 300 --keep --repeat 1
    .venv/bin/python bench/edifact_throughput.py --file /tmp/.../bench_lf.edifact --workers 1   # peak RSS

The timing covers everything `parse_x12_files` does with an EDIFACT file: read, decode (in the
UNB character set), release characters, tokenize, envelope checks, mapping and the Arrow tables.
`--release` puts a released separator (`?+`) into every line description, so the release
path is measured too. Results: bench/edi_results.md (EDIFACT) and bench/results.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.edi_bench import arguments, bench_file, lay_out, measure
from recon.load.edifact import EdifactOptions
from recon.load.x12 import parse_x12_files


def _orders(n: int, lines: int, release: bool) -> list[str]:
    segs = [f"BGM+220+PO{n:08d}+9", "DTM+137:20240105:102", "DTM+2:202401151200:203", "CUX+2:EUR:9",
            f"NAD+BY+C{n % 500:05d}::9++BIGBOX STORE {n % 50}", "NAD+DP+4000001000002::9++BIGBOX DC 7"]
    for k in range(1, lines + 1):
        segs += [f"LIN+{k}++40008621{n % 7}{k:04d}:EN", f"PIA+1+SKU{(n + k) % 9973:05d}:SA",
                 f"IMD+F++:::WIDGET{'?+' if release else ' '}MODEL {k}", f"QTY+21:{k * 3}:PCE", f"PRI+AAA:{k}.25"]
    segs += ["UNS+S", f"CNT+2:{lines}"]
    return segs


def _desadv(n: int, packs: int, items: int, release: bool) -> list[str]:
    segs = [f"BGM+351+ASN{n:08d}+9", "DTM+137:20240106:102", "DTM+11:202401061400:203", f"RFF+ON:PO{n:08d}",
            f"RFF+CN:1Z{n:012d}", f"RFF+BM:BOL{n:08d}", "NAD+SF+DC01::9++ACME DC", "NAD+DP+DC007::9++BIGBOX DC 7",
            "TDT+20++30++UPSN::172"]
    line = 0
    for p in range(packs):
        segs += [f"CPS+{p + 2}+1", "PAC+1++CT", f"GIN+BJ+3400123450{n:06d}{p:02d}"]
        for _ in range(items):
            line += 1
            segs += [f"LIN+{line}++40008621{n % 7}{line:04d}:EN", f"PIA+1+SKU{(n + line) % 9973:05d}:SA",
                     f"QTY+12:{line * 3}:PCE", f"RFF+ON:PO{n:08d}:{line}"]
    segs.append(f"CNT+2:{line}")
    return segs


def _invoic(n: int, lines: int, release: bool) -> list[str]:
    segs = [f"BGM+380+INV{n:08d}+9", "DTM+3:20240107:102", f"RFF+ON:PO{n:08d}", "CUX+2:EUR:4",
            "NAD+BY+C00042::9++BIGBOX"]
    for k in range(1, lines + 1):
        segs += [f"LIN+{k}++SKU{(n + k) % 9973:05d}:SA", f"IMD+F++:::WIDGET{'?+' if release else ' '}MODEL {k}",
                 f"QTY+47:{k * 3}:PCE", f"MOA+203:{k * 3 * k}.75", f"PRI+AAA:{k}.25"]
    segs += ["UNS+S", f"MOA+77:{n % 100000 + 100}.00", "ALC+C++++FC", "MOA+8:15.00", f"CNT+2:{lines}"]
    return segs


def synthesise(path: Path, target: int, layout: str = "lf", release: bool = False, interchanges: int = 1) -> int:
    """Interchanges of ORDERS, DESADV and INVOIC (`interchanges` of each) until ~target segments; returns the count.

    With more than one interchange per message type, a large file can be cut into parts for
    bounded memory (recon.load.edifact.cuts).
    """
    kinds = {"ORDERS": lambda n: _orders(n, 20, release), "DESADV": lambda n: _desadv(n, 2, 5, release),
             "INVOIC": lambda n: _invoic(n, 20, release)}
    per_interchange = max(1, target // (3 * interchanges))
    out = ["UNA:+.? "]
    ref = 0
    for mtype, make in kinds.items():
        for _ in range(interchanges):
            ref += 1
            out.append(f"UNB+UNOC:3+ACME:14+BIGBOX:14+240105:1200+{ref}")
            produced = messages = 0
            while produced < per_interchange:
                messages += 1
                body = make(messages)
                out.append(f"UNH+{messages}+{mtype}:D:96A:UN")
                out.extend(body)
                out.append(f"UNT+{len(body) + 2}+{messages}")
                produced += len(body) + 2
            out.append(f"UNZ+{messages}+{ref}")
    text = lay_out(out, "'", layout)
    path.write_text(text, encoding="latin-1")
    return len(out)


def main() -> None:
    ap = arguments(__doc__, workers_default=None)
    ap.add_argument("--release", action="store_true", help="a released separator in every description")
    args = ap.parse_args()

    def synthesised(path: Path) -> str:
        written = synthesise(path, args.segments, args.layout, args.release, args.interchanges)
        return (f"{written:,} segments, layout={args.layout}, release={args.release}, "
                f"interchanges={3 * args.interchanges}")

    path, tmp = bench_file(args, "edifact", synthesised)
    options = EdifactOptions(our_ids=["ACME"])
    measure(args, path, tmp, lambda files, workers=None: parse_x12_files(files, edifact=options, workers=workers))


if __name__ == "__main__":
    main()
