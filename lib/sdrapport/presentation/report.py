"""What a domain notebook works with: one gemeente, one period, its reference group, and output.

    r = Rapport(gemeente, periode)          # reads the store built from data/
    r.waarde("wmo_clienten")                # published value (CBS-rounded), with Dutch text
    r.referentie("wmo_clienten_per_1000")   # average over the size class, delivering gemeenten only
    r.tabel(df, ...), r.figuur(fig, ...)    # display with caption and source; CSV behind each table

Everything a reader sees passes through here, so rounding, '?' / '-' and source lines are applied
the same way in every notebook.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from sdrapport.presentation.text import formatting
from sdrapport.indicators.analysis import GEHEIM, ONBEKEND, ONTBREEKT, WAARDE, publish, reference, stock_year
from sdrapport.inputs.catalogue import Catalogue, Indicator, decimalen, load_catalogue
from sdrapport.indicators import lineage
from sdrapport.indicators.lineage import EIGEN, REFERENTIE, Herkomst
from sdrapport.inputs.demo import DEMO_BRON
from sdrapport.periods import Period
from sdrapport.project import Project
from sdrapport.store.database import ensure_store
from sdrapport.presentation.elements.tables import Tabel
from sdrapport.presentation.elements.tiles import kerncijfers_markdown, tegels_markdown
from sdrapport.presentation.text import escaping

SERIES_LENGTH = {"J": 4, "H": 6, "Q": 8}
# Screens that get a chart's phone layout (Bootstrap's "sm" breakpoint, as in assets/sdrapport.scss).
SMAL_SCHERM = "(max-width: 575.98px)"
META_KEY = "sdrapport"  # output metadata that the runner turns into Quarto cell options
DEMO_ZIN = "(Deze cijfers zijn demodata: fictief.)"  # after a sentence built on demo figures beside own figures


@dataclass(frozen=True)
class Waarde:
    """One published figure."""

    waarde: float | None
    waarde_status: str
    eenheid: str
    periode: Period | None = None
    status: str | None = None  # voorlopig / definitief
    n: int | None = None  # reference group: number of gemeenten that delivered
    herkomst: Herkomst | None = field(default=None, compare=False)  # where the figure came from

    @property
    def beschikbaar(self) -> bool:
        return self.waarde_status == WAARDE

    @property
    def tekst(self) -> str:
        status = self.waarde_status if self.waarde_status != ONTBREEKT else ONBEKEND
        return formatting.waarde(self.waarde, self.eenheid, status=status)

    def __str__(self) -> str:
        return self.tekst


# Per-process caches for a warm kernel that runs notebook after notebook (sdrapport batch): the
# reference group's observations are the same for every gemeente of a size class and every chapter,
# and reading them is most of a notebook's time at national scale. Both caches are keyed by the
# identity of the files they read (path, size, mtime, inode), so a rebuilt store or changed data is
# read afresh; every Rapport gets its own copy (copy-on-write), so no notebook sees another's changes.
_STORE_CHECKED: dict[str, tuple] = {}
_GROUP_CACHE: dict[tuple, pd.DataFrame] = {}
_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3 or pd.get_option("mode.copy_on_write") is True


def _file_identity(path: Path) -> tuple:
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), st.st_size, st.st_mtime_ns, st.st_ino)


def _ensure_store_cached(data: Path, store_path: Path) -> None:
    """ensure_store, skipped when neither the data files nor the store changed since the last check
    in this process (the check hashes every data file: 0,1 s per notebook for 342 gemeenten)."""
    from sdrapport.store.database import DataSet

    def identity() -> tuple:
        return tuple(_file_identity(p) for p in [*DataSet(Path(data)).files(), Path(store_path)])

    key = str(Path(store_path).resolve())
    if _STORE_CHECKED.get(key) == identity():
        return
    ensure_store(data, store_path)
    _STORE_CHECKED[key] = identity()


def _group_observations(con, store_path: Path, groep: list[str]) -> pd.DataFrame:
    key = (_file_identity(Path(store_path).resolve()), tuple(groep))
    frame = _GROUP_CACHE.get(key)
    if frame is None:
        _GROUP_CACHE.clear()  # one size class at a time (dropped before the next is read) bounds memory
        # Through Arrow: the same dtypes as .df(), with a third less transient memory for the
        # largest size classes (two kernels reading at once add up).
        frame = con.sql(
            "SELECT * EXCLUDE (bestand, rij) FROM observaties WHERE gemeente IN (SELECT unnest(?))", params=[groep]
        ).to_arrow_table().to_pandas()
        _GROUP_CACHE[key] = frame
    # With copy-on-write (always on since pandas 3) a shallow copy is enough: a change to one frame
    # copies the data it touches, so each Rapport is independent without a second full copy. Older
    # pandas (the requirement allows 2.2) writes through a shallow copy, so it gets a deep one.
    return frame.copy(deep=not _COPY_ON_WRITE)


@dataclass(frozen=True)
class Registratie:
    """What the store says about a gemeente's own registrations (never a record): the peildatum,
    the kinds of export it delivered and the disclosure control applied to the counts."""

    peildatum: dt.date | None = None
    soorten: tuple[str, ...] = ()
    methode: str | None = None  # 'cbs' (rounded) or 'drempel' (small counts suppressed)
    drempel: int | None = None


# The inhabitants of data/inwoners.csv and data/inwoners-doelgroep.csv: real counts (CBS) beside
# demo figures do not make a page "partly own figures".
REGISTRY_INDICATORS = ("inwoners", "inwoners_doelgroep")


def registration_facts(con, gemeente: str, tables: set[str] | None = None) -> Registratie:
    import json

    if tables is None:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "registraties" not in tables:
        return Registratie()
    row = con.execute("SELECT peildatum, soorten, methode, drempel FROM registraties WHERE gemeente = ?", [gemeente]).fetchone()
    if not row:
        return Registratie()
    peil, soorten, methode, drempel = row
    return Registratie(dt.date.fromisoformat(str(peil)) if peil else None, tuple(json.loads(soorten or "[]")), methode,
                       int(drempel) if drempel is not None and drempel == drempel else None)


def gemeente_row(con, gemeente: str) -> tuple[str, str, str]:
    """Code, name and province of a gemeente from the store."""
    row = con.execute("SELECT code, naam, provincie FROM gemeenten WHERE code = ?", [gemeente]).fetchone()
    if row is None:
        raise KeyError(f"gemeente {gemeente} staat niet in data/gemeenten.csv")
    return row


def size_class(con, gemeente: str, periode: Period) -> tuple[int, int, str]:
    """(year, inhabitants, size class) by the inhabitants on the 1 January belonging to the period
    (or the latest before)."""
    row = con.execute(
        "SELECT jaar, inwoners, grootteklasse FROM inwoners WHERE gemeente = ? AND jaar <= ? ORDER BY jaar DESC LIMIT 1",
        [gemeente, stock_year(periode)],
    ).fetchone()
    if row is None:
        raise KeyError(f"geen inwonertal voor {gemeente} tot en met {stock_year(periode)} in data/inwoners.csv")
    return int(row[0]), int(row[1]), row[2]


class Rapport:
    def __init__(self, gemeente: str, periode: str, *, project: str | Path | None = None,
                 uitvoer: str | Path | None = None, store: str | Path | None = None, rapport: str = "monitor"):
        self.project = Project.locate(project)
        self.rapport = rapport
        self.periode = Period.parse(periode)
        store_path = Path(store) if store else self.project.store
        self.store = store_path  # the DuckDB file (comparisons with all gemeenten read it again)
        if store is None:
            _ensure_store_cached(self.project.data, store_path)
        self.catalogus: Catalogue = load_catalogue(self.project.catalogue)
        self.uitvoer = Path(uitvoer) if uitvoer else self.project.report_dir(self.periode.code, gemeente, rapport)
        con = duckdb.connect(str(store_path), read_only=True)
        try:
            self.gemeente, self.naam, self.provincie = gemeente_row(con, gemeente)
            self.peiljaar, self.inwoners, self.grootteklasse = size_class(con, self.gemeente, self.periode)
            self.referentiegroep: list[str] = [
                r[0] for r in con.execute(
                    "SELECT gemeente FROM inwoners WHERE jaar = ? AND grootteklasse = ? ORDER BY gemeente",
                    [self.peiljaar, self.grootteklasse],
                ).fetchall()
            ]
            groep = sorted(set(self.referentiegroep) | {self.gemeente})
            self.obs = _group_observations(con, store_path, groep)
            tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            self.historie = con.execute(
                "SELECT datum, soort, toelichting FROM historie WHERE code = ? ORDER BY datum", [self.gemeente]
            ).fetchall() if "historie" in tables else []
            # Registrations: the definitions in force, old and new side by side, and the peildatum.
            # Aggregates only: the store holds no record.
            own = [self.gemeente]
            self.definities = con.execute(
                "SELECT indicator, definitie, titel, uitleg, tot, huidig FROM definities WHERE gemeente = ? ORDER BY volgnummer", own
            ).df() if "definities" in tables else pd.DataFrame(columns=["indicator", "definitie", "titel", "uitleg", "tot", "huidig"])
            self._vergelijking = con.execute(
                "SELECT * EXCLUDE (gemeente) FROM definitievergelijking WHERE gemeente = ? "
                "ORDER BY indicator, periode, dim NULLS FIRST, dimwaarde NULLS FIRST, definitie", own
            ).df() if "definitievergelijking" in tables else pd.DataFrame()
            self.registratie = registration_facts(con, self.gemeente, tables)
            self.registratie_peildatum = self.registratie.peildatum
        finally:
            con.close()
        from sdrapport.inputs.cbs import series_breaks

        self.reeksbreuken = series_breaks(self.project)  # CBS table changes inside a series (83262NED -> 86050NED)
        self._eigen = self.obs[self.obs["gemeente"] == self.gemeente]
        in_groep = self.obs["gemeente"].isin(self.referentiegroep)
        # Usually every row is in the group (the gemeente belongs to its own size class): share the
        # frame instead of copying it; copy-on-write keeps the two independent.
        self._groep = self.obs if in_groep.all() else self.obs[in_groep]
        self._herkomst: list[Herkomst] = []  # lineage of the values computed since the last element shown

    # -- facts --------------------------------------------------------------------------------
    @property
    def demo(self) -> bool:
        """True when any figure of this gemeente comes from the fictitious demo data."""
        return bool((self._eigen["bron"] == DEMO_BRON).any())

    def breuken(self, perioden: list[Period], ind: str | Indicator | None = None) -> list[tuple[int, str]]:
        """Breaks inside a series: (index of the first period after the break, footnote). Boundary
        changes of the gemeente, and with `ind` the change of CBS table behind that indicator (or
        its teller), e.g. 83262NED up to 2020 and 86050NED from 2021 (sidecars of `cbs fetch`)."""
        events = []
        for datum, soort, toelichting in self.historie:
            wat = "gewijzigde gemeentegrens" if soort == "grenswijziging" else "gemeentelijke herindeling"
            day = dt.date.fromisoformat(str(datum)[:10])
            events.append((day, f"Per {formatting.datum(day)} {wat} ({toelichting}); cijfers voor en na de streep "
                                "zijn niet zonder meer vergelijkbaar."))
        if ind is not None:
            ind = self.indicator(ind)
            ids = {ind.id, self.catalogus.basis(ind).id}
            events += [(Period.parse(b["vanaf"]).start, b["toelichting"]) for b in self.reeksbreuken if b.get("indicator") in ids]
        out = []
        for day, note in events:
            for i, p in enumerate(perioden[1:], start=1):
                if perioden[i - 1].start < day <= p.start:
                    out.append((i, note))
                    break
        return out

    @property
    def alleen_demo(self) -> bool:
        """True when every figure of this gemeente comes from the demo data, apart from the
        registry's inhabitants (real CBS counts, from which the demo draws its figures)."""
        own = self._eigen[~self._eigen["indicator"].isin(REGISTRY_INDICATORS)]
        return sorted(set(own["bron"].dropna())) == [DEMO_BRON]

    def is_demo(self, ind: str | Indicator, perioden: list[Period]) -> bool:
        """True when a figure of `ind` (its teller or noemer) for these periods comes from the demo data."""
        ind = self.indicator(ind)
        base = [ind.teller, ind.noemer] if ind.afgeleid else [ind.id]
        rows = self._eigen[self._eigen["indicator"].isin(base) & self._eigen["periode"].isin([p.code for p in perioden])]
        return bool((rows["bron"] == DEMO_BRON).any())

    @property
    def bronnen(self) -> list[str]:
        """The sources of all observations of this gemeente."""
        return sorted(set(self._eigen["bron"].dropna()))

    def definitievergelijking(self, ind: str | Indicator, by: str | None = None) -> pd.DataFrame:
        """Values of an indicator by each of the gemeente's definitions, for the periods in which an
        older definition was in force: periode, [by], definitie, waarde, waarde_status (protected
        counts, as stored)."""
        ind = self.indicator(ind)
        df = self._vergelijking
        if df.empty:
            return pd.DataFrame(columns=["periode", *([by] if by else []), "definitie", "waarde", "waarde_status"])
        df = df[df["indicator"] == ind.id]
        df = df[df["dim"] == by] if by else df[df["dim"].isna()]
        out = df.rename(columns={"dimwaarde": by} if by else {}).drop(columns=["indicator", "dim"] + ([] if by else ["dimwaarde"]))
        return out.reset_index(drop=True)

    def indicator(self, ind: str | Indicator) -> Indicator:
        return self.catalogus[ind] if isinstance(ind, str) else ind

    def perioden(self, n: int | None = None) -> list[Period]:
        """The series of periods ending with the report period (6 half-years, 8 quarters, 4 years)."""
        return self.periode.last(n or SERIES_LENGTH[self.periode.kind])

    def peilperiode(self, ind: Indicator, periode: Period) -> Period:
        """The period whose figure describes `periode`.

        - A 1 January stock (catalogue `peildatum`) is read at the peildatum belonging to the
          period (analysis.stock_year: a period ending 31 December is described by the next
          1 January), else at 1 January of the period's own year.
        - Otherwise the period itself when there is data for it. A figure missing for a period of
          a kind the gemeente delivers (a half-year of a half-yearly indicator, a year in a year
          report) stays missing.
        - An indicator published per year only, in a report on a half-year or quarter, uses the
          latest year that has ended by the end of the report period (at most two years back): a
          report never shows a figure about time after its period.
        The source line names the period actually used."""
        base = self.catalogus.basis(ind)
        if base.peildatum:
            if periode.kind != "J" and self.heeft(ind, periode):
                return periode
            for year in (stock_year(periode), periode.year):
                if self.heeft(ind, Period(year)):
                    return Period(year)
            return periode
        if self.heeft(ind, periode) or periode.kind == "J" or self._delivered_per(ind, periode.kind):
            return periode
        for year in (periode.year, periode.year - 1, periode.year - 2):
            if Period(year).end <= periode.end and self.heeft(ind, Period(year)):
                return Period(year)
        return periode

    def jaren(self, n: int = 4, ind: str | Indicator | None = None) -> list[Period]:
        """n years ending with the year that describes the report period for `ind` (or its own year)."""
        end = self.periode.as_year
        if ind is not None:
            found = self.peilperiode(self.indicator(ind), self.periode)
            end = found if found.kind == "J" else found.as_year
        return end.last(n)

    def _delivered_per(self, ind: Indicator, kind: str) -> bool:
        codes = self._eigen.loc[self._eigen["indicator"] == self.catalogus.basis(ind).id, "periode"]
        marker = {"H": "-H", "Q": "-Q"}[kind]
        return bool(codes.str.contains(marker, regex=False).any())

    def heeft(self, ind: Indicator, periode: Period) -> bool:
        base = self.catalogus.basis(ind).id
        return bool(((self._eigen["indicator"] == base) & (self._eigen["periode"] == periode.code)).any())

    def waarde(self, ind: str | Indicator, periode: str | Period | None = None, **fixed: str) -> Waarde:
        ind = self.indicator(ind)
        p = self.peilperiode(ind, Period.parse(periode) if periode else self.periode)
        values = publish(self._eigen[self._eigen["periode"].isin(self._periods_needed(p))], self.catalogus, ind, fixed=fixed)
        row = values[values["periode"] == p.code]
        herkomst = self._noteer(self._herkomst_eigen(ind, row, fixed))
        if row.empty:
            return Waarde(None, ONTBREEKT, ind.eenheid, p, herkomst=herkomst)
        rec = row.iloc[0]
        return Waarde(None if pd.isna(rec["waarde"]) else float(rec["waarde"]), rec["waarde_status"], ind.eenheid, p, rec["status"],
                      herkomst=herkomst)

    def referentie(self, ind: str | Indicator, periode: str | Period | None = None, **fixed: str) -> Waarde:
        ind = self.indicator(ind)
        p = self.peilperiode(ind, Period.parse(periode) if periode else self.periode)
        ref = reference(self._groep[self._groep["periode"].isin(self._periods_needed(p))], self.catalogus, ind, fixed=fixed)
        row = ref[ref["periode"] == p.code]
        herkomst = [self._noteer(h) for h in self._herkomst_referentie(ind, row, fixed)]
        if row.empty:
            return Waarde(None, ONTBREEKT, ind.eenheid, p, n=0)
        return Waarde(float(row.iloc[0]["waarde"]), WAARDE, ind.eenheid, p, n=int(row.iloc[0]["n"]), status=(
            "voorlopig" if herkomst[0].voorlopig else "definitief"), herkomst=herkomst[0])

    # -- lineage ------------------------------------------------------------------------------
    def _noteer(self, h: Herkomst) -> Herkomst:
        """Remember a value's lineage for the next element shown (figure, table, tiles or text)."""
        self._herkomst.append(h)
        return h

    def neem_herkomst(self) -> list[Herkomst]:
        """The lineage of the values computed since the last element was shown, and forget it."""
        taken, self._herkomst = list(dict.fromkeys(self._herkomst)), []
        return taken

    def _herkomst_eigen(self, ind: Indicator, values: pd.DataFrame, fixed: dict) -> Herkomst:
        """Lineage of the gemeente's own values (rows of analysis.publish): periods, the sources of
        teller and noemer, provisional status; counts protected at ingest say so."""
        sources = set(values["bron"].dropna())
        noemer = set(values["n_bron"].dropna()) if "n_bron" in values else set()
        base = self.catalogus.basis(ind)
        beveiligd = False
        if "beveiligd" in self._eigen.columns and len(values):
            rows = self._eigen[(self._eigen["indicator"] == base.id) & self._eigen["periode"].isin(set(values["periode"]))]
            beveiligd = bool(rows["beveiligd"].fillna(False).astype(bool).any())
        return Herkomst(indicator=ind.id, soort=EIGEN, gemeenten=(self.gemeente,) if len(values) else (),
                        perioden=lineage.sorted_periods(values["periode"]), bronnen=tuple(sorted(map(str, sources))),
                        regel=lineage.disclosure_rule(ind, beveiligd), voorlopig=bool((values["status"] == "voorlopig").any()),
                        uitsplitsing=tuple(sorted(fixed.items())), catalogusbron=ind.bron,
                        noemerbronnen=tuple(sorted(map(str, noemer))))

    def _herkomst_referentie(self, ind: Indicator, ref: pd.DataFrame, fixed: dict) -> list[Herkomst]:
        """Lineage of reference values, one per period: the gemeenten counted (of how many in the
        group), their sources and provisional status."""
        out = []
        for periode, rows in ref.groupby("periode", sort=True):
            gemeenten = sorted({g for t in rows["gemeenten"] for g in t})
            out.append(Herkomst(indicator=ind.id, soort=REFERENTIE, gemeenten=tuple(gemeenten), perioden=(str(periode),),
                                bronnen=tuple(sorted({b for t in rows["bronnen"] for b in t})),
                                noemerbronnen=tuple(sorted({b for t in rows["noemerbronnen"] for b in t})),
                                regel=lineage.disclosure_rule(ind), voorlopig=bool(rows["voorlopig"].any()),
                                groep=len(self.referentiegroep), uitsplitsing=tuple(sorted(fixed.items())), catalogusbron=ind.bron))
        if not out:
            out.append(Herkomst(indicator=ind.id, soort=REFERENTIE, gemeenten=(), perioden=(), bronnen=(),
                                regel=lineage.disclosure_rule(ind), groep=len(self.referentiegroep),
                                uitsplitsing=tuple(sorted(fixed.items())), catalogusbron=ind.bron))
        return out

    @staticmethod
    def _periods_needed(p: Period) -> list[str]:
        return [p.code, str(p.year), str(stock_year(p)), str(p.year - 1), str(p.year - 2)]

    def reeks(self, ind: str | Indicator, perioden: list[Period] | None = None, *, by: str | None = None,
              referentie: bool = False, **fixed: str) -> pd.DataFrame:
        """Values over a series of periods (oldest first): periode, label, [by], waarde, tekst, status.

        Leading periods without any data are dropped; a gap inside the series stays as '?'.
        With referentie=True a column 'referentie' holds the reference-group value.
        """
        ind = self.indicator(ind)
        perioden = perioden or self.perioden()
        needed = {c for p in perioden for c in self._periods_needed(p)}
        by_cols = [by] if by else []
        own = publish(self._eigen[self._eigen["periode"].isin(needed)], self.catalogus, ind, by=by_cols, fixed=fixed)
        own = own.astype(dict.fromkeys(["periode", *by_cols], object))
        grid = pd.DataFrame({"periode": pd.Series([p.code for p in perioden], dtype=object)})
        if by:
            cats = self._categories(ind, by)
            grid = grid.merge(pd.DataFrame({by: pd.Series(cats, dtype=object)}), how="cross")
        out = grid.merge(own, on=["periode", *by_cols], how="left")
        out["waarde_status"] = out["waarde_status"].fillna(ONTBREEKT)
        if referentie:
            ref = reference(self._groep[self._groep["periode"].isin(needed)], self.catalogus, ind, by=by_cols, fixed=fixed)
            ref = ref.astype(dict.fromkeys(["periode", *by_cols], object))
            out = out.merge(ref.rename(columns={"waarde": "referentie", "n": "referentie_n", "gemeenten": "referentie_gemeenten",
                                                "bronnen": "referentie_bronnen", "noemerbronnen": "referentie_noemerbronnen",
                                                "voorlopig": "referentie_voorlopig"}),
                            on=["periode", *by_cols], how="left")
        have = out.loc[out["waarde_status"] != ONTBREEKT, "periode"]
        if len(have):
            first = min(Period.parse(p) for p in have)
            out = out[out["periode"].map(lambda c: Period.parse(c) >= first)]
        shown = set(out["periode"])
        herkomst = self._noteer(self._herkomst_eigen(ind, own[own["periode"].isin(shown)], fixed))
        if referentie:
            for h in self._herkomst_referentie(ind, ref[ref["periode"].isin(shown)], fixed):
                self._noteer(h)
        out.insert(1, "label", out["periode"].map(lambda c: Period.parse(c).short_label))
        out["tekst"] = [formatting.waarde(v, ind.eenheid, status=s if s != ONTBREEKT else ONBEKEND) for v, s in zip(out["waarde"], out["waarde_status"])]
        out = out.drop(columns=["gemeente", "bron", "n_bron", "referentie_gemeenten", "referentie_bronnen", "referentie_noemerbronnen",
                                "referentie_voorlopig"], errors="ignore").reset_index(drop=True)
        out.attrs["herkomst"] = herkomst  # the gemeente's own values: what a column header may name
        return out

    def publiceer(self, ind: str | Indicator, *, by: list[str] | tuple = (), periode: str | Period | None = None,
                  **fixed: str) -> pd.DataFrame:
        """The gemeente's published values of an indicator for one period, by the given breakdowns
        (analysis.publish on this gemeente's observations)."""
        p = Period.parse(periode) if periode else self.periode
        own = self._eigen[self._eigen["periode"].isin(self._periods_needed(p))]
        values = publish(own, self.catalogus, self.indicator(ind), by=list(by), fixed=fixed)
        values = values[values["periode"] == p.code].reset_index(drop=True)
        self._noteer(self._herkomst_eigen(self.indicator(ind), values, fixed))
        return values

    def verdeling(self, ind: str | Indicator, by: str, periode: str | Period | None = None, *,
                  referentie: bool = False, **fixed: str) -> pd.DataFrame:
        """Values per category of one breakdown for one period: [by], waarde, tekst, waarde_status."""
        p = Period.parse(periode) if periode else self.periode
        p = self.peilperiode(self.indicator(ind), p)
        out = self.reeks(ind, [p], by=by, referentie=referentie, **fixed)
        herkomst = out.attrs["herkomst"]
        out = out.drop(columns=["periode", "label"]).reset_index(drop=True)
        out.attrs["herkomst"] = herkomst
        return out

    def _categories(self, ind: Indicator, by: str) -> list[str]:
        cats = self.obs.loc[(self.obs["indicator"] == self.catalogus.basis(ind).id) & self.obs[by].notna(), by]
        return self.catalogus.order(ind, by, cats.unique())  # the catalogue's order (volgorde), never delivery order

    # -- text ---------------------------------------------------------------------------------
    def bron(self, *inds: str | Indicator, perioden: list[Period] | Period | None = None) -> str:
        """Source line: 'Bron: CBS GMSD Wmo | eerste halfjaar 2021 - tweede halfjaar 2023'."""
        if perioden is None:
            perioden = [self.periode]
        elif isinstance(perioden, Period):
            perioden = [perioden]
        # The source line of the gemeente's rows of these indicators in these periods, worded as a
        # lineage's (lineage.bron_regel: each source once, with the catalogue sources it stands in
        # for); an indicator without rows names its catalogue source. Elements that carry the
        # lineage of their values replace it with that (bron_uit).
        codes = tuple(p.code for p in perioden)
        herkomst = []
        for i in inds:
            ind = self.indicator(i)
            base = [ind.teller, ind.noemer] if ind.afgeleid else [ind.id]
            rows = self._eigen[self._eigen["indicator"].isin(base) & self._eigen["periode"].isin(codes)]
            herkomst.append(Herkomst(indicator=ind.id, soort=EIGEN, gemeenten=(self.gemeente,), perioden=codes,
                                     bronnen=tuple(sorted(set(rows["bron"].dropna()))) or (ind.bron,),
                                     regel=lineage.disclosure_rule(ind), voorlopig=bool((rows["status"] == "voorlopig").any()),
                                     catalogusbron=ind.bron))
        return lineage.bron_regel(herkomst)

    # -- output -------------------------------------------------------------------------------
    def tekst(self, tekst: str) -> None:
        """Show a paragraph. Plain text is escaped (names and categories come from data); pass
        escaping.Markdown for text built from escaped parts."""
        from IPython.display import Markdown, display

        herkomst = self.neem_herkomst()
        if any(h.demo for h in herkomst) and not self.alleen_demo:
            # Beside the gemeente's own figures, a sentence built on demo figures says so itself
            # (the banner alone would not tell which figures are fictitious).
            tekst = escaping.Markdown(f"{escaping.markdown(tekst)} {escaping.markdown(DEMO_ZIN, begin=False)}")
        display(Markdown(escaping.markdown(tekst)), metadata={META_KEY: {"herkomst": lineage.merge(herkomst)}} if herkomst else None)

    def leeg(self, tekst: str) -> None:
        """Say that a figure or table has no data. The page shows this text in its place (an
        embed of a figure cell without a figure would be an empty, captioned box)."""
        from IPython.display import Markdown, display

        self.neem_herkomst()  # the values looked at are not shown
        display(Markdown(escaping.markdown(tekst)), metadata={META_KEY: {"leeg": True}})

    @staticmethod
    def bijschrift(titel: str, ondertitel: str, bron: str | None = None) -> str:
        """Caption as Quarto reads it (Markdown): the title in bold, then gemeente and unit, then
        the source line. Every part is escaped: it holds names and categories from data."""
        parts = [escaping.vet(titel.rstrip(".") + "."), escaping.markdown(ondertitel.rstrip(".") + ".")]
        if bron:
            parts.append(escaping.markdown(bron))
        return " ".join(parts)

    def figuur(self, fig, *, titel: str, ondertitel: str, bron: str, alt: str, csv: Path | None = None,
               smal=None) -> None:
        """Show a figure; the runner turns the caption and alt text into fig-cap and fig-alt.

        One output (charts.svg) as `image/svg+xml` (the chart with DejaVu Sans, for Jupyter) and as
        `text/markdown`, which Quarto takes for the site and the PDF alike (figure_markdown): a raw
        HTML block with the chart as an <img> of the SVG in the page's own fonts, with its alt text,
        and under it a <details> "Tabel bij deze figuur" with the values of `csv` (the figure's
        data download, written before this call) as an accessible table; and a raw Typst block with
        the DejaVu Sans SVG as an image. No `text/html`: Quarto would then load require.js and
        jQuery from a CDN on the page (its test for Jupyter widgets). `smal`, the
        same chart drawn for a phone (charts.SMAL), is what a screen narrower than SMAL_SCHERM shows
        instead (a <picture> source), so its text is not shrunk to a third."""
        import base64

        import matplotlib.pyplot as plt
        from IPython.display import display

        from sdrapport.presentation.elements import charts
        from sdrapport.presentation.elements.figure_table import figure_table

        herkomst = self.neem_herkomst()
        bron = self.bron_uit(herkomst, bron)
        meta = {"fig-cap": self.bijschrift(titel, ondertitel, bron), "fig-alt": escaping.attribuut(alt), "bron": bron}
        if herkomst:
            meta["herkomst"] = lineage.merge(herkomst)
        def uri(figure) -> str:
            return "data:image/svg+xml;base64," + base64.b64encode(charts.svg(figure, web=True).encode("utf-8")).decode("ascii")

        chart = f'<img src="{uri(fig)}" alt="{escaping.html(alt)}">'
        if smal is not None:
            chart = f'<picture><source media="{SMAL_SCHERM}" srcset="{uri(smal)}">{chart}</picture>'
            plt.close(smal)
        # The table rounds as the figure's alt text does: to the decimals of the units shown.
        places = {h.indicator: decimalen(self.catalogus[h.indicator].eenheid) for h in herkomst
                  if h.indicator in self.catalogus}
        if len(set(places.values())) == 1:
            places[""] = next(iter(places.values()))
        page = f'<div class="sd-grafiek">{chart}</div>' + (figure_table(csv, titel, places) if csv is not None else "")
        if csv is not None:
            meta["csv"] = Path(csv).relative_to(self.uitvoer).as_posix()
        svg = charts.svg(fig)
        display(Weergave({"image/svg+xml": svg, "text/markdown": figure_markdown(page, svg, alt), "text/plain": f"Figuur: {titel}"}),
                metadata={META_KEY: meta})
        plt.close(fig)

    @staticmethod
    def bron_uit(herkomst: list[Herkomst], bron: str) -> str:
        """The source line of an element: from the lineage of its values (lineage.bron_regel), so
        it names exactly the sources and periods of what is shown; an element without catalogue
        values (texts from params, maps) keeps the line its component wrote."""
        return lineage.bron_regel(herkomst) if any(h.perioden for h in herkomst) else bron

    def tabel(self, shown: pd.DataFrame, *, naam: str, titel: str, ondertitel: str, bron: str,
              data: pd.DataFrame | None = None, noten: list[str] | tuple = (), nadruk=(), inspringen=(),
              kolomperioden: dict[str, list[str]] | None = None) -> Path:
        """Show a table (Dutch-formatted text cells) and write the CSV behind it.

        `shown` holds the cells as displayed; `data` the same figures as numbers ('?' / '-' kept as
        text), written to <uitvoer>/data/<naam>.csv for download. `noten` are printed under the
        table (cells refer to them with tabellen.noot_teken); `nadruk` rows are set in bold and
        `inspringen` rows indented. `kolomperioden` maps a column header that names a period to the
        period codes of the values under it (lineage): the check refuses a header that names
        another period. The source line is derived from the lineage of the values. Returns the CSV path.
        """
        herkomst = self.neem_herkomst()
        bron = self.bron_uit(herkomst, bron)
        tabel = Tabel.uit_frame(shown, titel=titel, bron=bron, noten=list(noten), nadruk=set(nadruk), inspringen=set(inspringen))
        return self._tabelelement(tabel.markdown(), data if data is not None else shown, naam=naam, titel=titel,
                                  ondertitel=ondertitel, bron=bron, herkomst=herkomst, kolomperioden=kolomperioden)

    def kerncijfers(self, cijfers: list, *, naam: str, titel: str, ondertitel: str, bron: str, data: pd.DataFrame) -> Path:
        """Show key figures in large type (tabellen.Kerncijfer) and write the CSV behind them."""
        herkomst = self.neem_herkomst()
        bron = self.bron_uit(herkomst, bron)
        return self._tabelelement(kerncijfers_markdown(cijfers, titel=titel, bron=bron), data, naam=naam, titel=titel,
                                  ondertitel=ondertitel, bron=bron, herkomst=herkomst)

    def tegels(self, tegels: list, *, naam: str, titel: str, ondertitel: str, bron: str, data: pd.DataFrame) -> Path:
        """Show KPI tiles (tabellen.Tegel) as a captioned table element and write the CSV behind them."""
        herkomst = self.neem_herkomst()
        bron = self.bron_uit(herkomst, bron)
        return self._tabelelement(tegels_markdown(tegels, titel=titel, bron=bron), data, naam=naam, titel=titel,
                                  ondertitel=ondertitel, bron=bron, herkomst=herkomst)

    def _tabelelement(self, markdown: str, data: pd.DataFrame, *, naam: str, titel: str, ondertitel: str, bron: str,
                      herkomst: list[Herkomst] = (), kolomperioden: dict[str, list[str]] | None = None) -> Path:
        """Display a table-like element (captioned as a table, so Quarto numbers it) and write its
        CSV; the runner turns the caption into tbl-cap, the downloads read csv and bron, the
        manifest and the check read herkomst and kolomperioden."""
        from IPython.display import Markdown, display

        csv_path = write_csv(data, self.uitvoer / "data" / f"{naam}.csv")
        meta = {"tbl-cap": self.bijschrift(titel, ondertitel), "csv": f"data/{naam}.csv", "bron": bron}
        if herkomst:
            meta["herkomst"] = lineage.merge(herkomst)
        if kolomperioden:
            meta["kolomperioden"] = {k: list(v) for k, v in kolomperioden.items()}
        display(Markdown(markdown), metadata={META_KEY: meta})
        return csv_path


def figure_markdown(page: str, svg: str, alt: str) -> str:
    """A figure's Markdown output: the page's HTML in a raw HTML block (the site and the HTML
    report), the SVG as a Typst image in a raw Typst block (the PDF: Typst reads the SVG's text as
    text). The SVG goes in a Typst string on one line, its braces and backticks as XML character
    references, so no Quarto shortcode or Markdown fence can form from a category name."""
    from sdrapport.presentation.elements.tables import NO_TABLE_PROCESSING

    one_line = svg.replace("\n", " ").replace("{", "&#123;").replace("}", "&#125;").replace("`", "&#96;")
    literal = one_line.replace("\\", "\\\\").replace('"', '\\"')
    typst = f'#image(bytes("{literal}"), format: "svg", alt: {escaping.typst_string(alt)})'
    return f"```{{=html}}\n{NO_TABLE_PROCESSING}\n{page}\n```\n\n```{{=typst}}\n{typst}\n```\n"


class Weergave:
    """A ready MIME bundle for IPython's display (its `data`, as IPython's own display objects have)."""

    def __init__(self, data: dict[str, str]) -> None:
        self.data = data

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return self.data


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Deterministic CSV: UTF-8, comma-separated, '\\n' line ends, floats rounded to 6 decimals
    and written in plain (never scientific) notation."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    frame = frame.copy()
    for col in frame.columns:
        frame[col] = frame[col].map(lambda v: format(round(v, 6), "f").rstrip("0").rstrip(".") if isinstance(v, float) and v == v else v)
    frame.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def value_cells(values: pd.Series, statuses: pd.Series) -> list:
    """Numbers for a data download: the value, or '?' / '-' for unknown / suppressed."""
    out = []
    for v, s in zip(values, statuses):
        if s == GEHEIM:
            out.append("-")
        elif s != WAARDE or pd.isna(v):
            out.append("?")
        else:
            out.append(round(float(v), 6))
    return out


__all__ = ["Rapport", "Waarde", "write_csv", "value_cells"]
