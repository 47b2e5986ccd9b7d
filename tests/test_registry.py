"""The gemeente registry: the real 342 gemeenten of CBS, their names as StatLine writes them, and
the look-up of a gemeente by code or name."""
from pathlib import Path

import pytest

from sdrapport.inputs.registry import read_registry, registry_rows, resolve_gemeente, select_gemeenten, to_csv
from tests.conftest import REPO

SHARED_CBS = REPO.parent / "shared" / "data" / "cbs"
REGISTRY = read_registry(REPO / "data" / "gemeenten.csv")


@pytest.mark.skipif(not (SHARED_CBS / "gemeenten-alfabetisch-2023.csv").exists(),
                    reason="../shared/data/cbs (the CBS source files) is not beside the repository")
def test_registry_files_are_exactly_what_the_cbs_files_give():
    gemeenten, inwoners = registry_rows(SHARED_CBS)
    assert (REPO / "data" / "gemeenten.csv").read_text(encoding="utf-8") == \
        to_csv(["code", "naam", "provincie", "statnaam", "bron"], gemeenten)
    committed = (REPO / "data" / "inwoners.csv").read_text(encoding="utf-8").splitlines()
    for row in inwoners:
        line = to_csv(["gemeente", "jaar", "inwoners", "bron"], [row]).splitlines()[1]
        assert line in committed


def test_registry_has_the_342_gemeenten_with_their_real_names():
    assert len(REGISTRY) == 342 and len({g["code"] for g in REGISTRY}) == 342
    by_code = {g["code"]: g for g in REGISTRY}
    assert by_code["GM0080"]["naam"] == "Leeuwarden" and by_code["GM0080"]["provincie"] == "Fryslân"
    assert by_code["GM0164"]["naam"] == "Hengelo" and by_code["GM0164"]["statnaam"] == "Hengelo (O.)"
    assert {g["statnaam"] for g in REGISTRY if g["statnaam"]} == {
        "Hengelo (O.)", "Laren (NH.)", "Beek (L.)", "Stein (L.)", "Rijswijk (ZH.)", "Middelburg (Z.)"}
    assert len({g["provincie"] for g in REGISTRY}) == 12


@pytest.mark.parametrize("spec, code", [
    ("GM0164", "GM0164"), ("gm0164", "GM0164"), ("0164", "GM0164"), ("Hengelo", "GM0164"),
    ("Hengelo (O.)", "GM0164"), ("hengelo (o.)", "GM0164"), ("Laren (NH.)", "GM0417"), ("'s-Gravenhage", "GM0518"),
    ("Súdwest-Fryslân", "GM1900"),
])
def test_a_gemeente_is_found_by_code_official_name_or_statline_name(spec, code):
    assert resolve_gemeente(REGISTRY, spec) == code


def test_an_unknown_gemeente_is_refused_with_suggestions():
    with pytest.raises(KeyError, match="GM9999"):
        resolve_gemeente(REGISTRY, "GM9999")
    with pytest.raises(KeyError, match=r"bedoelt u .*Hengelo \(GM0164\)"):
        resolve_gemeente(REGISTRY, "Henge")


def test_a_selection_by_names_codes_and_provincie():
    utrecht = select_gemeenten(REGISTRY, "provincie:Utrecht")
    assert len(utrecht) == 26 and "GM0344" in utrecht
    assert select_gemeenten(REGISTRY, "Hilversum, GM0505,hilversum") == ["GM0402", "GM0505"]
    assert len(select_gemeenten(REGISTRY, "all")) == 342
    with pytest.raises(KeyError, match="provincie 'Holland' is onbekend"):
        select_gemeenten(REGISTRY, "provincie:Holland")
    assert Path(REPO / "data" / "gemeenten.csv").read_text(encoding="utf-8").count("Fryslân") >= 18
