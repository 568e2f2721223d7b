"""Build glue, nothing else (the project is configured in pyproject.toml).

The bundled rule packs live in the top-level `rules/` folder, the source of truth. A built wheel
carries a copy as `recon/packs/` (packs and their case files), which `recon.rules.registry` reads
when there is no source checkout around the package. Editable installs read `rules/` directly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PACKS = Path(__file__).resolve().parent / "rules"


class BuildWithPacks(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "recon" / "packs"
        shutil.rmtree(target, ignore_errors=True)
        for pattern in ("*.yaml", "cases/*.yaml"):
            for path in sorted(PACKS.glob(pattern)):
                dest = target / path.relative_to(PACKS)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        packs = [str(Path(self.build_lib) / "recon" / "packs" / p.relative_to(PACKS))
                 for pattern in ("*.yaml", "cases/*.yaml") for p in sorted(PACKS.glob(pattern))]
        return [*super().get_outputs(include_bytecode), *([] if getattr(self, "editable_mode", False) else packs)]


setup(cmdclass={"build_py": BuildWithPacks})
