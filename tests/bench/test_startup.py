"""The command-start benchmark: it times the real console script and judges the 0.3 s target."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import results_md  # noqa: E402
import startup  # noqa: E402


def test_measure_times_each_command_as_a_process() -> None:
    figures = startup.measure(reps=1)
    assert set(figures["commands"]) == {"recon --version", "recon --help", "recon edi --help"}
    for figure in figures["commands"].values():
        assert 0 < figure["median"] < 30 and figure["n"] == 1
    assert figures["load_1min"] >= 0


def _judged(version: float, help_: float) -> dict[str, str]:
    commands = {"recon --version": {"median": version, "min": version, "max": version, "n": 3},
                "recon --help": {"median": help_, "min": help_, "max": help_, "n": 3}}
    results = {"startup": {"reps": 3, "load_1min": 1.5, "busy_before": 0.1, "commands": commands}}
    return next(t for t in results_md.evaluate(results) if t["key"] == "startup")


def test_target_met_only_when_both_medians_are_under_the_bar() -> None:
    assert _judged(0.12, 0.2)["status"] == "met"
    assert _judged(0.12, 0.31)["status"] == "MISSED"
    assert "0.120 s / 0.310 s" in _judged(0.12, 0.31)["measured"]
