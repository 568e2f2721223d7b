"""report.html in a real browser (headless Chromium) at 1280 and 390 px: the demo, a 20k-order
night and an incomplete night. Run by `make test-browser` (which installs Debian's chromium);
kept out of `make test` like the Spark tests.

Asserted: the page is never wider than the viewport (nothing scrolls sideways on a phone), the
page makes no request of any kind, every exception id the page lists as a top item is there as
text, and the red incomplete banner shows when a source failed. A control page with a wide
element and an image proves the measurement can fail.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from recon.report.html import TOP_N

from .chromium import measure

ROOT = Path(__file__).resolve().parents[2]
RECON = str(Path(sys.executable).with_name("recon"))
WIDTHS = (1280, 390)


def _run(config: Path, out: Path, *extra: str) -> Path:
    done = subprocess.run([RECON, "run", "--config", str(config), "--out", str(out), *extra],
                          capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1, 5), done.stderr  # 1: over the limits, 5: incomplete; both report
    assert (out / "report.html").is_file(), done.stderr
    return out


@pytest.fixture(scope="session")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("browser")
    demo = base / "demo-data"
    shutil.copytree(ROOT / "sample_data", demo)
    big = base / "big-data"
    subprocess.run([RECON, "sample", "--out", str(big), "--orders", "20000", "--seed", "3"], check=True,
                   capture_output=True)
    broken = base / "broken-data"
    shutil.copytree(ROOT / "sample_data", broken)
    (broken / "tms" / "shipments.csv").unlink()
    return {"demo": _run(demo / "recon.yaml", base / "demo"), "20k": _run(big / "recon.yaml", base / "20k"),
            "incomplete": _run(broken / "recon.yaml", base / "incomplete")}


def _largest_ids(out: Path) -> list[str]:
    """The top items, from exceptions.csv rather than the page: by value at risk, as the page sorts."""
    with (out / "exceptions.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["value_at_risk"]]
    rows.sort(key=lambda r: -float(r["value_at_risk"]))
    cut = float(rows[min(TOP_N, len(rows)) - 1]["value_at_risk"])
    return [r["exception_id"] for r in rows if float(r["value_at_risk"]) > cut]  # ties at the cut may go either way


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["demo", "20k"])
def test_the_report_fits_the_viewport_requests_nothing_and_lists_its_top_ids(reports, name, width):
    out = reports[name]
    seen = measure(out / "report.html", width)
    assert seen["viewport"] == width
    assert seen["scroll_width"] <= width, f"{name} at {width} px is {seen['scroll_width']} px wide"
    assert seen["resources"] == []
    ids = _largest_ids(out)
    assert len(ids) >= TOP_N // 2
    missing = [i for i in ids if i not in seen["text"]]
    assert not missing, f"top exception ids not on the page: {missing}"
    assert "INCOMPLETE RUN" not in seen["text"]
    assert (out / "report.html").stat().st_size < 100_000


@pytest.mark.parametrize("width", WIDTHS)
def test_a_failed_source_shows_the_incomplete_banner(reports, width):
    seen = measure(reports["incomplete"] / "report.html", width)
    assert seen["incomplete_banner"], "the red INCOMPLETE RUN banner is not visible"
    assert "tms" in seen["text"].split("INCOMPLETE RUN")[1][:600]
    assert seen["scroll_width"] <= width


def test_the_measurement_catches_a_wide_page_and_a_request(tmp_path):
    page = tmp_path / "report.html"
    page.write_text('<!DOCTYPE html><html><body><div style="width:700px">wide</div>'
                    '<img src="http://tracker.example.com/pixel.png" alt=""></body></html>')
    seen = measure(page, 390)
    assert seen["scroll_width"] > 390
    assert seen["resources"] == ["http://tracker.example.com/pixel.png"]
    assert not seen["incomplete_banner"]
