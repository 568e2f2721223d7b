"""`recon sample`: a synthetic distributor with injected discrepancies and the answer key.

    from recon.sample import generate
    result = generate(Path("demo"), orders=300, seed=7, as_of=datetime(2026, 11, 20, 6, tzinfo=UTC))

writes ERP/WMS/TMS extracts and X12 files in each system's own shape, a recon.yaml that maps
them, and truth.csv (one row per injected discrepancy). See docs/sample.md.
"""

from recon.sample.generate import SampleResult, generate
from recon.sample.windows import TRUTH_COLUMNS, TYPES, WINDOWS

__all__ = ["TRUTH_COLUMNS", "TYPES", "WINDOWS", "SampleResult", "generate"]
