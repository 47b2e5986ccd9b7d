"""The Quarto project: generated pages, and rendering when Quarto is installed.

`_quarto.yml` (committed) renders exactly these generated files:
    index.qmd                              listing of the built gemeente reports
    reports/methode.qmd                    method notes (size classes, rounding, averages, sources)
    reports/begrippen.qmd                  glossary, generated from the indicator catalogue
    reports/<periode>/index.qmd            listing of the gemeenten built for one period
    reports/<periode>/<gemeente>/<rapport>/index.qmd  one report per gemeente, period and report type

A gemeente page embeds the labelled outputs of the executed notebooks beside it with
`{{< embed NOTEBOOK.ipynb#label >}}`, copies each notebook's markdown narrative, and ends with the
verantwoording (parameters, code version, data files, sources) read from the run manifest.
Rendering (siterender.py) renders only the pages whose inputs changed, report pages in parallel, into a
staging folder that replaces reports/_site only when Quarto succeeded.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import yaml

from sdrapport.indicators.catalogue import load_catalogue
from sdrapport.inputs.contract import GROOTTEKLASSEN
from sdrapport.inputs.params import load_params
from sdrapport.periods import Period
from sdrapport.project import Project
from sdrapport.presentation.report import META_KEY
from sdrapport.runner.run import MANIFEST, Profile, cell_label
from sdrapport.presentation import escaping
from sdrapport.inputs.demo import DEMO_LABEL
from sdrapport.presentation.downloads import download_links

PAGE = "index.qmd"
DEMO_BANNER = """::: {{.callout-warning title="Demodata: fictieve cijfers"}}
{text}
:::
"""
QUARTO_MISSING = (
    "Quarto is niet gevonden: het Quarto-project staat klaar in {root}, maar de website en PDF's zijn niet "
    "gemaakt. Installeer Quarto (conda install -c conda-forge quarto, of https://quarto.org) en draai 'sdrapport site'."
)


def _yaml_front(meta: dict) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000) + "---\n"


def _write(path: Path, text: str) -> None:
    """Write only when the content changed (keeps rebuilds quiet and mtimes meaningful)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def gemeente_facts(project: Project, gemeente: str, periode: Period, con=None) -> dict:
    """Name, province, size class, sources and demo flag of a gemeente, the same facts a Rapport
    gives, read with a few small queries instead of loading the reference group's observations
    (a batch writes hundreds of pages). The store must be current (the runner ensures it)."""
    import duckdb

    from sdrapport.inputs.demo import DEMO_BRON
    from sdrapport.presentation.report import gemeente_row, registration_facts, size_class

    own = con is None
    con = con or duckdb.connect(str(project.store), read_only=True)
    try:
        _, naam, provincie = gemeente_row(con, gemeente)
        _, _, klasse = size_class(con, gemeente, periode)
        bronnen = [r[0] for r in con.execute(
            "SELECT DISTINCT bron FROM observaties WHERE gemeente = ? AND bron IS NOT NULL ORDER BY bron", [gemeente]).fetchall()]
        registratie = registration_facts(con, gemeente)
    finally:
        if own:
            con.close()
    # 'demo': some figure is fictitious; 'alleen_demo': every figure is (else the page mixes the
    # gemeente's own figures with demo figures, and the banner says which ones are fictitious).
    return {"naam": naam, "provincie": provincie, "grootteklasse": klasse, "demo": DEMO_BRON in bronnen,
            "alleen_demo": bronnen == [DEMO_BRON], "bronnen": bronnen, "registratie": registratie}


def demo_text(facts: dict) -> str:
    """The demo banner's text: all figures fictitious, or (a gemeente that delivers figures of its
    own as well) which ones are."""
    if facts.get("alleen_demo", True):
        return (f"Dit rapport is gemaakt met de demodata van sdrapport. De cijfers zijn fictief en zeggen niets over de "
                f"gemeente {facts['naam']}.")
    return (f"Een deel van de cijfers is fictief (demodata van sdrapport) en zegt niets over de gemeente {facts['naam']}: "
            f"die cijfers hebben \"{DEMO_LABEL}\" in de bronregel of op de tegel. De andere cijfers zijn van de gemeente zelf.")


def _toelichting(project: Project, gemeente: str, naam: str, chapter: str) -> escaping.Markdown:
    """The gemeente's own commentary on a chapter: text typed by people, shown as typed (escaped)."""
    path = project.params / "toelichting" / f"{gemeente}.yml"
    if path.exists():
        text = (load_params(path) or {}).get(chapter)
        if text:
            return escaping.alineas(str(text).strip())
    return escaping.markdown(f"De gemeente {naam} heeft geen toelichting gegeven.")


def page_title(profile: Profile, naam: str, periode: Period) -> str:
    """'Monitor sociaal domein Dordrecht, tweede halfjaar 2023': every page and PDF title names the
    period, so two periods of one gemeente never share a title."""
    return f"{profile.titel} {naam}, {periode.label}"


def _typst_document(title: str, naam: str, periode: Period) -> str:
    """PDF metadata: title, author and subject (Typst writes them into the PDF's Info and XMP)."""
    subject = f"Cijfers over het sociaal domein (Wmo, Jeugdwet, Participatiewet) van de gemeente {naam}, {periode.label}"
    return (f"#set document(title: {escaping.typst_string(title)}, author: \"sdrapport\", "
            f"description: {escaping.typst_string(subject)}, "
            f"keywords: ({escaping.typst_string(naam)}, {escaping.typst_string(periode.label)}, \"sociaal domein\"))")


def _breekbaar(path: str) -> str:
    """A file name that may wrap after '/', '-' and '.' (a long path never widens a narrow page or
    runs past the PDF margin)."""
    for ch in "/-_.":
        path = path.replace(ch, ch + "\u200b")
    return path


TYPST_STYLE = "assets/sdrapport.typ"  # house style of the PDFs (tables, notes, source lines, tiles)
TYPST_TEMPLATE = "assets/typst-template.typ"  # page layout: title block, running header, page x of y
FONTS = "reports/_fonts"  # DejaVu Sans, copied from matplotlib by copy_fonts


def typst_format(project: Project, outdir: Path, profile: Profile, document: str) -> dict:
    """The PDF format of one report page. Paths are relative to the page (Quarto resolves a
    page's options from its own folder); the profile's `pdf` options come last."""
    up = Path(os.path.relpath(project.root, outdir))
    return {
        "papersize": "a4",
        "mainfont": "DejaVu Sans",
        "fontsize": "9.5pt",
        "toc": True,
        "toc-title": "Inhoud",
        "font-paths": [(up / FONTS).as_posix()],
        "template-partials": [(up / TYPST_TEMPLATE).as_posix()],
        "include-in-header": [{"file": (up / TYPST_STYLE).as_posix()}, {"text": document}],
        **profile.pdf,
    }


def write_page(project: Project, gemeente: str, periode: Period, profile: Profile) -> Path:
    outdir = project.report_dir(periode.code, gemeente, profile.naam)
    manifest = json.loads((outdir / MANIFEST).read_text(encoding="utf-8"))
    facts = gemeente_facts(project, gemeente, periode)
    title = page_title(profile, facts["naam"], periode)
    # Every text from data or params is escaped: Quarto reads titles and fields as Markdown.
    meta = {
        "title": str(escaping.markdown(f"{profile.titel} {facts['naam']}")),
        "subtitle": str(escaping.markdown(periode.label[0].upper() + periode.label[1:])),
        "pagetitle": str(escaping.markdown(title)),
        "gemeente": gemeente,
        "gemeentenaam": str(escaping.markdown(facts["naam"])),
        "provincie": str(escaping.markdown(facts["provincie"])),
        "grootteklasse": str(escaping.markdown(facts["grootteklasse"])),
        "periode": periode.code,
        "periodesleutel": f"{periode.end.isoformat()} {periode.start.isoformat()}",
        "rapport": profile.naam,
        "rapportsoort": str(escaping.markdown(profile.titel)),
        "lang": "nl",
        # The tables are raw HTML and Typst made by sdrapport (tabellen.py): Quarto must not parse
        # and restyle them.
        "html-table-processing": "none",
        "format": {
            "html": {"toc": True},
            "typst": typst_format(project, outdir, profile, _typst_document(title, facts["naam"], periode)),
        },
    }
    parts = [_yaml_front(meta)]
    if facts["demo"]:
        parts.append(DEMO_BANNER.format(text=escaping.markdown(demo_text(facts))))
    without = chapters_without_figures(outdir, profile.notebooks)
    if without:  # a period for which not every source has delivered yet
        parts.append(EMPTY_NOTE.format(text=empty_chapters_text(without, periode)))
    parts.append('::: {.content-visible when-format="html"}\nDit rapport is ook te downloaden als [PDF](index.pdf).\n:::\n')
    for nb_name in profile.notebooks:
        nb = nbformat.read(outdir / nb_name, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                parts.append(cell.source.strip() + "\n")
            elif cell.cell_type == "code" and cell_label(cell) and cell.get("outputs"):
                empty = [o for o in cell.outputs if is_empty_output(o)]
                if empty:  # no data: the note itself, not an embed of a figure cell without figure
                    parts.append("".join(o["data"]["text/markdown"] for o in empty).strip() + "\n")
                else:
                    parts.append(f"{{{{< embed {nb_name}#{cell_label(cell)} >}}}}\n")
        if profile.toelichting:
            parts.append("### Toelichting gemeente\n\n" + _toelichting(project, gemeente, facts["naam"], Path(nb_name).stem) + "\n")
    downloads = download_links(outdir)
    parts.append(_verantwoording(project, manifest, periode, facts, downloads, profile))
    page = outdir / PAGE
    _write(page, "\n".join(parts))
    return page


EMPTY_NOTE = """::: {{.callout-note title="Nog niet alle cijfers"}}
{text}
:::
"""


def is_empty_output(output) -> bool:
    """An output that says a figure or table has no data (Rapport.leeg)."""
    return bool(output.get("metadata", {}).get(META_KEY, {}).get("leeg"))


def chapter_title(nb: nbformat.NotebookNode, nb_name: str) -> str:
    """The chapter's heading as readers see it (its first Markdown heading), else the notebook's title."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return str(nb.metadata.get("title") or Path(nb_name).stem)


def chapters_without_figures(outdir: Path, notebooks: list[str]) -> list[str]:
    """Titles of the chapters whose every figure and table (cells labelled fig-... or tbl-...) shows
    only the note that there is no data: a period for which not every source has delivered yet."""
    empty = []
    for nb_name in notebooks:
        nb = nbformat.read(outdir / nb_name, as_version=4)
        cells = [c for c in nb.cells if c.cell_type == "code" and (cell_label(c) or "").startswith(("fig-", "tbl-"))]
        if cells and all(not c.get("outputs") or all(is_empty_output(o) for o in c.outputs) for c in cells):
            empty.append(chapter_title(nb, nb_name))
    return empty


def empty_chapters_text(chapters: list[str], periode: Period) -> escaping.Markdown:
    """'Over het tweede halfjaar 2023 zijn nog geen figuren en tabellen beschikbaar voor: Wmo en Jeugdwet.'"""
    names = chapters[0] if len(chapters) == 1 else ", ".join(chapters[:-1]) + " en " + chapters[-1]
    wanneer = periode.label if periode.kind == "J" else f"het {periode.label}"
    return escaping.markdown(f"Over {wanneer} zijn nog geen figuren en tabellen beschikbaar voor: {names}.")


TECHNISCH_KOP = "Technische verantwoording: parameters, code en gegevensbestanden"
DOWNLOADS_INTRO = ("**Cijfers downloaden**: alle cijfers in één Excel-werkboek, of per tabel en figuur als CSV "
                   "(UTF-8, komma als scheidingsteken, punt als decimaalteken).")


def verantwoording_items(project: Project, manifest: dict, periode: Period, facts: dict, profile: Profile | None = None,
                         methode: str = "") -> tuple[list[str], list[str]]:
    """The Verantwoording as Markdown list items: for readers (sources, period, reference group,
    rounding, registrations) and technical (parameters, code version, data files). `methode` is
    appended to the rounding item (the site links its method page there)."""
    p = manifest["parameters"]
    esc = escaping.markdown
    bronnen = ", ".join(facts["bronnen"])
    lezers = [
        f"- **Bronnen**: {esc(bronnen)}. Onder elke figuur en tabel staan bron en periode.",
        f"- **Periode**: {esc(periode.label)}.",
        f"- **Afronding**: {esc(rounding_text(facts))}. "
        "\"?\" betekent onbekend, \"\\-\" niet publiceerbaar." + methode,
    ]
    if profile is None or profile.referentiegroep:
        lezers.insert(1, f"- **Referentiegroep**: gemeenten met {esc(facts['grootteklasse'])}; gemiddelden alleen over gemeenten die cijfers leverden.")
    lezers += _registration_line(facts)
    files = "; ".join(f"{esc(_breekbaar(name))} ({digest[:12]})" for name, digest in manifest["data_files"].items())
    technisch = [
        f"- Parameters: gemeente {esc(p['gemeente'])} ({esc(facts['naam'])}), periode {esc(p['periode'])}, rapport {esc(p['rapport'])}.",
        f"- Code: sdrapport {esc(manifest['code_version'])}.",
        f"- Gegevensstand: {esc(_vintage(manifest))}.",
        f"- Gegevensbestanden met de eerste 12 tekens van hun SHA-256: {files}.",
    ]
    return lezers, technisch


def _verantwoording(project: Project, manifest: dict, periode: Period, facts: dict,
                    downloads: list[tuple[str, str]], profile: Profile | None = None) -> str:
    """'Over deze cijfers' for readers (sources, period, rounding, reference group), then the
    technical provenance (parameters, code version, data files) in a block that the site folds."""
    esc = escaping.markdown
    lezers, technisch = verantwoording_items(project, manifest, periode, facts, profile,
                                             methode=" [[Zie de methode.](../../../methode.qmd)]{.content-visible when-format=\"html\"}")
    lines = ["## Verantwoording", "", *lezers]
    kop = TECHNISCH_KOP
    # On the site folded away (a native <details>, which every browser makes keyboard and screen
    # reader friendly); in the PDF printed in full.
    lines += ["", '::: {.content-visible when-format="html"}', f'<details class="sd-technisch"><summary>{kop}</summary>', "",
              *technisch, "", "</details>", ":::", "", '::: {.content-visible unless-format="html"}',
              # One unbreakable block in the PDF: never two stray lines on a page of their own.
              "```{=typst}", "#block(breakable: false)[", "```", "", f"**{kop}**", "", *technisch, "", "```{=typst}", "]", "```", ":::"]
    if downloads:
        lines += ["", '::: {.content-visible when-format="html"}', DOWNLOADS_INTRO, "",
                  *(f"- [{esc(label)}]({target})" for label, target in downloads), ":::"]
    return "\n".join(lines) + "\n"


def _vintage(manifest: dict) -> str:
    """Which data the page was made from: the data fingerprint and, for a batch, the newest
    period in the data and the batch that built it."""
    text = f"vingerafdruk {manifest['data_fingerprint'][:12]}"
    batch = manifest.get("batch") or {}
    if batch.get("laatste_periode"):
        text += f", cijfers tot en met {batch['laatste_periode']}"
    if batch.get("id"):
        text += f", gemaakt in batch {batch['id']}"
    return text


def remove_page(outdir: Path) -> None:
    (outdir / PAGE).unlink(missing_ok=True)


def built_pages(project: Project) -> list[Path]:
    return sorted(project.reports.glob(f"*/*/*/{PAGE}"))


def write_site(project: Project) -> list[Path]:
    """Write the site-level pages (index, methode, begrippen) and rewrite the page of every built
    report from its executed notebooks (so a new version of sdrapport restyles every page without
    running a notebook again). Returns all pages to render."""
    from sdrapport.runner.run import load_profile

    pages = built_pages(project)
    for page in pages:
        if not (page.parent / MANIFEST).is_file():
            continue  # not written by sdrapport run or batch: left as it is
        periode, gemeente, rapport = page.relative_to(project.reports).parts[:3]
        write_page(project, gemeente, Period.parse(periode), load_profile(project, rapport))
    demo = False
    for page in pages:
        demo |= "Demodata: fictieve cijfers" in page.read_text(encoding="utf-8")
    index = [_yaml_front({
        "title": "Sociaal domein in beeld",
        "subtitle": "Rapporten per gemeente en periode",
        "lang": "nl",
        "listing": {
            "contents": "reports/*/*/*/index.qmd",
            "type": "table",
            "sort": ["gemeentenaam", "periodesleutel desc"],
            "fields": ["gemeentenaam", "provincie", "grootteklasse", "subtitle", "rapportsoort"],
            "field-display-names": {"gemeentenaam": "Gemeente", "provincie": "Provincie", "grootteklasse": "Grootteklasse",
                                    "subtitle": "Periode", "rapportsoort": "Rapport"},
            # The report link names its report type, so two reports of one gemeente never share a link text.
            "field-links": ["rapportsoort"],
            "filter-ui": ["gemeentenaam", "provincie", "grootteklasse", "subtitle", "rapportsoort"],
            "sort-ui": ["gemeentenaam", "provincie", "grootteklasse", "periodesleutel"],
        },
    })]
    if demo:
        index.append(DEMO_BANNER.format(text="Deze site is gemaakt met de demodata van sdrapport: alle cijfers zijn fictief."))
    if not pages:
        index.append("Er zijn nog geen rapporten gebouwd. Draai `sdrapport run --gemeente GM0505 --periode 2023-H2`.\n")
    periods = period_pages(project, pages)
    if periods:
        index.append("## Per periode\n\nAlle gemeenten van één periode, met zoeken en filteren op naam, provincie en grootteklasse:\n")
        index += [f"- [{label}]({page.relative_to(project.root).as_posix()})" for page, label in periods]
        index.append("")
    _write(project.root / "index.qmd", "\n".join(index))
    copy_fonts(project)
    _write(project.reports / "begrippen.qmd", glossary(project))
    _write(project.reports / "methode.qmd", method_notes(project))
    return [project.root / "index.qmd", project.reports / "methode.qmd", project.reports / "begrippen.qmd",
            *(page for page, _ in periods), *pages]


def copy_fonts(project: Project) -> Path:
    """Put the PDF's font (DejaVu Sans, the one matplotlib draws the charts with) in
    reports/_fonts, where _quarto.yml points Typst: the PDF looks the same on every machine."""
    import matplotlib

    target = project.reports / "_fonts"
    target.mkdir(parents=True, exist_ok=True)
    source = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for font in sorted(source.glob("DejaVuSans*.ttf")):
        dest = target / font.name
        if not dest.exists() or dest.stat().st_size != font.stat().st_size:
            shutil.copyfile(font, dest)
    return target


def period_pages(project: Project, pages: list[Path]) -> list[tuple[Path, str]]:
    """Write reports/<periode>/index.qmd for every period with built reports: a table listing of
    its gemeenten (search, filter and sort on name, province and size class), each linking to the
    gemeente's page, which links its PDF. Listing pages of periods without reports are removed.
    Returns (page, period label) newest period first."""
    codes = sorted({page.relative_to(project.reports).parts[0] for page in pages})
    out = []
    for code in codes:
        try:
            periode = Period.parse(code)
        except Exception:  # noqa: BLE001 - not a period folder (cannot happen for built pages)
            continue
        label = periode.label[0].upper() + periode.label[1:]
        count = sum(1 for page in pages if page.relative_to(project.reports).parts[0] == code)
        meta = {
            "title": f"Gemeenten: {periode.label}",
            "subtitle": f"{count} {'rapport' if count == 1 else 'rapporten'}",
            "lang": "nl",
            "listing": {
                "contents": "*/*/index.qmd",
                "type": "table",
                "sort": ["gemeentenaam", "rapportsoort"],
                "fields": ["gemeentenaam", "provincie", "grootteklasse", "rapportsoort"],
                "field-display-names": {"gemeentenaam": "Gemeente", "provincie": "Provincie",
                                        "grootteklasse": "Grootteklasse", "rapportsoort": "Rapport"},
                "field-links": ["rapportsoort"],
                "filter-ui": ["gemeentenaam", "provincie", "grootteklasse", "rapportsoort"],
                "sort-ui": ["gemeentenaam", "provincie", "grootteklasse", "rapportsoort"],
            },
        }
        body = (f"Rapporten over {periode.label}. Zoek op gemeente, provincie of grootteklasse; elk rapport "
                "is een webpagina met bovenaan een link naar de PDF.\n")
        page = project.reports / code / PAGE
        _write(page, _yaml_front(meta) + "\n" + body)
        out.append((page, label, periode))
    for stale in project.reports.glob(f"*/{PAGE}"):
        if stale.parent.name not in codes:
            stale.unlink()
    out.sort(key=lambda t: (t[2].end, t[2].start), reverse=True)
    return [(page, label) for page, label, _ in out]


def glossary(project: Project) -> str:
    cat = load_catalogue(project.catalogue)
    out = [_yaml_front({"title": "Begrippen", "subtitle": "Alle indicatoren uit de indicatorcatalogus", "lang": "nl"})]
    for ind in sorted(cat, key=lambda i: i.label.lower()):
        extra = [f"Eenheid: {cat.unit_label(ind)}", f"bron: {ind.bron}", f"richting: {ind.richting}"]
        if ind.afgeleid:
            extra.append(f"berekend als {cat[ind.teller].label.lower()} gedeeld door {cat[ind.noemer].label.lower()}")
        if ind.cbs_afronding:
            extra.append("afgerond volgens de CBS-regel")
        out.append(f"{ind.label}\n:   {ind.definitie} *{'; '.join(extra)}.*\n")
    return "\n".join(out)


def method_notes(project: Project) -> str:
    classes = "\n".join(f"- {name}" for _, name in GROOTTEKLASSEN)
    text = f"""{_yaml_front({"title": "Methode", "subtitle": "Hoe de cijfers in deze rapporten tot stand komen", "lang": "nl"})}
## Referentiegroep

Elke gemeente wordt vergeleken met gemeenten van dezelfde grootteklasse, naar het aantal inwoners op
1 januari dat bij de rapportperiode hoort. Er zijn vijf grootteklassen:

{classes}

Het gemiddelde van de referentiegroep wordt alleen berekend over de gemeenten die over die periode
cijfers hebben geleverd. Een relatief cijfer (per 1.000 inwoners, %) van de groep is de som van de
afgeronde aantallen van die gemeenten, gedeeld door de som van hun noemers. Ontbreekt een gemeente,
dan telt zij dus ook niet mee in de noemer.

## Afronding en geheimhouding

De cijfers 0 tot en met 4 worden afgerond naar 0 en de cijfers 5 tot en met 9 naar 10. Alle overige
aantallen zijn afgerond op vijftallen. Daardoor kan de som van de details afwijken van het totaal.
Relatieve cijfers worden berekend uit de afgeronde aantallen en zelf niet nog eens afgerond.

Staat er een "?" in plaats van een getal, dan is het cijfer onbekend of onvoldoende betrouwbaar.
Een "-" betekent dat het cijfer niet getoond kan worden omdat het herleidbaar zou zijn tot personen.
Zulke waarden worden nooit als 0 behandeld.

## Voorlopige en definitieve cijfers

Cijfers over de meest recente periode zijn vaak voorlopig; ze worden definitief na een volgende
aanlevering. Onder een figuur of tabel met voorlopige cijfers staat "(voorlopige cijfers)".

## Perioden

Een jaar, halfjaar of kwartaal telt unieke personen: wie in de periode ten minste één dag een
voorziening had, telt één keer mee. Het jaarcijfer is daarom geen som van de halfjaren of kwartalen.
Standcijfers zoals het aantal inwoners gelden op 1 januari; bij een periode die op 31 december
eindigt, hoort de stand op de 1 januari daarna.

{_registration_notes(project)}## Bronnen en verantwoording

Elke figuur en tabel vermeldt haar bron en periode. Onderaan elk rapport staan de parameters, de
versie van de code en de gebruikte gegevensbestanden, zodat het rapport opnieuw te maken is.
"""
    return text


def rounding_text(facts: dict) -> str:
    from sdrapport.indicators.disclosure import afronding_tekst

    reg = facts.get("registratie")
    text = afronding_tekst(reg.methode if reg is not None and reg.peildatum else None, reg.drempel if reg is not None else None)
    return text[0].upper() + text[1:]


def _registration_line(facts: dict) -> list[str]:
    """The verantwoording's line on the gemeente's registrations: peildatum and disclosure control
    as applied (read from the store, so it describes this page's figures)."""
    from sdrapport.presentation.formatting import datum

    reg = facts.get("registratie")
    if reg is None or not reg.peildatum:
        return []
    control = ("afgerond volgens de CBS-regel" if reg.methode != "drempel"
               else f"van 1 tot en met {(reg.drempel or 10) - 1} weggelaten, met aanvullende geheimhouding, en verder niet afgerond")
    return [f"- **Registraties**: cijfers uit de eigen registraties van de gemeente, bijgewerkt tot en met "
            f"{datum(reg.peildatum)}; aantallen {control} vóór opslag; geen gegevens over personen."]


def _registration_notes(project: Project) -> str:
    """Method notes on figures computed from the gemeenten's own registrations (when there are any)."""
    from sdrapport.inputs.registrations import load_config, registratie_files

    if not any(registratie_files(project.data).values()):
        return ""
    config = load_config(project.params)
    if config.methode == "cbs":
        control = ("Ook deze aantallen zijn afgerond volgens de CBS-regel hierboven, en wel voordat ze worden opgeslagen: "
                   "een exact klein aantal komt nergens in een rapport terecht.")
    else:
        control = (f"Aantallen van 1 tot en met {config.drempel - 1} worden niet getoond (\"-\"). Zou zo'n cijfer uit een "
                   "totaal en de andere cijfers terug te rekenen zijn, dan wordt ook het kleinste andere cijfer weggelaten.")
    return f"""## Cijfers uit de eigen registraties

Een deel van de cijfers (unieke cliënten, tijdigheid van besluiten, in- en uitstroom in de bijstand,
klachten) berekent sdrapport uit de registraties van de gemeente zelf, volgens definities met een naam en
een versie; elk dashboard noemt ze onder "Definities". Persoonsnummers worden bij het inlezen vervangen
door een versleutelde code en daarna niet bewaard: alleen totalen worden opgeslagen. {control}

"""


def quarto_binary() -> str | None:
    return shutil.which("quarto")


def render(project: Project, *, full: bool = False, workers: int | None = None) -> tuple[bool, str]:
    """Render what changed since the last render (siterender: incremental, report pages in parallel)
    into a staging folder that replaces reports/_site only when Quarto succeeded. Returns
    (rendered, message). Without Quarto nothing is rendered and the message says so."""
    from sdrapport.publisher.render import RenderError, render_site

    quarto = quarto_binary()
    if quarto is None:
        return False, QUARTO_MISSING.format(root=project.root)
    try:
        plan, site = render_site(project, quarto, full=full, workers=workers)
    except RenderError as exc:
        raise RuntimeError(str(exc)) from None
    if plan.nothing:
        return True, f"De website is al actueel: niets gewijzigd sinds de vorige render, niets gerenderd ({site})."
    if plan.full:
        return True, f"Website en PDF's gemaakt in {site} ({len(plan.reports)} rapporten en {len(plan.site)} sitepagina's)."
    return True, (f"Website en PDF's bijgewerkt in {site}: {len(plan.reports)} rapporten en {len(plan.site)} sitepagina's "
                  f"opnieuw gerenderd, {plan.unchanged} ongewijzigd, {len(plan.removed)} verwijderd.")
