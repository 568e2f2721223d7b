"""ANSI X12 004010 as trading partners send it: 850 in, 856 and 810 out, 997 in.

Each functional group travels in its own interchange (ISA/GS ... GE/IEA) with correct counts
and control numbers: ISA is exactly 106 characters, SE01 counts ST..SE, GE01 the sets, IEA01
the groups, and GE02/IEA02 repeat GS06/ISA13. Control numbers never repeat for a sender and
receiver, and our set control numbers (ST02) are unique over the whole extract, so a 997's
AK1/AK2 point at exactly one of our sets.

Segments end with `~` and a line break, as most gateways write them for people to read.
"""

from __future__ import annotations

from recon.sample.clock import Clock

SEGMENT_END = "~\n"
ELEMENT = "*"
COMPONENT = ">"


def segment(*elements: str | int) -> str:
    """One segment; trailing empty elements are dropped, as X12 requires (no value ends in `*`)."""
    return ELEMENT.join(map(str, elements)).rstrip(ELEMENT)


def isa(sender: str, receiver: str, clock: Clock, ts: int, control: int) -> str:
    text = (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{sender:<15}*ZZ*{receiver:<15}*{clock.yymmdd(ts)}*{clock.hm(ts)}"
        f"*U*00401*{control:09d}*0*P*{COMPONENT}"
    )
    assert len(text) == 105, text  # + the segment terminator = 106
    return text


def interchange(
    *, sender: str, receiver: str, functional_id: str, clock: Clock, ts: int, isa_control: int,
    group_control: int, sets: list[tuple[str, str, list[str]]],
) -> str:
    """One interchange with one functional group; `sets` are (set id, control, body segments)."""
    out = [
        isa(sender, receiver, clock, ts, isa_control),
        segment("GS", functional_id, sender, receiver, clock.ymd(ts), clock.hm(ts), group_control, "X", "004010"),
    ]
    for set_id, control, body in sets:
        out.append(segment("ST", set_id, control))
        out.extend(body)
        out.append(segment("SE", len(body) + 2, control))
    out.append(segment("GE", len(sets), group_control))
    out.append(segment("IEA", 1, f"{isa_control:09d}"))
    return SEGMENT_END.join(out) + SEGMENT_END


def decimal_text(value: int, scale: int = 10_000) -> str:
    """An X12 R (real) value: `12.5`, not `12.50` (the ERP writes `12.50`: a look-alike)."""
    whole, frac = divmod(value, scale)
    digits = len(str(scale)) - 1
    text = f"{whole}.{frac:0{digits}d}".rstrip("0").rstrip(".")
    return text or "0"
