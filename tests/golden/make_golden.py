"""Writes the golden input files of tests/test_import_golden.py (run by hand after changing a case).

The Histologe expected values are built (by ``histologe_expected_rows``, in the test) from two hand-made parts: ``histologe-*.counts.csv``
(the non-zero counts, worked out by hand from the rows below) and HISTOLOGE_COVERAGE (which
départements, months and indicators each export covers): an export is a snapshot, so every other
commune, month and indicator it covers is expected with a zero.

Every value is fictitious. The Histologe rows carry fictitious personal data (DUPONT, 0612345678,
jean.dupont@example.org…) on purpose: the tests check that none of it reaches the database. The
header lines are those documented in ../shared/data/histologe (three generations).

    .venv/bin/python tests/golden/make_golden.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent.parent / "shared" / "data" / "histologe"
REFERENTIEL = SHARED.parent / "referentiel"
ALL_HISTOLOGE = [
    "signalements_deposes",
    "signalements_clotures",
    "signalements_clotures_travaux",
    "signalements_clotures_relogement",
    "signalements_clotures_sans_suite",
    "signalements_clotures_sans_infraction",
    "signalements_insalubrite",
    "signalements_non_decence",
    "signalements_precarite_energetique",
]
# case → (départements of its signalements, first month, last month, indicators its columns measure)
HISTOLOGE_COVERAGE = {
    "histologe-2026-complet": (["38", "72"], "2026-01", "2026-03", ALL_HISTOLOGE),
    "histologe-2025-virgule": (["38"], "2025-09", "2025-10", ALL_HISTOLOGE),
    "histologe-2023-ancien": (["38"], "2023-01", "2023-03", ALL_HISTOLOGE),
    "histologe-2026": (["38"], "2026-05", "2026-05", ALL_HISTOLOGE),
    # default columns: no closure date, motive nor visit conclusion (Chambéry, 73, is left out)
    "histologe-2026-defaut": (["38"], "2026-03", "2026-04", ["signalements_deposes", "signalements_precarite_energetique"]),
}

PERSONAL = {
    "Nom occupant": "DUPONT",
    "Prénom occupant": "Jean",
    "Tél. occupant": "'0612345678'",
    "Téléphone sec.": "'0698765432'",
    "E-mail occupant": "jean.dupont@example.org",
    "Adresse": "12 rue des Lilas",
    "Étage": "3",
    "Escalier": "B",
    "Appartement": "31",
    "Complément": "Résidence Les Tilleuls",
    "Numéro allocataire": "7654321X",
    "Nom bailleur": "BAILLEUR-FICTIF",
    "Prénom bailleur": "Paul",
    "E-mail bailleur": "bailleur.fictif@example.org",
    "Tél. bailleur": "'0476000000'",
    "Adresse bailleur": "1 place du Marché fictif",
    "Nom tiers": "TIERS-FICTIF",
    "E-mail tiers": "tiers.fictif@example.org",
    "Matricule tiers": "MAT-998877",
    "Longitude": "5.7245",
    "Latitude": "45.1885",
    "Commentaire de clôture": "Vu avec Mme DUPONT au 0612345678",
    "Comm. de la dernière visite": "Visite chez DUPONT, moisissures",
    "Autre situation de vulnérabilité": "DUPONT enceinte",
}


def _header(name: str, sep: str) -> list[str]:
    line = (SHARED / name).read_text(encoding="utf-8").strip()
    return next(csv.reader([line], delimiter=sep))


def _rows(header: list[str], signalements: list[dict[str, str]]) -> list[list[str]]:
    rows = []
    for values in signalements:
        row = []
        for column in header:
            if column in values:
                row.append(values[column])
            elif column in PERSONAL:
                row.append(PERSONAL[column])
            else:
                row.append("-" if "bailleur" in column or "tiers" in column else "")
        rows.append(row)
    return rows


def _write_csv(path: Path, header: list[str], rows: list[list[str]], sep: str, quoting: int, encoding: str, bom: bool = False) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=sep, quoting=quoting, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def histologe_2026_full() -> None:
    """Since April 2026: `;`, BOM, minimal quoting, « Fermé le », every column ticked."""
    header = _header("header-full-2026.txt", ";")
    signalements = [
        {"Référence": "2026-1", "Déposé le": "03/02/2026", "Statut": "en cours", "Description": "Humidité; moisissures chez M. DUPONT",
         "Code postal": "38000", "Commune": "Grenoble", "Code INSEE": "38185", "EPCI": "Grenoble-Alpes-Métropole",
         "Situations": "Aération / humidité|Chauffage / confort", "Ccl. de la dernière visite": "NON_DECENCE", "Logement social": "Non"},
        {"Référence": "2026-2", "Déposé le": "15/02/2026", "Statut": "fermé", "Code postal": "38100", "Commune": "Grenoble",
         "Code INSEE": "38185", "Situations": "Structure du bâti", "Ccl. de la dernière visite": "RSD,INSALUBRITE",
         "Fermé le": "20/03/2026", "Motif de clôture": "Travaux faits ou en cours", "Logement social": "Oui"},
        {"Référence": "2026-3", "Déposé le": "01/03/2026", "Statut": "fermé", "Code postal": "38130", "Commune": "Échirolles",
         "Code INSEE": "38151", "Situations": "les performances énergétiques", "Fermé le": "25/03/2026",
         "Motif de clôture": "Refus de visite", "Logement social": "Non renseigné"},
        {"Référence": "2026-4", "Déposé le": "05/03/2026", "Statut": "fermé", "Code postal": "38270", "Commune": "Porte-des-Bonnevaux",
         "Code INSEE": "38479", "Situations": "Structure / équipements", "Fermé le": "28/03/2026", "Motif de clôture": "Insalubrité",
         "Logement social": "Non"},
        {"Référence": "2026-5", "Déposé le": "10/01/2026", "Statut": "fermé", "Code postal": "72000", "Commune": "Le Mans",
         "Code INSEE": "72181", "Situations": "Suroccupation", "Fermé le": "30/01/2026",
         "Motif de clôture": "Pas d'infraction dans le logement", "Logement social": "Oui"},
    ]  # fmt: skip
    _write_csv(HERE / "histologe-2026-complet.csv", header, _rows(header, signalements), ";", csv.QUOTE_MINIMAL, "utf-8", bom=True)


def histologe_2025_comma() -> None:
    """August 2024 – April 2026: `,`, every field quoted, no BOM, « Clôturé le » until December 2025."""
    header = ["Clôturé le" if h == "Fermé le" else h for h in _header("header-full-2024-2026-comma.txt", ",")]
    signalements = [
        {"Référence": "2025-10", "Déposé le": "12/09/2025", "Statut": "fermé",
         "Description": "Chauffage en panne, fenêtres\nqui ferment mal, chez DUPONT", "Code postal": "38400",
         "Commune": "Saint-Martin-d'Hères", "Code INSEE": "38421", "Situations": "Chauffage / confort|Etanchéité / isolation",
         "Ccl. de la dernière visite": "LOGEMENT_DECENT", "Clôturé le": "02/10/2025",
         "Motif de clôture": "Relogement occupant", "Logement social": "Oui"},
        {"Référence": "2025-11", "Déposé le": "20/09/2025", "Statut": "en cours", "Code postal": "38200", "Commune": "Vienne",
         "Code INSEE": "38544", "Situations": "Structure du bâti|Sécurite risques particuliers",
         "Ccl. de la dernière visite": "SUSPICION_INSALUBRE,NON_DECENCE", "Logement social": "Non"},
        {"Référence": "2025-12", "Déposé le": "03/10/2025", "Statut": "nouveau", "Code postal": "38200", "Commune": "Vienne",
         "Code INSEE": "38544", "Situations": "Eau potable / assainissement", "Logement social": "Non"},
    ]  # fmt: skip
    _write_csv(HERE / "histologe-2025-virgule.csv", header, _rows(header, signalements), ",", csv.QUOTE_ALL, "utf-8")


def histologe_2023_old() -> None:
    """Until about August 2024: `;`, no BOM, Nom / Prénom / Téléphone / Email, « Clôturé le », « Criticité au dépôt »
    in 4th position, « Géolocalisation » as one JSON cell; saved by Excel in Windows-1252."""
    header = [
        "Référence", "Déposé le", "Statut", "Criticité au dépôt", "Description", "Type déclarant", "Nom", "Prénom", "Téléphone",
        "Email", "Adresse", "Code postal", "Commune", "Code INSEE", "Nb adultes", "Nb enfants", "Situations", "Désordres",
        "Logement social", "Visité le", "Ccl. de la dernière visite", "Clôturé le", "Motif de clôture", "Géolocalisation",
    ]  # fmt: skip
    rows = [
        ["2023-1", "04/01/2023", "fermé", "35,2", "Logement très froid chez DUPONT", "Locataire", "DUPONT", "Jean", "0612345678",
         "jean.dupont@example.org", "12 rue des Lilas", "38000", "Grenoble", "38185", "2", "1", "le confort du logement|les performances énergétiques",
         "", "Oui", "20/01/2023", "NON_DECENCE", "15/03/2023", "Logement décent / Pas d'infraction", '{"lat":45.1885,"lng":5.7245}'],
        ["2023-2", "17/01/2023", "en cours", "62", "Murs qui s'effritent", "Tiers particulier", "DUPONT", "Marie", "0612345678",
         "jean.dupont@example.org", "12 rue des Lilas", "38300", "Bourgoin-Jallieu", "38053", "1", "0", "l'état et propreté du logement",
         "", "Non", "", "", "", "", '{"lat":45.59,"lng":5.27}'],
    ]  # fmt: skip
    _write_csv(HERE / "histologe-2023-ancien.csv", header, rows, ";", csv.QUOTE_MINIMAL, "cp1252")


def histologe_2026_default() -> None:
    """The preselected columns only (no « Code INSEE »): communes are found from « Code postal » + « Commune »."""
    header = _header("header-default-2026.txt", ";")
    base = {"Statut": "nouveau", "Description": "Signalement de DUPONT", "Type déclarant": "Locataire", "Allocataire": "Oui"}
    signalements = [
        {**base, "Référence": "2026-20", "Déposé le": "02/04/2026", "Code postal": "38000", "Commune": "Grenoble",
         "Situations": "Chauffage / confort", "Logement social": "Non"},
        {**base, "Référence": "2026-21", "Déposé le": "03/04/2026", "Code postal": "38400", "Commune": "ST MARTIN D'HERES",
         "Situations": "Suroccupation", "Logement social": "Oui"},
        {**base, "Référence": "2026-22", "Déposé le": "07/04/2026", "Code postal": "38270", "Commune": "Porte-des-Bonnevaux",
         "Situations": "Incurie", "Logement social": "Non"},
        {**base, "Référence": "2026-23", "Déposé le": "09/03/2026", "Code postal": "38130", "Commune": "Echirolles",
         "Situations": "Etanchéité / isolation", "Logement social": "Non"},
        {**base, "Référence": "2026-24", "Déposé le": "10/03/2026", "Code postal": "73000", "Commune": "Chambéry",
         "Situations": "Incurie", "Logement social": "Non"},
        {**base, "Référence": "2026-25", "Déposé le": "11/03/2026", "Code postal": "38999", "Commune": "Villeneuve-sur-Lune",
         "Situations": "Incurie", "Logement social": "Non"},
        {**base, "Référence": "2026-26", "Déposé le": "31/02/2026", "Code postal": "38000", "Commune": "Grenoble",
         "Situations": "Incurie", "Logement social": "Non"},
    ]  # fmt: skip
    _write_csv(HERE / "histologe-2026-defaut.csv", header, _rows(header, signalements), ";", csv.QUOTE_MINIMAL, "utf-8", bom=True)


def histologe_2026_xlsx() -> None:
    """The XLSX export: real date cells; « Code INSEE » and « Code postal » turned into numbers."""
    header = _header("header-full-2026.txt", ";")
    values = [
        {"Référence": "2026-30", "Déposé le": dt.datetime(2026, 5, 4), "Statut": "fermé", "Code postal": 38000, "Commune": "Grenoble",
         "Code INSEE": 38185, "Situations": "Chauffage / confort", "Fermé le": dt.datetime(2026, 5, 20),
         "Motif de clôture": "Départ occupant", "Logement social": "Non"},
        {"Référence": "2026-31", "Déposé le": dt.datetime(2026, 5, 6), "Statut": "en cours", "Code postal": 38200, "Commune": "Vienne",
         "Code INSEE": 38544, "Situations": "Structure du bâti", "Ccl. de la dernière visite": "INSALUBRITE", "Logement social": "Oui"},
    ]  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.title = "Signalements"
    sheet.append(header)
    for row in _rows(header, values):  # type: ignore[arg-type]
        sheet.append(row)
    _save(book, HERE / "histologe-2026.xlsx")


EXPECTED_HEADER = ["indicator_code", "territory_code", "granularity", "period_start", "value", "status", "source"]


def histologe_expected_rows(case: str) -> list[list[str]]:
    """The expected values of a Histologe case: the hand-made non-zero counts (``<case>.counts.csv``)
    plus a zero for every other indicator, commune and month the export covers (months before the
    last one are « définitif »), sorted. Built in memory by the test (no multi-megabyte golden file)."""
    communes = {
        dep: [row["code_commune"] for row in csv.DictReader((REFERENTIEL / f"{name}-communes.csv").open(encoding="utf-8"))]
        for dep, name in (("38", "isere"), ("72", "sarthe"))
    }
    source = "Histologe / Signal Logement"
    departements, first, last, indicators = HISTOLOGE_COVERAGE[case]
    counts = {
        (row["indicator_code"], row["territory_code"], row["period_start"]): row
        for row in csv.DictReader((HERE / f"{case}.counts.csv").open(encoding="utf-8"), delimiter=";")
    }
    months, (year, month) = [], map(int, first.split("-"))
    while f"{year}-{month:02d}" <= last:
        months.append(f"{year}-{month:02d}-01")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    rows = []
    for indicator in indicators:
        for territory in (c for d in departements for c in communes[d]):
            for start in months:
                status = "provisoire" if start == months[-1] else "définitif"
                row = counts.pop((indicator, territory, start), None)
                value = row["value"] if row else "0"
                rows.append([indicator, territory, "month", start, value, row["status"] if row else status, source])
    assert not counts, f"{case}: counts outside the coverage {sorted(counts)}"
    return sorted(rows)


def long_xlsx() -> None:
    """A workbook with a notes sheet and a data sheet: codes typed as numbers, periods as date cells."""
    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Données transmises par la préfecture (fictives)"])
    data = book.create_sheet("Données")
    data.append(["Tableau de suivi EXPLOC 2024"])
    data.append([])
    data.append(["indicateur", "territoire", "periode", "valeur", "statut"])
    data.append(["cfp_demandes", 38185, dt.datetime(2024, 4, 1), 21, "définitif"])
    data.append(["cfp_accordes", 38185, dt.datetime(2024, 4, 1), 13, "définitif"])
    data.append(["expulsions_effectives", 38185.0, "2024-04", 6.0, "définitif"])
    data.append(["Expulsions effectives", "38563", "mai 2024", 2, "provisoire"])
    _save(book, HERE / "long-classeur.xlsx")


def wide_xlsx() -> None:
    """A wide workbook of yearly indicators (rows) for the département (given as an option); years as numbers."""
    book = Workbook()
    readme = book.active
    readme.title = "Lisez-moi"
    readme.append(["Bilan annuel du plan (valeurs fictives)"])
    sheet = book.create_sheet("Pilotage")
    sheet.append(["Indicateur", 2022, 2023, 2024, "Commentaire"])
    sheet.append(["Réunions des groupes techniques de la CCAPEX", 35, 36, 34, "fictif"])
    sheet.append(["referents_territoriaux", 13, 13, None, ""])
    sheet.append(["Projets d'habitat adapté", "-", 4, 5, ""])
    _save(book, HERE / "large-indicateurs.xlsx")


def _save(book: Workbook, path: Path) -> None:
    """Save with a fixed timestamp so that the bytes do not change from one run to the next."""
    book.properties.created = book.properties.modified = dt.datetime(2026, 1, 1)
    book.save(path)


if __name__ == "__main__":
    histologe_2026_full()
    histologe_2025_comma()
    histologe_2023_old()
    histologe_2026_default()
    histologe_2026_xlsx()
    long_xlsx()
    wide_xlsx()
