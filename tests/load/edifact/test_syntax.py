"""EDIFACT syntax: UNA variants, default separators, release characters, line layouts, BOMs, character sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.load.edifact.syntax import LEVEL_B, Separators, is_edifact, tokenize
from tests.load.edifact.helpers import ORDER_BODY, codes, interchange, message, parse_text, rows


def _orders(result):
    return rows(result, "order_lines")


@pytest.mark.parametrize(
    ("una", "elem", "comp", "term"),
    [
        ("UNA:+.? '", "+", ":", "'"),
        ("UNA=*.? ~", "*", "=", "~"),
        ("UNA:+,? '", "+", ":", "'"),
        ("UNA|^.\\ !", "^", "|", "!"),
    ],
)
def test_una_declares_the_separators(tmp_path: Path, una: str, elem: str, comp: str, term: str) -> None:
    body = [s.replace("+", "\0").replace(":", "\1") for s in ORDER_BODY]
    rel = una[6]
    body = [s.replace("?", rel).replace("\0", elem).replace("\1", comp) for s in body]
    text = interchange([message("ORDERS", "1", body)], una=una).replace("+", "\0").replace(":", "\1")
    # the envelope segments were built with the default separators: translate them too
    text = una + text[len(una):].replace("\0", elem).replace("\1", comp).replace("'", term)
    result = parse_text(tmp_path, text)
    assert codes(result) == []
    lines = _orders(result)
    assert [(r["line_no"], r["item_id"], r["qty"]) for r in lines] == [("1", "SKU-1", "12"), ("2", "SKU-2", "5")]
    assert lines[0]["description"] == f"WIDGET 10{elem} PACK"  # the released element separator


def test_default_separators_without_una(tmp_path: Path) -> None:
    result = parse_text(tmp_path, interchange([message("ORDERS", "1", ORDER_BODY)], una=None))
    assert codes(result) == [] and len(_orders(result)) == 2
    assert result.files[0].segments == 1 + 21 + 1


@pytest.mark.parametrize("sep", ["", "\n", "\r\n"])
def test_terminators_with_or_without_line_breaks(tmp_path: Path, sep: str) -> None:
    result = parse_text(tmp_path, interchange([message("ORDERS", "1", ORDER_BODY)], sep=sep))
    assert codes(result) == [] and len(_orders(result)) == 2
    assert rows(result, "orders")[0]["_source_row"] == 4  # UNA 1, UNB 2, UNH 3, BGM 4


def test_wrapped_lines_inside_segments(tmp_path: Path) -> None:
    flat = interchange([message("ORDERS", "1", ORDER_BODY)], sep="")
    wrapped = "\n".join(flat[i : i + 50] for i in range(0, len(flat), 50))
    result = parse_text(tmp_path, wrapped)
    assert codes(result) == [] and len(_orders(result)) == 2


def test_bom_and_leading_blank_lines(tmp_path: Path) -> None:
    text = "\ufeff\n\n" + interchange([message("ORDERS", "1", ORDER_BODY)])
    assert is_edifact(text.encode("utf-8"))
    result = parse_text(tmp_path, text)
    assert codes(result) == [] and result.files[0].format == "edifact"


def test_release_character_before_each_separator(tmp_path: Path) -> None:
    body = [s if not s.startswith("NAD+BY") else "NAD+BY+C100::9++A?+B?:C??D?'E" for s in ORDER_BODY]
    result = parse_text(tmp_path, interchange([message("ORDERS", "1", body)]))
    assert codes(result) == []
    assert rows(result, "orders")[0]["customer_name"] == "A+B:C?D'E"


def test_level_b_information_separators(tmp_path: Path) -> None:
    text = interchange([message("ORDERS", "1", ORDER_BODY)], una=None, syntax="UNOB:3", sep="")
    text = text.replace("?+", "+").replace("+", "\x1d").replace(":", "\x1f").replace("'", "\x1c")
    tokens = tokenize(text.encode("ascii"))
    assert tokens.separators == LEVEL_B
    result = parse_text(tmp_path, text)
    assert codes(result) == [] and len(_orders(result)) == 2


def test_syntax_version_4_repetition_default() -> None:
    assert tokenize(b"UNB+UNOC:4+S+R+20240105:1200+1'").separators == Separators(repetition="*")
    assert tokenize(b"UNB+UNOC:3+S+R+240105:1200+1'").separators == Separators()


@pytest.mark.parametrize(
    ("syntax", "name", "encoding"),
    [
        ("UNOA:2", "ACME GMBH", "ascii"),
        ("UNOB:2", "Acme GmbH", "ascii"),
        ("UNOC:3", "Müller Straße", "latin-1"),
        ("UNOD:3", "Łódź Żabka", "iso8859-2"),
        ("UNOE:3", "ООО Ромашка", "iso8859-5"),
        ("UNOF:3", "Αθήνα", "iso8859-7"),
        ("UNOW:4", "東京 Müller", "utf-8"),
        ("UNOY:4", "Ромашка 東京", "utf-8"),
    ],
)
def test_each_syntax_identifier_is_decoded_in_its_charset(tmp_path: Path, syntax: str, name: str,
                                                          encoding: str) -> None:
    body = [s if not s.startswith("NAD+BY") else f"NAD+BY+C100::9++{name}" for s in ORDER_BODY]
    text = interchange([message("ORDERS", "1", body)], syntax=syntax)
    result = parse_text(tmp_path, text.encode(encoding))
    assert codes(result) == []
    assert rows(result, "orders")[0]["customer_name"] == name


def test_bytes_outside_the_declared_charset_are_reported(tmp_path: Path) -> None:
    body = [s if not s.startswith("NAD+BY") else "NAD+BY+C100::9++BÜTTNER" for s in ORDER_BODY]
    text = interchange([message("ORDERS", "1", body)], syntax="UNOA:3")
    result = parse_text(tmp_path, text.encode("utf-8"))
    assert codes(result) == ["EDIFACT-CHARSET"]
    assert rows(result, "orders")[0]["customer_name"] == "BÜTTNER"  # read as UTF-8, not lost
    latin = parse_text(tmp_path, text.replace("UNOA", "UNOC").encode("utf-8"), "utf8_as_unoc.edifact")
    assert codes(latin) == ["EDIFACT-CHARSET"] and rows(latin, "orders")[0]["customer_name"] == "BÜTTNER"


def test_bad_una_falls_back_to_the_defaults(tmp_path: Path) -> None:
    text = interchange([message("ORDERS", "1", ORDER_BODY)], una="UNA++.? '")
    result = parse_text(tmp_path, text)
    assert codes(result) == ["EDIFACT-UNA-INVALID"]
    assert len(_orders(result)) == 2


def test_unknown_syntax_identifier_and_version(tmp_path: Path) -> None:
    text = interchange([message("ORDERS", "1", ORDER_BODY)], syntax="XXXX:9")
    assert sorted(codes(parse_text(tmp_path, text))) == ["EDIFACT-CHARSET", "EDIFACT-UNB-INVALID"]


@pytest.mark.parametrize(
    ("second", "declared"),
    [("UNA:+,? '", ":+,? '"), ("UNA|+.? '", "|+.? '"), ("UNA:+.? !", ":+.? !")],
)
def test_a_later_una_that_declares_other_separators_is_reported(tmp_path: Path, second: str, declared: str) -> None:
    first = interchange([message("ORDERS", "1", ORDER_BODY)], ref="1")
    text = first + interchange([message("ORDERS", "1", ORDER_BODY)], ref="2", una=second)
    result = parse_text(tmp_path, text)
    found = [f for f in result.findings if f.code == "EDIFACT-UNA-MISMATCH"]
    assert len(found) == 1
    f = found[0]
    assert (f.severity, f.segment_position, f.segment_id) == ("error", first.count("'") + 1, "UNA")
    assert repr(declared) in f.message and repr(":+.? '") in f.message


@pytest.mark.parametrize(("una", "syntax"), [("UNA:+.? '", "UNOC:3"), ("UNA:+.?*'", "UNOC:4"), (None, "UNOC:3")])
def test_a_later_una_that_repeats_the_separators_is_fine(tmp_path: Path, una: str | None, syntax: str) -> None:
    """A repeated UNA (with a released-looking `?*` in version 4, or the defaults spelt out) is no finding."""
    first = interchange([message("ORDERS", "1", ORDER_BODY)], ref="1", una=una, syntax=syntax)
    second = interchange([message("ORDERS", "1", ORDER_BODY)], ref="2", una=una or "UNA:+.? '", syntax=syntax)
    result = parse_text(tmp_path, first + second)
    assert codes(result) == []
    assert len(rows(result, "orders")) == 2
