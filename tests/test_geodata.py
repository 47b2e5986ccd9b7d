"""Boundaries and profiles of all gemeenten (data/kaart, data/profiel; geodata.py): the committed
files, their checks, and how they are made from the CBS/PDOK copies."""
import json
from pathlib import Path

import numpy as np
import pytest

from sdrapport.inputs.contract import PROVINCIES
from sdrapport.errors import ContractError
from sdrapport.inputs.geodata import (PROFIEL_COLUMNS, boundary_files, nearest_year, profile_files, read_boundaries, read_profile,
                                      write_boundaries, write_profile)
from tests.conftest import REPO

SHARED = Path("/work/shared/data/cbs")


def test_committed_boundaries_cover_the_342_gemeenten_of_2023_with_their_province_and_source():
    kaart = read_boundaries(boundary_files(REPO / "data")[2023])
    assert kaart.jaar == 2023 and len(kaart.gebieden) == 342
    assert "CBS" in kaart.bron and kaart.licentie.startswith("CC BY 4.0")
    assert {g.provincie for g in kaart.gebieden.values()} == set(PROVINCIES)
    assert kaart.gebieden["GM0505"].naam == "Dordrecht" and kaart.gebieden["GM0505"].provincie == "Zuid-Holland"
    assert kaart.gebieden["GM0088"].provincie == "Fryslân"
    points = np.concatenate([ring for g in kaart.gebieden.values() for ring in g.ringen])
    assert 3.3 < points[:, 0].min() and points[:, 0].max() < 7.3 and 50.7 < points[:, 1].min() and points[:, 1].max() < 53.6
    for g in kaart.gebieden.values():  # closed rings
        assert all((ring[0] == ring[-1]).all() for ring in g.ringen)
    # small: about 150 kB for the whole country
    assert boundary_files(REPO / "data")[2023].stat().st_size < 200_000


def test_committed_profiles_hold_the_cbs_figures_of_1_january():
    files = profile_files(REPO / "data")
    assert sorted(files) == [2023, 2024]
    p24, p23 = read_profile(files[2024]), read_profile(files[2023])
    # CBS's national population on 1 January (README of the shared data)
    assert p24["inwoners"].sum() == 17_942_942 and p23["inwoners"].sum() == 17_811_291
    assert p24.loc["GM0505", "inwoners"] == 122_070 and p24.loc["GM0402", "inwoners"] == 94_435
    assert set(p24.index) == set(read_boundaries(boundary_files(REPO / "data")[2023]).gebieden)
    ages = p24[["leeftijd_0_14", "leeftijd_15_24", "leeftijd_25_44", "leeftijd_45_64", "leeftijd_65_plus"]].sum(axis=1)
    assert ages.between(97, 103).all()  # whole percentages, as the KWB publishes them
    assert (p24["bron"].str.contains("CBS") & p24["bron"].str.contains("CC BY 4.0")).all()


def test_nearest_year():
    assert nearest_year([2023, 2024], 2024) == 2024
    assert nearest_year([2023, 2024], 2025) == 2024
    assert nearest_year([2023, 2024], 2021) == 2023  # before the first file: the oldest there is
    assert nearest_year([], 2024) is None


def _broken_profile(tmp_path, text: str) -> Path:
    path = tmp_path / "data" / "profiel" / "kwb-2024.csv"
    path.parent.mkdir(parents=True)
    header = ",".join(PROFIEL_COLUMNS) + "\n"
    path.write_text(header + text, encoding="utf-8")
    return path


@pytest.mark.parametrize("row, fragment", [
    ("GM505,Dordrecht,122070,15,11,26,27,20,57353,2.1,1574,CBS\n", "rij 2, kolom 'gemeente': 'GM505' is geen gemeentecode"),
    ("GM0505,Dordrecht,122.070,15,11,26,27,20,57353,2.1,1574,CBS\n", "rij 2, kolom 'inwoners': '122.070' is geen getal; verwacht een geheel getal"),
    ("GM0505,Dordrecht,122070,15,11,26,27,20,57353,\"2,1\",1574,CBS\n", "kolom 'huishoudensgrootte': '2,1' is geen getal"),
    ("GM0505,Dordrecht,122070,15,11,26,27,20,57353,2.1,1574,CBS\nGM0505,Dordrecht,1,1,1,1,1,1,1,1,1,CBS\n",
     "rij 3, kolom 'gemeente': dubbele gemeente GM0505"),
])
def test_a_broken_profile_is_refused_with_file_row_and_column(tmp_path, row, fragment):
    path = _broken_profile(tmp_path, row)
    with pytest.raises(ContractError, match=fragment) as info:
        read_profile(path, tmp_path)
    assert str(info.value).startswith("data/profiel/kwb-2024.csv")


def test_a_broken_boundaries_file_is_refused_naming_the_feature_and_field(tmp_path):
    path = tmp_path / "gemeenten-2023.geojson"
    feature = {"type": "Feature", "properties": {"code": "GM0505", "naam": "Dordrecht", "provincie": "Holland"},
               "geometry": {"type": "Polygon", "coordinates": [[[4.6, 51.8], [4.7, 51.8], [4.7, 51.7], [4.6, 51.8]]]}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    with pytest.raises(ContractError) as info:
        read_boundaries(path)
    text = str(info.value)
    assert "kolom 'bron'" in text and "kolom 'licentie'" in text
    assert "kolom 'provincie': gebied 1 (GM0505): 'Holland' is geen provincie" in text
    path.write_text("{niet: json", encoding="utf-8")
    with pytest.raises(ContractError, match="geen geldige JSON"):
        read_boundaries(path)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the CBS/PDOK copies of the shared data folder are not on this machine")
def test_the_committed_files_are_what_the_maker_makes_from_the_cbs_copies(tmp_path):
    assert write_boundaries(SHARED, tmp_path).read_bytes() == (REPO / "data" / "kaart" / "gemeenten-2023.geojson").read_bytes()
    for jaar in (2023, 2024):
        assert write_profile(SHARED, tmp_path, jaar).read_bytes() == (REPO / "data" / "profiel" / f"kwb-{jaar}.csv").read_bytes()
