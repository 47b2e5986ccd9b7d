"""Where things live in an sdrapport project (a checkout of this repository or a copy of its layout)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _find_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "_quarto.yml").is_file() and (folder / "notebooks").is_dir():
            return folder
    return None


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def locate(cls, root: str | Path | None = None) -> Project:
        """The project: explicit root, else $SDRAPPORT_PROJECT, else the folder around the cwd,
        else the checkout this package was installed from (editable install)."""
        if root is not None:
            return cls(Path(root).resolve())
        if os.environ.get("SDRAPPORT_PROJECT"):
            return cls(Path(os.environ["SDRAPPORT_PROJECT"]).resolve())
        found = _find_root(Path.cwd().resolve()) or _find_root(Path(__file__).resolve().parent)
        if found is None:
            raise FileNotFoundError(
                "geen sdrapport-project gevonden (een map met _quarto.yml en notebooks/); "
                "start in de projectmap of zet SDRAPPORT_PROJECT"
            )
        return cls(found)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def params(self) -> Path:
        return self.root / "params"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def store(self) -> Path:
        return self.reports / "store" / "sdrapport.duckdb"

    @property
    def catalogue(self) -> Path:
        return self.data / "indicatoren.yml"

    def report_dir(self, periode: str, gemeente: str, rapport: str = "monitor") -> Path:
        """reports/<periode>/<gemeente>/<rapport>/: one folder per report, so a gemeente's
        monitor and dashboard for the same period do not overwrite each other."""
        return self.reports / periode / gemeente / rapport
