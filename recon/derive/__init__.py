"""`derive:`: read-only SQL steps over the loaded tables, checked before the run (`checks`) and run
after loading, before the rules (`runner`). See docs/config.md, "Derived fields and tables"."""

from __future__ import annotations

from recon.derive.checks import DERIVED, DeriveStep, derived_columns, plan_derive

__all__ = ["DERIVED", "DeriveStep", "derived_columns", "plan_derive"]
