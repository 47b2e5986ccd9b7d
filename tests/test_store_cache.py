"""Observation files are validated again only when they (or what validates them) changed: the
validated copies beside the store give the same store as a build from scratch."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from sdrapport.errors import ContractError
from sdrapport.inputs import contract
from sdrapport.store import database
from sdrapport.store.database import VALIDATED, build_store
from tests.conftest import copy_project


def _observaties(store) -> pd.DataFrame:
    con = duckdb.connect(str(store), read_only=True)
    try:
        frame = con.execute("SELECT * FROM observaties").df()
    finally:
        con.close()
    return frame.sort_values(["bestand", "rij", "indicator", "periode"]).reset_index(drop=True)


@pytest.fixture
def counted(monkeypatch):
    """The observation files validated (read_observaties called), by name."""
    seen = []
    real = contract.read_observaties

    def counting(path, *args, **kwargs):
        seen.append(path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(database, "read_observaties", counting)
    return seen


def test_only_a_changed_file_is_validated_again_and_the_store_is_the_same(tmp_path, counted):
    proj = copy_project(tmp_path / "project")
    build_store(proj.data, proj.store)
    files = sorted(p.name for p in proj.data.glob("observaties/*.csv"))
    assert sorted(counted) == files and len(files) >= 2
    cache = proj.store.parent / VALIDATED
    assert len(list(cache.glob("*.parquet"))) == len(files)

    # One figure of Hengelo's annual accounts corrected: only that file is validated again.
    jaarstukken = proj.data / "observaties" / "hengelo-jaarstukken-2024.csv"
    lines = jaarstukken.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("waarde")] = str(int(float(cells[header.index("waarde")])) + 7)
    lines[1] = ",".join(cells)
    jaarstukken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    counted.clear()
    build_store(proj.data, proj.store)
    assert counted == ["hengelo-jaarstukken-2024.csv"]
    assert len(list(cache.glob("*.parquet"))) == len(files)  # the old copy of the changed file is gone
    cached = _observaties(proj.store)

    # The same store as a build that validates everything.
    fresh = copy_project(tmp_path / "fresh")
    (fresh.data / "observaties" / "hengelo-jaarstukken-2024.csv").write_text(jaarstukken.read_text(encoding="utf-8"),
                                                                            encoding="utf-8")
    build_store(fresh.data, fresh.store)
    pd.testing.assert_frame_equal(cached, _observaties(fresh.store))
    row = cached[(cached["bestand"] == "data/observaties/hengelo-jaarstukken-2024.csv") & (cached["rij"] == 2)]
    assert row["waarde"].iloc[0] == int(float(lines[1].split(",")[header.index("waarde")]))


def test_a_file_with_problems_is_never_remembered(tmp_path, counted):
    proj = copy_project(tmp_path / "project")
    bad = proj.data / "observaties" / "eigen.csv"
    bad.write_text("gemeente,periode,indicator,waarde,bron,status\nGM0505,2023-H2,wmo_clienten,veel,Eigen,definitief\n",
                   encoding="utf-8")
    with pytest.raises(ContractError, match=r"eigen\.csv"):
        build_store(proj.data, proj.store)
    cache = proj.store.parent / VALIDATED
    # The good own files are remembered; the demo's file is not even read when an own file is
    # refused (the own files are checked before any demo work, issue 23 found case 6).
    own_good = [p for p in proj.data.glob("observaties/*.csv") if p.name not in ("eigen.csv", "demo.csv")]
    assert len(list(cache.glob("*.parquet"))) == len(own_good)
    counted.clear()
    with pytest.raises(ContractError, match=r"eigen\.csv"):
        build_store(proj.data, proj.store)
    assert counted == ["eigen.csv"]  # checked again, with its message; the good files come from their copies
