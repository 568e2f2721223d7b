"""The registry of rule kinds: match, duplicate, check; and the pack model whose rules are any of them.

Each kind registers its pydantic model (recon.rules.schema), its compiler (rule to SQL), its
checker (semantic checks before anything runs) and its paragraph of docs/rules.md. The pack
schema's union of rule models, the loader's messages, `compile_rule`, `check_rules` and the
generated docs all read `KINDS`: a new kind is its model, its compiler and checker module, and
one entry here (docs/architecture.md walks through it). Compiler and checker are named lazily:
they import the loader, which imports this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Union

from pydantic import Field, field_validator, model_validator

from recon.lazyref import Loader, lazy
from recon.rules.schema import KEBAB, CheckRule, DuplicateRule, MatchRule, RuleBase, Strict
from recon.rules.scorers import describe_scorers


@dataclass(frozen=True)
class RuleKind:
    """One kind of rule. `compiler()` is a class `(loaded, ctx)` with `statement()`, `stats_ctes()` and
    `stats_units()` (recon.rules.compiler); `checker()` a class `(loaded, extras, systems)` whose
    `run()` returns `{exception type: business key}` and collects `problems` (recon.rules.checks)."""

    name: str
    model: type[RuleBase]
    compiler: Loader
    checker: Loader
    doc: str  # its paragraph in docs/rules.md (markdown)


_MATCH_DOC = """**match** pairs the rows of two tables by exact keys (compared with `IS NOT DISTINCT FROM`, so an
empty lot matches an empty lot), after the declared normalisation. A side may be aggregated per
key (partial shipments, consolidated invoices: 1:N and N:M by summing to the common key) and
deduplicated (`dedupe: [invoice_id, line_no]` counts each invoice line once: of a value's rows it
keeps the first in the order of the columns the rule reads, then of `file:row`; a missing value is
one value). When one side is
unique per key (aggregated, or keyed by all of its entity's keys) every row of the other side is
compared with it; otherwise duplicates are paired in order of their values. `fuzzy:` levels make
the keys a blocking key: candidate pairs share the keys, a pair qualifies at the first level that
holds ({scorers}, with a `threshold` from 0 to 100 where it applies), and pairs are chosen best
first, one to one (rounds of mutual best choices); an `ambiguous` outcome reports ties."""

KINDS: dict[str, RuleKind] = {k.name: k for k in (
    RuleKind("match", MatchRule, lazy("recon.rules.compile_match:MatchCompiler"),
             lazy("recon.rules.checks:MatchChecker"), _MATCH_DOC.format(scorers=describe_scorers())),
    RuleKind("duplicate", DuplicateRule, lazy("recon.rules.compile_single:DuplicateCompiler"),
             lazy("recon.rules.checks:DuplicateChecker"),
             "**duplicate** reports keys that appear more than once in one table (`distinct: order_id` counts\n"
             "distinct values instead of rows)."),
    RuleKind("check", CheckRule, lazy("recon.rules.compile_single:CheckCompiler"),
             lazy("recon.rules.checks:CheckChecker"),
             "**check** reports the rows that fail `require`, one exception per key."),
)}

RULE_MODELS = tuple(k.model for k in KINDS.values())
Rule = Annotated[Union[RULE_MODELS], Field(discriminator="kind")]  # noqa: UP007  # built from KINDS


def kinds_text() -> str:
    """`match, duplicate or check`, for messages."""
    names = list(KINDS)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


class Parameter(Strict):
    default: str | int | float
    description: str
    choices: list[str | int | float] | None = None  # the only values it may take (a clock's event, a unit)

    @model_validator(mode="after")
    def _default_is_a_choice(self) -> Parameter:
        if self.choices is not None and self.default not in self.choices:
            raise ValueError(f"default {self.default!r} is not one of choices {self.choices}")
        return self


class Pack(Strict):
    """One file of rules for one workflow."""

    pack: str = Field(pattern=KEBAB)
    workflow: str = Field(pattern=KEBAB)
    title: str
    description: str = ""
    owner: str = Field("operations", pattern=r"^[a-z][a-z0-9_-]*$")
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)  # type: ignore[valid-type]

    @field_validator("parameters")
    @classmethod
    def _param_names(cls, value: dict[str, Parameter]) -> dict[str, Parameter]:
        for name in value:
            if not re.match(r"^[a-z][a-z0-9_]*$", name):
                raise ValueError(f"parameter name {name!r}: use lower_snake_case")
            if name in ("timezone", "as_of", "run_id"):
                raise ValueError(f"parameter name {name!r} is reserved")
        return value


__all__ = ["KINDS", "RULE_MODELS", "Pack", "Parameter", "Rule", "RuleKind", "kinds_text"]
