"""X12 parser throughput: synthesise a large valid 850/856/810 file, parse it, print segments/s.

    .venv/bin/python bench/edi_throughput.py                 # ~2M segments, '~' + LF layout
    .venv/bin/python bench/edi_throughput.py --segments 500000 --layout wrapped --profile

The file is written to a temporary directory (removed afterwards unless --keep). The timing
covers everything `parse_x12_files` does: read, decode, tokenize, envelope checks, mapping
and building the Arrow tables. Results are recorded in bench/edi_results.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.edi_bench import arguments, bench_file, lay_out, measure
from recon.load.x12 import X12Options, parse_x12_files


def _isa(control: int) -> str:
    return (
        f"ISA*00*          *00*          *ZZ*{'ACME':<15}*ZZ*{'BIGBOX':<15}*240105*1200*^*00501*{control:09d}*0*P*>"
    )


def _po(n: int, lines: int) -> list[str]:
    segs = [
        f"BEG*00*SA*PO{n:08d}**20240105",
        "CUR*BY*USD",
        f"REF*DP*{n % 97:03d}",
        "DTM*002*20240115",
        f"N1*BY*BIGBOX STORE {n % 50}*92*C{n % 500:05d}",
        "N1*ST*BIGBOX DC 7*92*DC007",
        "N3*1 MAIN ST",
        "N4*SPRINGFIELD*IL*62701*US",
    ]
    for k in range(1, lines + 1):
        segs.append(f"PO1*{k}*{k * 3}*EA*{k}.25*PE*VP*SKU{(n + k) % 9973:05d}*UP*0{n % 7}1234567{k % 10}")
        segs.append(f"PID*F****WIDGET MODEL {k}")
    segs.append(f"CTT*{lines}")
    return segs


def _asn(n: int, packs: int, items: int) -> list[str]:
    segs = [
        f"BSN*00*ASN{n:08d}*20240106*1400*0001",
        "HL*1**S",
        "TD1*CTN*4****G*40*LB",
        "TD5**2*UPSN*M*UPS GROUND",
        f"REF*BM*BOL{n:08d}",
        f"REF*CN*1Z{n:012d}",
        "DTM*011*20240106*1400",
        "N1*SF*ACME DC*92*DC01",
        "N1*ST*BIGBOX DC 7*92*DC007",
        "HL*2*1*O",
        f"PRF*PO{n:08d}***20240105",
    ]
    hl = 2
    line = 0
    for p in range(packs):
        hl += 1
        pack = hl
        segs += [f"HL*{pack}*2*P", f"MAN*GM*00012345{n:08d}{p:02d}"]
        for _ in range(items):
            hl += 1
            line += 1
            segs += [
                f"HL*{hl}*{pack}*I",
                f"LIN*{line}*VP*SKU{(n + line) % 9973:05d}*UP*0{n % 7}1234567{line % 10}",
                f"SN1**{line * 3}*EA",
                f"PID*F****WIDGET MODEL {line}",
            ]
    segs.append(f"CTT*{hl}")
    return segs


def _invoice(n: int, lines: int) -> list[str]:
    segs = [f"BIG*20240107*INV{n:08d}*20240105*PO{n:08d}", "CUR*SE*USD", "N1*BT*BIGBOX*92*C00042"]
    for k in range(1, lines + 1):
        segs.append(f"IT1*{k}*{k * 3}*EA*{k}.25**VP*SKU{(n + k) % 9973:05d}*UP*0{n % 7}1234567{k % 10}")
        segs.append(f"PID*F****WIDGET MODEL {k}")
    segs += [f"TDS*{n % 100000 + 100}", "SAC*C*D240***1500", f"CTT*{lines}"]
    return segs


def synthesise(path: Path, target_segments: int, layout: str = "lf", interchanges: int = 1) -> int:
    """Write interchanges with a PO, an SH and an IN group each until ~target_segments; returns the count.

    With several interchanges (control numbers 1..n, group control numbers unique), the parallel
    parse can cut the file into parts.
    """
    bodies = {
        "PO": ("850", lambda n: _po(n, 20)),
        "SH": ("856", lambda n: _asn(n, 2, 5)),
        "IN": ("810", lambda n: _invoice(n, 20)),
    }
    per_kind = max(1, target_segments // (3 * interchanges))
    out: list[str] = []
    for ic in range(1, interchanges + 1):
        out.append(_isa(ic))
        n_groups = 0
        for gi, (fid, (ts, make)) in enumerate(bodies.items(), start=1):
            n_groups += 1
            gctl = (ic - 1) * 3 + gi
            out.append(f"GS*{fid}*ACME*BIGBOX*20240105*1200*{gctl}*X*005010")
            produced = 0
            sets = 0
            while produced < per_kind:
                sets += 1
                body = make(sets)
                control = f"{sets:04d}"
                out.append(f"ST*{ts}*{control}")
                out.extend(body)
                out.append(f"SE*{len(body) + 2}*{control}")
                produced += len(body) + 2
            out.append(f"GE*{sets}*{gctl}")
        out.append(f"IEA*{n_groups}*{ic:09d}")
    text = lay_out(out, "~", layout)
    path.write_text(text, encoding="ascii")
    return len(out)


def main() -> None:
    args = arguments(__doc__, workers_default=1).parse_args()

    def synthesised(path: Path) -> str:
        written = synthesise(path, args.segments, args.layout, args.interchanges)
        return f"{written:,} segments, layout={args.layout}"

    path, tmp = bench_file(args, "edi", synthesised)
    options = X12Options(our_ids=["ACME"])
    measure(args, path, tmp, lambda files, workers=None: parse_x12_files(files, options, workers=workers))


if __name__ == "__main__":
    main()
