import pytest
import yaml

from sdrapport.indicators.catalogue import load_catalogue
from sdrapport.errors import ContractError
from tests.conftest import REPO

REAL = REPO / "data" / "indicatoren.yml"


def test_real_catalogue_defines_every_indicator_once_with_all_fields():
    cat = load_catalogue(REAL)
    ids = [e["id"] for e in yaml.safe_load(REAL.read_text(encoding="utf-8"))["indicatoren"]]
    assert len(ids) == len(set(ids)) == len(cat.indicators)
    for ind in cat:
        assert ind.label and ind.definitie and ind.bron and ind.domein
    assert cat["wmo_clienten_75plus_per_1000"].afgeleid
    assert cat.unit_label("wmo_clienten_75plus_per_1000") == "per 1.000 inwoners van 75 jaar en ouder"


def _write(tmp_path, entries):
    path = tmp_path / "indicatoren.yml"
    path.write_text(yaml.safe_dump({"indicatoren": entries}, allow_unicode=True), encoding="utf-8")
    return path


BASE = {"id": "a", "label": "A", "definitie": "d", "domein": "wmo", "eenheid": "aantal", "bron": "CBS",
        "richting": "neutraal", "cbs_afronding": True}


@pytest.mark.parametrize(
    "entries, fragment",
    [
        ([BASE, BASE], "al eerder gedefinieerd"),
        ([dict(BASE, eenheid="stuks")], "'stuks' is geen eenheid"),
        ([dict(BASE, richting="omhoog")], "kies uit hoger is beter"),
        ([dict(BASE, teller="a")], "heeft een noemer nodig"),
        ([dict(BASE, noemer="bestaat_niet")], "verwijst naar onbekende indicator 'bestaat_niet'"),
        ([{k: v for k, v in BASE.items() if k != "bron"}], "verplicht veld ontbreekt"),
        ([dict(BASE, kleur="rood")], "onbekend veld"),
    ],
)
def test_catalogue_errors_name_the_entry_and_field(tmp_path, entries, fragment):
    with pytest.raises(ContractError, match=fragment) as info:
        load_catalogue(_write(tmp_path, entries))
    assert str(info.value).startswith(str(tmp_path / "indicatoren.yml"))
