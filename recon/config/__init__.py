"""Loading and validating `recon.yaml`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from recon.config.checks import build_config
from recon.config.schema import ColumnSpec, Config, ReaderOptions, Source
from recon.config.yamlfile import YamlDocument, read_yaml
from recon.errors import ConfigError

DEFAULT_CONFIG = "recon.yaml"


@dataclass(frozen=True)
class Project:
    """A validated config plus where it lives: every relative path is resolved against `root`."""

    config: Config
    path: Path
    doc: YamlDocument

    @property
    def root(self) -> Path:
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.root / path


def config_path(given: str | os.PathLike[str] | None) -> Path:
    """--config, else $RECON_CONFIG, else recon.yaml in the current directory."""
    return Path(given or os.environ.get("RECON_CONFIG") or DEFAULT_CONFIG)


def load_project(path: str | os.PathLike[str] | None) -> Project:
    """Read and validate the config; raises ConfigError listing every problem found."""
    resolved = config_path(path)
    doc = read_yaml(resolved)
    config, problems = build_config(doc)
    if problems or config is None:
        raise ConfigError(problems)
    return Project(config=config, path=resolved, doc=doc)


__all__ = ["ColumnSpec", "Config", "ConfigError", "Project", "ReaderOptions", "Source", "load_project"]
