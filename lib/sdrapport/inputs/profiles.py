"""Report types: params/rapporten/<naam>.yml read into a Profile (title, notebooks in order, options)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sdrapport.inputs.params import PROFIEL, ParamsError, load_params, problem_at
from sdrapport.project import Project


@dataclass
class Profile:
    """A report type from params/rapporten/<naam>.yml: its title and notebooks, in order."""

    naam: str
    titel: str
    notebooks: list[str]
    toelichting: bool = True  # a "Toelichting gemeente" section under each chapter
    periodesoort: str | None = None  # 'jaar', 'halfjaar' or 'kwartaal' when the report needs one
    pdf: dict = field(default_factory=dict)  # extra Typst options for the report's PDF
    referentiegroep: bool = True  # the report compares with a reference group (said in its verantwoording)
    verantwoording: str = "volledig"  # 'kort': the PDF leaves out the list of data files (one-page reports)
    nummering: bool = False  # chapters and sections numbered in the headings (1, 1.1, ...; chapters.py)
    ongenummerd: list[str] = field(default_factory=list)  # notebooks whose headings are not numbered (an introduction)
    zonder_toelichting: list[str] = field(default_factory=list)  # notebooks without a "Toelichting gemeente" section


def load_profile(project: Project, naam: str) -> Profile:
    # A report type is a name, never a path: '../x' must not read a profile outside params/ or
    # write a report outside reports/.
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", naam or ""):
        raise FileNotFoundError(f"ongeldige rapportnaam {naam!r}: gebruik alleen kleine letters, cijfers, '-' en '_' "
                                "(de naam van een bestand in params/rapporten/, zonder .yml)")
    path = project.params / "rapporten" / f"{naam}.yml"
    if not path.exists():
        known = sorted(p.stem for p in (project.params / "rapporten").glob("*.yml"))
        raise FileNotFoundError(f"onbekend rapport {naam!r}; kies uit {', '.join(known)} (params/rapporten/)")
    raw = load_params(path, PROFIEL) or {}
    problems = [problem_at(path, ("notebooks", i), f"notebook {nb} bestaat niet in notebooks/")
                for i, nb in enumerate(raw["notebooks"]) if not (project.notebooks / nb).exists()]
    for key in ("ongenummerd", "zonder_toelichting"):
        problems += [problem_at(path, (key, i), f"notebook {nb} staat niet onder notebooks van dit rapport")
                     for i, nb in enumerate(raw.get(key) or []) if nb not in raw["notebooks"]]
    if problems:
        raise ParamsError(problems)
    return Profile(naam=naam, titel=str(raw["titel"]), notebooks=list(raw["notebooks"]),
                   toelichting=bool(raw.get("toelichting", True)), pdf=dict(raw.get("pdf") or {}),
                   periodesoort=raw.get("periodesoort"), referentiegroep=bool(raw.get("referentiegroep", True)),
                   verantwoording=str(raw.get("verantwoording") or "volledig"),
                   nummering=bool(raw.get("nummering", False)), ongenummerd=list(raw.get("ongenummerd") or []),
                   zonder_toelichting=list(raw.get("zonder_toelichting") or []))
