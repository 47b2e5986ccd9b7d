"""What the command line tells an analyst about a failed notebook, read from its executed copy.

The error output of a cell holds IPython's coloured traceback. An analyst needs two places from it:
the line of the cell that failed (their code) and the innermost frame (where the error was raised,
often in the library). Both are given as one short line each, without the colour codes.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL = re.compile(r"^Cell In\s*\[\d*\], line (\d+)", re.M)
_ARROW = re.compile(r"^-+> *(\d+) (.*)$", re.M)
_FRAME = re.compile(r"^File (.+?):(\d+), in (\S+?)(?:\(|$)", re.M)


def _plain(text: str) -> str:
    return _ANSI.sub("", text)


def _short_path(path: str) -> str:
    """'.../lib/sdrapport/analysis.py' -> 'sdrapport/analysis.py' (no folder of this machine)."""
    parts = Path(path).parts
    return "/".join(parts[-2:]) if len(parts) >= 2 else path


def error_location(executed: Path) -> str | None:
    """'regel 2 van de cel: onderdelen.figuur_reeks(...); fout in sdrapport/analysis.py:58 (publish)',
    or None when the notebook has no error output (a dead kernel, a timeout)."""
    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            frames = [_plain(f) for f in out.get("traceback", [])]
            parts = []
            for frame in frames:
                if _CELL.search(frame):
                    arrow = _ARROW.search(frame)
                    line = _CELL.search(frame).group(1)
                    parts.append(f"regel {line} van de cel" + (f": {arrow.group(2).strip()}" if arrow else ""))
                    break
            inner = [m for f in frames for m in _FRAME.finditer(f)]
            if inner:
                path, line, func = inner[-1].groups()
                parts.append(f"fout ontstaan in {_short_path(path)}:{line} ({func})")
            return "; ".join(parts) or None
    return None


__all__ = ["error_location"]
