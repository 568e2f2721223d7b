"""recon: batch reconciliation of ERP, WMS, TMS and EDI extracts for product distributors."""

__version__ = "0.1.0"
