"""What an executed report folder holds for the layers that read it: the name and reader of its
run manifest (run.json, written by the runner) and the labels of notebook cells (`#| label:`)."""
from __future__ import annotations

import json
from pathlib import Path

MANIFEST = "run.json"


def read_manifest(outdir: Path) -> dict | None:
    """The run.json of a report folder, or None when there is none (or it cannot be read)."""
    try:
        return json.loads((outdir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def cell_label(cell) -> str | None:
    for line in cell.source.splitlines():
        if line.startswith("#| label:"):
            return line.split(":", 1)[1].strip()
        if not line.startswith("#|"):
            break
    return None
