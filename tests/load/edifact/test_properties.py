"""Properties: release escaping round-trips any value; segments are conserved (read = loaded + rejected)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from recon.load.edifact.syntax import DEFAULT, Separators, escape, tokenize, unescape
from tests.load.edifact.helpers import ORDER_BODY, interchange, message, parse

VALUES = st.text(alphabet=st.sampled_from(list("AB1 ?+:'*.,=~")), min_size=1, max_size=12).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None)
@given(VALUES, st.sampled_from([DEFAULT, Separators("=", "*", ",", "?", None, "~")]))
def test_release_escaping_round_trip(value: str, seps: Separators) -> None:
    una = f"UNA{seps.component}{seps.element}{seps.decimal}{seps.release} {seps.terminator}"
    seg = f"NAD{seps.element}BY{seps.element}{seps.element}{seps.element}{escape(value, seps)}"
    tokens = tokenize(f"{una}UNB{seps.element}UNOC{seps.component}3{seps.terminator}{seg}{seps.terminator}"
                      .encode())
    nad = tokens.segments[1].split(seps.element)
    assert unescape(nad[4], seps.unescape_table(True)) == value


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 3)), min_size=1, max_size=5))
def test_segments_are_conserved(plan: list[tuple[bool, int]]) -> None:
    """Each message is intact or has its UNT count off by `shift`: loaded + rejected = messages, and every
    segment of the file is counted."""
    messages = []
    for n, (intact, shift) in enumerate(plan, start=1):
        m = message("ORDERS", str(n), [s.replace("PO-1001", f"PO-{n}") for s in ORDER_BODY])
        if not intact and shift:
            m[-1] = f"UNT+{len(m) + shift}+{n}"
        messages.append(m)
    text = interchange(messages)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.edifact"
        path.write_text(text)
        result = parse(path)
    summary = result.files[0]
    bad = sum(1 for intact, shift in plan if not intact and shift)
    assert (summary.loaded_sets, summary.rejected_sets) == (len(plan) - bad, bad)
    assert result.tables["orders"].num_rows == len(plan) - bad
    assert summary.segments == text.count("'")  # UNA, UNB, every message segment, UNZ
