"""Moved to `recon.files` (the run store hashes the same files and must not import the loader);
kept so that imports of `recon.load.files` keep working."""

from recon.files import display_path, expand, no_match_problem

__all__ = ["display_path", "expand", "no_match_problem"]
