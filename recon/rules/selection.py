"""`recon run --select/--exclude`: which rules one run runs, as dbt selects models.

An entry names a rule id, a pack (its `pack:` name) or a workflow, or is a glob over rule ids
(`edi-*`); `pack:NAME`, `workflow:NAME` and `rule:ID` say which when a name could be both.
Rules left out are kept in the rule set as disabled with the reason, so the run reports them as
disabled (never as ok, never silently absent) and their earlier exceptions resolve nothing.
Pure: a rule set in, a rule set out.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import replace

from recon.errors import ConfigError, Problem, did_you_mean
from recon.rules.loader import LoadedRule, RuleSet

PREFIXES = ("rule", "pack", "workflow")


def entries(values: Iterable[str]) -> list[str]:
    """The entries of repeated options, each of which may list several (`--select "a b,c"`)."""
    return [part for value in values for part in re.split(r"[\s,]+", value.strip()) if part]


def matches(loaded: LoadedRule, entry: str) -> bool:
    """Whether one selection entry names this rule."""
    prefix, _, name = entry.partition(":")
    if prefix not in PREFIXES or not name:
        return any(fnmatch.fnmatchcase(value, entry) for value in (loaded.id, loaded.pack.pack, loaded.workflow))
    value = {"rule": loaded.id, "pack": loaded.pack.pack, "workflow": loaded.workflow}[prefix]
    return fnmatch.fnmatchcase(value, name)


def select(ruleset: RuleSet, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> RuleSet:
    """The rule set with every rule not selected, or excluded, disabled; an entry matching no rule is
    a problem (exit 2) with a did-you-mean, never a run that quietly checks nothing."""
    chosen, dropped = entries(include), entries(exclude)
    problems = [_nothing(option, entry, ruleset) for option, given in (("--select", chosen), ("--exclude", dropped))
                for entry in given if not any(matches(r, entry) for r in ruleset.rules)]
    if problems:
        raise ConfigError(problems, title="rule selection matches nothing")
    if not chosen and not dropped:
        return ruleset
    rules = []
    for loaded in ruleset.rules:
        why = None
        if chosen and not any(matches(loaded, e) for e in chosen):
            why = f"not selected (--select {' '.join(chosen)})"
        hit = next((e for e in dropped if matches(loaded, e)), None)
        if hit is not None:
            why = f"excluded (--exclude {hit})"
        rules.append(replace(loaded, disabled=why) if why is not None and loaded.disabled is None else loaded)
    return RuleSet(rules, ruleset.packs)


def _nothing(option: str, entry: str, ruleset: RuleSet) -> Problem:
    names = [*ruleset.ids(), *dict.fromkeys(r.pack.pack for r in ruleset.rules),
             *dict.fromkeys(r.workflow for r in ruleset.rules)]
    return Problem.of("R073", option=option, token=entry, hint=did_you_mean(entry.partition(":")[2] or entry, names)
                      or ...)


__all__ = ["entries", "matches", "select"]
