"""Headless Chromium without a driver: a wrapper page frames the report and measures it.

report.html carries no JavaScript (mail clients strip it), so the measuring script lives in a
throw-away wrapper page that loads the report in an <iframe> of the viewport's width and writes
what it found into its own DOM, which `chromium --dump-dom` prints. `--allow-file-access-from-files`
lets the wrapper read the framed file's document. Screenshots use the same framing: the phone and
the desktop view side by side in one PNG.

Chromium is Debian's `chromium` package (`make test-browser` installs it with apt-get if missing).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--allow-file-access-from-files", "--disable-background-networking", "--mute-audio",
         "--host-resolver-rules=MAP * ~NOTFOUND")  # nothing leaves the machine; a request still shows

_MEASURE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="{src}" style="border:0;width:{width}px;height:{height}px"></iframe>
<pre id="out"></pre>
<script>
document.getElementById('f').addEventListener('load', function () {{
  var w = this.contentWindow, d = this.contentDocument;
  var res = w.performance.getEntriesByType('resource').map(function (e) {{ return e.name; }});
  var banner = Array.prototype.some.call(d.querySelectorAll('b'), function (b) {{
    return /^INCOMPLETE RUN/.test(b.textContent) && b.getBoundingClientRect().width > 0; }});
  document.getElementById('out').textContent = JSON.stringify({{
    viewport: w.innerWidth, scroll_width: d.documentElement.scrollWidth,
    body_scroll_width: d.body.scrollWidth, height: d.documentElement.scrollHeight,
    resources: res, incomplete_banner: banner, text: d.body.innerText}});
}});
</script></body></html>"""

_SHOT = """<!DOCTYPE html><html><body style="margin:0;background:#8c959f">
<table cellpadding="0" cellspacing="16"><tr valign="top">
<td><iframe src="{src}" style="border:0;width:{desktop}px;height:{height}px;background:#fff"></iframe></td>
<td><iframe src="{src}" style="border:0;width:{phone}px;height:{height}px;background:#fff"></iframe></td>
</tr></table></body></html>"""


def binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(args: list[str], timeout: float = 120) -> str:
    exe = binary()
    if exe is None:
        raise RuntimeError("no chromium on PATH: run `make test-browser`, which installs Debian's chromium")
    done = subprocess.run([exe, *FLAGS, *args], capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def measure(report: Path, width: int, height: int = 900) -> dict[str, Any]:
    """Render `report` in a viewport `width` px wide; its widths, requests, banner and text."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "measure.html"
        page.write_text(_MEASURE.format(src=report.absolute().as_uri(), width=width, height=height))
        dom = _run(["--virtual-time-budget=10000", "--dump-dom", page.as_uri()])
    found = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    if not found or not found.group(1).strip():
        raise RuntimeError("the measuring page did not report (was the report framed?)")
    import html as entities

    return json.loads(entities.unescape(found.group(1)))


def screenshot(report: Path, png: Path, *, desktop: int = 1280, phone: int = 390, height: int = 1500) -> None:
    """One PNG: the report's first `height` px at `desktop` and at `phone` width, side by side."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "shot.html"
        page.write_text(_SHOT.format(src=report.absolute().as_uri(), desktop=desktop, phone=phone, height=height))
        png.parent.mkdir(parents=True, exist_ok=True)
        _run([f"--window-size={desktop + phone + 48},{height + 32}", "--virtual-time-budget=5000",
              f"--screenshot={png.absolute()}", page.as_uri()])


if __name__ == "__main__":  # python tests/browser/chromium.py REPORT PNG: the docs' screenshot
    import sys

    screenshot(Path(sys.argv[1]), Path(sys.argv[2]))
