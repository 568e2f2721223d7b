"""997 functional acknowledgment and 999 implementation acknowledgment -> edi_acks.

One row per acknowledged set (AK2/IK2 loop) with its status and the errors its AK3/AK4 (IK3/IK4)
segments name in words; a group-level acknowledgment without AK2 loops is one row for the group.
"""

from __future__ import annotations

from recon.load.x12.sets.base import SetContext, SetMapper, at, pad, require

AK304 = {
    "1": "unrecognized segment ID", "2": "unexpected segment", "3": "mandatory segment missing",
    "4": "loop occurs over maximum times", "5": "segment exceeds maximum use", "6": "segment not in defined set",
    "7": "segment not in proper sequence", "8": "segment has data element errors",
}
AK403 = {
    "1": "mandatory data element missing", "2": "conditional required data element missing",
    "3": "too many data elements", "4": "data element too short", "5": "data element too long",
    "6": "invalid character in data element", "7": "invalid code value", "8": "invalid date", "9": "invalid time",
    "10": "exclusion condition violated", "12": "too many repetitions", "13": "too many components",
}
AK5 = {
    "1": "transaction set not supported", "2": "trailer missing", "3": "control number mismatch",
    "4": "number of included segments does not match actual count", "5": "one or more segments in error",
    "6": "missing or invalid transaction set identifier", "7": "missing or invalid control number",
    "23": "duplicate transaction set control number",
}
ACK_STATUSES = frozenset({"A", "E", "M", "P", "R", "W", "X"})

_C997 = {"AK2": 1, "AK3": 2, "IK3": 2, "AK4": 3, "IK4": 3, "AK5": 4, "IK5": 4, "AK1": 5, "AK9": 6}
# Slots of an acknowledged set (AK2 loop): [index, transaction set, control number, status, errors].
_AK2_AT, _AK2_SET, _AK2_CONTROL, _AK2_STATUS, _AK2_ERRORS = range(5)


def map_997(c: SetContext) -> tuple[str | None, str | None]:
    """997 or 999: AK1 names the acknowledged group, AK9 its status; AK2 (or IK2) loops its sets."""
    segs = c.segs
    codes = _C997
    ak1_i = ak9_i = -1
    func = group_ctl = None
    ak9: list[str] = []
    rows: list[list] = []
    cur: list | None = None  # _AK2_* slots
    for i in range(c.start + 1, c.end):
        el = segs[i]
        code = codes.get(el[0])
        if code is None:
            continue
        if code == 1:  # AK2
            ts_id, ctl = at(el, 1), at(el, 2)
            if ts_id and not (len(ts_id) == 3 and ts_id.isdecimal()):
                c.warn("X12-ELEMENT-INVALID", f"AK201 {ts_id!r} is not a transaction set identifier", i, "AK201")
            cur = [i, ts_id or None, ctl or None, None, []]
            rows.append(cur)
        elif code == 2:  # AK3/IK3 segment error
            if cur is not None:
                el = pad(el, 5)
                what = AK304.get(el[4], "")
                loop = f" loop {el[3]}" if el[3] else ""
                cur[_AK2_ERRORS].append(f"segment {el[1]} at {el[2]}{loop}: error {el[4]}{' ' + what if what else ''}")
        elif code == 3:  # AK4/IK4 element error
            if cur is not None:
                el = pad(el, 5)
                ref = el[2]
                if ref and not ref.isdecimal():
                    c.warn("X12-ELEMENT-INVALID", f"AK402 {ref!r} is not a data element reference number", i, "AK402")
                what = AK403.get(el[3], "")
                bad = f" bad value {el[4]!r}" if el[4] else ""
                cur[_AK2_ERRORS].append(f"element {el[1]} (ref {ref}): error {el[3]}{' ' + what if what else ''}{bad}")
        elif code == 4:  # AK5/IK5 set status
            if cur is not None:
                status = at(el, 1)
                if status and status not in ACK_STATUSES:
                    c.warn("X12-ELEMENT-INVALID", f"AK501 {status!r} is not an acknowledgment code", i, "AK501")
                cur[_AK2_STATUS] = status or None
                for code5 in el[2:7]:
                    if code5:
                        what = AK5.get(code5, "")
                        cur[_AK2_ERRORS].append(f"set error {code5}{' ' + what if what else ''}")
        elif code == 5:  # AK1
            ak1_i = i
            func, group_ctl = at(el, 1), at(el, 2)
            if func and not (2 <= len(func) <= 3 and func.isalnum() and func.isupper()):
                c.warn("X12-ELEMENT-INVALID", f"AK101 {func!r} is not a functional identifier code", i, "AK101")
            if group_ctl and not group_ctl.isdecimal():
                c.warn("X12-ELEMENT-INVALID", f"AK102 {group_ctl!r} is not a group control number", i, "AK102")
        elif code == 6:  # AK9
            ak9_i = i
            ak9 = pad(el, 5)
            if ak9[1] and ak9[1] not in ACK_STATUSES:
                c.warn("X12-ELEMENT-INVALID", f"AK901 {ak9[1]!r} is not an acknowledgment code", i, "AK901")
    if ak1_i < 0:
        raise c.reject(
            "X12-MISSING-SEGMENT",
            f"{c.ts} {c.sc} has no AK1 (and {'an' if ak9_i >= 0 else 'no'} AK9): nothing says which group it "
            "acknowledges; the set was rejected",
            c.start,
            "AK1",
        )
    require(c, group_ctl, ak1_i, "AK1", "AK102", "acknowledged group control number")
    if ak9_i < 0:
        c.warn("X12-AK9-MISSING", f"{c.ts} {c.sc} has no AK9 group response trailer", c.start, "AK9")
    group_status = ak9[1] or None if ak9 else None
    counts = (ak9[2] or None, ak9[3] or None, ak9[4] or None) if ak9 else (None, None, None)
    base = c.base
    head = (group_ctl, c.partner_id, c.group_stamp, func, group_status, *counts, c.ts, c.file, c.icc, c.sc)
    if rows:
        lines = [
            (ctl, ts_id, status or group_status, "; ".join(errors) or None, base + idx)
            for idx, ts_id, ctl, status, errors in rows
        ]
    else:
        # A group-level acknowledgment (no AK2 loops): one row for the whole group.
        errors = [f"group error {x}" for x in ak9[5:] if x] if ak9 else []
        lines = [(None, None, group_status, "; ".join(errors) or None, base + ak1_i)]
    c.emit("edi_acks", head, lines)
    return group_ctl, c.group_date


FUNCTIONAL_ACK = SetMapper("997", map_997, frozenset(_C997), ("edi_acks",))
IMPLEMENTATION_ACK = SetMapper("999", map_997, frozenset(_C997), ("edi_acks",))
