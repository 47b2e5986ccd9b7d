"""Programme finance tables (financien.py): Hengelo's Jaarstukken 2024, programma 6 Sociaal domein
(seed 004), and the threshold and params rules on small hand-made inputs."""
import math

import pandas as pd
import pytest

from sdrapport.indicators.analysis import publish
from sdrapport.inputs.catalogue import load_catalogue
from sdrapport.indicators.finance import (
    TOELICHTING_ONTBREEKT,
    TOTAAL,
    ParamsError,
    afwijkingen,
    iv3_tabel,
    load_jaarverslag_params,
    load_taakvelden,
    taakveld_sleutel,
    totaal_verschillen,
)
from tests.conftest import REPO

CAT = load_catalogue(REPO / "data" / "indicatoren.yml")
CSV = REPO / "data" / "observaties" / "hengelo-jaarstukken-2024.csv"
TAAKVELDEN = REPO / "params" / "iv3-taakvelden.yml"
JAARVERSLAG = REPO / "params" / "jaarverslag" / "GM0164.yml"

# Copied from the seed's "Wat heeft het gekost" table (EUR x 1.000, "-" = 0), in its order:
# taakveld, verschil baten, verschil lasten, saldo primitief, saldo gewijzigd, saldo rekening,
# verschil saldo.
SEED = [
    ("6.1", -336, 987, -15330, -5280, -4629, 651),
    ("6.2", 0, 294, -10261, -10585, -10291, 294),
    ("6.3", -31, -754, -13931, -12342, -13127, -785),
    ("6.4", 0, -27, -12666, -14037, -14064, -27),
    ("6.5", -1046, 1442, -6890, -7915, -7519, 396),
    ("6.6", 7, -58, -3712, -3883, -3934, -51),
    ("6.71A", -19, 420, -11443, -10124, -9723, 401),
    ("6.71B", 0, -8, -12278, -11375, -11383, -8),
    ("6.71C", 0, 46, -2849, -2528, -2482, 46),
    ("6.71D", -5, 0, -959, 5, 0, -5),
    ("6.72", 0, 0, 0, 0, 0, 0),
    ("6.72A", 0, -50, -3825, -4993, -5043, -50),
    ("6.72B", 0, -17, -5798, -6563, -6580, -17),
    ("6.72C", 0, 76, -3267, -3325, -3249, 76),
    ("6.72D", -4, 204, -1166, -2051, -1851, 200),
    ("6.73A", 0, 77, -2177, -2080, -2003, 77),
    ("6.73B", 0, 45, -1696, -1458, -1413, 45),
    ("6.73C", 0, -995, -4924, -6796, -7791, -995),
    ("6.74A", 0, 270, -6892, -7834, -7564, 270),
    ("6.74B", 0, -208, -1439, -1514, -1722, -208),
    ("6.74C", 0, -199, -943, -594, -793, -199),
    ("6.81A", 56, -53, 850, 2155, 2158, 3),
    ("6.81B", 0, -22, -1199, -1196, -1218, -22),
    ("6.82A", 0, 61, -2590, -3114, -3053, 61),
    ("6.82B", 0, -18, -390, -437, -455, -18),
]
# "Saldo 6 Sociaal domein" as printed: primitief, gewijzigd, rekening, verschil.
SEED_TOTAAL = (-125775, -117864, -117730, 134)


def hengelo(indicator: str, by=("taakveld", "begrotingsfase")) -> pd.DataFrame:
    """The CSV's rows of one indicator, through analysis.publish as a notebook would get them."""
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False)  # as text: '6.1' must not become a float
    raw = raw[(raw["gemeente"] == "GM0164") & (raw["periode"] == "2024")]
    obs = raw.assign(**{d: raw[d].where(raw[d] != "", None) if d in raw else None for d in CAT.breakdown_columns})
    obs = obs.assign(waarde=obs["waarde"].astype(float), waarde_status="waarde")
    return publish(obs, CAT, indicator, by=list(by))


@pytest.fixture(scope="module")
def tabel():
    return iv3_tabel(hengelo("iv3_baten"), hengelo("iv3_lasten"), load_taakvelden(TAAKVELDEN, 2024),
                     totalen={"saldo": hengelo("iv3_saldo", by=["begrotingsfase"])})


def test_hengelo_every_saldo_and_variance_as_printed(tabel):
    rows = tabel[tabel["taakveld"] != TOTAAL]
    assert list(rows["taakveld"]) == [s[0] for s in SEED]  # every taakveld once, in the seed's order
    got = [(r.taakveld, r.baten_verschil, r.lasten_verschil, r.saldo_primitief, r.saldo_gewijzigd,
            r.saldo_rekening, r.saldo_verschil) for r in rows.itertuples()]
    assert got == SEED


def test_hengelo_total_is_the_delivered_programme_total(tabel):
    total = tabel.iloc[-1]
    assert total["taakveld"] == TOTAAL
    got = (total["saldo_primitief"], total["saldo_gewijzigd"], total["saldo_rekening"], total["saldo_verschil"])
    assert got == SEED_TOTAAL  # -125.775, -117.864, -117.730 and 134, as printed


def test_without_a_delivered_total_the_table_sums_the_rounded_taakvelden():
    # The seed's 25 rounded taakvelden add up to -117.729 and 135 (each row is consistent in
    # itself): the printed total was rounded from unrounded amounts, hence the delivered total.
    total = iv3_tabel(hengelo("iv3_baten"), hengelo("iv3_lasten"), load_taakvelden(TAAKVELDEN, 2024)).iloc[-1]
    assert (total["saldo_primitief"], total["saldo_gewijzigd"]) == SEED_TOTAAL[:2]
    assert total["saldo_rekening"] == -117729 and total["saldo_verschil"] == 135
    assert total["saldo_verschil"] == total["baten_verschil"] + total["lasten_verschil"]


def test_a_delivered_total_within_rounding_passes_and_one_off_by_59_is_named(tabel):
    # Hengelo's printed total differs 1 from its 25 rounded taakvelden: rounding explains that.
    assert totaal_verschillen(tabel) == []
    saldo = hengelo("iv3_saldo", by=["begrotingsfase"])
    saldo.loc[saldo["begrotingsfase"] == "rekening", "waarde"] = -117730 - 59
    wrong = iv3_tabel(hengelo("iv3_baten"), hengelo("iv3_lasten"), load_taakvelden(TAAKVELDEN, 2024), totalen={"saldo": saldo})
    (v,) = totaal_verschillen(wrong)
    assert (v.soort, v.fase, v.geleverd, v.som) == ("saldo", "rekening", -117789, -117729)
    assert v.verschil == -60 and v.marge == 0.5 * (2 * 25 + 1)  # 25 baten and 25 lasten amounts, and the total
    assert wrong.iloc[-1]["saldo_rekening"] == -117789  # the table keeps the delivered figure; the report decides
    # A delivered lasten total is checked against the sum of the lasten.
    lasten = pd.DataFrame({"begrotingsfase": ["gewijzigd"], "waarde": [1000.0]})
    (v,) = totaal_verschillen(iv3_tabel(hengelo("iv3_baten"), hengelo("iv3_lasten"), load_taakvelden(TAAKVELDEN, 2024),
                                        totalen={"lasten": lasten}))
    assert (v.soort, v.fase, v.geleverd) == ("lasten", "gewijzigd", 1000.0) and v.som > 100_000


def test_hengelo_afwijkingen_all_explained(tabel):
    p = load_jaarverslag_params(JAARVERSLAG, 2024)
    out = afwijkingen(tabel, p.drempel, p.toelichtingen)
    assert list(out["taakveld"]) == ["6.1", "6.2", "6.3", "6.5", "6.6", "6.71A", "6.72A", "6.72C", "6.72D",
                                     "6.73A", "6.73C", "6.74A", "6.74B", "6.74C", "6.82A"]
    assert TOELICHTING_ONTBREEKT not in set(out["toelichting"])
    assert set(p.toelichtingen) <= set(load_taakvelden(TAAKVELDEN, 2024))
    row = out.set_index("taakveld").loc["6.73C"]
    assert (row["verschil"], row["oordeel"], row["naam"]) == (-995, "nadeel", "Jeugdhulp met verblijf overig")
    assert out.set_index("taakveld").loc["6.1", "oordeel"] == "voordeel"


def test_hengelo_beleidsindicatoren():
    inds = load_jaarverslag_params(JAARVERSLAG, "2024").beleidsindicatoren
    assert len(inds) == 19
    first = inds[0]
    assert first["label"].startswith("Percentage Hengelose volwassenen (18+) dat aangeeft mantelzorg")
    assert (first["werkelijk_vorig_jaar"], first["begroting"], first["werkelijk"]) == ("15,0%", "Geen", "15% (2023)")
    budget_alert = next(i for i in inds if i["label"].startswith("Aantal verwijzingen van Budget Alert"))
    assert (budget_alert["eenheid"], budget_alert["werkelijk"], budget_alert["voetnoot"]) == ("aantal", "64", None)


# -- hand-made inputs ---------------------------------------------------------------------------
def long(values: dict[str, tuple]) -> pd.DataFrame:
    """{taakveld: (primitief, gewijzigd, rekening)} -> the long frame publish returns."""
    return pd.DataFrame([{"taakveld": t, "begrotingsfase": f, "waarde": float(v)}
                         for t, vals in values.items() for f, v in zip(("primitief", "gewijzigd", "rekening"), vals)])


NAMEN = {"1.1": "Een", "1.2": "Twee", "1.3": "Drie", "1.4": "Vier", "1.10": "Tien"}


def test_threshold_is_inclusive_and_signed():
    # Saldo variances: 1.1 +50 (baten over), 1.2 +49, 1.3 -50 (lasten over), 1.4 +120 (no text).
    baten = long({"1.1": (0, 100, 150), "1.2": (0, 100, 149), "1.3": (0, 0, 0), "1.4": (0, 0, 0)})
    lasten = long({"1.1": (0, 0, 0), "1.2": (0, 0, 0), "1.3": (0, 200, 250), "1.4": (0, 300, 180)})
    tabel = iv3_tabel(baten, lasten, NAMEN)
    assert list(tabel["saldo_verschil"]) == [50, 49, -50, 120, 169]
    out = afwijkingen(tabel, 50, {"1.1": "Meer subsidie.", "1.2": "Net onder de drempel.", "1.3": "Hogere kosten."})
    assert list(out["taakveld"]) == ["1.1", "1.3", "1.4"]
    assert list(out["oordeel"]) == ["voordeel", "nadeel", "voordeel"]
    assert list(out["toelichting"]) == ["Meer subsidie.", "Hogere kosten.", TOELICHTING_ONTBREEKT]
    assert list(out["verschil"]) == [50, -50, 120]


def test_lasten_variance_sign_and_natural_order():
    baten = long({"1.10": (0, 0, 0), "1.2": (5, 5, 5)})
    lasten = long({"1.10": (10, 20, 25), "1.2": (0, 0, 0)})
    tabel = iv3_tabel(baten, lasten, NAMEN)
    assert list(tabel["taakveld"]) == ["1.2", "1.10", TOTAAL]
    tien = tabel.iloc[1]
    assert (tien["lasten_verschil"], tien["saldo_rekening"], tien["saldo_verschil"]) == (-5, -25, -5)
    codes = ["6.82B", "6.72", "6.1", "6.71A", "6.72A", "6.6", "0.10", "0.9", "6.81a"]
    assert sorted(codes, key=taakveld_sleutel) == ["0.9", "0.10", "6.1", "6.6", "6.71A", "6.72", "6.72A", "6.81a", "6.82B"]


def test_unknown_amount_is_not_zero():
    baten = long({"1.1": (0, 10, 10)})
    lasten = long({"1.1": (0, 10, 10)})
    lasten.loc[2, "waarde"] = math.nan  # '?' delivered for rekening
    tabel = iv3_tabel(baten, lasten, NAMEN)
    assert math.isnan(tabel.loc[0, "saldo_verschil"]) and math.isnan(tabel.iloc[-1]["saldo_rekening"])
    assert afwijkingen(tabel, 0, {}).empty


def test_table_input_errors():
    with pytest.raises(ValueError, match="geen naam"):
        iv3_tabel(long({"9.9": (1, 1, 1)}), long({"9.9": (1, 1, 1)}), NAMEN)
    twice = pd.concat([long({"1.1": (1, 1, 1)})] * 2)
    with pytest.raises(ValueError, match=r"meer dan één waarde voor taakveld 1\.1"):
        iv3_tabel(twice, long({"1.1": (1, 1, 1)}), NAMEN)


# -- params loaders -----------------------------------------------------------------------------
def test_missing_year_names_file_and_years(tmp_path):
    with pytest.raises(ParamsError, match=r"iv3-taakvelden\.yml: sleutel '2018' ontbreekt.*aanwezige jaren: 2019, 2020, 2021, 2022, 2023, 2024"):
        load_taakvelden(TAAKVELDEN, 2018)
    with pytest.raises(ParamsError, match=r"GM0164\.yml: sleutel '2025' ontbreekt.*aanwezige jaren: 2024"):
        load_jaarverslag_params(JAARVERSLAG, 2025)


def test_params_errors(tmp_path):
    path = tmp_path / "GM9999.yml"
    with pytest.raises(ParamsError, match=r"GM9999\.yml: bestand ontbreekt"):
        load_jaarverslag_params(path, 2024)
    path.write_text("2024:\n  toelichtingen: {}\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"GM9999\.yml: sleutel 'drempel' ontbreekt"):
        load_jaarverslag_params(path, 2024)
    path.write_text("2024:\n  drempel: 50\n  toelichtingen:\n    6.10: Tekst\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="niet tussen aanhalingstekens"):
        load_jaarverslag_params(path, 2024)
    path.write_text("2024:\n  drempel: 50\n  beleidsindicatoren:\n    - label: X\n      eenheid: '%'\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"beleidsindicator 1 \(X\).*werkelijk_vorig_jaar, begroting, werkelijk ontbreekt"):
        load_jaarverslag_params(path, 2024)
    taak = tmp_path / "taak.yml"
    taak.write_text("'2024':\n  '6.1': Samenkracht\n", encoding="utf-8")
    assert load_taakvelden(taak, 2024) == {"6.1": "Samenkracht"}
