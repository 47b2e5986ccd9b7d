"""The Quarto project, checked statically, and the render step with and without a quarto binary."""
import os
import stat
import subprocess
import sys

import yaml

from sdrapport.publisher.site import _bronnen_kort, render, write_site
from sdrapport.publisher.check import check_project
from tests.conftest import REPO


def test_quarto_config_is_a_website_in_dutch_with_search_and_only_generated_pages():
    config = yaml.safe_load((REPO / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["project"]["type"] == "website"
    assert config["lang"] == "nl"
    assert config["website"]["search"] is True
    assert config["project"]["output-dir"] == "reports/_site"
    assert config["notebook-view"] is False and config["notebook-links"] is False
    render_list = config["project"]["render"]
    assert not any(p.startswith(("notebooks", "docs")) or p.endswith(".ipynb") for p in render_list)


def test_generated_site_passes_the_static_checks(built):
    proj, _ = built
    assert check_project(proj) == []
    index = (proj.root / "index.qmd").read_text(encoding="utf-8")
    assert "reports/*/*/*/index.qmd" in index and "Demodata: fictieve cijfers" in index
    glossary = (proj.reports / "begrippen.qmd").read_text(encoding="utf-8")
    assert "Unieke cliënten met een maatwerkvoorziening Wmo\n:   " in glossary
    assert "per 1.000 inwoners van 75 jaar en ouder" in glossary
    methode = (proj.reports / "methode.qmd").read_text(encoding="utf-8")
    assert "100.000 - 300.000 inwoners" in methode and "afgerond op vijftallen" in methode


def test_static_checks_catch_broken_embeds_links_and_yaml(built, tmp_path):
    proj, _ = built
    page = proj.report_dir("2023-H2", "GM0505") / "index.qmd"
    original = page.read_text(encoding="utf-8")
    try:
        page.write_text(original + "\n{{< embed 02_wmo.ipynb#fig-wmo-hoofdcategorie >}}\n{{< embed 02_wmo.ipynb#fig-bestaat-niet >}}\n"
                        "{{< embed 09_bestaat_niet.ipynb#fig-x >}}\n[x](data/weg.csv)\n", encoding="utf-8")
        problems = "\n".join(check_project(proj))
        assert "02_wmo.ipynb#fig-bestaat-niet: geen cel met dat id, label of tag" in problems
        assert "embed verwijst naar 09_bestaat_niet.ipynb" in problems
        assert "link naar data/weg.csv" in problems
        assert "label fig-wmo-hoofdcategorie wordt twee keer ingebed" in problems
        page.write_text(original.replace("title: ", "title: [", 1), encoding="utf-8")
        assert any("front matter is geen geldige YAML" in p for p in check_project(proj))
    finally:
        page.write_text(original, encoding="utf-8")
    assert check_project(proj) == []


def test_static_checks_read_a_page_again_only_when_it_or_a_notebook_changed(built, monkeypatch):
    import json

    import nbformat

    proj, _ = built
    assert check_project(proj) == []
    reads = []
    real = nbformat.from_dict
    monkeypatch.setattr(nbformat, "from_dict", lambda d: reads.append(1) or real(d))
    assert check_project(proj) == [] and reads == []  # nothing changed: no notebook read
    notebook = proj.report_dir("2023-H2", "GM0505") / "02_wmo.ipynb"
    original = notebook.read_text(encoding="utf-8")
    try:
        nb = json.loads(original)
        label = "fig-wmo-hoofdcategorie"
        nb["cells"] = [c for c in nb["cells"] if f"#| label: {label}" not in "".join(c["source"])]
        notebook.write_text(json.dumps(nb), encoding="utf-8")
        problems = "\n".join(check_project(proj))
        assert f"02_wmo.ipynb#{label}: geen cel met dat id, label of tag" in problems and reads
    finally:
        notebook.write_text(original, encoding="utf-8")
    assert check_project(proj) == []


def test_without_quarto_render_says_so_in_one_line(built, monkeypatch):
    proj, _ = built
    monkeypatch.setenv("PATH", "/nonexistent")
    rendered, message = render(proj)
    assert not rendered
    assert "Quarto is niet gevonden" in message and "conda-forge quarto" in message and "\n" not in message


def _fake_quarto(folder, *, fail=False):
    """A stand-in `quarto render [PAGE...] --output-dir DIR` that writes DIR/<page>.html for the pages
    (no pages: the project's pages), or fails."""
    folder.mkdir()
    script = folder / "quarto"
    body = "echo 'ERROR: kapot' >&2; exit 1" if fail else (
        '[ "$1" = "--version" ] && { echo 1.7.34; exit 0; }\n'
        'shift; pages=""; while [ "$1" != "--output-dir" ]; do pages="$pages $1"; shift; done; out="$2"\n'
        '[ -z "$pages" ] && pages=$(ls index.qmd reports/*.qmd reports/*/*/*/index.qmd)\n'
        'for p in $pages; do mkdir -p "$out/$(dirname "$p")"; echo nieuw > "$out/${p%.qmd}.html"; done')
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


def test_render_swaps_in_a_complete_site_and_keeps_the_old_one_on_failure(built, tmp_path, monkeypatch):
    proj, _ = built
    site = proj.reports / "_site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("oud")
    monkeypatch.setenv("PATH", str(_fake_quarto(tmp_path / "bin_fail", fail=True)))
    try:
        render(proj)
        raise AssertionError("render should fail")
    except RuntimeError as exc:
        assert "kapot" in str(exc) and "de vorige site is ongewijzigd" in str(exc)
    assert (site / "index.html").read_text() == "oud"
    monkeypatch.setenv("PATH", f"{_fake_quarto(tmp_path / 'bin_ok')}:/usr/bin:/bin")  # the fake needs mkdir
    rendered, _ = render(proj)
    assert rendered and (site / "index.html").read_text().strip() == "nieuw"
    assert not (proj.reports / "_site.nieuw").exists() and not (proj.reports / "_site.oud").exists()


def test_site_command_without_quarto_finishes_everything_and_exits_0(built):
    proj, _ = built
    env = dict(os.environ, PATH=os.path.dirname(sys.executable), COLUMNS="60")  # no quarto; a narrow terminal
    proc = subprocess.run([sys.executable, "-m", "sdrapport.cli", "site", "--project", str(proj.root)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if "niet gevonden" in ln or "Installeer" in ln]
    assert len(lines) == 1 and "Quarto is niet gevonden" in lines[0] and lines[0].rstrip().endswith("draai 'sdrapport site'.")
    assert (proj.root / "index.qmd").exists()
    write_site(proj)  # idempotent


def test_short_verantwoording_names_each_edition_of_a_source_once():
    bronnen = ["CBS, Kerncijfers wijken en buurten 2023 (CC BY 4.0)", "CBS, Kerncijfers wijken en buurten 2024 (CC BY 4.0)",
               "Demodata", "Gemeente Hengelo, Jaarstukken 2024", "Gemeente Dordrecht, jaarrekening 2022 (naar CBS GMSD)",
               "Gemeente Dordrecht, jaarrekening 2023 (naar CBS GMSD)", "CBS, Kerncijfers wijken en buurten 2025 (CC BY 4.0)"]
    assert _bronnen_kort(bronnen) == ["CBS, Kerncijfers wijken en buurten 2023, 2024 en 2025 (CC BY 4.0)", "Demodata",
                                      "Gemeente Hengelo, Jaarstukken 2024",
                                      "Gemeente Dordrecht, jaarrekening 2022 en 2023 (naar CBS GMSD)"]
    # Editions under another licence or note stay apart.
    assert _bronnen_kort(["Iv3 2021", "Iv3 2022 (voorlopig)"]) == ["Iv3 2021", "Iv3 2022 (voorlopig)"]
