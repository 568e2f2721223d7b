"""UN/EDIFACT: syntax (UNA, character sets, release characters), envelopes and message mappers.

EDIFACT files are parsed by the one EDI parse (`recon.load.x12.parse_x12_files`), which hands
every file that starts with UNA/UNB to `recon.load.edifact.parser`: the rows land in the same
canonical tables as X12 rows, the findings in the same list. See docs/edi.md.
"""

# The EDI parse (recon.load.x12) imports this package's reader and this package builds on the
# X12 findings, options and registry: whichever is imported first, x12 initialises first.
import recon.load.x12  # noqa: F401  isort: skip
from recon.load.edifact.messages.registry import MAPPED_MESSAGES
from recon.load.edifact.options import EdifactOptions

__all__ = ["MAPPED_MESSAGES", "EdifactOptions"]
