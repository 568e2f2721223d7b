"""The shape of `recon.yaml`, as pydantic models.

Every model forbids unknown keys so that a misspelt option is an error with a location instead
of a silently ignored setting. Cross-field checks that need the canonical model or the file
system (unknown entity, missing key mappings, globs, headers) live in `recon.config.checks`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FORMATS = ("csv", "parquet", "jsonl", "json", "xlsx", "x12")
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
        if name == "replace" and not (isinstance(arg, dict) and set(arg) == {"pattern", "with"}):
            raise ValueError("replace takes {pattern: REGEX, with: TEXT}")
        return {name: arg}
    raise ValueError("a normaliser is a name (trim) or a one-key mapping ({zero_pad: 10})")


class ColumnSpec(Strict):
    """Where a canonical field comes from and how its text becomes a typed, normalised value."""

    column: str | None = None
    expr: str | None = None
    value: str | int | float | bool | None = None
    format: str | None = None
    timezone: str | None = None
    type: Literal["varchar", "decimal", "integer", "timestamp", "date", "boolean"] | None = None
    normalise: list[Any] = Field(default_factory=list)

    @field_validator("normalise")
    @classmethod
    def _normalisers(cls, steps: list[Any]) -> list[Any]:
        return [_check_normaliser(s) for s in steps]

    @model_validator(mode="after")
    def _one_source(self) -> ColumnSpec:
        given = [k for k in ("column", "expr", "value") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of column, expr or value")
        return self


class Source(Strict):
    system: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    entity: str | None = None
    path: str
    format: Literal["csv", "parquet", "jsonl", "json", "xlsx", "x12"] | None = None
    options: ReaderOptions = Field(default_factory=ReaderOptions)
    columns: dict[str, str | ColumnSpec] = Field(default_factory=dict)
    normalise: dict[str, list[Any]] = Field(default_factory=dict)
    timezone: str | None = None
    x12: dict[str, Any] | None = None

    @field_validator("normalise")
    @classmethod
    def _normalisers(cls, fields: dict[str, list[Any]]) -> dict[str, list[Any]]:
        return {f: [_check_normaliser(s) for s in steps] for f, steps in fields.items()}

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


class Ownership(Strict):
    system: str
    fields: dict[str, str] = Field(default_factory=dict)


class EngineOptions(Strict):
    """DuckDB settings; a memory limit makes large runs spill to disk instead of failing."""

    memory_limit: str | None = None
    threads: int | None = Field(None, ge=1)
    temp_directory: str | None = None
    database: str | None = None  # a file for the working tables; default in memory


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

    def owner_of(self, entity: str, field: str | None = None) -> str | None:
        """The system of record for an entity (or one of its fields), if the config says."""
        spec = self.ownership.get(entity)
        if spec is None:
            return None
        if isinstance(spec, str):
            return spec
        return spec.fields.get(field, spec.system) if field else spec.system
