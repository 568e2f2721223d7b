"""Value conversions shared by the mappers: numbers, implied decimals, dates, times, item ids.

The output contract is "everything is a string, normalised": numbers as plain decimal
strings, dates as YYYY-MM-DD, timestamps as 'YYYY-MM-DD HH:MM:SS' (naive). The functions here
are the slow paths; the mappers inline the fast path (`value.isdecimal()`) and only call in
when a value needs work, because they run once per line of a multi-million-segment file.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

_PLAIN_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")

_DATE_CACHE: dict[str, str | None] = {}


def plain_number(raw: str) -> str | None:
    """'12.50' -> '12.50', '.5' -> '0.5', '5.' -> '5', '1E3' -> '1000'; None when not a number."""
    v = raw.strip()
    if not v:
        return None
    if v.isdecimal():
        return v
    if v.replace(".", "", 1).isdecimal() and v[0] != "." and v[-1] != ".":
        return v  # '12.34': the common case, without the regex
    if _PLAIN_NUMBER.fullmatch(v):
        if v.endswith("."):
            v = v[:-1]
        if v.startswith("."):
            v = "0" + v
        elif v.startswith("-."):
            v = "-0" + v[1:]
        return v
    try:
        d = Decimal(v)
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    return format(d, "f")


def implied2(raw: str) -> str | None:
    """An X12 N2 value (implied two decimals): '255438' -> '2554.38', '-5' -> '-0.05'.

    A sender that writes an explicit decimal point ('2554.38') is taken at its word: X12 says
    N2 has no point, but reading '2554.38' as 25.5438 would be a silent factor-100 error.
    """
    v = raw.strip()
    if not v:
        return None
    neg = v.startswith("-")
    digits = v[1:] if neg else v
    if digits.isdecimal():
        digits = digits.rjust(3, "0")
        out = f"{digits[:-2].lstrip('0') or '0'}.{digits[-2:]}"
        return "-" + out if neg else out
    if "." in v:
        return plain_number(v)
    return None


def ymd(raw: str) -> str | None:
    """CCYYMMDD or YYMMDD to 'YYYY-MM-DD' (00-49 -> 20xx, 50-99 -> 19xx); None if not a real date."""
    hit = _DATE_CACHE.get(raw)
    if hit is not None or raw in _DATE_CACHE:
        return hit
    v = raw.strip()
    out: str | None = None
    if v.isdecimal() and len(v) in (6, 8):
        if len(v) == 6:
            v = ("20" if v < "50" else "19") + v
        try:
            date(int(v[:4]), int(v[4:6]), int(v[6:8]))
            out = f"{v[:4]}-{v[4:6]}-{v[6:8]}"
        except ValueError:
            out = None
    if len(_DATE_CACHE) < 100_000:
        _DATE_CACHE[raw] = out
    return out


def hms(raw: str) -> str | None:
    """HHMM, HHMMSS or HHMMSSd.. to 'HH:MM:SS'; None if not a time."""
    v = raw.strip()
    if len(v) < 4 or not v[:4].isdecimal():
        return None
    hh, mm = v[:2], v[2:4]
    ss = v[4:6] if len(v) >= 6 and v[4:6].isdecimal() else "00"
    if hh > "23" or mm > "59" or ss > "59":
        return None
    return f"{hh}:{mm}:{ss}"


def timestamp(d: str | None, t: str) -> str | None:
    """A converted date plus an optional raw X12 time; the date alone when there is no time."""
    if d is None:
        return None
    if not t:
        return d
    tt = hms(t)
    return f"{d} {tt}" if tt else d


def multiply(a: str | None, b: str | None) -> str | None:
    """qty x price as a plain decimal string, exact (Decimal: no float drift)."""
    if not a or not b:
        return None
    try:
        r = str(Decimal(a) * Decimal(b))
    except ArithmeticError:  # not a number (InvalidOperation), or beyond Decimal's exponent range (Overflow)
        return None
    # str() is twice as fast as format(..., "f") but may use an exponent ('1E+3', '1E-7').
    return format(Decimal(r), "f") if "E" in r else r


def pick_item(
    el: list[str], start: int, rank: dict[str, int], fallback: bool
) -> tuple[str | None, str | None, str | None, int]:
    """Choose our item number among the product id pairs el[start], el[start+1], el[start+2]...

    The configured qualifier with the best rank wins; with `fallback`, a line carrying none of
    them uses its first id so that the row still says *something* (the chosen qualifier is
    kept next to it). Returns (item_id, qualifier, "Q:ID;Q:ID" text of all ids, index of an
    incomplete pair or -1). The one- and two-pair cases, by far the most common, skip the loop.
    """
    n = len(el)
    if n == start + 2 or n == start + 4:
        q, v = el[start], el[start + 1]
        if q and v:
            if n == start + 2:
                if q in rank or fallback:
                    return v, q, f"{q}:{v}", -1
                return None, None, f"{q}:{v}", -1
            q2, v2 = el[start + 2], el[start + 3]
            if q2 and v2:
                r1, r2 = rank.get(q), rank.get(q2)
                text = f"{q}:{v};{q2}:{v2}"
                if r1 is not None and (r2 is None or r1 <= r2):
                    return v, q, text, -1
                if r2 is not None:
                    return v2, q2, text, -1
                return (v, q, text, -1) if fallback else (None, None, text, -1)
    return pick_item_at(el, range(start, n, 2), rank, fallback)


def pick_item_at(
    el: list[str],
    idxs: range | tuple[int, ...],
    rank: dict[str, int],
    fallback: bool,
    pre: tuple[str, str] | None = None,
) -> tuple[str | None, str | None, str | None, int]:
    """`pick_item` for segments whose id pairs are not contiguous (W01, W12, BLI).

    `idxs` are the positions of the qualifiers (the id follows each one); `pre` is an id
    carried in an element of its own, such as W0103 (U.P.C. case code), with its qualifier.
    """
    n = len(el)
    best = 1 << 30
    item = qual = text = None
    first_q = first_v = None
    bad = -1
    if pre is not None and pre[1]:
        q, v = pre
        text = f"{q}:{v}"
        first_q, first_v = q, v
        r = rank.get(q)
        if r is not None:
            best, item, qual = r, v, q
    for k in idxs:
        if k >= n:
            break
        q = el[k]
        v = el[k + 1] if k + 1 < n else ""
        if q and v:
            text = f"{q}:{v}" if text is None else f"{text};{q}:{v}"
            r = rank.get(q)
            if r is not None and r < best:
                best, item, qual = r, v, q
            if first_q is None:
                first_q, first_v = q, v
        elif (q or v) and bad < 0:
            bad = k
    if item is None and fallback and first_q is not None:
        item, qual = first_v, first_q
    return item, qual, text, bad
