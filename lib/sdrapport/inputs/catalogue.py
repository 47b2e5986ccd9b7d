"""The indicator catalogue: the one place where an indicator is defined.

Notebooks, the glossary and the site read indicators from here (``data/indicatoren.yml``); nothing
else defines a label, unit, source or denominator. See docs/data-contract.md for the fields.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from sdrapport.errors import ContractError, Problem

EENHEDEN = {
    "aantal": None,
    "%": 100.0,
    "per 1.000 inwoners": 1000.0,
    "per 1.000 huishoudens": 1000.0,
    "per 100.000 inwoners": 100_000.0,
    "EUR x 1.000": None,
    "score": None,
    "gemiddelde": 1.0,
    "index": None,  # a price index, e.g. CPI 2015 = 100
    "rapportcijfer": None,  # a mark from 1 to 10
    "jaar": None,  # a duration in years (levensverwachting)
    "per 1.000 leerlingen": 1000.0,
}


def decimalen(eenheid: str) -> int:
    """Decimals a figure in a unit of the catalogue is published with (and shown with)."""
    if eenheid in ("aantal", "EUR x 1.000"):
        return 0
    if eenheid == "score":
        return 3
    if eenheid == "gemiddelde":
        return 2
    return 1  # %, per 1.000 ..., per 100.000 ...


RICHTINGEN = ("hoger is beter", "lager is beter", "neutraal")
REQUIRED = ("id", "label", "definitie", "domein", "eenheid", "bron", "richting", "cbs_afronding")
OPTIONAL = ("noemer", "teller", "uitsplitsingen", "referentie", "peildatum", "volgorde", "labels", "doelgroep", "kern")
PEILDATA = ("1 januari",)


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    definitie: str
    domein: str
    eenheid: str
    bron: str
    richting: str
    cbs_afronding: bool
    noemer: str | None = None
    teller: str | None = None
    uitsplitsingen: tuple[str, ...] = ()
    referentie: bool = False
    peildatum: str | None = None  # '1 januari' for a stock counted on that day; None for a flow or average
    volgorde: tuple[tuple[str, tuple[str, ...]], ...] = ()  # per breakdown column the order of its values
    labels: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # per breakdown column: value -> label
    # A derived indicator's target-group denominator: for the breakdowns it declares (leeftijd,
    # geslacht), a value is divided by this indicator's value for the same group (Wmo clients of
    # 75-84 per 1.000 inhabitants of 75-84), not by the noemer's total.
    doelgroep: str | None = None
    kern: bool = False  # a key indicator of its domain: map, similar gemeenten, signals (presentation.elements.comparisons)

    def label_voor(self, **fixed: str) -> str:
        """The indicator's name for one breakdown value, as the catalogue spells it out (`labels`),
        e.g. tevredenheid for wet=Wmo: 'Percentage gebruikers van Wmo dat ... ervaart'; else the
        label with the value in brackets."""
        own = {col: dict(values) for col, values in self.labels}
        for col, value in fixed.items():
            if value in own.get(col, {}):
                return own[col][value]
        return self.label + (f" ({', '.join(fixed.values())})" if fixed else "")

    @property
    def afgeleid(self) -> bool:
        """Computed by the library from `teller` and `noemer`, never delivered as data."""
        return self.teller is not None

    @property
    def factor(self) -> float | None:
        return EENHEDEN[self.eenheid]


def natural_key(value) -> tuple:
    """Sort key: runs of digits by their value, other text without case, so 6.2 < 6.10 < 6.71A < 6.72
    and 4-11 < 12-17 (alphabetically both would be the other way round)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.findall(r"\d+|\D+", str(value)))


@dataclass
class Catalogue:
    path: Path
    indicators: dict[str, Indicator] = field(default_factory=dict)
    volgorde: dict[str, tuple[str, ...]] = field(default_factory=dict)  # top-level `volgorde`: per breakdown column
    begrippen: dict[str, str] = field(default_factory=dict)  # top-level `begrippen`: concept -> definition (glossary)

    def order(self, ind: Indicator | str, column: str, values) -> list[str]:
        """The values of a breakdown column in the catalogue's order: the indicator's own `volgorde`
        for that column (of its basis: the teller of a derived indicator), else the catalogue's
        top-level `volgorde`; values listed in neither follow in natural order (numbers by their
        value, so 6.2 before 6.10 and 4-11 before 12-17; text case-insensitive). Never the order
        of delivery."""
        base = self.basis(ind)
        listed = dict(base.volgorde).get(column) or self.volgorde.get(column) or ()
        rank = {v: i for i, v in enumerate(listed)}
        return sorted(dict.fromkeys(values), key=lambda v: (rank.get(v, len(rank)), natural_key(v), str(v)))

    def __getitem__(self, key: str) -> Indicator:
        try:
            return self.indicators[key]
        except KeyError:
            raise KeyError(f"indicator {key!r} staat niet in de catalogus {self.path}") from None

    def __contains__(self, key: str) -> bool:
        return key in self.indicators

    def __iter__(self):
        return iter(self.indicators.values())

    def basis(self, ind: Indicator | str) -> Indicator:
        """The indicator whose observations carry the data: the teller of a derived one."""
        ind = self[ind] if isinstance(ind, str) else ind
        return self[ind.teller] if ind.afgeleid else ind

    @property
    def breakdown_columns(self) -> list[str]:
        """All breakdown columns any indicator declares, in first-seen order."""
        seen: dict[str, None] = {}
        for ind in self:
            for col in ind.uitsplitsingen:
                seen.setdefault(col, None)
        return list(seen)

    def group_columns(self, ind: Indicator | str, columns) -> list[str]:
        """The breakdown columns among `columns` along which `ind` divides by its target group."""
        ind = self[ind] if isinstance(ind, str) else ind
        if not ind.doelgroep:
            return []
        return [c for c in columns if c in self[ind.doelgroep].uitsplitsingen]

    def unit_label(self, ind: Indicator | str, by: list[str] | tuple = (), fixed: dict[str, str] | None = None) -> str:
        """'per 1.000 inwoners van 75 jaar en ouder' for a target-group denominator; for a rate per
        target group (`doelgroep`) the group of the breakdown shown: 'per 1.000 vrouwen van dezelfde
        leeftijdsgroep' for women by age, 'per 1.000 mannen van 75-84 jaar' for one cell."""
        ind = self[ind] if isinstance(ind, str) else ind
        fixed = dict(fixed or {})
        group = self.group_columns(ind, [*by, *fixed])
        if group and ind.eenheid.startswith("per "):
            per = ind.eenheid.split(" ")[1]
            sexes = {"vrouw": "vrouwen", "man": "mannen"}
            who = sexes.get(fixed.get("geslacht", ""), "inwoners") if "geslacht" in fixed else "inwoners"
            parts = []
            if "leeftijd" in by:
                parts.append("van dezelfde leeftijdsgroep")
            elif "leeftijd" in fixed:
                band = fixed["leeftijd"]
                parts.append(f"van {band[:-1]} jaar en ouder" if band.endswith("+") else f"van {band} jaar")
            if "geslacht" in by:
                parts.append("van hetzelfde geslacht")
            return " ".join([f"per {per} {who}", " en ".join(parts)]).strip()
        if ind.noemer and ind.eenheid.startswith("per ") and ind.noemer not in ("inwoners", "huishoudens"):
            per = ind.eenheid.split(" ")[1]
            return f"per {per} {self[ind.noemer].label[0].lower()}{self[ind.noemer].label[1:]}"
        return ind.eenheid


_LOADED: dict[tuple, Catalogue] = {}


def load_catalogue(path: str | Path, display: str | None = None) -> Catalogue:
    """Load and check the catalogue; `display` is the file name used in error messages.

    Kept per process while the file is unchanged (path, size, mtime, inode): every notebook of a
    batch kernel opens a Rapport, and parsing the YAML was a third of that. Each caller gets its
    own Catalogue (fresh dicts around the frozen Indicator entries)."""
    path = Path(path)
    try:
        st = path.stat()
        key = (str(path.resolve()), display, st.st_size, st.st_mtime_ns, st.st_ino)
    except OSError:
        key = None
    found = _LOADED.get(key) if key else None
    if found is None:
        found = _read_catalogue(path, display)
        if key:
            if len(_LOADED) > 8:
                _LOADED.clear()
            _LOADED[key] = found
    # A copy of every field (new fields included), dicts copied so no caller changes another's.
    return Catalogue(**{f.name: copy.copy(getattr(found, f.name)) for f in fields(Catalogue)})


def _read_catalogue(path: Path, display: str | None = None) -> Catalogue:
    where = display or str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContractError([Problem(where, None, None, "bestand ontbreekt; de indicatorcatalogus is verplicht")]) from None
    except UnicodeDecodeError:
        raise ContractError([Problem(where, None, None, "bestand is geen UTF-8; sla het op als UTF-8")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        raise ContractError([Problem(where, row, None, f"geen geldige YAML ({getattr(exc, 'problem', exc)})")]) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("indicatoren"), list) or not raw["indicatoren"]:
        raise ContractError([Problem(where, None, None, "verwacht een sleutel 'indicatoren' met een lijst van indicatoren")])

    problems: list[Problem] = []
    entries: dict[str, dict] = {}
    extra_keys = [k for k in raw if k not in ("indicatoren", "volgorde", "begrippen")]
    for key in extra_keys:
        problems.append(Problem(where, None, str(key), "onbekende sleutel; toegestaan: indicatoren, volgorde, begrippen"))
    problems += _order_problems(where, raw.get("volgorde"), "volgorde", None)
    begrippen, found = _concepts(where, raw.get("begrippen"))
    problems += found
    for n, entry in enumerate(raw["indicatoren"], start=1):
        ref = f"indicator {n}"
        if not isinstance(entry, dict):
            problems.append(Problem(where, None, None, f"{ref}: verwacht velden (id, label, ...)"))
            continue
        ref = f"indicator {n} ({entry.get('id', '?')})"
        for key in REQUIRED:
            if entry.get(key) in (None, ""):
                problems.append(Problem(where, None, key, f"{ref}: verplicht veld ontbreekt"))
        for key in entry:
            if key not in REQUIRED + OPTIONAL:
                problems.append(Problem(where, None, key, f"{ref}: onbekend veld; toegestaan: {', '.join(REQUIRED + OPTIONAL)}"))
        if entry.get("eenheid") not in EENHEDEN and entry.get("eenheid") is not None:
            problems.append(Problem(where, None, "eenheid", f"{ref}: {entry['eenheid']!r} is geen eenheid; kies uit {', '.join(EENHEDEN)}"))
        if entry.get("richting") not in RICHTINGEN and entry.get("richting") is not None:
            problems.append(Problem(where, None, "richting", f"{ref}: kies uit {', '.join(RICHTINGEN)}"))
        if not isinstance(entry.get("cbs_afronding"), bool) and entry.get("cbs_afronding") is not None:
            problems.append(Problem(where, None, "cbs_afronding", f"{ref}: verwacht true of false"))
        if entry.get("kern") is not None and not isinstance(entry.get("kern"), bool):
            problems.append(Problem(where, None, "kern", f"{ref}: verwacht true of false"))
        if entry.get("peildatum") is not None and entry.get("peildatum") not in PEILDATA:
            problems.append(Problem(where, None, "peildatum", f"{ref}: kies uit {', '.join(PEILDATA)} of laat het veld weg"))
        dims = entry.get("uitsplitsingen")
        if dims is not None and not (isinstance(dims, list) and all(isinstance(d, str) for d in dims)):
            problems.append(Problem(where, None, "uitsplitsingen", f"{ref}: verwacht een lijst van kolomnamen, bijvoorbeeld [leeftijd, geslacht]"))
        problems += _order_problems(where, entry.get("volgorde"), f"{ref}: volgorde", entry.get("uitsplitsingen") or [])
        problems += _label_problems(where, entry.get("labels"), ref, entry.get("uitsplitsingen") or [])
        if entry.get("id") in entries:
            problems.append(Problem(where, None, "id", f"{ref}: id is al eerder gedefinieerd; elke indicator staat één keer in de catalogus"))
        if entry.get("id"):
            entries[entry["id"]] = entry
    for ind_id, entry in entries.items():
        if entry.get("doelgroep") is not None:
            group = entries.get(entry["doelgroep"])
            if group is None:
                problems.append(Problem(where, None, "doelgroep", f"indicator {ind_id}: verwijst naar onbekende indicator {entry['doelgroep']!r}"))
            elif not entry.get("teller") or group.get("eenheid") != "aantal" or not group.get("uitsplitsingen"):
                problems.append(Problem(where, None, "doelgroep", f"indicator {ind_id}: een doelgroep hoort bij een afgeleide indicator "
                                        "en is een aantal met uitsplitsingen (bijvoorbeeld inwoners naar leeftijd en geslacht)"))
        for key in ("teller", "noemer"):
            target = entry.get(key)
            if target is not None and target not in entries:
                problems.append(Problem(where, None, key, f"indicator {ind_id}: verwijst naar onbekende indicator {target!r}"))
        if entry.get("teller") and not entry.get("noemer"):
            problems.append(Problem(where, None, "noemer", f"indicator {ind_id}: een afgeleide indicator (met teller) heeft een noemer nodig"))
        if entry.get("teller") and EENHEDEN.get(entry.get("eenheid")) is None:
            problems.append(Problem(where, None, "eenheid",
                                    f"indicator {ind_id}: een afgeleide indicator heeft een relatieve eenheid nodig (%, per 1.000 ...)"))
    declared = {d for e in entries.values() for d in (e.get("uitsplitsingen") or []) if isinstance(d, str)}
    for column in (raw.get("volgorde") or {}) if isinstance(raw.get("volgorde"), dict) else {}:
        if column not in declared:
            problems.append(Problem(where, None, "volgorde", f"volgorde: {column!r} is geen uitsplitsing van een indicator"))
    if problems:
        raise ContractError(problems)

    cat = Catalogue(path, volgorde={k: tuple(v) for k, v in (raw.get("volgorde") or {}).items()}, begrippen=begrippen)
    for ind_id, e in entries.items():
        cat.indicators[ind_id] = Indicator(
            id=ind_id,
            label=str(e["label"]).strip(),
            definitie=" ".join(str(e["definitie"]).split()),
            domein=str(e["domein"]),
            eenheid=e["eenheid"],
            bron=str(e["bron"]),
            richting=e["richting"],
            cbs_afronding=e["cbs_afronding"],
            noemer=e.get("noemer"),
            teller=e.get("teller"),
            uitsplitsingen=tuple(e.get("uitsplitsingen") or ()),
            referentie=bool(e.get("referentie", False)),
            peildatum=e.get("peildatum"),
            volgorde=tuple((k, tuple(v)) for k, v in (e.get("volgorde") or {}).items()),
            labels=tuple((k, tuple((str(a), str(b)) for a, b in v.items())) for k, v in (e.get("labels") or {}).items()),
            doelgroep=e.get("doelgroep"),
            kern=bool(e.get("kern", False)),
        )
    return cat


def _concepts(where: str, value) -> tuple[dict[str, str], list[Problem]]:
    """`begrippen`: the concepts a reader meets besides the indicators (algemene voorziening,
    taakveld, ...), each `begrip` with its `definitie`, for the glossary of the site and the reports."""
    if value is None:
        return {}, []
    if not isinstance(value, list):
        return {}, [Problem(where, None, "begrippen", "verwacht een lijst van begrippen, elk met begrip en definitie")]
    out: dict[str, str] = {}
    problems = []
    for n, entry in enumerate(value, start=1):
        ref = f"begrip {n}"
        if not isinstance(entry, dict):
            problems.append(Problem(where, None, "begrippen", f"{ref}: verwacht velden begrip en definitie"))
            continue
        ref = f"begrip {n} ({entry.get('begrip', '?')})"
        for key in entry:
            if key not in ("begrip", "definitie"):
                problems.append(Problem(where, None, "begrippen", f"{ref}: onbekend veld {key!r}; toegestaan: begrip, definitie"))
        term, text = entry.get("begrip"), entry.get("definitie")
        if not isinstance(term, str) or not term.strip() or not isinstance(text, str) or not text.strip():
            problems.append(Problem(where, None, "begrippen", f"{ref}: begrip en definitie zijn verplicht (tekst)"))
            continue
        term = " ".join(term.split())
        if term.casefold() in {t.casefold() for t in out}:
            problems.append(Problem(where, None, "begrippen", f"{ref}: dit begrip staat er al; elk begrip staat één keer in de catalogus"))
            continue
        out[term] = " ".join(text.split())
    return out, problems


def _order_problems(where: str, value, ref: str, allowed: list[str] | None) -> list[Problem]:
    """`volgorde`: per breakdown column a list of its values, each once; for an indicator only
    columns it declares in `uitsplitsingen`."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [Problem(where, None, "volgorde", f"{ref}: verwacht per uitsplitsing een lijst van waarden, "
                        "bijvoorbeeld geslacht: [vrouw, man]")]
    out = []
    for column, values in value.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            out.append(Problem(where, None, "volgorde", f"{ref}.{column}: verwacht een lijst van waarden (tekst)"))
        elif len(set(values)) != len(values):
            out.append(Problem(where, None, "volgorde", f"{ref}.{column}: een waarde staat er twee keer in"))
        if allowed is not None and column not in allowed:
            out.append(Problem(where, None, "volgorde", f"{ref}: {column!r} staat niet in de uitsplitsingen van deze indicator"))
    return out


def _label_problems(where: str, value, ref: str, allowed: list[str]) -> list[Problem]:
    """`labels`: per breakdown column of the indicator, per value the indicator's name for it."""
    if value is None:
        return []
    example = "labels: {wet: {Wmo: Percentage gebruikers van Wmo dat ...}}"
    if not isinstance(value, dict):
        return [Problem(where, None, "labels", f"{ref}: verwacht per uitsplitsing per waarde een naam, bijvoorbeeld {example}")]
    out = []
    for column, names in value.items():
        if column not in allowed:
            out.append(Problem(where, None, "labels", f"{ref}: {column!r} staat niet in de uitsplitsingen van deze indicator"))
        elif not isinstance(names, dict) or not all(isinstance(v, str) and v.strip() for v in names.values()):
            out.append(Problem(where, None, "labels", f"{ref}.{column}: verwacht per waarde een naam (tekst), bijvoorbeeld {example}"))
    return out
