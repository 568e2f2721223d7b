"""The shape of a rule pack, as pydantic models.

A rule is data: these models say what a pack may contain and reject anything else (unknown
keys, bad durations, bad tolerances) with a location. Checks that need the canonical model or
SQL parsing (unknown tables and columns, aggregation holes) live in `recon.rules.checks`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from recon.calendars import BusinessDays, parse_business_days
from recon.config.schema import _check_normaliser
from recon.rules import snippets
from recon.rules.scorers import SCORERS

SEVERITIES = ("critical", "high", "medium", "low")
Severity = Literal["critical", "high", "medium", "low"]
KEBAB = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
AGGREGATES = ("sum", "min", "max", "count", "count_distinct", "avg")
Aggregate = Literal["sum", "min", "max", "count", "count_distinct", "avg"]
Scorer = Literal[tuple(SCORERS)]  # type: ignore[valid-type]  # the names in recon.rules.scorers

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> int:
    """`48h`, `2d`, `30m`, `1w`, `90s` as whole seconds; anything else is an error with the fix."""
    if isinstance(value, str):
        match = _DURATION_RE.match(value)
        if match:
            return round(float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    raise ValueError(f"bad duration {value!r}; write a number and a unit: 90s, 30m, 4h, 2d, 1w")


def format_duration(seconds: int) -> str:
    """The shortest exact spelling, for docs and messages."""
    for unit in ("w", "d", "h", "m"):
        if seconds and seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


Duration = Annotated[int, BeforeValidator(parse_duration)]


def parse_age(value: Any) -> int | BusinessDays:
    """An age gate: a duration (`4h`, `2d`) in seconds, or working days on a calendar (`2bd`, `2bd:uk`)."""
    business = parse_business_days(value)
    if business is not None:
        return business
    try:
        return parse_duration(value)
    except ValueError:
        raise ValueError(f"bad duration {value!r}; write a number and a unit: 90s, 30m, 4h, 2d, 1w, "
                         "or business days: 2bd (2bd:NAME for a calendar other than the default)") from None


Age = Annotated[int | BusinessDays, BeforeValidator(parse_age)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _normalisers(steps: list[Any]) -> list[Any]:
    return [_check_normaliser(s) for s in steps]


class SideUnits(Strict):
    """Quantities of a side brought to their item's base unit before anything else sees them.

    Each row's unit (`uom`, a column or expression) is normalised and converted with the run's
    unit conversions (config `units:` and `uom_conversions` tables; recon.rules.units). A pair
    whose sides end in different units is the rule's `unconvertible` outcome, never compared.
    """

    fields: list[str] = Field(default_factory=lambda: ["qty"])  # the quantity columns converted
    per_unit: list[str] = Field(default_factory=list)  # prices per one unit: divided by the factor
    uom: str = "uom"  # the unit each row's quantities are in; empty: none given
    item: str = "item_id"  # whose conversions apply

    @model_validator(mode="after")
    def _something(self) -> SideUnits:
        if not self.fields and not self.per_unit:
            raise ValueError("units: give fields (quantities) or per_unit (prices) to convert")
        return self


def _units(value: Any) -> Any:
    if value is True:  # `units: true`: qty in uom of item_id
        return {}
    return value


class Lookup(Strict):
    """Fields fetched from another table by key, at most one row per key (never fans out)."""

    table: str
    by: dict[str, str] | list[str]  # lookup column -> column of the side (a list: same names); `on` is a YAML boolean
    fields: dict[str, str] | list[str]  # name on the side -> lookup column or expression (a list: same names)
    agg: Literal["min", "max", "sum", "avg"] = "min"
    where: str | None = None  # which rows of the lookup table count
    # Its quantities in base units before they are aggregated (a row whose unit does not convert keeps it).
    units: Annotated[SideUnits | None, BeforeValidator(_units)] = None
    # Applied to both sides of every `by` pair before they are compared (control numbers one partner
    # pads and another does not: [trim, strip_leading_zeros]).
    normalise: list[Any] = Field(default_factory=list)
    # The lookup table's own lookups: its rows are enriched before `where` and `fields` (a shipment's
    # value is its lines' qty times the order lines' prices: a lookup of shipment lines whose own
    # lookup brings the price).
    lookups: list[Lookup] = Field(default_factory=list)

    @field_validator("normalise")
    @classmethod
    def _steps(cls, steps: list[Any]) -> list[Any]:
        return _normalisers(steps)

    def on_pairs(self) -> list[tuple[str, str]]:
        return [(c, c) for c in self.by] if isinstance(self.by, list) else list(self.by.items())

    def field_pairs(self) -> list[tuple[str, str]]:
        return [(c, c) for c in self.fields] if isinstance(self.fields, list) else list(self.fields.items())


class Rows(Strict):
    """Where a rule's rows come from: a `<system>.<entity>` table, filtered and enriched."""

    table: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    where: str | None = None
    lookups: list[Lookup] = Field(default_factory=list)
    event_at: str | None = None  # the event that starts the clock for `older_than`


def _aggregate_spec(value: Any) -> Any:
    """An aggregate function's name (`sum`), or an expression that aggregates (`sum(qty * unit_price)`)."""
    if not isinstance(value, str) or value in AGGREGATES:
        return value
    try:
        tree = snippets.parse(value)
    except snippets.SnippetError as exc:
        raise ValueError(f"{value!r}: {exc}") from None
    if not snippets.has_aggregate(tree):
        raise ValueError(f"{value!r} is neither an aggregate ({', '.join(AGGREGATES)}) nor an expression that "
                         "aggregates, such as sum(qty * unit_price)")
    return value


AggregateSpec = Annotated[str, BeforeValidator(_aggregate_spec)]


def is_aggregate_function(spec: str) -> bool:
    """True for `sum`, `min`, ... (applied to the column of the same name); False for an expression."""
    return spec in AGGREGATES


class Side(Rows):
    """One side of a match; `aggregate` sums (or min/max...) per key before matching.

    Each entry is a column and its function (`qty: sum`), or a new name and an expression that
    aggregates the side's rows (`shipment_value: sum(qty * unit_price)`).
    """

    # Compare these quantities in the item's base unit (docs/rules.md, "Units of measure").
    units: Annotated[SideUnits | None, BeforeValidator(_units)] = None
    aggregate: dict[str, AggregateSpec] | None = None
    dedupe: list[str] | None = None  # count each value of these columns once (duplicates are another rule's)
    event_agg: Literal["min", "max"] = "min"  # an aggregated side's clock: its first or its last event


class Tolerance(Strict):
    """How far apart two values may be and still agree. abs/pct: either holds; lower/upper bound left - right."""

    abs: float | None = Field(None, ge=0)
    pct: float | None = Field(None, ge=0)
    lower: float | None = None
    upper: float | None = None
    window: Duration | None = None
    before: Duration | None = None
    after: Duration | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Tolerance:
        numeric = any(v is not None for v in (self.abs, self.pct, self.lower, self.upper))
        timed = any(v is not None for v in (self.window, self.before, self.after))
        if numeric and timed:
            raise ValueError("a tolerance is either numeric (abs, pct, lower, upper) or a time window "
                             "(window, before, after), not both")
        if (self.lower is not None or self.upper is not None) and (self.abs is not None or self.pct is not None):
            raise ValueError("give abs/pct or lower/upper bounds, not both")
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError(f"lower bound {self.lower} is above upper bound {self.upper}")
        if self.window is not None and (self.before is not None or self.after is not None):
            raise ValueError("give window or before/after, not both")
        if not numeric and not timed:
            raise ValueError("an empty tolerance; give abs, pct, lower/upper, window or before/after")
        return self

    @property
    def is_time(self) -> bool:
        return any(v is not None for v in (self.window, self.before, self.after))


class Outcome(Strict):
    """What a finding means: its exception type, who owns it, which system to fix, what it is worth."""

    exception: str = Field(pattern=KEBAB)
    severity: Severity
    owner: str | None = Field(None, pattern=r"^[a-z][a-z0-9_-]*$")
    fix_in: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")
    older_than: Age | None = None
    event: Literal["left", "right"] | None = None
    value_at_risk: str | None = None
    currency: str | None = None
    key: dict[str, str] | None = None  # business key column -> expression
    context: dict[str, str] = Field(default_factory=dict)  # further exception columns, not part of the id
    # Match rules: text over the pair that the message shows as `{note}` (empty when NULL), for what
    # no exception column holds (stock-matches: the goods in transit that explain a variance).
    note: str | None = None
    message: str | None = None


class Key(Strict):
    """A key: same column on both sides, or an expression per side, compared after normalisation."""

    name: str = Field(pattern=NAME)
    expr: str | None = None
    left: str | None = None
    right: str | None = None
    normalise: list[Any] = Field(default_factory=list)

    @field_validator("normalise")
    @classmethod
    def _steps(cls, steps: list[Any]) -> list[Any]:
        return _normalisers(steps)

    def expr_for(self, side: str | None = None) -> str:
        given = self.left if side == "left" else self.right if side == "right" else None
        return given or self.expr or self.name


def _key(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


KeyItem = Annotated[Key, BeforeValidator(_key)]


class FuzzyLevel(Strict):
    """One way a candidate pair may qualify; levels are tried in order and the first that holds wins."""

    field: str | None = None
    left: str | None = None
    right: str | None = None
    scorer: Scorer
    threshold: float | None = Field(None, ge=0, le=100)

    @model_validator(mode="after")
    def _complete(self) -> FuzzyLevel:
        if self.field is None and (self.left is None or self.right is None):
            raise ValueError("give field, or both left and right")
        takes_threshold = SCORERS[self.scorer].threshold
        if takes_threshold and self.threshold is None:
            raise ValueError(f"scorer {self.scorer} needs a threshold (0-100)")
        if not takes_threshold and self.threshold is not None:
            raise ValueError(f"scorer {self.scorer} takes no threshold")
        return self

    @property
    def name(self) -> str:
        return self.field or str(self.left)


class Compare(Outcome):
    """A field compared across the pair; outside tolerance it is a mismatch of type `exception`."""

    field: str = Field(pattern=NAME)
    left: str | None = None  # expression over the pair; default left.<field>
    right: str | None = None
    type: Literal["number", "text", "time"] | None = None
    tolerance: Tolerance | None = None
    normalise: list[Any] = Field(default_factory=list)
    ignore_missing: bool = False
    missing_as: float | None = None  # compare against this value when the other side has no row

    @field_validator("normalise")
    @classmethod
    def _steps(cls, steps: list[Any]) -> list[Any]:
        return _normalisers(steps)


class Doc(Strict):
    what: str
    why: str
    fix: str
    example: str


class RuleBase(Strict):
    """What every kind of rule has; each kind (recon.rules.kinds) adds `kind: Literal[...]` and its parts."""

    id: str = Field(pattern=KEBAB)
    title: str
    workflow: str | None = Field(None, pattern=KEBAB)
    owner: str | None = Field(None, pattern=r"^[a-z][a-z0-9_-]*$")
    doc: Doc | None = None

    def outcomes(self) -> list[tuple[str, Outcome]]:
        """(kind of finding, outcome) for every outcome, in the order they are reported."""
        raise NotImplementedError

    def tables(self) -> list[str]:
        """The tables the rule cannot run without."""
        raise NotImplementedError

    def sides(self) -> list[Rows]:
        """Where its rows come from (each with its table, filter and lookups)."""
        raise NotImplementedError

    def scorer_names(self) -> list[str]:
        """The fuzzy scorers its SQL uses (recon.rules.scorers)."""
        return []


class MatchRule(RuleBase):
    kind: Literal["match"]
    left: Side
    right: Side
    keys: list[KeyItem] = Field(min_length=1)
    fuzzy: list[FuzzyLevel] = Field(default_factory=list)
    compare: list[Compare] = Field(default_factory=list)
    missing_left: Outcome | None = None
    missing_right: Outcome | None = None
    ambiguous: Outcome | None = None
    # A pair whose quantities (a side with `units`) do not convert to the item's base unit.
    unconvertible: Outcome | None = None
    record: str | None = None  # the entity whose system of record decides fix_in

    @model_validator(mode="after")
    def _has_outcome(self) -> MatchRule:
        if not (self.compare or self.missing_left or self.missing_right or self.ambiguous):
            raise ValueError("a match rule needs at least one outcome: missing_left, missing_right or compare")
        for c in self.compare:
            if c.missing_as is not None and (self.missing_left or self.missing_right):
                raise ValueError(f"compare {c.field}: missing_as and missing_left/missing_right both say what "
                                 "an absent row means; keep one")
        sides = [self.left.units is not None, self.right.units is not None]
        if any(sides) and not all(sides):
            raise ValueError("units: give it on both sides (each side's quantities come to the item's base unit)")
        if all(sides) and self.unconvertible is None:
            raise ValueError("a rule with units needs an unconvertible outcome (e.g. {exception: uom-not-convertible, "
                             "severity: medium, owner: master-data}): quantities in two units are never compared")
        if self.unconvertible is not None and not all(sides):
            raise ValueError("unconvertible applies to a rule with units on both sides")
        return self

    def outcomes(self) -> list[tuple[str, Outcome]]:
        """(kind, outcome) for every outcome, in the order they are reported."""
        out: list[tuple[str, Outcome]] = []
        if self.missing_right:
            out.append(("missing_right", self.missing_right))
        if self.missing_left:
            out.append(("missing_left", self.missing_left))
        if self.unconvertible:
            out.append(("unconvertible", self.unconvertible))
        out += [("mismatch", c) for c in self.compare]
        if self.ambiguous:
            out.append(("ambiguous", self.ambiguous))
        return out

    def tables(self) -> list[str]:
        return [self.left.table, self.right.table]

    def sides(self) -> list[Rows]:
        return [self.left, self.right]

    def scorer_names(self) -> list[str]:
        return [level.scorer for level in self.fuzzy]


class SingleTableRule(RuleBase, Rows):
    keys: list[KeyItem] = Field(min_length=1)
    outcome: Outcome

    def outcomes(self) -> list[tuple[str, Outcome]]:
        return [(self.kind, self.outcome)]  # type: ignore[attr-defined]

    def tables(self) -> list[str]:
        return [self.table]

    def sides(self) -> list[Rows]:
        return [self]


class CheckRule(SingleTableRule):
    """Every row (of the filtered table) must meet `require`; the rows that do not are grouped by key."""

    kind: Literal["check"]
    require: str
    field: str | None = Field(None, pattern=NAME)
    value: str | None = None  # shown as left_value


class DuplicateRule(SingleTableRule):
    """`keys` must be unique in the table; `distinct` counts distinct values of a column instead of rows."""

    kind: Literal["duplicate"]
    distinct: str | None = None
