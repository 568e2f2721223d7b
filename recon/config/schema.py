"""The shape of `recon.yaml`, as pydantic models.

Every model forbids unknown keys so that a misspelt option is an error with a location instead
of a silently ignored setting. Cross-field checks that need the canonical model or the file
system (unknown entity, missing key mappings, globs, headers) live in `recon.config.checks`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from recon.calendars import DEFAULT_CALENDAR, BusinessCalendar, weekday_numbers
from recon.config.derive import Derive
from recon.config.events import Events
from recon.config.explode import ExplodePath, parse_explode
from recon.config.reasons import REASON_CODE_PATTERN, ReasonCode, with_defaults
from recon.config.regex import replace_problem
from recon.config.semantics import LatestBy, Pivot
from recon.config.slo import Slo, duration_hours
from recon.config.units import Units
from recon.engines import DEFAULT_ENGINE, ENGINES
from recon.formats import FORMATS

SIMPLE_NORMALISERS = ("trim", "upper", "lower", "strip_leading_zeros", "collapse_spaces", "empty_to_null")
PARAM_NORMALISERS = ("strip_prefix", "add_prefix", "zero_pad", "map", "replace", "strip_suffix")
VALUE_TYPES = ("varchar", "decimal", "integer", "timestamp", "date", "boolean")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReaderOptions(Strict):
    """How to read a file; defaults suit a plain UTF-8 comma-separated file with a header."""

    delimiter: str | None = None
    encoding: str = "utf-8"
    header: bool = True
    quote: str | None = None
    escape: str | None = None
    skip: int = Field(0, ge=0)
    sheet: str | int | None = None
    decimal: Literal[".", ","] = "."
    thousands: str | None = None
    null_values: list[str] = Field(default_factory=list)
    # CSV and JSONL: a longer line is one reject, not a failed file (DuckDB's own default is 2 MB).
    max_line_size: int = Field(16 * 1024 * 1024, ge=1024)

    @field_validator("delimiter", "quote", "escape")
    @classmethod
    def _one_character(cls, value: str | None, info: Any) -> str | None:
        # One character: the line-by-line split of a damaged CSV file matches fields with it.
        if value is None:
            return value
        if info.field_name == "delimiter" and len(value) != 1:
            raise ValueError("delimiter must be one character")
        if len(value) > 1:
            raise ValueError(f"{info.field_name} must be one character (or empty for none)")
        return value


def _check_normaliser(step: Any) -> Any:
    if isinstance(step, str):
        if step not in SIMPLE_NORMALISERS:
            raise ValueError(
                f"unknown normaliser {step!r}; known: {', '.join(SIMPLE_NORMALISERS + PARAM_NORMALISERS)}"
            )
        return step
    if isinstance(step, dict) and len(step) == 1:
        (name, arg), = step.items()
        if name not in PARAM_NORMALISERS:
            raise ValueError(f"unknown normaliser {name!r}; known: {', '.join(PARAM_NORMALISERS)}")
        if name in ("strip_prefix", "add_prefix", "strip_suffix") and not isinstance(arg, str):
            raise ValueError(f"{name} takes a string")
        if name == "zero_pad" and (not isinstance(arg, int) or isinstance(arg, bool) or arg < 1):
            raise ValueError("zero_pad takes a width, a positive whole number")
        if name == "map" and not (
            isinstance(arg, str) or (isinstance(arg, dict) and all(isinstance(k, str | int) for k in arg))
        ):
            raise ValueError("map takes the name of a lookup table or an inline {from: to} mapping")
        if name == "replace":
            if not (isinstance(arg, dict) and set(arg) == {"pattern", "with"}
                    and all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in arg.values())):
                raise ValueError("replace takes {pattern: REGEX, with: TEXT}")
            problem = replace_problem(str(arg["pattern"]), str(arg["with"]))
            if problem:
                raise ValueError(f"replace: DuckDB refuses pattern {arg['pattern']!r} with {arg['with']!r}: {problem}")
        return {name: arg}
    raise ValueError("a normaliser is a name (trim) or a one-key mapping ({zero_pad: 10})")


class ColumnSpec(Strict):
    """Where a canonical field comes from and how its text becomes a typed, normalised value."""

    column: str | None = None
    expr: str | None = None
    value: str | int | float | bool | None = None
    # A value from another source by key: `{lookup: erp_headers, on: HEADER_ID, field: ORDER_NUMBER}`
    # takes the `field` column of the erp_headers row whose `on` column equals this row's `on` cell.
    lookup: str | None = None
    on: str | None = None
    field: str | None = None
    format: str | None = None
    timezone: str | None = None
    type: Literal["varchar", "decimal", "integer", "timestamp", "date", "boolean"] | None = None
    # How a line number (line_no, order_line_no) is written: whole numbers (default; `000010` is
    # `10`), dotted numbers kept as written (`1.1`, `10.2.1`), or any text (`10-A`).
    line: Literal["integer", "dotted", "text"] | None = None
    normalise: list[Any] = Field(default_factory=list)

    @field_validator("normalise")
    @classmethod
    def _normalisers(cls, steps: list[Any]) -> list[Any]:
        return [_check_normaliser(s) for s in steps]

    @model_validator(mode="before")
    @classmethod
    def _on_is_a_key(cls, value: Any) -> Any:
        # YAML 1.1 reads a bare `on:` key as the boolean true: in a column spec it is the lookup's `on`.
        if isinstance(value, dict) and True in value and "on" not in value:
            value = {("on" if k is True else k): v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _one_source(self) -> ColumnSpec:
        given = [k for k in ("column", "expr", "value", "lookup") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of column, expr, value or lookup")
        if self.lookup is not None and (self.on is None or self.field is None):
            raise ValueError("a lookup needs on (the column both sources share) and field (the column to take)")
        if self.lookup is None and (self.on is not None or self.field is not None):
            raise ValueError("on and field belong to a lookup: {lookup: SOURCE, on: COLUMN, field: COLUMN}")
        return self


SELECTIONS = ("all", "as_of", "latest_not_after_as_of")


class Expect(Strict):
    """What a complete delivery of a source looks like; a source that falls short makes the run incomplete.

    Files can be missing, truncated to a header or left over from yesterday when an upstream
    export fails, and every one of those loads "fine". These limits are checked after loading
    (docs/operations.md, "An incomplete night"): `min_rows` over the rows loaded and rejected,
    `max_age` of the newest file's modification time, or of the newest value of `age_column`
    (a loaded timestamp field) when the files are copied around and their times mean nothing.
    """

    min_rows: int | None = Field(None, ge=0)
    max_age: float | None = None  # hours; written 26h, 2d
    age_column: str | None = None  # a timestamp field of the source whose newest value must be within max_age
    min_files: int | None = Field(None, ge=0)
    max_files: int | None = Field(None, ge=1)

    @field_validator("max_age", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> Any:
        return None if value is None else duration_hours(value)

    @model_validator(mode="after")
    def _consistent(self) -> Expect:
        if self.age_column is not None and self.max_age is None:
            raise ValueError("age_column needs max_age (how old its newest value may be)")
        if self.min_files is not None and self.max_files is not None and self.min_files > self.max_files:
            raise ValueError(f"min_files {self.min_files} is above max_files {self.max_files}")
        return self


class SourceBase(Strict):
    """A source's keys common to every format; `Source` adds each EDI format's options block."""

    system: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    entity: str | None = None
    path: str
    format: Literal[tuple(FORMATS)] | None = None  # type: ignore[valid-type]  # recon.formats
    options: ReaderOptions = Field(default_factory=ReaderOptions)
    columns: dict[str, str | ColumnSpec] = Field(default_factory=dict)
    normalise: dict[str, list[Any]] = Field(default_factory=dict)
    timezone: str | None = None
    # Rows of the source itself that are not part of the entity (DuckDB SQL over its columns, all
    # text): rows it does not hold are counted as filtered, never as rejects.
    where: str | None = None
    latest_by: LatestBy | None = None
    pivot: Pivot | None = None
    # Nested JSON: the arrays whose elements become rows (`stops[].shipment_ids[]`; recon.config.explode).
    explode: str | None = None
    # Which of the files a `{date:%Y%m%d}` path names are loaded, measured against the run's as-of.
    select: Literal["all", "as_of", "latest_not_after_as_of"] = "all"
    # A required source that fails (missing, unreadable, short of `expect`) makes the run incomplete
    # (exit 5); an optional one only leaves its rules not evaluated.
    required: bool = True
    expect: Expect = Field(default_factory=Expect)

    @field_validator("normalise")
    @classmethod
    def _normalisers(cls, fields: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return {f: [_check_normaliser(s) for s in steps] for f, steps in fields.items()}

    def field_from_column(self, column: str) -> str | None:
        """The field mapped straight from `column` (compared without case, as DuckDB does), if any."""
        for name, spec in self.column_specs().items():
            if spec.column is not None and spec.column.casefold() == column.casefold():
                return name
        return None

    def explode_path(self) -> ExplodePath | None:
        """The parsed `explode:` (None without one); `recon validate` reports one that does not parse."""
        return parse_explode(self.explode) if self.explode is not None else None

    def lookups(self) -> dict[str, ColumnSpec]:
        """The fields this source takes from another source by key."""
        return {name: spec for name, spec in self.column_specs().items() if spec.lookup is not None}

    def column_specs(self) -> dict[str, ColumnSpec]:
        """Mapping with the `field: COLUMN` shorthand expanded and source-wide normalisers merged."""
        specs: dict[str, ColumnSpec] = {}
        for name, spec in self.columns.items():
            spec = ColumnSpec(column=spec) if isinstance(spec, str) else spec
            extra = self.normalise.get(name)
            if extra:
                spec = spec.model_copy(update={"normalise": [*extra, *spec.normalise]})
            specs[name] = spec
        return specs


# `x12:` (and any other EDI format's block, by its `options_key`): checked by the format's own
# options model in recon.config.checks, so the config schema imports no parser.
Source = create_model(
    "Source", __base__=SourceBase, __module__=__name__,
    **{f.options_key: (dict[str, Any] | None, None) for f in FORMATS.values() if f.options_key != "options"},
)


class Ownership(Strict):
    system: str
    fields: dict[str, str] = Field(default_factory=dict)


class SparkOptions(Strict):
    """Where Spark runs (`engine.name: spark`); `local[*]` needs nothing but Java 17+ (docs/scale-out.md).

    `conf` goes to the session builder as is (spark.executor.memory, spark.sql.shuffle.partitions...).
    `work_dir` is where Spark writes the loaded tables, rejects and exceptions as Parquet: on a
    cluster it must be a path the driver and every executor can reach (a shared mount), because
    the driver's DuckDB reads the results back from there. Default: a temporary folder.
    """

    master: str = "local[*]"
    app_name: str = "recon"
    conf: dict[str, str | int | float | bool] = Field(default_factory=dict)
    work_dir: str | None = None
    keep_work_dir: bool = False  # keep the Parquet files after the run (for debugging)


DEFAULT_MEMORY_LIMIT = "1.5GiB"


class EngineOptions(Strict):
    """Which engine runs load and rules, and its settings.

    DuckDB (the default) runs in process with a memory limit, so a nightly job's footprint is
    known in advance: beyond it DuckDB spills to a scratch folder instead of growing or failing
    (bench/notes.md has what the default costs at 1M orders). Spark runs the same mapping and
    rule SQL, transpiled, on a cluster; results come back into the run's DuckDB so reports,
    history and acks are the same code. `engine: spark` is short for `engine: {name: spark}`.
    """

    name: Literal[tuple(ENGINES)] = DEFAULT_ENGINE  # type: ignore[valid-type]  # recon.engines
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT
    threads: int | None = Field(None, ge=1)
    temp_directory: str | None = None
    database: str | None = None  # a file for the working tables; default in memory
    spark: SparkOptions = Field(default_factory=SparkOptions)

    @model_validator(mode="before")
    @classmethod
    def _name_only(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @field_validator("memory_limit")
    @classmethod
    def _memory_limit(cls, value: str | None) -> str | None:
        # DuckDB parses it; imported here so that reading the config schema (the rule compiler,
        # `recon rules docs`) does not load DuckDB.
        from recon.db import check_memory_limit

        return None if value is None else check_memory_limit(value)


SEVERITIES = ("critical", "high", "medium", "low")
class Budget(Strict):
    """One line of the bar: a limit on the exceptions of one rule, type or severity (or of all).

    Budgets turn "some exceptions are normal" into an explicit, reviewable number, so CI and cron
    fail on a regression instead of on the background noise every distributor lives with.
    """

    measure: Literal["exceptions", "rejected_rows", "failed_sources", "not_evaluated"] = "exceptions"
    rule: str | None = None
    exception_type: str | None = None
    severity: Literal["critical", "high", "medium", "low"] | None = None
    source: str | None = None  # rejected_rows of this source (default: of every source)
    max: int | None = Field(None, ge=0)
    max_value_at_risk: float | None = Field(None, ge=0)
    max_rate: float | None = None  # a fraction of the records compared (rows read for rejects); written "0.5%"
    new_only: bool = False
    # dbt's tiers: `fail` breaks the bar (exit 1), `warn` is shown in every report and leaves the exit code alone.
    level: Literal["warn", "fail"] = "fail"

    @field_validator("max_rate", mode="before")
    @classmethod
    def _percent(cls, value: Any) -> Any:
        # A bare 0.5 could mean half or half a percent: only an explicit percentage is accepted.
        if value is None:
            return None
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", str(value)) if isinstance(value, str) else None
        if not match:
            raise ValueError(f"max_rate {value!r} is not a percentage; write it as 0.5%")
        return float(match.group(1)) / 100

    @model_validator(mode="after")
    def _scope_and_limit(self) -> Budget:
        scopes = [k for k in ("rule", "exception_type", "severity") if getattr(self, k) is not None]
        if self.measure != "exceptions":
            wrong = [*scopes, *(["max_value_at_risk"] if self.max_value_at_risk is not None else []),
                     *(["new_only"] if self.new_only else [])]
            if self.measure != "rejected_rows":
                wrong += ["source"] if self.source is not None else []
                wrong += ["max_rate"] if self.max_rate is not None else []
            if wrong:
                raise ValueError(f"a {self.measure} budget does not take {', '.join(wrong)}")
        elif self.source is not None:
            raise ValueError("source applies to a rejected_rows budget (measure: rejected_rows)")
        if len(scopes) > 1:
            raise ValueError(f"a budget limits one of rule, exception_type or severity, not {' and '.join(scopes)}")
        if self.max is None and self.max_value_at_risk is None and self.max_rate is None:
            raise ValueError("a budget needs at least one of max, max_value_at_risk or max_rate")
        return self


def _check_address(address: str) -> None:
    """An e-mail address as a mail server takes it: one @ with text on both sides, no spaces."""
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in address) or "," in address:
        raise ValueError(f"{address!r} is not an e-mail address (name@domain)")


class Email(Strict):
    """Where the HTML report goes; SMTP credentials come from RECON_SMTP_USER / RECON_SMTP_PASSWORD."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    to: list[str] = Field(default_factory=list)
    from_: str | None = Field(None, alias="from")
    subject_prefix: str = "[recon]"
    smtp_host: str = "localhost"
    smtp_port: int | None = Field(None, ge=1, le=65535)  # default 587 with starttls, else 25
    starttls: bool = False
    attach: Literal["data", "counts"] = "data"  # counts: no exception rows leave the building
    # owner → addresses: each gets a message with that owner's work list attached (docs/reports.md)
    routes: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("routes", mode="before")
    @classmethod
    def _routes(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            _check_address(address)
        return value

    @field_validator("routes")
    @classmethod
    def _route_addresses(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for owner, addresses in value.items():
            if not owner.strip():
                raise ValueError("an owner name in email.routes is empty")
            if not addresses:
                raise ValueError(f"email.routes.{owner} lists no address")
            for address in addresses:
                _check_address(address)
        return value

    @property
    def port(self) -> int:
        return self.smtp_port or (587 if self.starttls else 25)


class Outputs(Strict):
    """How the output files are written (docs/reports.md)."""

    # Text cells starting with = + - @ tab or CR get a leading ' in every CSV (formula injection,
    # see recon.report.csvsafe); false (or --csv-raw) writes the values byte for byte.
    neutralise_csv: bool = True
    # Days a run's working database (its canonical tables, rejects, exceptions) is kept beside the
    # state for `recon query` and `recon trace` (the latest is always kept); 0 keeps none.
    keep_tables_days: int = Field(7, ge=0)


class Calendar(Strict):
    """Working days for business-day clocks (`older_than: 2bd`): weekdays worked, and holidays.

    `holidays_file` (relative to the config) holds one ISO date per line (a CSV's first column;
    lines that are not dates, such as a header or comments, are skipped); its dates join `holidays`.
    """

    weekdays: list[str] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], min_length=1)
    holidays: list[date] = Field(default_factory=list)
    holidays_file: str | None = None

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[str]) -> list[str]:
        weekday_numbers(value)  # raises with the known names
        return value


class PackOverride(Strict):
    """Settings of a whole rule pack in `overrides.packs` (docs/config.md, "Rule overrides")."""

    enabled: bool = True
    parameters: dict[str, str | int | float] = Field(default_factory=dict)  # this pack's `$name` values
    severity: Literal["critical", "high", "medium", "low"] | None = None  # every outcome of every rule
    owner: str | None = Field(None, pattern=r"^[a-z][a-z0-9_-]*$")  # every outcome's queue


OVERRIDE_FIXED = ("id", "kind")  # what identifies a rule: an override cannot change it


class RuleOverride(PackOverride):
    """One rule's settings in `overrides.rules.<id>`: the pack settings for this rule alone, its
    outcomes by exception type, and any key of the rule itself (`left`, `where`, `keys`, ...).

    The rule's own keys are merged into the rule's YAML (mappings key by key, lists replaced;
    `compare` also takes a mapping by field) and the result is validated by the same models as
    every rule, so a bad override is a located problem like a bad rule, never a surprise later.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    exceptions: dict[str, dict[str, Any]] = Field(default_factory=dict)  # exception type -> outcome keys

    @model_validator(mode="after")
    def _identity_kept(self) -> RuleOverride:
        fixed = [k for k in OVERRIDE_FIXED if k in (self.model_extra or {})]
        if fixed:
            raise ValueError(f"an override cannot change a rule's {' or '.join(fixed)}; disable the rule "
                             "(enabled: false) and add your own in a pack of yours")
        return self

    @property
    def rule_keys(self) -> dict[str, Any]:
        """The keys merged into the rule itself."""
        return dict(self.model_extra or {})


class Overrides(Strict):
    """Bundled (or any) rules switched off, re-parameterised or retargeted without copying them."""

    packs: dict[str, PackOverride] = Field(default_factory=dict)  # by the pack's `pack:` name
    rules: dict[str, RuleOverride] = Field(default_factory=dict)  # by rule id


class Config(Strict):
    version: Literal[1] = 1
    timezone: str = "UTC"
    currency: str = "USD"
    as_of: datetime | None = None
    sources: dict[str, Source] = Field(default_factory=dict)
    ownership: dict[str, str | Ownership] = Field(default_factory=dict)
    lookups: dict[str, dict[str, str]] = Field(default_factory=dict)
    engine: EngineOptions = Field(default_factory=EngineOptions)
    out: str = "out"
    outputs: Outputs = Field(default_factory=Outputs)
    # The run history (state DuckDB file), relative to this file; its lock file sits beside it.
    state: str = "recon-state.duckdb"
    budgets: list[Budget] = Field(default_factory=list)  # the bar, with --fail-on (docs/reports.md)
    email: Email = Field(default_factory=Email)
    slo: Slo = Field(default_factory=Slo)
    # Business events and the references that link an order chain (recon.events; docs/operations.md).
    events: Events = Field(default_factory=Events)
    # Rule pack files or globs, relative to this file; `bundled` (or `bundled/edi`) names the packs
    # shipped with recon. Absent: every bundled pack.
    rules: list[str] | None = None
    # Rules this site does not run (its extracts lack what they read): reported as skipped, never as
    # not evaluated, so they do not make every night incomplete.
    skip_rules: list[str] = Field(default_factory=list)
    # Values for the rule packs' `$name` parameters (SLO windows, tolerances, cut-offs).
    parameters: dict[str, str | int | float] = Field(default_factory=dict)
    # Per pack and per rule: enabled, parameters, severity, owner, and (rules) their own keys.
    overrides: Overrides = Field(default_factory=Overrides)
    # Business-day calendars by name; `Nbd` uses `default` (or the only one), `Nbd:NAME` another.
    calendars: dict[str, Calendar] = Field(default_factory=dict)
    # Read-only SQL steps over the loaded tables, in order, before the rules (docs/config.md, "Derived fields").
    derive: dict[str, Derive] = Field(default_factory=dict)
    # Why an exception may be explained (`recon resolve --reason`): the defaults plus these (recon.config.reasons).
    reason_codes: dict[str, ReasonCode] = Field(default_factory=lambda: with_defaults(None))
    # Unit-of-measure codes, inline conversions and rounding (recon.config.units, docs/config.md "Units").
    units: Units = Field(default_factory=Units)

    @field_validator("reason_codes", mode="after")
    @classmethod
    def _reason_codes(cls, value: dict[str, ReasonCode]) -> dict[str, ReasonCode]:
        bad = [name for name in value if not re.fullmatch(REASON_CODE_PATTERN, name)]
        if bad:
            raise ValueError(f"reason code {bad[0]!r} is not a lower-case name (letters, digits, - and _)")
        return with_defaults(value)

    @field_validator("lookups", mode="before")
    @classmethod
    def _lookup_values_as_text(cls, value: Any) -> Any:
        # YAML reads P100 as text but 0100 as an int: lookups compare text, so make them text.
        if isinstance(value, dict):
            return {
                name: {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else table
                for name, table in value.items()
            }
        return value

    def business_calendars(self, holidays: dict[str, tuple[date, ...]] | None = None) -> dict[str, BusinessCalendar]:
        """The calendars as the SQL builder wants them; `holidays` adds each one's holidays file.

        The only calendar of a config is also its `default`, so `2bd` needs no name.
        """
        out = {name: BusinessCalendar(weekday_numbers(c.weekdays),
                                      tuple(sorted({*c.holidays, *(holidays or {}).get(name, ())})), self.timezone)
               for name, c in self.calendars.items()}
        if len(out) == 1 and DEFAULT_CALENDAR not in out:
            out[DEFAULT_CALENDAR] = next(iter(out.values()))
        return out

    def owner_of(self, entity: str, field: str | None = None) -> str | None:
        """The system of record for an entity (or one of its fields), if the config says."""
        spec = self.ownership.get(entity)
        if spec is None:
            return None
        if isinstance(spec, str):
            return spec
        return spec.fields.get(field, spec.system) if field else spec.system
