"""Programme finance tables of the jaarstukken: baten, lasten and saldo per Iv3 taakveld.

Pure functions over DataFrames, like analysis.py. Their input is the output of
`analysis.publish(obs, catalogus, "iv3_baten" / "iv3_lasten", by=["taakveld", "begrotingsfase"])`
for one gemeente and one period: columns taakveld, begrotingsfase and waarde (EUR x 1.000); other
columns are ignored.

    baten = publish(obs, cat, "iv3_baten", by=["taakveld", "begrotingsfase"])
    lasten = publish(obs, cat, "iv3_lasten", by=["taakveld", "begrotingsfase"])
    tabel = iv3_tabel(baten, lasten, load_taakvelden(project.params / "iv3-taakvelden.yml", 2024))
    p = load_jaarverslag_params(project.params / "jaarverslag" / "GM0164.yml", 2024)
    afwijkingen(tabel, p.drempel, p.toelichtingen)

Sign conventions (as in the jaarstukken):

- saldo = baten - lasten, so a taakveld that costs money has a negative saldo;
- verschil (variance) = rekening - gewijzigd for baten and saldo, and gewijzigd - rekening for
  lasten; positive is a voordeel, negative a nadeel. The saldo variance is the sum of the baten
  and lasten variances.

A missing amount (no row, or '?' / '-' delivered) is NaN and stays NaN in every sum it enters; a
jaarstukken table's "-" (no amount) is delivered as 0, and printed as "-" again in the report's
financial tables (onderdelen.bedrag).

A programme total delivered with the taakvelden (rows without taakveld) is kept as printed, but
checked: when it differs from the sum of its taakvelden by more than the rounding of the amounts
can explain, iv3_tabel records it (`totaal_verschillen`) and the report refuses the table or
publishes it with a warning (params/jaarverslag/<gemeente>.yml: totaalcontrole).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sdrapport.inputs.params import ParamsError, ParamsProblem, display, load_params

FASEN = ("primitief", "gewijzigd", "rekening")
SOORTEN = ("baten", "lasten", "saldo")
TOTAAL = "Totaal"  # taakveld of the total row of iv3_tabel
VOORDEEL, NADEEL, GEEN_VERSCHIL = "voordeel", "nadeel", "geen verschil"
TOELICHTING_ONTBREEKT = "toelichting ontbreekt"
INDICATOR_VELDEN = ("label", "eenheid", "werkelijk_vorig_jaar", "begroting", "werkelijk")
INDICATOR_OPTIONEEL = ("voetnoot", "doel")


def kolom(soort: str, fase: str) -> str:
    """Column name in iv3_tabel: 'baten_rekening', 'saldo_verschil'."""
    return f"{soort}_{fase}"


TABEL_KOLOMMEN = ["taakveld", "naam", *[kolom(s, f) for s in SOORTEN for f in (*FASEN, "verschil")]]


# -- Iv3 codes ---------------------------------------------------------------------------------
def taakveld_sleutel(code: str) -> tuple:
    """Sort key for Iv3 codes in their natural order: 6.1 < 6.2 < 6.6 < 6.71A < 6.72 < 6.72A <
    6.81A; also 0.9 < 0.10. Letters compare without case (6.71a = 6.71A)."""
    key = []
    for part in str(code).strip().split("."):
        m = re.fullmatch(r"(\d+)([A-Za-z]*)", part)
        key.append((0, int(m[1]), m[2].upper()) if m else (1, 0, part.upper()))
    return tuple(key)


def _code(code) -> str:
    return str(code).strip().upper()


# -- the table ---------------------------------------------------------------------------------
def _wide(frame: pd.DataFrame, soort: str) -> pd.DataFrame:
    """taakveld x fase of one long frame, with checks that it holds one gemeente and period."""
    missing = [c for c in ("taakveld", "begrotingsfase", "waarde") if c not in frame.columns]
    if missing:
        raise ValueError(f"{soort}: kolom(men) {', '.join(missing)} ontbreken; verwacht taakveld, begrotingsfase en waarde")
    rows = frame[frame["taakveld"].notna()]
    fasen = set(rows["begrotingsfase"]) - set(FASEN)
    if fasen:
        raise ValueError(f"{soort}: onbekende begrotingsfase {', '.join(sorted(map(str, fasen)))}; verwacht {', '.join(FASEN)}")
    dubbel = rows[rows.duplicated(["taakveld", "begrotingsfase"], keep=False)]
    if len(dubbel):
        first = dubbel.iloc[0]
        raise ValueError(f"{soort}: meer dan één waarde voor taakveld {first['taakveld']}, begrotingsfase {first['begrotingsfase']}; "
                         "geef de rijen van één gemeente en één periode")
    wide = rows.pivot(index="taakveld", columns="begrotingsfase", values="waarde")
    return wide.reindex(columns=list(FASEN)).astype(float)


def _delivered_total(frame: pd.DataFrame | None) -> dict[str, float]:
    """Per fase, the programme total delivered as rows without taakveld, as
    `publish(..., by=["begrotingsfase"])` returns them."""
    if frame is None or frame.empty:
        return {}
    return {f: float(v) for f, v in zip(frame["begrotingsfase"], frame["waarde"]) if f in FASEN and v == v}


@dataclass(frozen=True)
class TotaalVerschil:
    """A delivered programme total that differs from the sum of its taakvelden by more than the
    rounding of the amounts can explain (each amount is rounded to a whole thousand: at most 0,5
    per amount summed, and 0,5 for the total itself)."""

    soort: str  # baten / lasten / saldo
    fase: str  # primitief / gewijzigd / rekening
    geleverd: float
    som: float
    marge: float

    @property
    def verschil(self) -> float:
        return self.geleverd - self.som


FASE_NAMEN = {"primitief": "primitieve begroting", "gewijzigd": "begroting na wijziging", "rekening": "rekening"}


def totaal_verschillen(tabel: pd.DataFrame) -> list[TotaalVerschil]:
    """The delivered totals of an iv3_tabel that rounding cannot explain (see TotaalVerschil)."""
    return list(tabel.attrs.get("totaalverschillen", []))


def iv3_tabel(baten: pd.DataFrame, lasten: pd.DataFrame, namen: dict[str, str],
              totalen: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One row per taakveld in Iv3 order, then a total row (taakveld 'Totaal').

    Columns: taakveld, naam, and for baten, lasten and saldo the columns primitief, gewijzigd,
    rekening and verschil (`kolom(soort, fase)`, e.g. saldo_verschil). Amounts in EUR x 1.000.
    The total row is the programme total as delivered (`totalen`: 'baten', 'lasten' and/or
    'saldo' -> the rows without taakveld of iv3_baten, iv3_lasten, iv3_saldo, by begrotingsfase),
    else the sum of the taakvelden. The jaarstukken round
    their total from unrounded amounts, so it can differ from the sum of the rounded taakvelden
    (seed 004: -117.730 printed, -117.729 as the sum); a delivered total keeps the printed figure.
    `namen` maps codes to names (load_taakvelden); a code without a name is an error, as it
    usually means the names of another scheme year.
    """
    ba, la = _wide(baten, "baten"), _wide(lasten, "lasten")
    codes = sorted(set(ba.index) | set(la.index), key=taakveld_sleutel)
    lookup = {_code(k): v for k, v in namen.items()}
    unnamed = [c for c in codes if _code(c) not in lookup]
    if unnamed:
        raise ValueError(f"taakveld {', '.join(map(str, unnamed))} heeft geen naam in de lijst van taakvelden "
                         "(params/iv3-taakvelden.yml, onder het jaar van de cijfers)")
    ba, la = ba.reindex(codes), la.reindex(codes)
    out = pd.DataFrame({"taakveld": pd.Series(codes, dtype=object), "naam": [lookup[_code(c)] for c in codes]})
    for fase in FASEN:
        out[kolom("baten", fase)] = ba[fase].to_numpy()
        out[kolom("lasten", fase)] = la[fase].to_numpy()
    total = {"taakveld": TOTAAL, "naam": ""}
    totalen = totalen or {}
    verschillen = []
    for soort in ("baten", "lasten"):
        delivered = _delivered_total(totalen.get(soort))
        for fase in FASEN:
            column = out[kolom(soort, fase)]
            summed = column.sum(skipna=False) if len(out) else 0.0
            total[kolom(soort, fase)] = delivered.get(fase, summed)
            marge = 0.5 * (int(column.notna().sum()) + 1)
            if fase in delivered and summed == summed and abs(delivered[fase] - summed) > marge:
                verschillen.append(TotaalVerschil(soort, fase, delivered[fase], float(summed), marge))
    n_rows = len(out)
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    for fase in FASEN:
        out[kolom("saldo", fase)] = out[kolom("baten", fase)] - out[kolom("lasten", fase)]
    for fase, value in _delivered_total(totalen.get("saldo")).items():
        summed = out[kolom("saldo", fase)].iloc[:n_rows].sum(skipna=False) if n_rows else 0.0
        amounts = int(out[kolom("baten", fase)].iloc[:n_rows].notna().sum() + out[kolom("lasten", fase)].iloc[:n_rows].notna().sum())
        marge = 0.5 * (amounts + 1)
        if summed == summed and abs(value - summed) > marge:
            verschillen.append(TotaalVerschil("saldo", fase, value, float(summed), marge))
        out.loc[out.index[-1], kolom("saldo", fase)] = value
    out[kolom("baten", "verschil")] = out[kolom("baten", "rekening")] - out[kolom("baten", "gewijzigd")]
    out[kolom("lasten", "verschil")] = out[kolom("lasten", "gewijzigd")] - out[kolom("lasten", "rekening")]
    out[kolom("saldo", "verschil")] = out[kolom("saldo", "rekening")] - out[kolom("saldo", "gewijzigd")]
    out = out[TABEL_KOLOMMEN].copy()
    out.attrs["totaalverschillen"] = verschillen
    return out


def oordeel(verschil: float) -> str:
    """'voordeel' for a positive variance, 'nadeel' for a negative one."""
    if verschil > 0:
        return VOORDEEL
    if verschil < 0:
        return NADEEL
    return GEEN_VERSCHIL


def afwijkingen(tabel: pd.DataFrame, drempel: float, toelichtingen: dict[str, str]) -> pd.DataFrame:
    """Taakvelden whose saldo variance is at least `drempel` in absolute value (EUR x 1.000).

    Returns taakveld, naam, verschil (the saldo variance), oordeel ('voordeel' / 'nadeel') and
    toelichting: the gemeente's explanation for that taakveld (codes match without case), or
    'toelichting ontbreekt'. In the order of the table; the total row is left out, and so is a
    taakveld whose variance is unknown (NaN).
    """
    if drempel is None or isinstance(drempel, bool) or not isinstance(drempel, (int, float)) or math.isnan(drempel) or drempel < 0:
        raise ValueError(f"drempel {drempel!r} is geen bedrag van 0 of meer (EUR x 1.000)")
    uitleg = {_code(k): v for k, v in (toelichtingen or {}).items()}
    rows = tabel[tabel["taakveld"] != TOTAAL]
    verschil = rows[kolom("saldo", "verschil")]
    hits = rows[verschil.abs() >= drempel]
    out = pd.DataFrame({
        "taakveld": hits["taakveld"].to_numpy(dtype=object),
        "naam": hits["naam"].to_numpy(dtype=object),
        "verschil": hits[kolom("saldo", "verschil")].to_numpy(dtype=float),
    })
    out["oordeel"] = [oordeel(v) for v in out["verschil"]]
    toel = []
    for code in out["taakveld"]:
        text = uitleg.get(_code(code))
        toel.append(text.strip() if isinstance(text, str) and text.strip() else TOELICHTING_ONTBREEKT)
    out["toelichting"] = pd.Series(toel, dtype=object)
    return out


# -- params ------------------------------------------------------------------------------------
def _err(path: str | Path, message: str) -> ParamsError:
    """A ParamsError about a whole file (or a year in it), naming the file."""
    return ParamsError([ParamsProblem(display(path), None, None, message)])


def _read_yaml(path: str | Path) -> dict:
    """A params file through the one params loader (params.load_params: YAML syntax and, for files
    under params/, their schema, with line and column); then the checks of this module."""
    path = Path(path)
    raw = load_params(path)
    if not isinstance(raw, dict):
        raise _err(path, "verwacht per jaar een sleutel, bijvoorbeeld '2024:'")
    return raw


def _year(raw: dict, path: str | Path, jaar: int | str) -> dict:
    key = str(jaar).strip()
    for k, v in raw.items():
        if str(k).strip() == key:
            if not isinstance(v, dict):
                raise _err(path, f"onder '{key}:' worden sleutels met waarden verwacht")
            return v
    have = ", ".join(sorted(str(k) for k in raw)) or "geen"
    raise _err(path, f"sleutel '{key}' ontbreekt; dit bestand heeft geen gegevens voor {key} (aanwezige jaren: {have})")


def _codes(mapping: dict, path: str | Path, where: str) -> dict[str, str]:
    """Taakveld code -> text, refusing codes YAML read as numbers (6.10 would become 6.1)."""
    out = {}
    for code, text in mapping.items():
        if not isinstance(code, str):
            raise _err(path, f"{where}: taakveld {code!r} staat niet tussen aanhalingstekens; "
                              f"schrijf \"{code}\": YAML leest 6.10 anders als 6.1")
        if not isinstance(text, str) or not text.strip():
            raise _err(path, f"{where}: taakveld {code} heeft geen tekst")
        out[code.strip()] = text.strip()
    return out


def load_taakvelden(path: str | Path, jaar: int | str) -> dict[str, str]:
    """Iv3 taakveld codes and names of one scheme year from params/iv3-taakvelden.yml."""
    raw = _read_yaml(path)
    return _codes(_year(raw, path, jaar), path, f"jaar {jaar}")


@dataclass(frozen=True)
class JaarverslagParams:
    """A gemeente's settings for the annual-report finance chapter of one year."""

    drempel: float  # variances of at least this (EUR x 1.000, absolute) need an explanation
    # A delivered programme total that rounding cannot explain: 'weigeren' (the table is not
    # published; a note names both numbers) or 'waarschuwen' (published, with the note under it).
    totaalcontrole: str = "weigeren"
    toelichtingen: dict[str, str] = field(default_factory=dict)  # taakveld -> explanation
    beleidsindicatoren: list[dict] = field(default_factory=list)  # label, eenheid, werkelijk_vorig_jaar, begroting, werkelijk, voetnoot


def load_jaarverslag_params(path: str | Path, jaar: int | str) -> JaarverslagParams:
    """Read params/jaarverslag/<GMxxxx>.yml for one year: drempel (required), toelichtingen and
    beleidsindicatoren (optional)."""
    raw = _read_yaml(path)
    data = _year(raw, path, jaar)
    if "drempel" not in data:
        raise _err(path, f"sleutel 'drempel' ontbreekt onder '{jaar}:'; geef het bedrag in EUR x 1.000 "
                          "vanaf waar een afwijking wordt toegelicht, bijvoorbeeld drempel: 50")
    drempel = data["drempel"]
    if isinstance(drempel, bool) or not isinstance(drempel, (int, float)) or drempel < 0:
        raise _err(path, f"drempel {drempel!r} onder '{jaar}:' is geen bedrag van 0 of meer (EUR x 1.000)")
    toel = data.get("toelichtingen") or {}
    if not isinstance(toel, dict):
        raise _err(path, f"'toelichtingen' onder '{jaar}:' moet per taakveld een tekst geven (\"6.1\": ...)")
    inds = data.get("beleidsindicatoren") or []
    if not isinstance(inds, list):
        raise _err(path, f"'beleidsindicatoren' onder '{jaar}:' moet een lijst zijn")
    checked = []
    for n, ind in enumerate(inds, start=1):
        if not isinstance(ind, dict):
            raise _err(path, f"beleidsindicator {n} onder '{jaar}:': verwacht velden {', '.join(INDICATOR_VELDEN)}")
        missing = [k for k in INDICATOR_VELDEN if ind.get(k) in (None, "")]
        unknown = [k for k in ind if k not in INDICATOR_VELDEN + INDICATOR_OPTIONEEL]
        if missing:
            raise _err(path, f"beleidsindicator {n} ({ind.get('label', '?')}) onder '{jaar}:': veld {', '.join(missing)} ontbreekt")
        if unknown:
            raise _err(path, f"beleidsindicator {n} ({ind.get('label')}) onder '{jaar}:': onbekend veld {', '.join(map(str, unknown))}; "
                              f"toegestaan: {', '.join(INDICATOR_VELDEN + INDICATOR_OPTIONEEL)}")
        checked.append({**{k: str(ind[k]) for k in INDICATOR_VELDEN},
                        **{k: (str(ind[k]).strip() if ind.get(k) not in (None, "") else None) for k in INDICATOR_OPTIONEEL}})
    return JaarverslagParams(drempel=drempel, toelichtingen=_codes(toel, path, f"toelichtingen {jaar}"), beleidsindicatoren=checked,
                             totaalcontrole=str(data.get("totaalcontrole") or "weigeren"))


__all__ = ["FASEN", "FASE_NAMEN", "TotaalVerschil", "totaal_verschillen", "TOTAAL", "TOELICHTING_ONTBREEKT",
           "TABEL_KOLOMMEN", "kolom", "taakveld_sleutel", "iv3_tabel", "oordeel", "afwijkingen", "ParamsError",
           "JaarverslagParams", "load_taakvelden", "load_jaarverslag_params"]
