"""Score a run's exceptions against a sample's answer key (truth.csv).

The match rule (docs/sample.md; the exception columns are those of docs/exceptions.md): a found
exception matches a truth row when the exception types are equal and every key column the truth
row fills is equal; columns the truth row leaves empty are not compared, so a rule may add
context (a shipment id on an order-line exception) without losing the match.

Per exception type:

- tp: truth rows matched by at least one found exception;
- fn: truth rows no found exception matches (misses);
- fp: found exceptions that match no truth row (false alarms);
- precision = (found - fp) / found, recall = tp / truth.

Several found rows may match one truth row (a rule that reports qty and amount separately for
the same invoice line): they are all correct, none is a false positive, and the truth row counts
once. An empty side scores 1.0 (nothing found means nothing wrong was found).

Pure functions over pandas frames; reading files is separate so tests can score frames directly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from recon.errors import EXIT_USAGE, Problem, ReconError

TYPE = "exception_type"
KEY_COLUMNS = (
    "order_id", "line_no", "shipment_id", "invoice_id", "item_id", "site", "lot", "customer_id",
    "customer_po", "document",
)
EXAMPLES = 10


class ScoreInputError(ReconError):
    """truth.csv or exceptions.csv is missing or unreadable: exit 2, nothing was scored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems=problems, exit_code=EXIT_USAGE, title="cannot score")


@dataclass
class TypeScore:
    exception_type: str
    truth: int
    found: int
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    missed: list[dict[str, str]] = field(default_factory=list)  # up to EXAMPLES truth rows not found
    false_alarms: list[dict[str, str]] = field(default_factory=list)  # up to EXAMPLES unmatched found rows

    @property
    def perfect(self) -> bool:
        return self.precision == 1.0 and self.recall == 1.0


@dataclass
class Score:
    types: list[TypeScore]
    total: TypeScore

    @property
    def perfect(self) -> bool:
        return all(t.perfect for t in self.types)

    def to_dict(self) -> dict[str, object]:
        return {"perfect": self.perfect, "types": [asdict(t) for t in self.types], "total": asdict(self.total)}


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Type and key columns as trimmed text; missing key columns empty; line numbers as integers."""
    out = pd.DataFrame(index=frame.index)
    out[TYPE] = frame[TYPE].fillna("").astype(str).str.strip()
    for col in KEY_COLUMNS:
        values = frame[col].fillna("").astype(str).str.strip() if col in frame.columns else ""
        out[col] = values
    # `1`, `1.0` and `001` are the same line (a writer may format the INTEGER column differently)
    numeric = pd.to_numeric(out["line_no"], errors="coerce")
    whole = numeric.notna() & (numeric == numeric.round())
    out.loc[whole, "line_no"] = numeric[whole].astype("int64").astype(str)
    return out


def score(truth: pd.DataFrame, found: pd.DataFrame) -> Score:
    """Precision and recall per exception type (both frames need an exception_type column)."""
    truth = canonical(truth).reset_index(drop=True)
    found = canonical(found).reset_index(drop=True)
    types = sorted(set(truth[TYPE]) | set(found[TYPE]))
    results = [_score_type(t, truth[truth[TYPE] == t], found[found[TYPE] == t]) for t in types]
    n_truth = sum(r.truth for r in results)
    n_found = sum(r.found for r in results)
    tp, fp, fn = (sum(getattr(r, k) for r in results) for k in ("tp", "fp", "fn"))
    total = TypeScore("(all)", n_truth, n_found, tp, fp, fn, _ratio(n_found - fp, n_found), _ratio(tp, n_truth))
    return Score(results, total)


def _ratio(a: int, b: int) -> float:
    return 1.0 if b == 0 else a / b


def _score_type(name: str, truth: pd.DataFrame, found: pd.DataFrame) -> TypeScore:
    matched_truth: set[int] = set()
    matched_found: set[int] = set()
    if len(truth) and len(found):
        filled = truth[list(KEY_COLUMNS)].ne("")
        patterns = filled.apply(lambda r: tuple(c for c in KEY_COLUMNS if r[c]), axis=1)
        for pattern, rows in truth.groupby(patterns, sort=True):
            cols = list(pattern)
            left = rows[cols].reset_index(names="_truth")
            right = found[cols].reset_index(names="_found")
            # a truth row that fills no key column matches every found row of its type
            pairs = left.merge(right, on=cols, how="inner") if cols else left.merge(right, how="cross")
            matched_truth.update(pairs["_truth"].tolist())
            matched_found.update(pairs["_found"].tolist())
    tp = len(matched_truth)
    fn = len(truth) - tp
    fp = len(found) - len(matched_found)
    missed = truth.loc[[i for i in truth.index if i not in matched_truth][:EXAMPLES]]
    alarms = found.loc[[i for i in found.index if i not in matched_found][:EXAMPLES]]
    return TypeScore(
        name, len(truth), len(found), tp, fp, fn, _ratio(len(found) - fp, len(found)), _ratio(tp, len(truth)),
        _examples(missed), _examples(alarms),
    )


def _examples(rows: pd.DataFrame) -> list[dict[str, str]]:
    return [{c: str(r[c]) for c in KEY_COLUMNS if r[c]} for _, r in rows.iterrows()]


def read_csv(path: str | Path, what: str) -> pd.DataFrame:
    """A CSV of exceptions or truth rows as text; ScoreInputError when it cannot be used."""
    p = Path(path)
    if not p.exists():
        raise ScoreInputError([Problem.of("Q001", what=what, file=str(p))])
    if p.is_dir():
        raise ScoreInputError([Problem.of("Q002", what=what, file=str(p))])
    try:
        frame = pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[])
    except pd.errors.EmptyDataError:
        raise ScoreInputError([Problem.of("Q003", what=what, file=str(p))]) from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScoreInputError([Problem.of("Q004", what=what, reason=message, file=str(p))]) from None
    if TYPE not in frame.columns:
        shown = ", ".join(frame.columns[:12])
        raise ScoreInputError([Problem.of("Q005", what=what, column=TYPE, present=shown, file=str(p))])
    return frame


def score_files(truth: str | Path, exceptions: str | Path) -> Score:
    problems: list[Problem] = []
    frames: list[pd.DataFrame] = []
    for path, what in ((truth, "truth file"), (exceptions, "exceptions file")):
        try:
            frames.append(read_csv(path, what))
        except ScoreInputError as exc:
            problems += exc.problems
    if problems:
        raise ScoreInputError(problems)
    return score(frames[0], frames[1])
