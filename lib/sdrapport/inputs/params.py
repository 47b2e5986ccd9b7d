"""One loader for every settings file under params/: YAML syntax and schema, Dutch messages.

    load_params(project.params / "doelen.yml", schema=DOELEN)

reads a params file once, refuses YAML syntax errors, duplicate keys and anything the schema does
not allow, and raises ParamsError (a ContractError, so the CLI reports it with exit code 2). Every
problem names the file (relative to the project root), the line and column in it, the key and what
is expected:

    params/doelen.yml, regel 9, kolom 18, sleutel 'standaard.tijdigheid/Wmo': verwacht een getal, bijvoorbeeld 95

The schemas are plain checks (no pydantic: its messages are English and its types do not fit keys
such as gemeente codes and years). `check_report_params` validates every params file a report needs
before any notebook runs (`sdrapport run`, `sdrapport batch`).
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sdrapport.inputs.catalogue import EENHEDEN
from sdrapport.errors import ContractError, Problem

GEMEENTE = re.compile(r"^GM\d{4}$")


# -- problems -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParamsProblem(Problem):
    """A problem in a params file: `row` is the line, `kolom` the column (both 1-based) and
    `column` the key path (e.g. 'onthulling.drempel')."""

    kolom: int | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"regel {self.row}")
        if self.kolom is not None:
            where.append(f"kolom {self.kolom}")
        if self.column:
            where.append(f"sleutel '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class ParamsError(ContractError):
    """A params file that is missing, no valid YAML or breaks its schema."""

    def __init__(self, problems: list[Problem] | str, path: str | Path | None = None):
        if isinstance(problems, str):  # a single message about a whole file
            problems = [ParamsProblem(display(path) if path is not None else "params", None, None, problems)]
        super().__init__(problems)


def display(path: str | Path) -> str:
    """The file name as shown to users: relative to the project root (params/...), else as given."""
    parts = Path(path).parts
    if "params" in parts:
        i = len(parts) - 1 - parts[::-1].index("params")
        return "/".join(parts[i:])
    return str(path)


# -- schemas --------------------------------------------------------------------------------------
Path_ = tuple  # a key path: ('onthulling', 'drempel'), ('kpi', 0, 'domein')
Found = tuple[Path_, str, bool]  # path, message, point at the key (True) or at the value


class Schema:
    """A check of one value; yields (path, message, at_key) for every problem."""

    def check(self, value: Any, path: Path_) -> Iterator[Found]:
        raise NotImplementedError


class Alles(Schema):
    def check(self, value, path):
        return iter(())


@dataclass
class Tekst(Schema):
    leeg: bool = False  # an empty text is allowed
    voorbeeld: str = ""

    def check(self, value, path):
        if not isinstance(value, str):
            yield path, "verwacht tekst" + (f", bijvoorbeeld {self.voorbeeld}" if self.voorbeeld else ""), False
        elif not self.leeg and not value.strip():
            yield path, "tekst is leeg; vul een waarde in", False


@dataclass
class Getal(Schema):
    minimum: float | None = None
    maximum: float | None = None
    geheel: bool = False
    voorbeeld: str = ""

    def check(self, value, path):
        kind = "een geheel getal" if self.geheel else "een getal"
        ok = isinstance(value, int) if self.geheel else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            hint = f", bijvoorbeeld {self.voorbeeld}" if self.voorbeeld else ""
            if isinstance(value, str) and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", value.strip()):
                hint = "; schrijf het getal zonder punten als duizendtalscheiding"
            elif isinstance(value, str) and "," in value:
                hint = "; gebruik een punt als decimaalteken"
            yield path, f"verwacht {kind}{hint}", False
            return
        if self.minimum is not None and value < self.minimum:
            yield path, f"verwacht {kind} van {_num(self.minimum)} of meer", False
        if self.maximum is not None and value > self.maximum:
            yield path, f"verwacht {kind} van hoogstens {_num(self.maximum)}", False


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


class Waarde(Schema):
    """A figure as printed: text or a number."""

    def check(self, value, path):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            yield path, "verwacht een getal of tekst", False


class JaNee(Schema):
    def check(self, value, path):
        if not isinstance(value, bool):
            yield path, "verwacht true of false", False


class Datum(Schema):
    def check(self, value, path):
        if isinstance(value, dt.datetime) or not isinstance(value, (dt.date, str)):
            yield path, "verwacht een datum JJJJ-MM-DD, bijvoorbeeld 2024-12-31", False
        elif isinstance(value, str):
            try:
                dt.date.fromisoformat(value.strip())
            except ValueError:
                yield path, "verwacht een datum JJJJ-MM-DD, bijvoorbeeld 2024-12-31", False


@dataclass
class Keuze(Schema):
    opties: tuple

    def check(self, value, path):
        if value not in self.opties:
            yield path, "kies uit " + ", ".join(str(o) for o in self.opties), False


@dataclass
class Lijst(Schema):
    item: Schema
    minimum: int = 0
    voorbeeld: str = ""

    def check(self, value, path):
        if not isinstance(value, list):
            yield path, "verwacht een lijst" + (f", bijvoorbeeld {self.voorbeeld}" if self.voorbeeld else ""), False
            return
        if len(value) < self.minimum:
            yield path, f"de lijst is leeg; verwacht er minstens {self.minimum}", False
        for i, v in enumerate(value):
            yield from self.item.check(v, (*path, i))


@dataclass
class Veld:
    schema: Schema
    verplicht: bool = False


@dataclass
class Sleutels(Schema):
    """A mapping with named keys; `overig` checks the values of other keys (None: not allowed)."""

    velden: dict[str, Veld]
    overig: Schema | None = None

    def check(self, value, path):
        if value is None:
            value = {}
        if not isinstance(value, dict):
            yield path, "verwacht sleutels met waarden (sleutel: waarde)", False
            return
        for name, veld in self.velden.items():
            if veld.verplicht and value.get(name) in (None, ""):
                yield (*path, name), "verplichte sleutel ontbreekt of is leeg", True
        for key, v in value.items():
            if key in self.velden:
                if v is not None:
                    yield from self.velden[key].schema.check(v, (*path, key))
            elif self.overig is not None:
                yield from self.overig.check(v, (*path, key))
            else:
                yield (*path, key), "onbekende sleutel; toegestaan: " + ", ".join(self.velden), True


@dataclass
class Tabel(Schema):
    """A mapping with free keys: `sleutel` says which keys (None: any text), `waarde` checks each value."""

    waarde: Schema
    sleutel: Schema | None = None
    sleutel_uitleg: str = ""

    def check(self, value, path):
        if value is None:
            return
        if not isinstance(value, dict):
            yield path, "verwacht sleutels met waarden (sleutel: waarde)", False
            return
        for key, v in value.items():
            problems = list((self.sleutel or Tekst()).check(key, (*path, key)))
            if problems:
                message = f"ongeldige sleutel; verwacht {self.sleutel_uitleg}" if self.sleutel_uitleg else problems[0][1]
                yield (*path, key), message, True
                continue
            yield from self.waarde.check(v, (*path, key))


class Jaar(Schema):
    def check(self, value, path):
        text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
        if not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= 2100:
            yield path, "verwacht een jaartal, bijvoorbeeld 2024", False


class Gemeentecode(Schema):
    def check(self, value, path):
        if not isinstance(value, str) or not GEMEENTE.match(value):
            yield path, "verwacht een gemeentecode: GM gevolgd door 4 cijfers, bijvoorbeeld GM0402", False


class Taakveld(Schema):
    """An Iv3 code, quoted: unquoted, YAML reads 6.10 as the number 6.1."""

    def check(self, value, path):
        if not isinstance(value, str):
            yield path, (f"taakveld {value!r} staat niet tussen aanhalingstekens; schrijf \"{value}\": "
                         "YAML leest 6.10 anders als 6.1"), True
        elif not value.strip():
            yield path, "lege taakveldcode", True


class Doelcode(Schema):
    """The code of a programme goal ('6.1', '6.1.1'), quoted: unquoted, YAML reads 6.1 as a number."""

    def check(self, value, path):
        if not isinstance(value, str):
            yield path, (f"doel {value!r} staat niet tussen aanhalingstekens; schrijf \"{value}\": "
                         "YAML leest 6.1 anders als een getal"), False
        elif not re.fullmatch(r"\d+(\.\d+)*[A-Za-z]?", value.strip()):
            yield path, "verwacht een doelnummer zoals 6.1 of 6.1.1", False


@dataclass
class TekstOfLijst(Schema):
    """A text, or a list of items that each pass `item` (text slots: one paragraph or several blocks)."""

    item: Schema
    voorbeeld: str = ""

    def check(self, value, path):
        if isinstance(value, str):
            return
        if not isinstance(value, list):
            yield path, "verwacht tekst of een lijst" + (f", bijvoorbeeld {self.voorbeeld}" if self.voorbeeld else ""), False
            return
        for i, v in enumerate(value):
            yield from self.item.check(v, (*path, i))


class Doelen(Schema):
    """params/doelen.yml: `standaard` (key -> target) and per gemeente per year (key -> target)."""

    doel = Tabel(Getal(voorbeeld="95"), sleutel_uitleg="een indicator-id of indicator/uitsplitsing")

    def check(self, value, path):
        if value is None:
            return
        if not isinstance(value, dict):
            yield path, "verwacht standaard: en per gemeente (GM0402:) de doelen", False
            return
        for key, v in value.items():
            if key == "standaard":
                yield from self.doel.check(v, (*path, key))
            elif isinstance(key, str) and GEMEENTE.match(key):
                yield from Tabel(self.doel, Jaar(), "een jaartal, bijvoorbeeld 2024").check(v, (*path, key))
            else:
                yield (*path, key), "onbekende sleutel; verwacht standaard of een gemeentecode (GM0402)", True


# The schemas of the params files.
WETTEN = ("wmo", "jeugd", "pw")
DEFINITIE = Sleutels({"definitie": Veld(Tekst(voorbeeld="zorgperiode/2"), True), "tot": Veld(Datum())})

PROFIEL = Sleutels({
    "titel": Veld(Tekst(), True),
    "notebooks": Veld(Lijst(Tekst(), 1, "[01_uitgangspositie.ipynb, 02_wmo.ipynb]"), True),
    "periodesoort": Veld(Keuze(("jaar", "halfjaar", "kwartaal"))),
    "toelichting": Veld(JaNee()),
    "referentiegroep": Veld(JaNee()),
    "nummering": Veld(JaNee()),
    "ongenummerd": Veld(Lijst(Tekst(), voorbeeld="[00_inleiding.ipynb]")),
    "zonder_toelichting": Veld(Lijst(Tekst(), voorbeeld="[09_bijlagen.ipynb]")),
    "pdf": Veld(Tabel(Alles())),
    # 'kort': the PDF's technical verantwoording without the list of data files (a one-page
    # report); the site keeps the full list.
    "verantwoording": Veld(Keuze(("volledig", "kort"))),
    "kpi": Veld(Lijst(Sleutels({"domein": Veld(Tekst(), True), "indicator": Veld(Tekst(), True)},
                               overig=Tekst(voorbeeld="wet: Wmo")))),
    # Per domain the KPI tiles of its block in the dashboard (each with a generated sentence).
    "kpi_blokken": Veld(Tabel(Lijst(Sleutels({"indicator": Veld(Tekst(), True),
                                              "periode": Veld(Keuze(("periode", "jaar_tot_nu")))},
                                             overig=Tekst(voorbeeld="wet: Wmo")), 1))),
})
DOELEN = Doelen()


class Kwartaal(Schema):
    """A quarter as a key of params/dashboard/<gemeente>.yml: 2021-Q1."""

    def check(self, value, path):
        if not (isinstance(value, str) and re.fullmatch(r"\d{4}-Q[1-4]", value.strip())):
            yield path, "verwacht een kwartaal, bijvoorbeeld 2021-Q1", False


# The gemeente's own texts in the dashboard (seed 001): per quarter an introduction, what changed
# since the previous dashboard, and a text per domain (a block of params/rapporten/dashboard.yml).
DASHBOARD = Tabel(Sleutels({
    "inleiding": Veld(Tekst(leeg=True)),
    "veranderd": Veld(Tekst(leeg=True)),
    "domeinen": Veld(Tabel(Tekst(leeg=True), sleutel_uitleg="een domein uit kpi_blokken, bijvoorbeeld Wmo")),
}), Kwartaal(), "een kwartaal, bijvoorbeeld 2021-Q1")
# The factsheet (seed 003): per year an introduction, a link to wijk information, the text on
# satisfaction and, per small chart, a finding of its own instead of the generated one.
FACTSHEET = Tabel(Sleutels({
    "inleiding": Veld(Tekst(leeg=True)),
    "wijkinformatie": Veld(Sleutels({"url": Veld(Tekst(voorbeeld="https://www.hengelo.nl/wijken"), True),
                                     "tekst": Veld(Tekst())})),
    "tevredenheid": Veld(Tekst(leeg=True)),
    "bevindingen": Veld(Tabel(Tekst(leeg=True), sleutel_uitleg="een grafiek: indicaties, uitgaven, piramide, omvang of loonkostensubsidie")),
}), Jaar(), "een jaartal, bijvoorbeeld 2023")

TOELICHTING = Tabel(Tekst(leeg=True), sleutel_uitleg="de naam van een hoofdstuk (notebook zonder .ipynb), bijvoorbeeld 02_wmo")
TAAKVELDEN = Tabel(Tabel(Tekst(), Taakveld()), Jaar(), "een jaartal, bijvoorbeeld 2024")
BLOKKEN = TekstOfLijst(Sleutels({"kop": Veld(Tekst(leeg=True)), "tekst": Veld(Tekst(), True)}),
                       "- kop: Hervormingsagenda jeugd / tekst: ...")
JAARVERSLAG = Tabel(Sleutels({
    "drempel": Veld(Getal(minimum=0, voorbeeld="50 (EUR x 1.000)"), True),
    "totaalcontrole": Veld(Keuze(("weigeren", "waarschuwen"))),
    "toelichtingen": Veld(Tabel(Tekst(), Taakveld())),
    # The text slots of the programme (seed 004); each has a default sentence when it is empty.
    "aanspreekpunten": Veld(Sleutels({"bestuurlijk": Veld(Tekst(leeg=True)), "ambtelijk": Veld(Tekst(leeg=True))})),
    "ontwikkelingen": Veld(BLOKKEN),
    "beleidsnotas": Veld(Lijst(Tekst(), voorbeeld="[Transformatieplan sociaal domein]")),
    "verbonden_partijen": Veld(Lijst(Sleutels({"naam": Veld(Tekst(), True), "omschrijving": Veld(Tekst(leeg=True))}))),
    "doelen": Veld(Lijst(Sleutels({"code": Veld(Doelcode(), True), "titel": Veld(Tekst(), True),
                                   "toelichting": Veld(Tekst(leeg=True)), "gedaan": Veld(Tekst(leeg=True))}))),
    "blijven_doen": Veld(Lijst(Sleutels({"thema": Veld(Tekst(), True), "punten": Veld(Tekst(), True)}))),
    "financiele_toelichting": Veld(Tekst(leeg=True)),
    "risicos": Veld(BLOKKEN),
    "beleidsindicatoren": Veld(Lijst(Sleutels({
        "label": Veld(Tekst(), True), "eenheid": Veld(Tekst(), True), "werkelijk_vorig_jaar": Veld(Waarde(), True),
        "begroting": Veld(Waarde(), True), "werkelijk": Veld(Waarde(), True), "voetnoot": Veld(Tekst(leeg=True)),
        "doel": Veld(Tekst(leeg=True)),
    }))),
}), Jaar(), "een jaartal, bijvoorbeeld 2024")
# params/monitor/GMxxxx.yml: a gemeente's own answers shown in the monitor (seed 002), per year.
MONITOR = Tabel(Sleutels({
    "ceo_wmo": Veld(Lijst(Sleutels({"titel": Veld(Tekst(), True), "tekst": Veld(Tekst(), True)}),
                          voorbeeld="[{titel: Toegankelijkheid van de voorzieningen, tekst: ...}]")),
    "beleid": Veld(Tabel(Tekst(), sleutel_uitleg="een type Wmo-voorziening, bijvoorbeeld Hulp bij het huishouden")),
}), Jaar(), "een jaartal, bijvoorbeeld 2022")
CBS = Sleutels({
    "tabel": Veld(Tekst(voorbeeld="85099NED"), True),
    "titel": Veld(Tekst()),
    "bron": Veld(Tekst(), True),
    "vervangt": Veld(Tekst(voorbeeld="83262NED")),
    "catalogus": Veld(Tekst()),
    "regio": Veld(Tekst(voorbeeld="RegioS"), True),
    "perioden": Veld(Tekst(voorbeeld="Perioden")),
    "jaar": Veld(Getal(1900, 2100, geheel=True, voorbeeld="2023")),
    "maanden": Veld(Keuze(("kwartaaleinde",))),
    "dimensies": Veld(Tabel(Sleutels({"kolom": Veld(Tekst()), "waarden": Veld(Tabel(Tekst())),
                                      "klassen": Veld(Tabel(Lijst(Alles(), 2, "[75, 84] of [85, null]")))}))),
    "onderwerpen": Veld(Lijst(Sleutels({"key": Veld(Tekst(), True), "indicator": Veld(Tekst(), True),
                                        "uitsplitsing": Veld(Tabel(Tekst()))}), 1), True),
    "symbolen": Veld(Tabel(Tekst(leeg=True))),
})
REGISTRATIES = Sleutels({
    "bron": Veld(Tekst()),
    "vanaf": Veld(Getal(1990, 2099, geheel=True, voorbeeld="2019")),
    "termijn_weken": Veld(Tabel(Getal(minimum=1, geheel=True, voorbeeld="8"), Keuze(WETTEN), "wmo, jeugd of pw")),
    "onthulling": Veld(Sleutels({"methode": Veld(Keuze(("cbs", "drempel"))),
                                 "drempel": Veld(Getal(minimum=2, geheel=True, voorbeeld="10"))})),
    "pseudonimisering": Veld(JaNee()),
    "sleutelbestand": Veld(Tekst(voorbeeld="~/.config/sdrapport/pseudoniem.sleutel")),
    "dubbele_voorzieningen": Veld(Keuze(("weigeren", "eerste_houden"))),
    "plausibiliteit": Veld(Sleutels({"max_aandeel_clienten": Veld(Getal(0.001, 1, voorbeeld="0.25"))})),
    "gemeenten": Veld(Tabel(Sleutels({
        "bron": Veld(Tekst()),
        "peildatum": Veld(Datum()),
        "vanaf": Veld(Datum()),
        "definities": Veld(Tabel(Alles())),  # checked against definities.DEFINITIES when derived
    }), Gemeentecode(), "een gemeentecode, bijvoorbeeld GM0402")),
    "categorieen": Veld(Tabel(Lijst(Tekst(), voorbeeld="[Begeleiding, Dagbesteding]"), Keuze(WETTEN), "wmo, jeugd of pw")),
    "eenmalig_geboekt": Veld(Lijst(Tekst(), voorbeeld="[Ambulante jeugdhulp (trajectfinanciering)]")),
})

class CodeWaarde(Schema):
    """One code of a codelist: the contract value, or {omschrijving: <the standard's label>, waarde: <contract value>}."""

    inner = Sleutels({"omschrijving": Veld(Tekst()), "waarde": Veld(Tekst(), True)})

    def check(self, value, path):
        if isinstance(value, dict):
            yield from self.inner.check(value, path)
        elif not isinstance(value, str) or not value.strip():
            yield path, "verwacht de waarde in het contract, of omschrijving: en waarde:", False


SOORTEN = ("voorzieningen", "aanvragen", "uitkeringen", "klachten")
BRON = Sleutels({
    "soort": Veld(Keuze(SOORTEN), True),
    "bestanden": Veld(Lijst(Tekst(), 1, "[jeugd-export*.csv]"), True),
    "codering": Veld(Keuze(("auto", "utf-8", "windows-1252"))),
    "scheidingsteken": Veld(Keuze(("auto", ";", ",", "tab", "|"))),
    "datumformaat": Veld(Keuze(("auto", "jjjj-mm-dd", "dd-mm-jjjj", "dd/mm/jjjj", "jjjjmmdd"))),
    "kolommen": Veld(Tabel(Tekst(voorbeeld="Ingangsdatum"))),
    "vast": Veld(Tabel(Tekst(voorbeeld="GM0402"))),
    "codelijsten": Veld(Lijst(Tekst(), voorbeeld="[ijw-3.2]")),
    # Codes may be written without quotes (01 is then read as 1; both are matched).
    "waarden": Veld(Tabel(Tabel(Tekst(leeg=True), Alles()))),
    "zwaarte_per_categorie": Veld(Tabel(Keuze(("licht", "middel", "zwaar")), Alles())),
    "zwaarte_per_product": Veld(Tabel(Keuze(("licht", "middel", "zwaar")), Alles())),
})
CODELIJST = Sleutels({
    "standaard": Veld(Tekst(voorbeeld="iJw 3.2"), True),
    "bron": Veld(Tekst(), True),
    "lijsten": Veld(Tabel(Sleutels({
        "naam": Veld(Tekst()),
        "kolom": Veld(Tekst(voorbeeld="verwijzer"), True),
        "wet": Veld(Keuze(WETTEN)),
        "codes": Veld(Tabel(CodeWaarde(), Alles()), True),
        "synoniemen": Veld(Tabel(Tekst(), Alles())),
    })), True),
})


# params/signalen.yml (signals.py): thresholds per unit of the catalogue, per kind of signal.
_DREMPEL = Sleutels({"relatief": Veld(Getal(minimum=0, voorbeeld="10 (%)")),
                     "procentpunt": Veld(Getal(minimum=0, voorbeeld="3")),
                     "absoluut": Veld(Getal(minimum=0, voorbeeld="0.05"))})
_PER_SOORT = Sleutels({"verandering": Veld(_DREMPEL), "referentie": Veld(_DREMPEL)})
_EENHEDEN = tuple(EENHEDEN)
SIGNALEN = Sleutels({
    "maximum": Veld(Getal(minimum=0, geheel=True, voorbeeld="8")),
    "drempels": Veld(Tabel(_PER_SOORT, Keuze(_EENHEDEN), "een eenheid uit de catalogus: " + ", ".join(_EENHEDEN)), True),
    "rapporten": Veld(Tabel(Sleutels({"maximum": Veld(Getal(minimum=0, geheel=True, voorbeeld="3"))}))),
    "indicatoren": Veld(Tabel(_PER_SOORT, sleutel_uitleg="een indicator-id uit data/indicatoren.yml")),
})


def schema_for(path: Path) -> Schema | None:
    """The schema of a params file by its place under params/ (None: syntax only)."""
    parts = Path(display(path)).parts
    name = parts[-1]
    folder = parts[-2] if len(parts) >= 2 else ""
    if folder == "rapporten":
        return PROFIEL
    if folder == "toelichting":
        return TOELICHTING
    if folder == "jaarverslag":
        return JAARVERSLAG
    if folder == "dashboard":
        return DASHBOARD
    if folder == "factsheet":
        return FACTSHEET
    if folder == "monitor":
        return MONITOR
    if folder == "cbs":
        return CBS
    if folder == "codelijsten":
        return CODELIJST
    if folder == "bronnen":
        return BRON
    return {"doelen.yml": DOELEN, "iv3-taakvelden.yml": TAAKVELDEN, "registraties.yml": REGISTRATIES,
            "signalen.yml": SIGNALEN}.get(name)


# -- reading --------------------------------------------------------------------------------------
_YAML_PROBLEMS = (
    ("found character '\\t' that cannot start any token", "tab-teken: spring in met spaties, niet met tabs"),
    ("mapping values are not allowed here", "onverwachte dubbele punt; zet tekst met een dubbele punt tussen aanhalingstekens "
                                            "of controleer de inspringing"),
    ("could not find expected ':'", "verwacht 'sleutel: waarde'; er ontbreekt een dubbele punt of de inspringing klopt niet"),
    ("expected <block end>, but found", "de inspringing klopt niet; sleutels op hetzelfde niveau springen even ver in"),
    ("found unexpected end of stream", "het bestand houdt midden in een waarde op; ontbreekt er een aanhalingsteken of haakje?"),
    ("found unknown escape character", "onbekend escapeteken in tekst tussen dubbele aanhalingstekens; gebruik enkele aanhalingstekens"),
    ("while parsing a flow", "een lijst [...] of {...} is niet goed afgesloten"),
)


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = f"{exc.problem or ''}"
    for english, dutch in _YAML_PROBLEMS:
        if english in problem or english in f"{exc.context or ''}":
            return f"geen geldige YAML: {dutch}"
    return f"geen geldige YAML ({problem or exc})"


def _node_at(root: yaml.Node | None, path: Path_, at_key: bool) -> yaml.Node | None:
    """The node of a key path (the key node itself when at_key), as deep as it exists."""
    node = root
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(step):
                    node = k if (last and at_key) else v
                    break
            else:
                return node  # a missing key: point at its mapping
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return node
    return node


def _duplicates(node: yaml.Node | None, path: Path_ = ()) -> Iterator[tuple[Path_, yaml.Node]]:
    """Keys that occur twice in one mapping (PyYAML silently keeps the last)."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else None
            if key is not None and key in seen:
                yield (*path, key), k
            seen.add(key)
            yield from _duplicates(v, (*path, key))
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            yield from _duplicates(v, (*path, i))


def _key_path(path: Path_) -> str | None:
    return ".".join(str(p) for p in path) or None


def _problem(file: str, node: yaml.Node | None, path: Path_, message: str) -> ParamsProblem:
    mark = node.start_mark if node is not None else None
    return ParamsProblem(file, mark.line + 1 if mark else None, _key_path(path), message,
                         kolom=mark.column + 1 if mark else None)


def load_params(path: str | Path, schema: Schema | str | None = "auto", *, required: bool = True,
                default: Any = None) -> Any:
    """Read a params file: the YAML as Python data, after its schema check.

    `schema` "auto" picks the schema by the file's place (schema_for); None checks the syntax only.
    A missing file raises ParamsError when `required`, else returns `default`. Every problem
    (YAML syntax, duplicate keys, schema) names file, line, column and key; all schema problems of
    the file are reported together."""
    path = Path(path)
    name = display(path)
    if schema == "auto":
        schema = schema_for(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if not required:
            return default
        raise ParamsError([ParamsProblem(name, None, None, "bestand ontbreekt")]) from None
    key = (name, id(schema), hashlib.sha256(raw).digest())
    if key in _LOADED:
        return copy.deepcopy(_LOADED[key][1])  # a caller may change what it got; the kept copy stays as read
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParamsError([ParamsProblem(name, line, None, "bestand is geen UTF-8; sla het op als UTF-8")]) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ParamsError([ParamsProblem(name, mark.line + 1 if mark else None, None, _yaml_message(exc),
                                         kolom=mark.column + 1 if mark else None)]) from None
    except yaml.YAMLError as exc:
        raise ParamsError([ParamsProblem(name, None, None, f"geen geldige YAML ({exc})")]) from None
    finally:
        loader.dispose()
    problems = [_problem(name, k, p, "deze sleutel staat twee keer in hetzelfde blok; de tweede zou de eerste "
                         "stilletjes vervangen. Laat er één over") for p, k in _duplicates(node)]
    if schema is not None:
        for found_path, message, at_key in schema.check(data, ()):
            problems.append(_problem(name, _node_at(node, found_path, at_key), found_path, message))
    if problems:
        problems.sort(key=lambda p: (p.row or 0, getattr(p, "kolom", 0) or 0))
        raise ParamsError(problems)
    if len(_LOADED) >= 512:
        _LOADED.clear()
    _LOADED[key] = (schema, copy.deepcopy(data))
    return data


# Params files read and checked in this process, by name, schema and content: a warm kernel reads the
# same profiles, mappings and codelists for every notebook, and PyYAML's pure-Python parser takes
# tens of milliseconds a file. Only files without problems are kept; a changed file is read again.
# Each entry holds its schema, so no other schema object can take over that id while it is kept.
_LOADED: dict[tuple, tuple[Any, Any]] = {}


def locate(path: str | Path, key_path: Path_, at_key: bool = False) -> tuple[int | None, int | None]:
    """(line, column) of a key path in a params file (its value, or the key itself), for semantic
    checks made after loading."""
    try:
        loader = yaml.SafeLoader(Path(path).read_text(encoding="utf-8-sig"))
        try:
            node = _node_at(loader.get_single_node(), tuple(key_path), at_key)
        finally:
            loader.dispose()
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None, None
    if node is None:
        return None, None
    return node.start_mark.line + 1, node.start_mark.column + 1


def problem_at(path: str | Path, key_path: Path_, message: str, at_key: bool = False) -> ParamsProblem:
    """A ParamsProblem for a semantic check, pointing at the value (or the key) in the file."""
    line, col = locate(path, key_path, at_key)
    return ParamsProblem(display(path), line, _key_path(tuple(key_path)), message, kolom=col)


# -- everything a report needs -------------------------------------------------------------------
@dataclass
class Controle:
    """The outcome of check_report_params: problems shared by every report, and per gemeente."""

    algemeen: list[Problem] = field(default_factory=list)
    per_gemeente: dict[str, list[Problem]] = field(default_factory=dict)

    def raise_for(self, gemeenten: Iterable[str] = ()) -> None:
        problems = list(self.algemeen)
        for g in gemeenten:
            problems += self.per_gemeente.get(g, [])
        if problems:
            raise ParamsError(problems)


def _collect(path: Path, schema: Schema | str | None = "auto") -> tuple[Any, list[Problem]]:
    try:
        return load_params(path, schema), []
    except ParamsError as exc:
        return None, exc.problems


def check_report_params(project, rapport: str, gemeenten: Iterable[str]) -> Controle:
    """Validate every params file a report of this profile for these gemeenten reads, before any
    notebook runs: params/*.yml, the profile (also: its notebooks exist, its KPI indicators are in
    the catalogue), params/cbs/*.yml, the export mappings and codelists of params/bronnen/, and per gemeente params/jaarverslag/ and params/toelichting/
    (a chapter key must be a notebook of the project)."""
    out = Controle()
    p = project.params
    for path in [*sorted(p.glob("*.yml")), *sorted((p / "cbs").glob("*.yml")), *sorted((p / "bronnen").glob("*.yml")),
                 *sorted((p / "bronnen" / "codelijsten").glob("*.yml"))]:
        out.algemeen += _collect(path)[1]
    profile_path = p / "rapporten" / f"{rapport}.yml"
    if profile_path.exists():
        raw, problems = _collect(profile_path)
        out.algemeen += problems
        if raw is not None:
            out.algemeen += _profile_semantics(project, profile_path, raw)
    chapters = sorted(nb.stem for nb in project.notebooks.glob("*.ipynb"))
    for g in gemeenten:
        own: list[Problem] = []
        for folder in ("jaarverslag", "monitor", "toelichting", "dashboard", "factsheet"):
            path = p / folder / f"{g}.yml"
            if path.exists():
                raw, problems = _collect(path)
                own += problems
                if folder == "toelichting" and isinstance(raw, dict):
                    own += [problem_at(path, (key,), "onbekend hoofdstuk; kies uit " + ", ".join(chapters), at_key=True)
                            for key in raw if str(key) not in chapters]
        if own:
            out.per_gemeente[g] = own
    return out


def _profile_semantics(project, path: Path, raw: dict) -> list[Problem]:
    """What the profile schema cannot see: notebooks that do not exist, KPI tiles the catalogue
    does not support."""
    problems = []
    for i, nb in enumerate(raw.get("notebooks") or []):
        if isinstance(nb, str) and not (project.notebooks / nb).exists():
            problems.append(problem_at(path, ("notebooks", i), f"notebook {nb} bestaat niet in notebooks/"))
    if isinstance(raw.get("kpi_blokken"), dict):
        from sdrapport.inputs.catalogue import load_catalogue

        try:
            catalogue = load_catalogue(project.catalogue)
        except ContractError:
            return problems
        for domein, items in raw["kpi_blokken"].items():
            for i, item in enumerate(items if isinstance(items, list) else []):
                ind = item.get("indicator") if isinstance(item, dict) else None
                if isinstance(ind, str) and ind not in catalogue:
                    problems.append(problem_at(path, ("kpi_blokken", domein, i, "indicator"),
                                               f"onbekende indicator {ind!r}; zie data/indicatoren.yml"))
    for key in ("ongenummerd", "zonder_toelichting"):
        for i, nb in enumerate(raw.get(key) or []):
            if isinstance(nb, str) and nb not in (raw.get("notebooks") or []):
                problems.append(problem_at(path, (key, i), f"notebook {nb} staat niet onder notebooks van dit rapport"))
    if raw.get("kpi"):
        from sdrapport.inputs.catalogue import load_catalogue

        try:
            catalogue = load_catalogue(project.catalogue)
        except ContractError:
            return problems  # the ingest reports the catalogue
        domeinen = set()
        for i, item in enumerate(raw["kpi"]):
            if not isinstance(item, dict) or not isinstance(item.get("indicator"), str):
                continue
            ind = item["indicator"]
            if ind not in catalogue:
                problems.append(problem_at(path, ("kpi", i, "indicator"), f"onbekende indicator {ind!r}; zie data/indicatoren.yml"))
            elif catalogue[ind].richting == "neutraal":
                problems.append(problem_at(path, ("kpi", i, "indicator"),
                                           f"{ind} is neutraal (geen hoger/lager is beter) en kan geen doel halen"))
            if item.get("domein") in domeinen:
                problems.append(problem_at(path, ("kpi", i, "domein"), "dit domein heeft al een tegel; één kpi per domein"))
            domeinen.add(item.get("domein"))
    return problems
