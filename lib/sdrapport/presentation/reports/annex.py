"""The annex: method notes and glossary, one text for the site's pages (Methode, Begrippen) and for the annex
inside a report and its PDF (seed 002, chapter 6 Bijlagen: 6.1 Achtergronden bij de cijfers, 6.2
Begrippenlijst).

The glossary has one source, the catalogue `data/indicatoren.yml`: its `begrippen` (concepts such
as algemene voorziening or taakveld) and its indicators (label, definition, unit, source). Nothing
here keeps a list of its own. Every text from the catalogue is escaped (escaping.markdown).
"""
from __future__ import annotations

from pathlib import Path

from sdrapport.inputs.catalogue import Catalogue
from sdrapport.inputs.contract import GROOTTEKLASSEN
from sdrapport.presentation.text.escaping import Markdown, markdown


def glossary_entries(cat: Catalogue) -> list[tuple[str, str, str]]:
    """(term, definition, detail) for every concept and every indicator of the catalogue, in
    alphabetical order of the term (without case). An indicator's detail gives unit, source,
    direction, how it is computed and whether it is CBS-rounded; a concept has none."""
    entries = [(term, text, "") for term, text in cat.begrippen.items()]
    for ind in cat:
        extra = [f"Eenheid: {cat.unit_label(ind)}", f"bron: {ind.bron}", f"richting: {ind.richting}"]
        if ind.afgeleid:
            extra.append(f"berekend als {cat[ind.teller].label.lower()} gedeeld door {cat[ind.noemer].label.lower()}")
        if ind.cbs_afronding:
            extra.append("afgerond volgens de CBS-regel")
        entries.append((ind.label, ind.definitie, "; ".join(extra) + "."))
    return sorted(entries, key=lambda e: (e[0].casefold(), e[0]))


def glossary_markdown(cat: Catalogue) -> Markdown:
    """The glossary as a Markdown definition list (a term list in the PDF), escaped."""
    out = []
    for term, text, detail in glossary_entries(cat):
        line = f"{markdown(term)}\n:   {markdown(text)}"
        if detail:
            line += f" *{markdown(detail, begin=False)}*"
        out.append(line + "\n")
    return Markdown("\n".join(out))


def registration_notes(registraties: dict | None, kop: str = "##") -> str:
    """Method notes on figures computed from the gemeenten's own registrations; '' without any.
    `registraties` is the disclosure setting in force ({'methode': 'cbs' | 'drempel', 'drempel': n})."""
    if not registraties:
        return ""
    if registraties["methode"] == "cbs":
        control = ("Ook deze aantallen zijn afgerond volgens de CBS-regel hierboven, en wel voordat ze worden opgeslagen: "
                   "een exact klein aantal komt nergens in een rapport terecht.")
    else:
        control = (f"Aantallen van 1 tot en met {registraties['drempel'] - 1} worden niet getoond (\"-\"). Zou zo'n cijfer uit "
                   "een totaal en de andere cijfers terug te rekenen zijn, dan wordt ook het kleinste andere cijfer weggelaten.")
    return f"""{kop} Cijfers uit de eigen registraties

Een deel van de cijfers (unieke cliënten, tijdigheid van besluiten, in- en uitstroom in de bijstand,
klachten) berekent sdrapport uit de registraties van de gemeente zelf, volgens definities met een naam en
een versie; elk dashboard noemt ze onder "Definities". Persoonsnummers worden bij het inlezen vervangen
door een versleutelde code en daarna niet bewaard: alleen totalen worden opgeslagen. {control}

"""


def method_markdown(registraties: dict | None = None, *, niveau: int = 2, naam: str | None = None,
                    grootteklasse: str | None = None, params: Path | None = None,
                    catalogue: Catalogue | None = None) -> Markdown:
    """The method notes (reference group, rounding and secrecy, provisional figures, periods,
    registrations, sources) with headings at `niveau` ('##' on the site, '####' inside a report's
    annex). `registraties`: see registration_notes. With `naam` and `grootteklasse` the reference
    group of that gemeente is named. With `params` (the project's params folder) the notes on
    similar gemeenten, maps and signals follow the registrations' (comparison_notes)."""
    kop = "#" * niveau
    classes = "\n".join(f"- {name}" for _, name in GROOTTEKLASSEN)
    eigen = ""
    if naam and grootteklasse:
        eigen = f"\n\n{markdown(f'Voor de gemeente {naam} is dat de grootteklasse {grootteklasse}.')}"
    registraties = registration_notes(registraties, kop)
    if params is not None:
        registraties += comparison_notes(params, kop, catalogue)
    text = f"""{kop} Referentiegroep

Elke gemeente wordt vergeleken met gemeenten van dezelfde grootteklasse, naar het aantal inwoners op
1 januari dat bij de rapportperiode hoort. Er zijn vijf grootteklassen:

{classes}{eigen}

Het gemiddelde van de referentiegroep wordt alleen berekend over de gemeenten die over die periode
cijfers hebben geleverd. Een relatief cijfer (per 1.000 inwoners, %) van de groep is de som van de
afgeronde aantallen van die gemeenten, gedeeld door de som van hun noemers. Ontbreekt een gemeente,
dan telt zij dus ook niet mee in de noemer.

{kop} Afronding en geheimhouding

De cijfers 0 tot en met 4 worden afgerond naar 0 en de cijfers 5 tot en met 9 naar 10. Alle overige
aantallen zijn afgerond op vijftallen. Daardoor kan de som van de details afwijken van het totaal.
Relatieve cijfers worden berekend uit de afgeronde aantallen en zelf niet nog eens afgerond.

Staat er een "?" in plaats van een getal, dan is het cijfer onbekend of onvoldoende betrouwbaar.
Een "-" betekent dat het cijfer niet getoond kan worden omdat het herleidbaar zou zijn tot personen.
Zulke waarden worden nooit als 0 behandeld.

{kop} Voorlopige en definitieve cijfers

Cijfers over de meest recente periode zijn vaak voorlopig; ze worden definitief na een volgende
aanlevering. Onder een figuur of tabel met voorlopige cijfers staat "(voorlopige cijfers)".

{kop} Perioden

Een jaar, halfjaar of kwartaal telt unieke personen: wie in de periode ten minste één dag een
voorziening had, telt één keer mee. Het jaarcijfer is daarom geen som van de halfjaren of kwartalen.
Standcijfers zoals het aantal inwoners gelden op 1 januari; bij een periode die op 31 december
eindigt, hoort de stand op de 1 januari daarna.

{registraties}{kop} Bronnen en verantwoording

Elke figuur en tabel vermeldt haar bron en periode. Onderaan elk rapport staan de parameters, de
versie van de code en de gebruikte gegevensbestanden, zodat het rapport opnieuw te maken is.
"""
    return Markdown(text)


def methode(r) -> Markdown:
    """The method notes inside a report (its annex), naming the gemeente's reference group; the
    registrations' notes when the gemeente's figures come from its registrations."""
    registraties = None
    if r.registratie_peildatum is not None:
        from sdrapport.inputs.registrations import load_config

        config = load_config(r.project.params)
        registraties = {"methode": config.methode, "drempel": config.drempel}
    return method_markdown(registraties, niveau=4, naam=r.naam, grootteklasse=r.grootteklasse, params=r.project.params,
                           catalogue=r.catalogus)


def begrippen(r) -> Markdown:
    """The glossary inside a report (its annex): every concept and indicator of the catalogue."""
    return glossary_markdown(r.catalogus)


# -- similar gemeenten, maps and signals ------------------------------------------------------------

_EENHEID_TEKST = {"aantal": "aantallen", "%": "percentages", "per 1.000 inwoners": "per 1.000 inwoners",
                  "per 1.000 huishoudens": "per 1.000 huishoudens", "per 100.000 inwoners": "per 100.000 inwoners",
                  "per 1.000 leerlingen": "per 1.000 leerlingen", "EUR x 1.000": "bedragen (x 1.000 euro)",
                  "score": "scores", "gemiddelde": "gemiddelden", "rapportcijfer": "rapportcijfers",
                  "jaar": "jaren (levensverwachting)", "index": "indexcijfers"}


def _drempel_tekst(d, eenheid: str) -> str:
    """A threshold (signals.Drempel, or None) as the method page states it: "10% en 3 procentpunt"."""
    from sdrapport.presentation.text.formatting import getal

    if d is None:
        return "geen"
    parts = []
    if d.relatief is not None:
        parts.append(f"{getal(d.relatief, 0 if float(d.relatief).is_integer() else 1)}%")
    for value in (d.procentpunt, d.absoluut):
        if value is not None:
            decimals = 0 if float(value).is_integer() else len(str(value).split(".")[1])
            parts.append(f"{getal(value, decimals)} {'procentpunt' if eenheid == '%' else ''}".strip())
    return " en ".join(parts)


def comparison_notes(params: Path, kop: str = "##", catalogue: Catalogue | None = None) -> str:
    """The method notes on similar gemeenten, maps and signals (Opvallend), with the thresholds of
    params/signalen.yml, headings at `kop`; for the site's method page and a report's annex. With
    the catalogue, indicators with thresholds of their own are named by their label."""
    from sdrapport.indicators import similar
    from sdrapport.presentation.elements.signals import load_config

    config = load_config(params)
    rows = "\n".join(f"| {_EENHEID_TEKST.get(e, e)} | {_drempel_tekst(d.get('verandering'), e)} | "
                     f"{_drempel_tekst(d.get('referentie'), e)} |" for e, d in config.drempels.items())
    eigen = []
    for ind_id, drempels in sorted(config.indicatoren.items()):
        ind = catalogue[ind_id] if catalogue is not None and ind_id in catalogue else None
        naam = ind.label if ind else ind_id
        eenheid = ind.eenheid if ind else ""
        delen = [f"{wat} {_drempel_tekst(drempels.get(soort), eenheid)}"
                 for soort, wat in (("verandering", "verandering"), ("referentie", "verschil met referentiegroep"))]
        eigen.append(f"{naam} ({', '.join(delen)})")
    eigen = markdown("; ".join(eigen) or "geen", begin=False)
    kenmerken = "\n".join(f"- {beschrijving}{' (logaritmisch)' if log else ''}, gewicht {str(gewicht).replace('.', ',')}"
                          for _, log, gewicht, beschrijving in similar.KENMERKEN)
    # The thresholds table is wider than a phone (320 px): a named, focusable region that scrolls by
    # itself, as every table of the reports. A raw <div> (not a fenced div) so that pandoc (site,
    # PDF) and nbconvert's markdown (the HTML version without Quarto) both read the table inside it.
    return f"""{kop} Vergelijkbare gemeenten

Naast de gemeenten van dezelfde grootteklasse toont elk hoofdstuk de vijf gemeenten die het meest op
de gemeente lijken. Ze worden één keer per jaar voor alle 342 gemeenten berekend uit de Kerncijfers
wijken en buurten van het CBS (1 januari), met deze kenmerken:

{kenmerken}

Elk kenmerk wordt gestandaardiseerd over alle gemeenten (het verschil met het gemiddelde, gedeeld door
de standaardafwijking), zodat een kenmerk met grote getallen niet zwaarder telt. De afstand tussen twee
gemeenten is de wortel uit de gewogen som van de gekwadrateerde verschillen; de vijf gemeenten met de
kleinste afstand zijn de vergelijkbare gemeenten. Bij gelijke afstand gaat de laagste gemeentecode
voor: dezelfde cijfers geven altijd dezelfde gemeenten. Een rapport gebruikt het profiel van de
1 januari die bij de periode hoort (of het jongste eerdere). Het gemiddelde van de vijf wordt berekend
zoals dat van de referentiegroep: alleen over gemeenten met een cijfer, en voor relatieve cijfers als
som van de afgeronde aantallen gedeeld door de som van de noemers. De SES-WOA-score staat niet in de
Kerncijfers en telt daarom niet mee.

{kop} Kaarten

De kaarten tonen een kerncijfer van elke gemeente van Nederland over de periode van het rapport, met
daarnaast de gemeenten van de eigen provincie. De gemeenten met een cijfer worden verdeeld over (ten
hoogste) vijf klassen met elk ongeveer evenveel gemeenten; de klassegrenzen zijn afgerond op de
decimalen waarmee het cijfer wordt getoond, en de laagste en hoogste grens omsluiten alle waarden. Een
waarde op een grens hoort bij de hogere klasse. Onder de kaart staan de klassen als balk, met daarboven
de waarde van de gemeente en daaronder het gemiddelde van de referentiegroep. Gemeenten zonder cijfer
(onbekend of niet geleverd) zijn gearceerd, niet publiceerbare cijfers grijs. De gemeentegrenzen zijn
die van 1 januari 2023 (CBS/PDOK, CC BY 4.0), gelijk aan die van 1 januari 2024; de alternatieve tekst
van elke kaart noemt de waarde en de plaats van de gemeente (1 is de hoogste).

{kop} Opvallend

Bovenaan de monitor en het raadsdashboard staan de cijfers die duidelijk veranderden ten opzichte van
de vorige periode (het halfjaar, kwartaal of jaar ervoor) of duidelijk afwijken van het gemiddelde van
de referentiegroep. Het gaat om de cijfers die het rapport als totaal laat zien. Een cijfer dat onbekend (?) of niet
publiceerbaar (-) is, geeft nooit een signaal.

Afronding telt mee. Een afgerond aantal van 10 kan in werkelijkheid 5 tot en met 12 zijn, een aantal van
15 ook 13 tot en met 17; een cijfer per 1.000 inwoners dat daaruit is berekend, ligt dus ook binnen
grenzen. Een verschil telt alleen voor zover het buiten die grenzen reikt: als de grenzen elkaar
overlappen, kan de afronding het verschil verklaren en is het geen signaal. Anders moet het kleinste
verschil dat de afgeronde cijfers toelaten de drempel halen. Zo is 10 naar 15 geen signaal (het kan 12
naar 13 zijn), maar 100 naar 150 wel (minstens 102 naar 148). Een relatieve drempel geldt ten opzichte
van het eerdere cijfer of het gemiddelde. De drempels (params/signalen.yml):

<div class="sd-tabel" role="region" tabindex="0" aria-label="Drempels voor Opvallend">

| cijfers | verandering | verschil met referentiegroep |
| --- | --- | --- |
{rows}

</div>

Eigen drempels: {eigen}. De sterkste signalen staan bovenaan, ten hoogste {config.maximum}
per rapport. Op de website verwijst elk signaal naar de figuur of tabel waarin het cijfer staat, in de
PDF naar het hoofdstuk.

"""


__all__ = ["begrippen", "comparison_notes", "glossary_entries", "glossary_markdown", "method_markdown", "methode", "registration_notes"]
