"""What every executed report must satisfy about the lineage of its figures (issue 23), checked on
the executed notebooks and the downloads of a report folder: shared by the tests of the four
report types."""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd

from sdrapport.indicators.lineage import Herkomst, bron_regel
from sdrapport.presentation.output.herkomst import problems

PERIOD_HEADER = re.compile(r"\d{4}(-[HQT]\d)?")


def assert_traceable(outdir: Path) -> None:
    """(a)/(b) every label agrees with the lineage of its values (presentation.output.herkomst recomputes
    them); (c) no value mixes demo with delivered figures, and a reference value counts only
    gemeenten of its group; (e) every download row names its gemeente and period."""
    manifest = json.loads((outdir / "run.json").read_text(encoding="utf-8"))
    gemeente = manifest["parameters"]["gemeente"]
    for entry in manifest["notebooks"]:
        nb = nbformat.read(outdir / entry["notebook"], as_version=4)
        assert problems(nb) == [], entry["notebook"]
    groep = {g["code"] for g in manifest["pagina"].get("referentiegroep") or []}
    for element in manifest["herkomst"]:
        waarden = [Herkomst.from_dict(w) for w in element["waarden"]]
        assert not any(h.gemengd for h in waarden), element
        if element["bron"] and any(h.perioden for h in waarden):
            assert element["bron"] == bron_regel(waarden), element["label"]
        for h in waarden:
            if h.soort == "referentie":
                assert len(h.gemeenten) <= h.groep and (not groep or set(h.gemeenten) <= groep), element["label"]
            else:
                assert set(h.gemeenten) <= {gemeente}, element["label"]
    for path in sorted((outdir / "data").glob("*.csv")):
        data = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert data.columns[0] == "gemeente" and data["gemeente"].str.fullmatch(r"GM\d{4}( GM\d{4})*").all(), path.name
        named = [c for c in data.columns if c in ("periode", "jaar") or c.endswith(" periode") or PERIOD_HEADER.fullmatch(c)]
        assert named, (path.name, list(data.columns))
        if "periode" in data.columns:
            assert (data["periode"] != "").all(), path.name
