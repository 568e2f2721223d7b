"""CONTRL (syntax and service report) and APERAK (application error and acknowledgement) -> edi_acks.

CONTRL (ISO 9735 service message): UCI answers an interchange (0020 its reference, 0083 the
action), UCF a group (0048), UCM a message (0062 its reference, S009 its type, 0083, 0085 the
syntax error), UCS/UCD the segment/element errors under a UCM. Action 0083: 7 acknowledged
(accepted) -> A, 4 rejected -> R, 8 received -> A; an accepted message with UCS/UCD errors is E.
One row per UCM; without UCM, one row for the whole interchange (or group). The acknowledged
group is the UCF's 0048, else the UCI's interchange reference: that is what edi_documents holds
as group_control for messages sent without UNG.

APERAK: BGM 1225 27 (not accepted) -> R, 29/30 (accepted) -> A, else E when ERC errors are
listed; the message answered is RFF+ACW (reference to a previous message), the document RFF ON/
IV/AAK/DQ/... by its qualifier.
"""

from __future__ import annotations

from recon.load.edifact.messages.base import MessageContext, MessageMapper, document_code, require

ACTIONS = {"7": "A", "4": "R", "8": "A"}
"""0083 action code -> edi_acks status (A accepted, R rejected); E is an accepted message with errors."""

_REF_DOCUMENTS = {"ON": "ORDERS", "IV": "INVOIC", "AAK": "DESADV", "DQ": "DESADV", "VN": "ORDRSP"}


def map_contrl(c: MessageContext) -> tuple[str | None, str | None]:
    segs = c.segs
    uci_i = -1
    interchange = group = None
    ic_action = group_action = None
    groups = 0
    rows: list[list] = []
    cur: list | None = None  # acked ref, acked set, status, errors, row
    errors: list[str] = []
    for i in range(1, c.end):
        el = segs[i]
        tag = el[0]
        if tag == "UCI":
            uci_i = i
            interchange = c.parts(el, 1)[0].strip() or None
            ic_action = c.parts(el, 4)[0].strip() or None
            if len(el) > 5 and el[5].strip():
                errors.append(f"UCI {el[5].strip()}")
        elif tag == "UCF":
            groups += 1
            if groups == 1:
                group = c.parts(el, 1)[0].strip() or None
                group_action = c.parts(el, 4)[0].strip() or None
            elif groups == 2:
                c.warn("EDIFACT-CONTRL-GROUPS", "the CONTRL answers more than one group; its message rows carry "
                       "the first group's reference", i, "UCF0048")
        elif tag == "UCM":
            ref = c.parts(el, 1)[0].strip()
            s009 = c.parts(el, 2)
            action = c.parts(el, 3)[0].strip()
            status = ACTIONS.get(action, action or None)
            err = [f"UCM {el[4].strip()}"] if len(el) > 4 and el[4].strip() else []
            cur = [ref or None, document_code(s009[0].strip().upper()) if s009[0].strip() else None, status, err,
                   c.base + i]
            rows.append(cur)
        elif tag in ("UCS", "UCD") and cur is not None:
            # UCS 0096 segment position + 0085 error; UCD 0085 error + S011 element position
            cur[3].append(f"{tag} {'/'.join(v.strip() for v in el[1:])}")
            if cur[2] == "A":
                cur[2] = "E"
    require(c, interchange, uci_i, "UCI", "UCI0020", "the interchange reference answered")
    out = [(r[0], r[1], r[2], "; ".join(r[3]) or None, r[4]) for r in rows]
    head_status = ACTIONS.get(group_action or ic_action or "", group_action or ic_action)
    if not out:
        out.append((None, None, head_status, "; ".join(errors) or None, c.base + uci_i))
    acked_at = c.sent_at
    head = (group or interchange, c.partner_id, acked_at, None, head_status, None, str(len(rows)) if rows else None,
            str(sum(1 for r in rows if r[2] in ("A", "E"))) if rows else None, "CONTRL", c.file, c.icc, c.sc)
    c.emit("edi_acks", head, out)
    return interchange, acked_at[:10] if acked_at else None


def map_aperak(c: MessageContext) -> tuple[str | None, str | None]:
    segs = c.segs
    bgm_i = -1
    function = number = date = None
    refs: dict[str, str] = {}
    errors: list[str] = []
    for i in range(1, c.end):
        el = segs[i]
        tag = el[0]
        if tag == "BGM":
            bgm_i = i
            number = c.parts(el, 2)[0].strip() or None
            function = el[3].strip() if len(el) > 3 else ""
        elif tag == "DTM" and date is None:
            c507 = c.parts(el, 1)
            if c507[0].strip() == "137":
                date = c.when(c507, i, "DTM2380")
        elif tag == "RFF":
            r = c.parts(el, 1)
            if len(r) > 1 and r[1].strip():
                refs.setdefault(r[0].strip().upper(), r[1].strip())
        elif tag == "ERC":
            code = c.parts(el, 1)[0].strip()
            if code:
                errors.append(f"ERC {code}")
    require(c, number or "-", bgm_i, "BGM", "BGM1004", "document number")
    if function == "27":
        status = "R"
    elif function in ("29", "30"):
        status = "A"
    else:
        status = "E" if errors else None
    doc_q = next((q for q in _REF_DOCUMENTS if q in refs), None)
    acked_set = document_code(_REF_DOCUMENTS[doc_q]) if doc_q else None
    acked_ref = refs.get("ACW") or (refs[doc_q] if doc_q else None)
    acked_at = date or c.sent_at
    head = (None, c.partner_id, acked_at, None, status, None, None, None, "APERAK", c.file, c.icc, c.sc)
    c.emit("edi_acks", head, [(acked_ref, acked_set, status, "; ".join(errors) or None, c.base + bgm_i)])
    return number, acked_at[:10] if acked_at else None


CONTRL = MessageMapper("CONTRL", map_contrl, ("edi_acks",))
APERAK = MessageMapper("APERAK", map_aperak, ("edi_acks",))
