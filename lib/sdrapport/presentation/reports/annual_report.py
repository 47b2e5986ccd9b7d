"""The jaarverslag's programme (seed 004, Hengelo programma 6): its text slots, and per goal a heading
with one small table of its indicators.

Everything here comes from the gemeente's `params/jaarverslag/GMxxxx.yml`, under the year:

    aanspreekpunten: {bestuurlijk: ..., ambtelijk: ...}
    ontwikkelingen: text, or blocks [{kop: ..., tekst: ...}]     "Welke belangrijke ontwikkelingen zagen we?"
    beleidsnotas: [...]                                           "Relevante beleidsnota's"
    verbonden_partijen: [{naam: ..., omschrijving: ...}]
    doelen: [{code: "6.1", titel: ..., toelichting: ..., gedaan: ...}]   goals; `gedaan` = "Wat hebben we daarvoor gedaan"
    beleidsindicatoren: [{doel: "6.1.1", label: ..., ...}]        the indicators, grouped by goal
    blijven_doen: [{thema: ..., punten: ...}]                     "Wat zijn we blijven doen"
    financiele_toelichting: ...                                   general points before the explanation per taakveld
    risicos: blocks                                               "Risico's"

A slot the gemeente left empty gets a default sentence, never an empty heading. The texts are
typed by people: every one goes through text/escaping.py (Markdown for the page, HTML and Typst string
literals for the tables). A point list is written one point per line starting with '-'; other
lines are paragraphs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sdrapport.indicators.finance import ParamsError, _read_yaml, _year
from sdrapport.presentation.report import Rapport, write_csv
from sdrapport.presentation.elements.tables import Tabel, noot_teken
from sdrapport.presentation.text.escaping import Markdown, markdown, samen, vet


@dataclass
class Programma:
    """The text slots and goals of one gemeente's programme for one year (empty when not given)."""

    jaar: int
    aanspreekpunten: dict[str, str] = field(default_factory=dict)
    ontwikkelingen: list[dict] = field(default_factory=list)
    beleidsnotas: list[str] = field(default_factory=list)
    verbonden_partijen: list[dict] = field(default_factory=list)
    doelen: list[dict] = field(default_factory=list)
    beleidsindicatoren: list[dict] = field(default_factory=list)
    blijven_doen: list[dict] = field(default_factory=list)
    financiele_toelichting: str = ""
    risicos: list[dict] = field(default_factory=list)


def _blokken(value) -> list[dict]:
    if value is None:
        return []
    if isinstance(value, str):
        return [{"kop": "", "tekst": value}] if value.strip() else []
    return [{"kop": str(b.get("kop") or "").strip(), "tekst": str(b.get("tekst") or "").strip()} for b in value if b]


def load_programma(r: Rapport) -> tuple[Programma | None, str]:
    """The programme of the report's gemeente and year, and why there is none ('' when found): the
    file is missing, or it has nothing for the year. A broken file raises ParamsError (the runner
    checks it before any notebook runs)."""
    path = r.project.params / "jaarverslag" / f"{r.gemeente}.yml"
    jaar = r.periode.year
    if not path.exists():
        return None, f"params/jaarverslag/{r.gemeente}.yml ontbreekt"
    try:
        data = _year(_read_yaml(path), path, jaar)
    except ParamsError:
        return None, f"params/jaarverslag/{r.gemeente}.yml heeft niets onder {jaar}"
    punten = data.get("aanspreekpunten") or {}
    return Programma(
        jaar=jaar,
        aanspreekpunten={k: str(v).strip() for k, v in punten.items() if v and str(v).strip()},
        ontwikkelingen=_blokken(data.get("ontwikkelingen")),
        beleidsnotas=[str(n).strip() for n in data.get("beleidsnotas") or [] if str(n).strip()],
        verbonden_partijen=[{"naam": str(v["naam"]).strip(), "omschrijving": str(v.get("omschrijving") or "").strip()}
                            for v in data.get("verbonden_partijen") or []],
        doelen=[{"code": str(d["code"]).strip(), "titel": str(d["titel"]).strip(),
                 "toelichting": str(d.get("toelichting") or "").strip(), "gedaan": str(d.get("gedaan") or "").strip()}
                for d in data.get("doelen") or []],
        beleidsindicatoren=list(data.get("beleidsindicatoren") or []),
        blijven_doen=[{"thema": str(b["thema"]).strip(), "punten": str(b["punten"]).strip()} for b in data.get("blijven_doen") or []],
        financiele_toelichting=str(data.get("financiele_toelichting") or "").strip(),
        risicos=_blokken(data.get("risicos")),
    ), ""


# -- Markdown out of typed text ------------------------------------------------------------------
def tekst_markdown(text: str) -> Markdown:
    """Typed text as safe Markdown: a line starting with '-' is a point of a list, other lines are
    paragraphs (a blank line or a point ends a paragraph)."""
    blocks: list[str] = []
    para: list[str] = []
    points: list[str] = []

    def flush_para() -> None:
        if para:
            blocks.append(markdown(" ".join(para)))
            para.clear()

    def flush_points() -> None:
        if points:
            blocks.append("\n".join(f"- {markdown(p)}" for p in points))
            points.clear()

    for line in str(text).replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if stripped.startswith("-") and not stripped.startswith("--"):
            flush_para()
            points.append(stripped[1:].strip())
        elif not stripped:
            flush_para()
            flush_points()
        elif points and line[:1].isspace():  # a continued point (indented under it)
            points[-1] += " " + stripped
        else:
            flush_points()
            para.append(stripped)
    flush_para()
    flush_points()
    return Markdown("\n\n".join(blocks))


def _kop(niveau: int, text: str) -> Markdown:
    return Markdown("#" * niveau + " " + markdown(text, begin=False))


def _show(parts: list[Markdown]) -> None:
    """Each part as an output of its own (headings, texts and tables), in order: the page embeds
    them all, and the HTML version without Quarto reads each on its own."""
    from IPython.display import Markdown as Md, display

    for part in parts:
        display(Md(part))


def _standaard(r: Rapport, wat: str) -> Markdown:
    """The default sentence of an empty slot: 'De gemeente Hengelo heeft voor 2024 geen ... opgegeven.'"""
    return markdown(f"De gemeente {r.naam} heeft voor {r.periode.year} {wat}.")


def _goal_level(code: str) -> int:
    """'6.1' is a goal (heading level 4), '6.1.1' a sub-goal (level 5)."""
    return 4 if code.count(".") <= 1 else 5


# -- the slots -------------------------------------------------------------------------------------
def aanspreekpunten(r: Rapport) -> None:
    """Aanspreekpunt bestuurlijk and ambtelijk (seed 004's front matter)."""
    prog, _ = load_programma(r)
    punten = prog.aanspreekpunten if prog else {}
    if not punten:
        r.tekst(_standaard(r, "geen aanspreekpunten opgegeven"))
        return
    lines = [samen(vet(f"Aanspreekpunt {soort}"), f": {punten[soort]}") for soort in ("bestuurlijk", "ambtelijk") if soort in punten]
    r.tekst(Markdown("\n\n".join(lines)))


def _blokken_tonen(r: Rapport, blokken: list[dict], leeg: Markdown) -> None:
    if not blokken:
        r.tekst(leeg)
        return
    parts = []
    for b in blokken:
        if b["kop"]:
            parts.append(_kop(4, b["kop"]))
        parts.append(tekst_markdown(b["tekst"]))
    _show(parts)


def ontwikkelingen(r: Rapport) -> None:
    """'Welke belangrijke ontwikkelingen zagen we?': the gemeente's text, with its own headings."""
    prog, _ = load_programma(r)
    _blokken_tonen(r, prog.ontwikkelingen if prog else [], _standaard(r, "geen belangrijke ontwikkelingen beschreven"))


def risicos(r: Rapport) -> None:
    """'Risico's': the gemeente's blocks, each with its own heading."""
    prog, _ = load_programma(r)
    _blokken_tonen(r, prog.risicos if prog else [], _standaard(r, "geen risico's beschreven"))


def beleidsnotas(r: Rapport) -> None:
    """'Relevante beleidsnota's' as a list."""
    prog, _ = load_programma(r)
    if not prog or not prog.beleidsnotas:
        r.tekst(_standaard(r, "geen beleidsnota's opgegeven"))
        return
    r.tekst(Markdown("\n".join(f"- {markdown(n)}" for n in prog.beleidsnotas)))


def verbonden_partijen(r: Rapport) -> None:
    """'Verbonden partijen': per party its name and what it does for the programme."""
    prog, _ = load_programma(r)
    if not prog or not prog.verbonden_partijen:
        r.tekst(_standaard(r, "geen verbonden partijen opgegeven"))
        return
    parts = []
    for v in prog.verbonden_partijen:
        parts.append(_kop(4, v["naam"]))
        if v["omschrijving"]:
            parts.append(tekst_markdown(v["omschrijving"]))
    _show(parts)


def _groepen(prog: Programma) -> list[tuple[dict, list[dict]]]:
    """The goals in order, each with its indicators. An indicator's `doel` is a goal's code; a
    `doel` that is no code of `doelen` is a heading of its own (as written); indicators without
    `doel` come last, under 'Beleidsindicatoren'."""
    goals = [dict(d) for d in prog.doelen]
    by_code = {g["code"]: g for g in goals}
    members: dict[str, list[dict]] = {g["code"]: [] for g in goals}
    for ind in prog.beleidsindicatoren:
        key = str(ind.get("doel") or "").strip()
        if key not in by_code:
            goal = {"code": key, "titel": "" if key else "Beleidsindicatoren", "toelichting": "", "gedaan": "", "los": True}
            by_code[key] = goal
            goals.append(goal)
            members[key] = []
        members[key].append(ind)
    return [(g, members[g["code"]]) for g in goals]


def _goal_heading(goal: dict) -> str:
    return " ".join(p for p in (goal["code"], goal["titel"]) if p)


def wat_bereikt(r: Rapport, *, naam: str = "beleidsindicatoren") -> None:
    """'Wat hebben we bereikt': per goal (6.1, 6.1.1 ...) its heading and one small table of its
    policy indicators (werkelijk vorig jaar, begroting, werkelijk) with its own footnotes, numbered
    from 1 under each table. The CSV holds every indicator with its goal."""
    prog, _ = load_programma(r)
    if not prog or not prog.beleidsindicatoren:
        r.tekst(_standaard(r, "geen beleidsindicatoren opgegeven"))
        return
    jaar = prog.jaar
    kop = ["Indicator", f"Werkelijk {jaar - 1}", f"Begroting {jaar}", f"Werkelijk {jaar}"]
    bron = f"Bron: gemeente {r.naam}, jaarstukken {jaar}"
    parts, data = [], []
    for goal, inds in _groepen(prog):
        heading = _goal_heading(goal)
        if heading:
            parts.append(_kop(_goal_level(goal["code"]) if not goal.get("los") else 4, heading))
        if goal["toelichting"]:
            parts.append(Markdown(f"*{markdown(goal['toelichting'], begin=False)}*"))
        if not inds:
            continue
        notes: list[str] = []
        rows = []
        for ind in inds:
            label = str(ind["label"])
            eenheid = str(ind.get("eenheid") or "")
            if eenheid and eenheid != "%":  # the unit only where the cells do not carry it ("15,0%")
                label += f" ({eenheid})"
            note = str(ind.get("voetnoot") or "").strip()
            if note:
                if note not in notes:
                    notes.append(note)
                label += noot_teken(notes.index(note) + 1)
            rows.append([label, *(str(ind[k]) for k in ("werkelijk_vorig_jaar", "begroting", "werkelijk"))])
            data.append({"doel": goal["code"], "indicator": str(ind["label"]), "eenheid": eenheid,
                         "werkelijk_vorig_jaar": str(ind["werkelijk_vorig_jaar"]), "begroting": str(ind["begroting"]),
                         "werkelijk": str(ind["werkelijk"]), "voetnoot": note})
        tabel = Tabel(kop=kop, rijen=rows, titel=f"Beleidsindicatoren {heading}".strip(), bron=bron, noten=notes)
        parts.append(Markdown(vet("Beleidsindicatoren")))
        parts.append(tabel.markdown())
    write_csv(pd.DataFrame(data), r.uitvoer / "data" / f"{naam}.csv")
    _show(parts)


def wat_gedaan(r: Rapport) -> None:
    """'Wat hebben we daarvoor gedaan': per goal with a text its heading and the points."""
    prog, _ = load_programma(r)
    goals = [g for g in (prog.doelen if prog else []) if g["gedaan"]]
    if not goals:
        r.tekst(_standaard(r, "niet beschreven wat zij voor de doelen van dit programma heeft gedaan"))
        return
    parts = []
    for g in goals:
        parts.append(_kop(_goal_level(g["code"]), _goal_heading(g)))
        parts.append(tekst_markdown(g["gedaan"]))
    _show(parts)


def blijven_doen(r: Rapport) -> None:
    """'Wat zijn we blijven doen': per theme its heading and the points."""
    prog, _ = load_programma(r)
    themes = prog.blijven_doen if prog else []
    if not themes:
        r.tekst(_standaard(r, "niet beschreven wat zij is blijven doen"))
        return
    parts = []
    for t in themes:
        parts.append(_kop(4, t["thema"]))
        parts.append(tekst_markdown(t["punten"]))
    _show(parts)


def financiele_toelichting(r: Rapport) -> None:
    """The general points of the financial explanation, before the explanation per taakveld."""
    prog, _ = load_programma(r)
    if not prog or not prog.financiele_toelichting:
        r.tekst(_standaard(r, "geen algemene financiële toelichting gegeven; de afwijkingen per taakveld staan hieronder"))
        return
    r.tekst(tekst_markdown(prog.financiele_toelichting))


__all__ = ["Programma", "aanspreekpunten", "beleidsnotas", "blijven_doen", "financiele_toelichting", "load_programma",
           "ontwikkelingen", "risicos", "tekst_markdown", "verbonden_partijen", "wat_bereikt", "wat_gedaan"]
