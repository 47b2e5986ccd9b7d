import pytest
import yaml

from sdrapport.inputs.catalogue import load_catalogue
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


def test_catalogue_is_read_again_when_the_file_changes_and_callers_do_not_share_it(tmp_path):
    path = _write(tmp_path, [BASE])
    first = load_catalogue(path)
    first.indicators.clear()  # a caller that changes its copy changes nothing for the next
    second = load_catalogue(path)
    assert list(second.indicators) == ["a"] and second["a"] is load_catalogue(path)["a"]
    # The cached copy has every field of a freshly read catalogue (begrippen too), equal, not shared.
    from sdrapport.inputs.catalogue import _read_catalogue

    real = load_catalogue(REAL)
    assert real == _read_catalogue(REAL) and real.begrippen and real.begrippen is not load_catalogue(REAL).begrippen
    path.write_text(path.read_text(encoding="utf-8").replace("label: A", "label: B"), encoding="utf-8")
    import os

    os.utime(path, ns=(1, 1))  # another mtime, as any edit gives
    assert load_catalogue(path)["a"].label == "B"
    path.write_text("indicatoren: [", encoding="utf-8")
    with pytest.raises(ContractError, match="geen geldige YAML"):
        load_catalogue(path)
