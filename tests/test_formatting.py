import math

from sdrapport.presentation.text.formatting import euro, getal, procent, waarde


def test_dutch_numbers():
    assert getal(1234) == "1.234"
    assert getal(121434) == "121.434"
    assert getal(1234.5, 1) == "1.234,5"
    assert getal(-117730) == "-117.730"
    # Half up, as readers expect (Babel's default would give 2,12).
    assert getal(2.125, 2) == "2,13"
    assert getal(0.5) == "1"


def test_percent_and_euro():
    assert procent(12.5) == "12,5%"
    assert procent(0.125, fraction=True) == "12,5%"
    assert euro(1_234_567) == "EUR 1,2 mln"
    assert euro(64_535, duizendtallen=True) == "EUR 64,5 mln"
    assert euro(3_100_000_000) == "EUR 3,1 mld"
    assert euro(950_000) == "EUR 950.000"


def test_missing_states_survive_as_symbols_never_zero():
    assert waarde(None, "aantal") == "?"
    assert waarde(math.nan, "aantal") == "?"
    assert waarde(12.0, "aantal", status="geheim") == "-"
    assert waarde(12.0, "aantal", status="onbekend") == "?"
    assert waarde(80.625, "per 1.000 inwoners") == "80,6"
    assert waarde(6.5, "%") == "6,5%"
    assert waarde(-0.0336, "score") == "-0,034"
