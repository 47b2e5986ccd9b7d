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

import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict
from pathlib import Path

import nbformat
import yaml

from sdrapport.presentation.reports.annex import glossary_markdown, method_markdown
from sdrapport.inputs.catalogue import load_catalogue
from sdrapport.presentation.elements.chapters import Nummering, chapter_title
from sdrapport.inputs.params import load_params
from sdrapport.periods import Period
from sdrapport.project import Project
from sdrapport.presentation.report import META_KEY
from sdrapport.inputs.profiles import Profile
from sdrapport.manifest import MANIFEST, cell_label, read_manifest
from sdrapport.presentation.text import escaping
from sdrapport.presentation.output.downloads import download_links
from sdrapport.inputs.demo import DEMO_LABEL
from sdrapport.indicators.disclosure import afronding_zin

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


def demo_text(facts: dict) -> str:
    """The demo banner's text: all figures fictitious, or (a gemeente that delivers figures of its
    own as well) which ones are."""
    if facts.get("alleen_demo", True):
        return (f"Dit rapport is gemaakt met de demodata van sdrapport. De cijfers zijn fictief en zeggen niets over de "
                f"gemeente {facts['naam']}.")
    return (f"Een deel van de cijfers is fictief (demodata van sdrapport) en zegt niets over de gemeente {facts['naam']}: "
            f"die cijfers hebben \"{DEMO_LABEL}\" in de bronregel of op de tegel. De andere cijfers zijn van de gemeente zelf.")


def publishable(manifest: dict | None) -> bool:
    """A report is published when every notebook succeeded and the runner recorded its page facts."""
    return bool(manifest and manifest.get("pagina") and manifest.get("notebooks")
                and all(n.get("ok") for n in manifest["notebooks"]))


def built_reports(project: Project) -> dict[tuple[str, str, str], dict]:
    """(periode, gemeente, rapport) -> run.json of every publishable report under reports/."""
    out = {}
    for path in sorted(project.reports.glob(f"*/*/*/{MANIFEST}")):
        manifest = read_manifest(path.parent)
        if publishable(manifest):
            out[tuple(path.parent.relative_to(project.reports).parts)] = manifest
    return out


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


def write_page(project: Project, gemeente: str, periode: Period, profile: Profile,
               built: dict[tuple[str, str, str], dict] | None = None) -> Path:
    """Write the page of one executed report from its notebooks and run.json (never the store).
    `built` (all publishable reports, as built_reports gives) feeds the navigation to the other
    periods and the reference group; read when not given."""
    outdir = project.report_dir(periode.code, gemeente, profile.naam)
    manifest = read_manifest(outdir)
    if not publishable(manifest):
        raise ValueError(f"{outdir / MANIFEST}: geen volledig uitgevoerd rapport; draai 'sdrapport run' opnieuw")
    facts = manifest["pagina"]
    built = built_reports(project) if built is None else built
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
    parts.append(navigation(built, gemeente, periode, profile, facts))
    nummering = Nummering(profile)
    for nb_name in profile.notebooks:
        nb = nbformat.read(outdir / nb_name, as_version=4)
        nummering.begin(nb_name)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                parts.append(nummering.markdown(cell.source.strip()) + "\n")
            elif cell.cell_type == "code" and cell_label(cell) and cell.get("outputs"):
                empty = [o for o in cell.outputs if is_empty_output(o)]
                if empty:  # no data: the note itself, not an embed of a figure cell without figure
                    parts.append("".join(o["data"]["text/markdown"] for o in empty).strip() + "\n")
                else:
                    parts.append(f"{{{{< embed {nb_name}#{cell_label(cell)} >}}}}\n")
        if nummering.toelichting(nb_name):
            parts.append("### Toelichting gemeente\n\n"
                         + _toelichting(project, gemeente, facts["naam"], Path(nb_name).stem) + "\n")
    downloads = download_links(outdir)
    parts.append(_verantwoording(project, manifest, periode, facts, downloads, profile))
    page = outdir / PAGE
    _write(page, "\n".join(parts))
    return page


def _link(periode: str, gemeente: str, rapport: str) -> str:
    """From a report page to another report page (plain .html: the target may be rendered by
    another Quarto process)."""
    return f"../../../{periode}/{gemeente}/{rapport}/index.html"


def navigation(built: dict[tuple[str, str, str], dict], gemeente: str, periode: Period, profile: Profile,
               facts: dict) -> str:
    """HTML only: links to the same report of the gemeente for its other periods (newest first), to
    the same report and period of its five similar gemeenten (when the report shows them, run.json
    `vergelijkbaar`) and of the gemeenten in its reference group."""
    esc = escaping.markdown
    others = sorted((Period.parse(p) for (p, g, r) in built if g == gemeente and r == profile.naam and p != periode.code),
                    key=lambda q: (q.end, q.start), reverse=True)
    lines = []
    if others:
        lines.append("**Andere perioden**: " + " · ".join(f"[{esc(q.label)}]({_link(q.code, gemeente, profile.naam)})"
                                                          for q in others))
    buren = [g for g in facts.get("vergelijkbaar") or [] if (periode.code, g["code"], profile.naam) in built]
    if buren:
        lines.append("**Vergelijkbare gemeenten**: " + " · ".join(
            f"[{esc(g['naam'])}]({_link(periode.code, g['code'], profile.naam)})" for g in buren))
    groep = [g for g in facts.get("referentiegroep", [])
             if g["code"] != gemeente and (periode.code, g["code"], profile.naam) in built]
    if groep and profile.referentiegroep:
        links = ", ".join(f"[{esc(g['naam'])}]({_link(periode.code, g['code'], profile.naam)})" for g in groep)
        summary = escaping.html(f"Gemeenten in de referentiegroep ({len(groep)}, {facts['grootteklasse']})")
        lines += ["", f'<details class="sd-navigatie"><summary>{summary}</summary>', "", links, "", "</details>"]
    if not lines:
        return ""
    return '::: {.content-visible when-format="html"}\n' + "\n".join(lines) + "\n:::\n"


EMPTY_NOTE = """::: {{.callout-note title="Nog niet alle cijfers"}}
{text}
:::
"""


def is_empty_output(output) -> bool:
    """An output that says a figure or table has no data (Rapport.leeg)."""
    return bool(output.get("metadata", {}).get(META_KEY, {}).get("leeg"))


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
        f"- **Afronding**: {esc(afronding_zin(facts.get('registraties')))}. "
        "\"?\" betekent onbekend, \"\\-\" niet publiceerbaar." + methode,
    ]
    if profile is None or profile.referentiegroep:
        lezers.insert(1, f"- **Referentiegroep**: gemeenten met {esc(facts['grootteklasse'])}; gemiddelden alleen over gemeenten die cijfers leverden.")
    lezers += _registration_line(facts.get("registraties"))
    files = "; ".join(f"{esc(_breekbaar(name))} ({digest[:12]})" for name, digest in manifest["data_files"].items())
    technisch = [
        f"- Parameters: gemeente {esc(p['gemeente'])} ({esc(facts['naam'])}), periode {esc(p['periode'])}, rapport {esc(p['rapport'])}.",
        f"- Code: sdrapport {esc(manifest['code_version'])}.",
        f"- Gegevensstand: {esc(_vintage(manifest))}.",
        f"- Gegevensbestanden met de eerste 12 tekens van hun SHA-256: {files}.",
    ]
    return lezers, technisch


def _bronnen_kort(bronnen: list[str]) -> list[str]:
    """The sources with the editions of one source named once: 'CBS, Kerncijfers wijken en buurten
    2023 (CC BY 4.0)' and '... 2024 (CC BY 4.0)' become '... 2023 en 2024 (CC BY 4.0)'."""
    groups: dict[tuple[str, str], list[str]] = {}
    for bron in bronnen:
        m = re.fullmatch(r"(.*?) (\d{4})( \(.*\))?", bron)
        key = (m[1], m[3] or "") if m else (bron, "")
        groups.setdefault(key, [])
        if m:
            groups[key].append(m[2])
    out = []
    for (naam, rest), jaren in groups.items():
        jaren = sorted(set(jaren))
        out.append(naam + rest if not jaren else
                   f"{naam} {jaren[0] if len(jaren) == 1 else ', '.join(jaren[:-1]) + ' en ' + jaren[-1]}{rest}")
    return out


def verantwoording_kort(manifest: dict, facts: dict, profile: Profile | None = None) -> str:
    """The Verantwoording of a one-page report's PDF as one Markdown paragraph: the sources (each
    edition named once), reference group and registrations when there are any, what '?' and '-'
    mean, and the parameters, code and data state. The period is in the title and each source line
    gives its own; the rounding rule and the data files are on the site (method page and this
    report's web version), so the paragraph points there instead of printing them."""
    esc = escaping.markdown
    p = manifest["parameters"]
    delen = [f"Bronnen: {esc(', '.join(_bronnen_kort(facts['bronnen'])))}."]
    if profile is None or profile.referentiegroep:
        delen.append(f"Referentiegroep: gemeenten met {esc(facts['grootteklasse'])}; gemiddelden alleen over gemeenten die cijfers leverden.")
    delen += [item[2:].replace("**", "") for item in _registration_line(facts.get("registraties"))]
    delen += ["\"?\" betekent onbekend, \"\\-\" niet publiceerbaar; afronding en methode: zie de website.",
              f"Parameters: gemeente {esc(p['gemeente'])} ({esc(facts['naam'])}), periode {esc(p['periode'])}, rapport {esc(p['rapport'])}.",
              f"Code: sdrapport {esc(manifest['code_version'])}. Gegevensstand: {esc(_vintage(manifest))}; de gegevensbestanden "
              "met hun SHA-256 staan in de webversie van dit rapport."]
    return "**Verantwoording.** " + " ".join(delen)


def _verantwoording(project: Project, manifest: dict, periode: Period, facts: dict,
                    downloads: list[tuple[str, str]], profile: Profile | None = None) -> str:
    """'Over deze cijfers' for readers (sources, period, rounding, reference group), then the
    technical provenance (parameters, code version, data files) in a block that the site folds."""
    esc = escaping.markdown
    lezers, technisch = verantwoording_items(project, manifest, periode, facts, profile,
                                             methode=" [[Zie de methode.](../../../methode.qmd)]{.content-visible when-format=\"html\"}")
    kop = TECHNISCH_KOP
    # On the site the technical part is folded away (a native <details>, which every browser makes
    # keyboard and screen reader friendly).
    site = ['::: {.content-visible when-format="html"}', f'<details class="sd-technisch"><summary>{kop}</summary>', "",
            *technisch, "", "</details>", ":::"]
    if profile is not None and profile.verantwoording == "kort":
        # A one-page report: the PDF gets one small paragraph (verantwoording_kort); the site keeps
        # the full list and the data files.
        lines = ['::: {.content-visible when-format="html"}', "## Verantwoording", "", *lezers, ":::", "", *site, "",
                 '::: {.content-visible unless-format="html"}', "```{=typst}", "#block(breakable: false)[#set text(size: 7pt)", "```",
                 "", verantwoording_kort(manifest, facts, profile), "", "```{=typst}", "]", "```", ":::"]
    else:
        # In the PDF printed in full, in one unbreakable block: never two stray lines on a page of their own.
        lines = ["## Verantwoording", "", *lezers, "", *site, "", '::: {.content-visible unless-format="html"}',
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


PAGE_STAMP = ".sdrapport-pagina"  # hidden: not part of what the renderer hashes or copies


def page_inputs(project: Project, outdir: Path, built: dict[tuple[str, str, str], dict], profile: Profile,
                code: str) -> str:
    """A key over everything write_page reads for this report: the library, its run.json, the
    executed notebooks and downloads (by size and modification time), the gemeente's commentary,
    the report's profile and the reports its navigation links to (other periods, the similar
    gemeenten, the reference group). Equal key, equal page."""
    periode, gemeente, rapport = outdir.relative_to(project.reports).parts
    h = hashlib.sha256(code.encode())
    h.update(json.dumps(built[(periode, gemeente, rapport)], sort_keys=True).encode())
    for path in sorted(outdir.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(outdir).parts) \
                and path.name != PAGE:
            st = path.stat()
            h.update(f"{path.relative_to(outdir).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    for path in (project.params / "toelichting" / f"{gemeente}.yml", project.params / "rapporten" / f"{rapport}.yml"):
        h.update(path.read_bytes() if path.is_file() else b"-")
    facts = built[(periode, gemeente, rapport)]["pagina"]
    group = {g["code"] for g in [*facts.get("referentiegroep", []), *(facts.get("vergelijkbaar") or [])]}
    links = sorted(k for k in built if k[2] == rapport and (k[1] == gemeente or (k[0] == periode and k[1] in group)))
    h.update(json.dumps([asdict(profile), links]).encode())
    return h.hexdigest()


def remove_page(outdir: Path) -> None:
    (outdir / PAGE).unlink(missing_ok=True)


def built_pages(project: Project) -> list[Path]:
    return sorted(project.reports.glob(f"*/*/*/{PAGE}"))


def write_site(project: Project) -> list[Path]:
    """Write the site-level pages (index, methode, begrippen) and rewrite the page of every built
    report from its executed notebooks and run.json (so a new version of sdrapport restyles every
    page without running a notebook again); a report whose run failed loses its page. Reads only
    reports/, params/ and the indicator catalogue, never the store. Returns all pages to render."""
    from sdrapport.inputs.profiles import load_profile

    from sdrapport.runner.batch import library_hash

    built = built_reports(project)
    code = library_hash()
    profiles: dict[str, Profile] = {}
    for outdir in sorted({p.parent for p in project.reports.glob(f"*/*/*/{MANIFEST}")}):
        key = tuple(outdir.relative_to(project.reports).parts)
        if key not in built:
            remove_page(outdir)  # a failed run: no (half) page
            (outdir / PAGE_STAMP).unlink(missing_ok=True)
            continue
        periode, gemeente, rapport = key
        profile = profiles.get(rapport) or profiles.setdefault(rapport, load_profile(project, rapport))
        stamp = page_inputs(project, outdir, built, profile, code)
        stamp_file = outdir / PAGE_STAMP
        if (outdir / PAGE).is_file() and stamp_file.is_file() and stamp_file.read_text(encoding="utf-8") == stamp:
            continue  # nothing the page shows has changed: not rewritten (a national site has hundreds)
        write_page(project, gemeente, Period.parse(periode), profile, built)
        stamp_file.write_text(stamp, encoding="utf-8")
    pages = built_pages(project)
    demo = any(m["pagina"].get("demo") for m in built.values())
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
    _write(project.reports / "methode.qmd", method_notes(project, built))
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
    """The site's glossary: the concepts and indicators of the catalogue (annex.glossary_markdown)."""
    cat = load_catalogue(project.catalogue)
    front = _yaml_front({"title": "Begrippen", "subtitle": "Begrippen en indicatoren uit de indicatorcatalogus", "lang": "nl"})
    return front + "\n" + glossary_markdown(cat)


def method_notes(project: Project, built: dict[tuple[str, str, str], dict]) -> str:
    """The site's method page (annex.method_markdown, the same text as a report's annex); the
    registrations' notes when a published report has figures from registrations."""
    registraties = next((m["pagina"]["registraties"] for m in built.values() if m["pagina"].get("registraties")), None)
    front = _yaml_front({"title": "Methode", "subtitle": "Hoe de cijfers in deze rapporten tot stand komen", "lang": "nl"})
    return front + "\n" + method_markdown(registraties, params=project.params, catalogue=load_catalogue(project.catalogue))


def _control(registraties: dict) -> str:
    if registraties.get("methode") != "drempel":
        return "afgerond volgens de CBS-regel"
    return (f"van 1 tot en met {(registraties.get('drempel') or 10) - 1} weggelaten, met aanvullende geheimhouding, "
            "en verder niet afgerond")


def _registration_line(registraties: dict | None) -> list[str]:
    """The verantwoording's line on the gemeente's registrations: peildatum and disclosure control."""
    if not registraties:
        return []
    import datetime as dt

    from sdrapport.presentation.text.formatting import datum

    return [f"- **Registraties**: cijfers uit de eigen registraties van de gemeente, bijgewerkt tot en met "
            f"{datum(dt.date.fromisoformat(registraties['peildatum']))}; aantallen {_control(registraties)} vóór opslag; "
            "geen gegevens over personen."]


def quarto_binary() -> str | None:
    return shutil.which("quarto")


def render(project: Project, *, full: bool = False, workers: int | None = None, executor=None) -> tuple[bool, str]:
    """Render what changed since the last render (siterender: incremental, report pages in parallel)
    into a staging folder that replaces reports/_site only when Quarto succeeded. Returns
    (rendered, message). Without Quarto nothing is rendered and the message says so."""
    from sdrapport.publisher.render import RenderError, render_site

    quarto = quarto_binary()
    if quarto is None:
        return False, QUARTO_MISSING.format(root=project.root)
    try:
        plan, site = render_site(project, quarto, full=full, workers=workers, executor=executor)
    except RenderError as exc:
        raise RuntimeError(str(exc)) from None
    if plan.nothing:
        return True, f"De website is al actueel: niets gewijzigd sinds de vorige render, niets gerenderd ({site})."
    if plan.full:
        return True, f"Website en PDF's gemaakt in {site} ({len(plan.reports)} rapporten en {len(plan.site)} sitepagina's)."
    return True, (f"Website en PDF's bijgewerkt in {site}: {len(plan.reports)} rapporten en {len(plan.site)} sitepagina's "
                  f"opnieuw gerenderd, {plan.unchanged} ongewijzigd, {len(plan.removed)} verwijderd.")
