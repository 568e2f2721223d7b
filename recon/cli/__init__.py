"""The `recon` command line: a thin layer over `recon.api`.

Each command lives in its own module, named here by a lazy reference (`recon.lazyref`) with the
one-line help that `recon --help` lists: `recon --version`, `recon --help` and `recon <cmd>
--help` import only the module of the command they touch, never pandas, DuckDB or pyarrow for
the others (a cron line or a shell completion should not pay a second for a help text). The
library never imports click.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches

import click

from recon import __version__
from recon.lazyref import resolve


@dataclass(frozen=True)
class CommandRef:
    """A command by reference: where it lives and the line `recon --help` shows for it."""

    name: str
    ref: str
    short_help: str


# The registry of commands, in the order `recon --help` lists them. A new command is a module and
# one line here; tests/cli/test_lazy.py checks each short help against the command's docstring.
COMMANDS: tuple[CommandRef, ...] = (
    CommandRef("run", "recon.cli.run:run", "Load every source, run the rules and write the reports."),
    CommandRef("validate", "recon.cli.validate:validate",
               "Check recon.yaml, its files and headers, and print which rules the sources let run."),
    CommandRef("init", "recon.cli.init:init", "Write a commented recon.yaml from your own extract files."),
    CommandRef("sample", "recon.cli.sample:sample",
               "Generate ERP, WMS, TMS and X12 (or EDIFACT) extracts with injected discrepancies, recon.yaml and "
               "truth.csv."),
    CommandRef("score", "recon.cli.score:score",
               "Score exceptions against truth: exit 0 when precision and recall are 1.0 for every type, else 1."),
    CommandRef("report", "recon.cli.report:report",
               "Re-render report.html, summary.json and the queue files of a stored run."),
    CommandRef("trace", "recon.cli.trace:trace",
               "Show one order's timeline across every loaded system, and the exceptions on it."),
    CommandRef("query", "recon.cli.query:query",
               "Run read-only SQL over a run's canonical tables, rejects and exceptions."),
    CommandRef("history", "recon.cli.history:history",
               "The last runs with their counts, and the trend of each exception type."),
    CommandRef("diff", "recon.cli.diff:diff",
               "Compare two recorded runs: exceptions that appeared, disappeared or changed."),
    CommandRef("ack", "recon.cli.ack:ack",
               "Acknowledge exceptions: still listed, but outside the run's limits until DATE."),
    CommandRef("resolve", "recon.cli.explanations:resolve",
               "Explain exceptions with a reason code: closed while their compared values stay the same."),
    CommandRef("match", "recon.cli.pairings:match",
               "Pair two keys a match rule could not pair: later runs compare them as one record."),
    CommandRef("rules", "recon.cli.rules:rules",
               "The rule packs: list them, read a rule's documentation, run the case files, write the docs."),
    CommandRef("explain", "recon.cli.rules:explain",
               "Print the SQL a rule (or a `derive:` step) compiles to ($as_of and $run_id are bound when it runs)."),
    CommandRef("edi", "recon.cli.edi:edi", "EDI (ANSI X12 and UN/EDIFACT) tools."),
    CommandRef("problems", "recon.cli.problems:problems",
               "The problem codes recon reports: look one up, or write docs/problem-codes.md."),
)


class LazyGroup(click.Group):
    """A click group whose subcommands are imported the first time they are asked for.

    The pattern of click's documentation ("lazy loading subcommands"), with the help listing
    taken from the registry so that `recon --help` imports no command at all.
    """

    def __init__(self, *args: object, lazy: tuple[CommandRef, ...] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = {c.name: c for c in lazy}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.lazy, *(n for n in super().list_commands(ctx) if n not in self.lazy)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            command = resolve(self.lazy[cmd_name].ref)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name].ref} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                           list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = get_close_matches(name, self.list_commands(ctx), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            ctx.fail(f"No such command '{name}'.{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = [*self.lazy, *(n for n, c in self.commands.items() if n not in self.lazy and not c.hidden)]
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)  # as click.Group.format_commands
        rows = [(n, shorten(self.lazy[n].short_help, limit) if n in self.lazy
                 else self.commands[n].get_short_help_str(limit)) for n in names]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word to at most `limit` characters, with "..." when cut (as click shortens help)."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 3, 0)].rsplit(" ", 1)[0]
    return f"{cut.rstrip(' ,;:')}..."


@click.group(cls=LazyGroup, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="recon")
def main() -> None:
    """Reconcile ERP, WMS, TMS and EDI extracts; find what disagrees and who must fix it.

    Exit codes: 0 ok, 1 over the run's limits (--fail-on, budgets), 2 usage or config error,
    3 unreadable input under --strict, 4 another run holds the lock.
    """
