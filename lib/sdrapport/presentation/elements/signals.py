"""Signals: the "Opvallend" section at the top of a report.

A signal is a figure the report shows that changed notably against the previous period, or that
differs notably from the reference group's average, said in one Dutch sentence and linked to the
figure or table that shows it. What counts as notable is configured per type of indicator (its
unit in the catalogue) in params/signalen.yml, and it is decided on the published figures only:

- the previous period is the one before the period the figure describes (a half-year before a
  half-year, a year before a year); the reference group is the size class of the report;
- a figure that is '?' or '-' (or missing) in either period, or for which the group has no
  average, gives no signal;
- rounding: every published figure stands for an interval of values (national.py: a CBS-rounded
  count of 10 may be 5 to 12, a rate computed from it lies between the rates of those bounds, a
  delivered 33,4 may be 33,35 to 33,45). A change or difference counts only as far as it reaches
  beyond what the intervals allow: if they overlap, rounding can explain it and there is no signal;
  otherwise the smallest difference they allow (the gap between them, relative to the nearest end
  of the earlier figure's interval) must reach the threshold. So 10 -> 15 (maybe 12 -> 13) is no
  signal, 100 -> 150 (at least 102 -> 148, +45%) is;
- thresholds: `relatief` (in % of the earlier value or of the group average), `procentpunt` or
  `absoluut` (in the unit itself); when a type has several, each must be reached;
- the strongest signals come first (the gap divided by the threshold), at most `maximum`.

Which figures a report shows, and where: `report_elements` reads the report's notebooks (their
source, as the analyst wrote them) and finds every labelled cell that calls a component
with an indicator (figuur_reeks(r, "wmo_clienten", ...), tabel_vergelijking(r, [...]),
...). Only figures shown as a total (or a fixed breakdown value, such as tijdigheid for the Wmo)
are candidates; a figure per category is not.
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from sdrapport.inputs.catalogue import Catalogue
from sdrapport.inputs.params import SIGNALEN as SCHEMA
from sdrapport.inputs.params import load_params

SIGNALEN = "signalen.yml"
SOORTEN = ("verandering", "referentie")


# -- configuration -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Drempel:
    """A threshold: every given part must be reached by the smallest difference rounding allows."""

    relatief: float | None = None  # % of the earlier value or of the group average (the end of its interval)
    procentpunt: float | None = None  # in the unit (for a %: percentage points)
    absoluut: float | None = None  # in the unit

    @classmethod
    def van(cls, raw: dict | None) -> Drempel | None:
        if not raw:
            return None
        return cls(*(None if raw.get(k) is None else float(raw[k]) for k in ("relatief", "procentpunt", "absoluut")))

    def sterkte(self, gap: float, basis: float) -> float:
        """How far the gap (>= 0) reaches beyond the threshold: the smallest ratio gap/threshold over
        the threshold's parts (>= 1 means notable). A relative part with a base of 0 cannot be met."""
        ratios = []
        if self.relatief is not None:
            if basis == 0:
                return 0.0
            ratios.append(gap / abs(basis) * 100 / self.relatief if self.relatief > 0 else math.inf)
        for part in (self.procentpunt, self.absoluut):
            if part is not None:
                ratios.append(gap / part if part > 0 else math.inf)
        return min(ratios) if ratios else 0.0


@dataclass(frozen=True)
class Config:
    maximum: int
    drempels: dict[str, dict[str, Drempel | None]]  # per unit, per soort
    rapporten: dict[str, int]
    indicatoren: dict[str, dict[str, Drempel | None]]

    def drempel(self, ind, soort: str) -> Drempel | None:
        """The threshold of an indicator: its own entry under `indicatoren` (an empty one: no
        signals) or else the one of its unit."""
        if ind.id in self.indicatoren:
            return self.indicatoren[ind.id].get(soort)
        return self.drempels.get(ind.eenheid, {}).get(soort)

    def maximum_voor(self, rapport: str) -> int:
        return self.rapporten.get(rapport, self.maximum)


def load_config(params: Path) -> Config:
    """params/signalen.yml (schema: SCHEMA). Without the file there are no signals."""
    raw = load_params(Path(params) / SIGNALEN, SCHEMA, required=False, default=None) or {}

    def per_soort(entry) -> dict[str, Drempel | None]:
        return {s: Drempel.van((entry or {}).get(s)) for s in SOORTEN}

    return Config(
        maximum=int(raw.get("maximum", 8)),
        drempels={str(k): per_soort(v) for k, v in (raw.get("drempels") or {}).items()},
        rapporten={str(k): int((v or {}).get("maximum", raw.get("maximum", 8))) for k, v in (raw.get("rapporten") or {}).items()},
        indicatoren={str(k): per_soort(v) for k, v in (raw.get("indicatoren") or {}).items()},
    )


# -- the rule -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cijfer:
    """A published figure and the interval of values its rounded inputs allow."""

    waarde: float
    laag: float
    hoog: float


def gap(nu: Cijfer, toen: Cijfer) -> float:
    """The smallest difference nu - toen that the intervals allow: 0 when they overlap (rounding
    can explain the difference), else the distance between them, with its sign."""
    if nu.laag > toen.hoog:
        return nu.laag - toen.hoog
    if nu.hoog < toen.laag:
        return nu.hoog - toen.laag
    return 0.0


def sterkte(nu: Cijfer, toen: Cijfer, drempel: Drempel | None) -> float:
    """>= 1 when the difference between nu and toen is notable under the threshold; 0 when
    rounding can explain it or there is no threshold. A relative threshold is measured against the
    end of toen's interval that gives the smallest relative change (its highest value for a rise,
    its lowest for a fall)."""
    if drempel is None:
        return 0.0
    g = gap(nu, toen)
    if g == 0:
        return 0.0
    return drempel.sterkte(abs(g), toen.hoog if g > 0 else toen.laag)


# -- what the report shows ------------------------------------------------------------------------------

# Components and the parameters that are not a breakdown value (everything else a call passes by
# keyword is a fixed breakdown, as in figuur_reeks(r, "tijdigheid", wet="Wmo")).
OPTIES = {"naam", "titel", "by", "referentie", "gestapeld", "perioden", "categorieen", "doel", "horizontaal",
          "periode", "totaal", "kpis", "jaar", "ondertitel"}


@dataclass(frozen=True)
class Element:
    """A labelled figure or table of the report and the figures it shows as totals."""

    label: str
    notebook: str
    hoofdstuk: str
    component: str
    titel: str
    figuren: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (indicator, fixed breakdown values)
    nummer: str = ""  # the chapter's number in a numbered report ('2'), else ''
    paragraaf: str = ""  # the section (### heading) the element is in, as printed ('4.1 Bijstand'), else ''
    paragraaf_genummerd: bool = False

    @property
    def plaats(self) -> str:
        """Where a reader of the PDF finds the element: 'paragraaf 4.1 Bijstand', 'hoofdstuk 9 Alle
        gemeenten in kaart', 'het onderdeel ‘Schuldhulpverlening’' (a report of one chapter, such as the
        dashboard), else 'het hoofdstuk ...'."""
        if self.paragraaf and self.paragraaf_genummerd:
            return f"paragraaf {self.paragraaf}"
        if self.nummer:
            return f"hoofdstuk {self.nummer} {self.hoofdstuk}"
        if self.paragraaf:
            return f"het onderdeel ‘{self.paragraaf}’"
        return f"het hoofdstuk {self.hoofdstuk}"

    @property
    def soort(self) -> str:
        return "kaart" if self.component == "figuur_kaart" else ("figuur" if self.label.startswith("fig-") else "tabel")


def _calls(source: str):
    """(name, node) of every function or method call in a cell's code (none when it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield getattr(node.func, "attr", None) or getattr(node.func, "id", None), node


def _literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _call_figures(name: str, args: list, kwargs: dict, catalogue: Catalogue, kpis) -> list[tuple[str, dict]]:
    """The (indicator, fixed) totals a component call shows."""
    fixed = {k: v for k, v in kwargs.items() if k not in OPTIES and isinstance(v, str)}
    first = args[0] if args else None
    if name in ("figuur_reeks", "tabel_kwartalen"):
        return [(first, fixed)] if isinstance(first, str) and kwargs.get("by") is None else []
    if name in ("figuur_reeks_met_aantal", "figuur_kaart"):
        return [(first, fixed)] if isinstance(first, str) else []
    if name == "tabel_reeks":
        return [(first, fixed)] if isinstance(first, str) and kwargs.get("totaal") else []
    if name == "tabel_kolommen":
        return [(i, {}) for i in (first or {}).values()] if isinstance(first, dict) and kwargs.get("totaal") else []
    if name in ("tabel_vergelijking", "tegels_vergelijking"):
        return [(i, {}) for i in first or [] if isinstance(i, str)] if isinstance(first, list) else []
    if name == "kerncijfers":
        out = []
        for regel in first or []:
            if isinstance(regel, tuple) and len(regel) >= 2:
                out.append((regel[1], dict(regel[2]) if len(regel) > 2 and isinstance(regel[2], dict) else {}))
        return out
    if name == "tabel_vergelijkbaar":
        domein = first if isinstance(first, str) else kwargs.get("domein")
        return [(i.id, {}) for i in catalogue if i.kern and i.domein == domein]
    if name == "kpi_overzicht":
        return [(k.indicator, dict(k.fixed)) for k in kpis]
    return []


def _kpi_list(node) -> list | None:
    """kpis=[Kpi("Wmo", "tijdigheid", {"wet": "Wmo"}), ...] as written in a cell."""
    from sdrapport.indicators.targets import Kpi

    if not isinstance(node, ast.List):
        return None
    out = []
    for item in node.elts:
        if isinstance(item, ast.Call) and getattr(item.func, "id", getattr(item.func, "attr", "")) == "Kpi":
            args = [_literal(a) for a in item.args]
            if len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
                out.append(Kpi(args[0], args[1], args[2] if len(args) > 2 and isinstance(args[2], dict) else {}))
    return out


COMPONENTEN = {"figuur_reeks", "tabel_kwartalen", "figuur_reeks_met_aantal", "figuur_kaart", "tabel_reeks", "tabel_kolommen",
               "tabel_vergelijking", "tegels_vergelijking", "kerncijfers", "tabel_vergelijkbaar", "kpi_overzicht",
               "figuur_verdeling"}


def notebook_elements(path: Path, catalogue: Catalogue, profile_kpis=(), nummering=None) -> list[Element]:
    """The labelled figures and tables of one notebook, in order, with the totals each shows and
    the chapter and section they are in. `nummering` (presentation.elements.chapters.Nummering, begun for
    this notebook) numbers the headings as the report page does; without it nothing is numbered."""
    from sdrapport.presentation.elements.chapters import Nummering, chapter_title, headings
    from sdrapport.manifest import cell_label

    nummering = nummering or Nummering(None)
    nb = nbformat.read(path, as_version=4)
    chapter, nummer, section, numbered_section = chapter_title(nb, path.name), "", "", False
    first_chapter = True
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            plain = headings(cell.source)
            for (level, text), (_, shown) in zip(plain, headings(nummering.markdown(cell.source))):
                if level == 2:
                    if first_chapter and shown != text:
                        nummer = shown[: -len(text)].strip()
                    first_chapter, section, numbered_section = False, "", False
                else:
                    section, numbered_section = shown, shown != text
            continue
        label = cell_label(cell) if cell.cell_type == "code" else None
        if not label or not label.startswith(("fig-", "tbl-")):
            continue
        for name, node in _calls(cell.source):
            if not name or name not in COMPONENTEN:
                continue
            args = [_literal(a) for a in node.args[1:]]  # the first argument is the Rapport
            kwargs = {k.arg: _literal(k.value) for k in node.keywords if k.arg}
            kpis = profile_kpis
            for k in node.keywords:
                if k.arg == "kpis":
                    kpis = _kpi_list(k.value) or []
            figures = _call_figures(name, args, kwargs, catalogue, kpis)
            figures = [(i, f) for i, f in figures if isinstance(i, str) and i in catalogue]
            titel = kwargs.get("titel") if isinstance(kwargs.get("titel"), str) else ""
            out.append(Element(label, path.name, chapter, name, titel,
                               tuple((i, tuple(sorted(f.items()))) for i, f in figures), nummer, section, numbered_section))
            break
    return out


_ELEMENTS: dict[tuple, list[Element]] = {}


def report_elements(project, rapport: str, catalogue: Catalogue) -> list[Element]:
    """Every labelled figure and table of the report's notebooks (profile order). Kept per process
    while the notebooks, the profile and the catalogue are unchanged."""
    from sdrapport.indicators.targets import load_kpis
    from sdrapport.inputs.profiles import load_profile

    profile = load_profile(project, rapport)
    paths = [project.notebooks / nb for nb in profile.notebooks]
    key = (rapport, str(project.root), *((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths),
           Path(project.catalogue).stat().st_mtime_ns, (project.params / "rapporten" / f"{rapport}.yml").stat().st_mtime_ns)
    found = _ELEMENTS.get(key)
    if found is None:
        from sdrapport.presentation.elements.chapters import Nummering

        kpis = load_kpis(project, rapport)
        nummering = Nummering(profile)  # the chapters and sections numbered as the report page numbers them
        found = []
        for path in paths:
            nummering.begin(path.name)
            found += notebook_elements(path, catalogue, kpis, nummering)
        if len(_ELEMENTS) > 32:
            _ELEMENTS.clear()
        _ELEMENTS[key] = found
    return found


# What a notebook reads beyond its own gemeente and its reference group, by the components its
# cells call: a map reads its indicator for every gemeente (its classes) and the boundaries, a similar-gemeenten table
# the figures of the five similar gemeenten and the profiles they were chosen on, the profile table
# only the profiles, "Opvallend" the report's other notebooks (the figures it links to).
# runner.batch keys each notebook on exactly this.
LANDELIJK = "landelijk"
VERGELIJKBAAR = "vergelijkbaar"
PROFIEL = "profiel"
BEREIK = {"figuur_kaart": LANDELIJK, "tabel_vergelijkbaar": VERGELIJKBAAR, "tabel_vergelijkbaar_profiel": PROFIEL}
LEEST_RAPPORT = {"opvallend"}


@dataclass(frozen=True)
class Bereik:
    """What one notebook reads besides its gemeente and reference group."""

    gegevens: frozenset[str] = frozenset()  # LANDELIJK, VERGELIJKBAAR, PROFIEL
    rapport: bool = False  # the report's other notebooks (Opvallend)
    # The indicators its maps show (LANDELIJK): only their figures of the other gemeenten matter.
    # None when a map's indicator is not written as a literal in its cell (then every figure counts).
    kaarten: frozenset[str] | None = frozenset()


_REACH: dict[tuple, Bereik] = {}


def notebook_reach(path: Path) -> Bereik:
    """The reach of a notebook, from the component calls in its code cells (not from metadata an
    analyst could forget): kept per process while the file is unchanged."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    found = _REACH.get(key)
    if found is None:
        nb = nbformat.read(path, as_version=4)
        names, mapped = set(), set()
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for name, node in _calls(cell.source):
                names.add(name)
                if BEREIK.get(name) == LANDELIJK:
                    first = _literal(node.args[1]) if len(node.args) > 1 else None
                    mapped.add(first if isinstance(first, str) else None)
        found = Bereik(frozenset(BEREIK[n] for n in names if n in BEREIK), bool(names & LEEST_RAPPORT),
                       None if None in mapped else frozenset(mapped))
        if len(_REACH) > 256:
            _REACH.clear()
        _REACH[key] = found
    return found


# Which element a signal links to, best first, by the component that draws it.
VOORKEUR = {
    "verandering": ("figuur_reeks", "figuur_reeks_met_aantal", "tabel_kwartalen", "tabel_reeks", "kpi_overzicht",
                    "tabel_kolommen", "tabel_vergelijking", "tegels_vergelijking", "kerncijfers", "figuur_kaart",
                    "tabel_vergelijkbaar"),
    "referentie": ("figuur_kaart", "tabel_vergelijkbaar", "tabel_vergelijking", "tegels_vergelijking", "figuur_reeks",
                   "kerncijfers", "figuur_reeks_met_aantal", "kpi_overzicht", "tabel_reeks", "tabel_kwartalen",
                   "tabel_kolommen"),
}


def target(elements: list[Element], indicator: str, fixed: tuple, soort: str) -> Element | None:
    """The element a signal on (indicator, fixed) links to."""
    showing = [e for e in elements if (indicator, fixed) in e.figuren]
    order = VOORKEUR[soort]
    showing.sort(key=lambda e: order.index(e.component) if e.component in order else len(order))
    return showing[0] if showing else None


def candidates(elements: list[Element]) -> list[tuple[str, tuple]]:
    """Every (indicator, fixed) the report shows as a total, in report order."""
    return list(dict.fromkeys(f for e in elements for f in e.figuren))


# -- signals ------------------------------------------------------------------------------------------------

@dataclass
class Signaal:
    soort: str  # verandering / referentie
    indicator: str
    fixed: tuple
    zin: str  # the Dutch sentence (plain text)
    sterkte: float
    element: Element | None
    data: dict = field(default_factory=dict)


def _richting(verschil: float) -> str:
    return "gestegen" if verschil > 0 else "gedaald"


def _naam(ind, fixed: tuple) -> str:
    """The indicator's name for the breakdown value (catalogue `labels`), else its label with the value."""
    return ind.label_voor(**dict(fixed))


def _tekst(value: float, eenheid: str) -> str:
    """A figure in a sentence: amounts in euro ('€ 145.000'), otherwise as in the tables."""
    from sdrapport.presentation.text import formatting

    if eenheid == "EUR x 1.000":
        return f"€\u00a0{formatting.getal(value * 1000, 0)}"
    return formatting.waarde(value, eenheid)


def _verschil_tekst(nu: float, toen: float, eenheid: str) -> str:
    """'+15%' (relative), '+2,5 procentpunt' for a percentage, '+0,227' for a score (around 0 a
    relative change means nothing), '−1,0 jaar' for a life expectancy, '+0,3' for a mark (what a
    reader compares them by)."""
    from sdrapport.presentation.text import formatting

    d = nu - toen
    teken = "+" if d > 0 else "−"
    if eenheid == "%":
        return f"{teken}{formatting.getal(abs(d), 1)} procentpunt"
    if eenheid == "jaar":
        return f"{teken}{formatting.getal(abs(d), formatting.decimalen(eenheid))} jaar"
    if eenheid in ("score", "rapportcijfer") or toen == 0:
        return f"{teken}{_tekst(abs(d), eenheid)}"
    rel = abs(d) / abs(toen) * 100
    return f"{teken}{formatting.getal(rel, 0 if rel >= 10 else 1)}%"


def report_candidates(r, config: Config | None = None) -> list[tuple[str, tuple]]:
    """The figures of the report that signals are computed for: shown as a total and with a
    threshold for at least one kind of signal."""
    config = config or load_config(r.project.params)
    elements = report_elements(r.project, r.rapport, r.catalogus)
    return [(i, f) for i, f in candidates(elements) if any(config.drempel(r.catalogus[i], s) for s in SOORTEN)]


def compute(r, *, config: Config | None = None, cbs_registraties: bool | None = None,
            referentiegroep: bool | None = None) -> list[Signaal]:
    """The notable changes and differences of the figures the report shows, strongest first, at
    most the configured maximum for this report. `cbs_registraties` (registration counts rounded
    by the CBS rule) and `referentiegroep` (the report compares with one) are read from params
    when not given."""
    from sdrapport.indicators import national
    from sdrapport.indicators.analysis import WAARDE
    from sdrapport.inputs.registrations import load_config as registratie_config
    from sdrapport.inputs.profiles import load_profile
    from sdrapport.presentation.elements.texts import in_periode

    config = config or load_config(r.project.params)
    if referentiegroep is None:
        referentiegroep = load_profile(r.project, r.rapport).referentiegroep
    elements = report_elements(r.project, r.rapport, r.catalogus)
    cbs = registratie_config(r.project.params).methode == "cbs" if cbs_registraties is None else cbs_registraties
    store = r.store
    found: list[Signaal] = []

    def cijfer(frame, gemeente) -> Cijfer | None:
        rec = national.figure(frame, gemeente)
        if rec is None or rec["waarde_status"] != WAARDE or not math.isfinite(float(rec["waarde"])):
            return None
        return Cijfer(float(rec["waarde"]), float(rec["laag"]), float(rec["hoog"]))

    for ind_id, fixed in candidates(elements):
        ind = r.catalogus[ind_id]
        fixed_d = dict(fixed)
        wanted = {s: config.drempel(ind, s) for s in SOORTEN}
        if not any(wanted.values()):
            continue
        p = r.peilperiode(ind, r.periode)
        now = cijfer(national.values(store, r.catalogus, ind, p, fixed_d, cbs_registraties=cbs), r.gemeente)
        if now is None:
            continue  # '?', '-' or nothing: no signal
        naam = _naam(ind, fixed)
        if wanted["verandering"]:
            prev_p = p.shift(-1)
            prev = cijfer(national.values(store, r.catalogus, ind, prev_p, fixed_d, cbs_registraties=cbs), r.gemeente)
            s = sterkte(now, prev, wanted["verandering"]) if prev else 0.0
            if s >= 1:
                zin = (f"{naam}: {_richting(now.waarde - prev.waarde)} van {_tekst(prev.waarde, ind.eenheid)} {in_periode(prev_p)} "
                       f"naar {_tekst(now.waarde, ind.eenheid)} {in_periode(p)} ({_verschil_tekst(now.waarde, prev.waarde, ind.eenheid)}).")
                found.append(Signaal("verandering", ind_id, fixed, zin, s, target(elements, ind_id, fixed, "verandering"),
                                     {"periode": p.code, "waarde": now.waarde, "vergeleken_met": prev_p.code,
                                      "vergelijkingswaarde": prev.waarde}))
        if wanted["referentie"] and ind.referentie and referentiegroep:
            ref = national.group(store, r.catalogus, ind, p, r.referentiegroep, fixed_d, cbs_registraties=cbs)
            if ref.beschikbaar:
                s = sterkte(now, Cijfer(ref.waarde, ref.laag, ref.hoog), wanted["referentie"])
                if s >= 1:
                    hoger = now.waarde > ref.waarde
                    zin = (f"{naam}: {_tekst(now.waarde, ind.eenheid)} {in_periode(p)}, {'hoger' if hoger else 'lager'} dan "
                           f"gemiddeld in gemeenten met {r.grootteklasse} ({_tekst(ref.waarde, ind.eenheid)}; "
                           f"{_verschil_tekst(now.waarde, ref.waarde, ind.eenheid)}).")
                    found.append(Signaal("referentie", ind_id, fixed, zin, s, target(elements, ind_id, fixed, "referentie"),
                                         {"periode": p.code, "waarde": now.waarde, "vergeleken_met": "referentiegroep",
                                          "vergelijkingswaarde": ref.waarde}))
    found.sort(key=lambda s: (-round(s.sterkte, 9), s.indicator, s.soort))
    return found[: config.maximum_voor(r.rapport)]

