"""Sentences: the Dutch narrative built from the data, phrased like the GMSD report (seed 002).

Each function takes a Rapport and returns markdown. A figure that is unknown ('?'), suppressed ('-')
or not delivered yields a sentence that says so ("Het aantal ... is onbekend."), never silence and
never a sentence with '?' in the middle of it.
"""
from __future__ import annotations

from sdrapport.presentation.text import formatting
from sdrapport.indicators.lineage import gemiddeld_over
from sdrapport.indicators.analysis import GEHEIM, ONBEKEND
from sdrapport.periods import Period
from sdrapport.presentation.report import Rapport
from sdrapport.presentation.text.escaping import Markdown, markdown, nadruk, samen


def in_periode(p: Period) -> str:
    """'in het tweede halfjaar 2023', 'in het eerste kwartaal 2024', 'in 2023'."""
    return f"in {p.label}" if p.kind == "J" else f"in het {p.label}"


def met_lidwoord(p: Period) -> str:
    """'het eerste kwartaal 2020', 'het tweede halfjaar 2023', '2023'."""
    return p.label if p.kind == "J" else f"het {p.label}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def onbeschikbaar(w, wat: str, wanneer: str) -> str | None:
    """The sentence for a figure that was delivered but cannot be shown, so that an unknown or
    suppressed figure is said, never silently left out: 'Het aantal ... is onbekend.' for '?', and
    for '-' that it is not published to protect privacy. None for a figure that was not delivered
    at all (the caller says that in its own words) and for an available figure."""
    if w.waarde_status == ONBEKEND:
        return f"Het aantal {wat} {wanneer} is onbekend."
    if w.waarde_status == GEHEIM:
        return (f"Het aantal {wat} {wanneer} wordt niet gepubliceerd: het is zo klein dat personen herkenbaar "
                "zouden kunnen zijn.")
    return None


def _erbij(zin: str | None) -> str:
    return f" {zin}" if zin else ""


def _referentie_zin(r: Rapport, ind: str, eenheid: str) -> str:
    ref = r.referentie(ind)
    if not ref.beschikbaar:
        return ""
    # "Vergelijkbare gemeenten" are the five of similar.py; the reference group is the size class.
    return (f" In gemeenten van dezelfde grootteklasse (de referentiegroep in dit rapport: {r.grootteklasse}) "
            f"is dit gemiddeld {ref.tekst} {eenheid}{over(ref)}.")


def over(ref) -> str:
    """' (over 12 van de 14 gemeenten met een cijfer)': whom a reference value averages, from its lineage."""
    return f" ({gemiddeld_over(ref.herkomst)})" if ref.herkomst is not None else ""


def bevolking(r: Rapport) -> str:
    inw, hh, size = r.waarde("inwoners"), r.waarde("huishoudens"), r.waarde("huishoudensgrootte")
    if not inw.beschikbaar:
        return f"Voor de gemeente {r.naam} is geen inwonertal bekend."
    zin = f"Op 1 januari {inw.periode.year} telde de gemeente {r.naam} {inw.tekst} inwoners"
    zin += f" en {hh.tekst} huishoudens." if hh.beschikbaar else "."
    zin += _erbij(onbeschikbaar(hh, "huishoudens", f"op 1 januari {inw.periode.year}"))
    if size.beschikbaar:
        zin += f" Een gemiddeld huishouden in de gemeente {r.naam} bestaat uit {size.tekst} personen."
        zin += _referentie_zin(r, "huishoudensgrootte", "personen per huishouden")
    return zin


def ses(r: Rapport) -> str:
    score = r.waarde("ses_woa")
    if not score.beschikbaar:
        return f"Voor de gemeente {r.naam} is geen SES-WOA score bekend."
    richting = "boven" if score.waarde > 0 else "onder" if score.waarde < 0 else "gelijk aan"
    zin = (f"De SES-WOA score van de gemeente {r.naam} was in {score.periode.year} {score.tekst}: "
           f"{'gelijk aan' if richting == 'gelijk aan' else richting + ' het'} Nederlands gemiddelde (0).")
    ref = r.referentie("ses_woa")
    if ref.beschikbaar:
        zin += f" Gemeenten met {r.grootteklasse} scoren gemiddeld {ref.tekst}{over(ref)}."
    return zin


def wmo_clienten(r: Rapport) -> str:
    n = r.waarde("wmo_clienten")
    when = in_periode(n.periode or r.periode)
    if not n.beschikbaar:
        return (onbeschikbaar(n, f"unieke cliënten met een maatwerkvoorziening Wmo in de gemeente {r.naam}", when)
                or f"{_capital(when)} heeft de gemeente {r.naam} geen cijfers over Wmo-maatwerkvoorzieningen gepubliceerd.")
    zin = f"In de gemeente {r.naam} waren er {when} {n.tekst} unieke cliënten met een maatwerkvoorziening Wmo."
    rel = r.waarde("wmo_clienten_per_1000")
    if rel.beschikbaar:
        zin += f" Dat zijn er {rel.tekst} per 1.000 inwoners."
        zin += _referentie_zin(r, "wmo_clienten_per_1000", "per 1.000 inwoners")
    else:
        zin += _erbij(onbeschikbaar(rel, "cliënten per 1.000 inwoners", when))
    return zin


def wmo_75plus(r: Rapport) -> str:
    rel = r.waarde("wmo_clienten_75plus_per_1000")
    if not rel.beschikbaar:
        # '?' or '-' is said; a figure that was not delivered at all leaves this paragraph out.
        return onbeschikbaar(rel, "cliënten met een maatwerkvoorziening Wmo per 1.000 inwoners van 75 jaar en ouder",
                             in_periode(rel.periode or r.periode)) or ""
    zin = (f"Van de inwoners van 75 jaar en ouder hadden er {in_periode(r.periode)} {rel.tekst} per 1.000 "
           f"een maatwerkvoorziening Wmo.")
    return zin + _referentie_zin(r, "wmo_clienten_75plus_per_1000", "per 1.000 inwoners van 75 jaar en ouder")


def wmo_beeindigd(r: Rapport) -> str:
    nu = r.waarde("wmo_trajecten_beeindigd")
    if not nu.beschikbaar:
        return (onbeschikbaar(nu, "beëindigde Wmo-trajecten", in_periode(nu.periode or r.periode))
                or f"Over beëindigde Wmo-trajecten {in_periode(r.periode)} zijn geen cijfers bekend.")
    toen = r.waarde("wmo_trajecten_beeindigd", nu.periode.year_before())
    zin = f"{_capital(in_periode(nu.periode))} werden {nu.tekst} Wmo-trajecten beëindigd"
    if toen.beschikbaar:
        zin += f", {in_periode(toen.periode)} ging dit om {toen.tekst} trajecten"
    return zin + "."


def jeugd(r: Rapport) -> str:
    trajecten, jongeren = r.waarde("jeugd_trajecten"), r.waarde("jeugd_jongeren")
    when = in_periode(trajecten.periode or r.periode)
    if not trajecten.beschikbaar:
        return (onbeschikbaar(trajecten, f"jeugdzorgtrajecten in de gemeente {r.naam}", when)
                or f"{_capital(when)} zijn voor de gemeente {r.naam} geen cijfers over jeugdzorgtrajecten bekend.")
    zin = f"In de gemeente {r.naam} zijn er {when} in totaal {trajecten.tekst} jeugdzorgtrajecten ingezet"
    zin += f" (bij {jongeren.tekst} unieke jongeren)." if jongeren.beschikbaar else "."
    zin += _erbij(onbeschikbaar(jongeren, "unieke jongeren met jeugdzorg", when))
    aandeel = r.waarde("jeugd_jongeren_aandeel")
    if aandeel.beschikbaar:
        zin += f" Dat is {aandeel.tekst} van de inwoners van 0-17 jaar."
        zin += _referentie_zin(r, "jeugd_jongeren_aandeel", "")
    return zin.replace(" .", ".")


def bijstand(r: Rapport) -> str:
    personen, rel = r.waarde("bijstand_personen"), r.waarde("bijstand_personen_per_1000")
    if not personen.beschikbaar:
        return (onbeschikbaar(personen, f"inwoners van de gemeente {r.naam} met een bijstandsuitkering",
                              f"aan het eind van {met_lidwoord(personen.periode or r.periode)}")
                or f"Voor de gemeente {r.naam} zijn over {r.periode.label} geen bijstandscijfers bekend.")
    zin = (f"Aan het eind van {met_lidwoord(personen.periode)} hadden {personen.tekst} inwoners van "
           f"de gemeente {r.naam} een bijstandsuitkering")  # the catalogue's definition: no bijstand-related benefits
    zin += f": {rel.tekst} per 1.000 inwoners." if rel.beschikbaar else "."
    if rel.beschikbaar:
        zin += _referentie_zin(r, "bijstand_personen_per_1000", "per 1.000 inwoners")
    else:
        zin += _erbij(onbeschikbaar(rel, "inwoners met bijstand per 1.000 inwoners", f"aan het eind van {met_lidwoord(personen.periode)}"))
    hh = r.waarde("bijstand_huishoudens_aandeel")
    if hh.beschikbaar:
        zin += f" Van alle huishoudens had {hh.tekst} bijstand."
    return zin


def bijstand_stromen(r: Rapport) -> str:
    instroom, uitstroom = r.waarde("bijstand_instroom"), r.waarde("bijstand_uitstroom")
    werk = r.waarde("bijstand_uitstroom", reden="Werk")
    if not (instroom.beschikbaar and uitstroom.beschikbaar):
        # Each unknown or suppressed flow is said; flows that were not delivered leave this out.
        zinnen = [onbeschikbaar(w, wat, in_periode(w.periode or r.periode))
                  for w, wat in ((instroom, "personen dat de bijstand instroomde"), (uitstroom, "personen dat de bijstand uitstroomde"))]
        return " ".join(z for z in zinnen if z)
    zin = f"{_capital(in_periode(instroom.periode))} stroomden {instroom.tekst} personen de bijstand in en {uitstroom.tekst} personen uit"
    zin += f", van wie {werk.tekst} naar werk." if werk.beschikbaar else "."
    return zin


def schuldhulp(r: Rapport) -> str:
    n = r.waarde("schuldhulp_aanmeldingen")
    if not n.beschikbaar:
        return (onbeschikbaar(n, "aanmeldingen voor schuldhulpverlening", in_periode(n.periode or r.periode))
                or f"Over schuldhulpverlening {in_periode(r.periode)} zijn voor de gemeente {r.naam} geen cijfers bekend.")
    zin = f"{_capital(in_periode(n.periode))} ontving de gemeente {r.naam} {n.tekst} aanmeldingen voor schuldhulpverlening."
    bereik = r.waarde("schuldhulp_bereik")
    if bereik.beschikbaar:
        zin += f" De schuldhulpverlening bereikte {bereik.tekst} van de huishoudens met problematische schulden."
    return zin


def stapeling(r: Rapport) -> str:
    rel = r.waarde("stapeling_per_1000")
    if not rel.beschikbaar:
        return (onbeschikbaar(rel, f"huishoudens per 1.000 met een voorziening in het sociaal domein in de gemeente {r.naam}",
                              in_periode(rel.periode or r.periode))
                or f"Voor de gemeente {r.naam} zijn over {r.periode.label} geen stapelingscijfers bekend.")
    zin = (f"In de gemeente {r.naam} hadden {in_periode(rel.periode)} {rel.tekst} per 1.000 huishoudens een voorziening "
           f"in het sociaal domein.")
    return zin + _referentie_zin(r, "stapeling_per_1000", "per 1.000 huishoudens")


def dashboard(r: Rapport) -> str:
    return (f"Dit dashboard geeft de raad van de gemeente {r.naam} een beeld van het sociaal domein {in_periode(r.periode)}: "
            f"per domein de belangrijkste cijfers met doel en verandering ten opzichte van {met_lidwoord(r.periode.year_before())}, "
            f"de ontwikkeling over de laatste acht kwartalen en tabellen per kwartaal en per jaar. Een jaarcijfer van unieke "
            f"personen telt iedereen één keer en is daarom geen som van de kwartalen.")


# What each kind of export feeds, as the dashboard names it.
SOORT_WOORDEN = {"voorzieningen": "cliënten met een voorziening", "aanvragen": "aanvragen en de tijdigheid van besluiten",
                 "uitkeringen": "uitkeringen en in- en uitstroom in de bijstand", "klachten": "klachten"}


def _opsomming(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def registraties(r: Rapport) -> str:
    """Where the dashboard's own figures come from: the kinds of export the gemeente delivered (and
    only those), the peildatum, and the disclosure control in force (rounded or suppressed)."""
    reg = r.registratie
    if reg.peildatum is None:
        return (f"De cijfers over aanvragen, klachten en cliënten van de gemeente {r.naam} zijn als totalen aangeleverd. "
                "Onder elke tabel staat de bron.")
    delivered = [SOORT_WOORDEN[s] for s in reg.soorten if s in SOORT_WOORDEN]
    others = [w for s, w in SOORT_WOORDEN.items() if s not in reg.soorten]
    zinnen = [f"De cijfers over {_opsomming(delivered) if delivered else 'cliënten'} zijn berekend uit de eigen registraties van "
              f"de gemeente {r.naam}, bijgewerkt tot en met {formatting.datum(reg.peildatum)}, volgens vaste definities met een "
              "naam en een versie (zie Definities)."]
    if others:
        zinnen.append(f"Over {_opsomming(others)} heeft de gemeente geen registraties aangeleverd: onder elke tabel staat "
                      "waar die cijfers vandaan komen.")
    if reg.methode == "drempel":
        zinnen.append(f"Aantallen van 1 tot en met {(reg.drempel or 10) - 1} zijn weggelaten (\"-\") zodat niemand in de cijfers "
                      "herkenbaar is; waar zo'n aantal uit een totaal terug te rekenen zou zijn, is ook een tweede aantal "
                      "weggelaten. De overige aantallen zijn niet afgerond.")
    else:
        zinnen.append("Alle aantallen zijn afgerond op vijftallen (0 tot en met 4 wordt 0, 5 tot en met 9 wordt 10), zodat "
                      "niemand in de cijfers herkenbaar is.")
    zinnen.append("Er staan geen gegevens over personen in dit rapport.")
    return " ".join(zinnen)


def definitiewijziging(r: Rapport, indicator, history) -> str:
    """Seed 001's appendix in words: what the old and new definition count and why the figures differ."""
    import datetime as dt

    new = history.iloc[-1]
    zinnen = []
    for old in history.iloc[:-1].itertuples(index=False):
        tot = dt.date.fromisoformat(str(old.tot))
        zinnen.append(samen(f"Tot en met {formatting.datum(tot)} telde de gemeente {r.naam} '{indicator.label.lower()}' volgens de "
                            "definitie ", nadruk(old.titel), f" (versie {old.definitie.split('/')[1]}): {old.uitleg}"))
    zinnen.append(samen("Nu geldt de definitie ", nadruk(new["titel"]), f" (versie {new['definitie'].split('/')[1]}): {new['uitleg']}"))
    zinnen.append(markdown("Dit rapport gebruikt de huidige definitie voor alle perioden, zodat de reeks vergelijkbaar blijft. De tabel "
                           "toont voor de perioden van de oude definitie beide tellingen naast elkaar. Het verschil komt alleen door de "
                           "andere manier van tellen: het betekent niet dat er in werkelijkheid meer of minder mensen zijn geholpen."))
    return Markdown("\n\n".join(zinnen))
