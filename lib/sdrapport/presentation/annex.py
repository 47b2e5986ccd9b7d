"""Method notes and glossary: one text for the site's pages (Methode, Begrippen) and for the annex
inside a report and its PDF (seed 002, chapter 6 Bijlagen: 6.1 Achtergronden bij de cijfers, 6.2
Begrippenlijst).

The glossary has one source, the catalogue `data/indicatoren.yml`: its `begrippen` (concepts such
as algemene voorziening or taakveld) and its indicators (label, definition, unit, source). Nothing
here keeps a list of its own. Every text from the catalogue is escaped (veilig.markdown).
"""
from __future__ import annotations

from sdrapport.indicators.catalogue import Catalogue
from sdrapport.inputs.contract import GROOTTEKLASSEN
from sdrapport.presentation.escaping import Markdown, markdown


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
                    grootteklasse: str | None = None) -> Markdown:
    """The method notes (reference group, rounding and secrecy, provisional figures, periods,
    registrations, sources) with headings at `niveau` ('##' on the site, '####' inside a report's
    annex). `registraties`: see registration_notes. With `naam` and `grootteklasse` the reference
    group of that gemeente is named."""
    kop = "#" * niveau
    classes = "\n".join(f"- {name}" for _, name in GROOTTEKLASSEN)
    eigen = ""
    if naam and grootteklasse:
        eigen = f"\n\n{markdown(f'Voor de gemeente {naam} is dat de grootteklasse {grootteklasse}.')}"
    registraties = registration_notes(registraties, kop)
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
    return method_markdown(registraties, niveau=4, naam=r.naam, grootteklasse=r.grootteklasse)


def begrippen(r) -> Markdown:
    """The glossary inside a report (its annex): every concept and indicator of the catalogue."""
    return glossary_markdown(r.catalogus)


__all__ = ["begrippen", "glossary_entries", "glossary_markdown", "method_markdown", "methode", "registration_notes"]
