"""The `recon` command line: a thin layer over `recon.api`.

Each command lives in its own module and is registered here; the library never imports click.
"""

from __future__ import annotations

import click

from recon import __version__
from recon.cli.ack import ack
from recon.cli.edi import edi
from recon.cli.history import history
from recon.cli.problems import problems
from recon.cli.report import report
from recon.cli.rules import explain, rules
from recon.cli.run import run
from recon.cli.sample import sample
from recon.cli.score import score
from recon.cli.trace import trace
from recon.cli.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="recon")
def main() -> None:
    """Reconcile ERP, WMS, TMS and EDI extracts; find what disagrees and who must fix it.

    Exit codes: 0 ok, 1 the --fail-on bar was broken, 2 usage or config error,
    3 unreadable input under --strict, 4 another run holds the lock.
    """


COMMANDS: list[click.Command] = [run, validate, sample, score, report, trace, history, ack, rules, explain, edi,
                               problems]
for _command in COMMANDS:
    main.add_command(_command)
