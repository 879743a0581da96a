"""Histologe (Signal Logement) exports → monthly counts per commune. No personal data is kept.

One row of the export is one signalement, with personal columns (names, phones, e-mails,
addresses, free texts). Only the columns that aggregation needs are read (dates, commune, postal
code, INSEE code, closure motive, visit conclusion, situations and disorders, and « Logement
social » to check the alignment); every other cell is dropped while the row is read, after its
*shape* (date, code, text, phone…) has been noted for the first rows. The result holds counts
only: nothing of a single signalement leaves this module, and messages quote a cell only when it
is a date, a code or the name of a loaded commune (a shifted column could hold a name or an address).

Every generation of headers since 2023 is accepted (see ../shared/data/histologe/README.md and
KNOWN_HEADERS): ``;`` until 2024 with « Clôturé le » (« Commmune » with three m and two
« Téléphone » from April to October 2023), ``,`` with every field quoted (2024–2026), ``;`` with BOM
and « Fermé le » since April 2026; CSV or XLSX. Counts, by month:

- ``signalements_deposes``: by « Déposé le »;
- ``signalements_clotures`` and its motive groups: by « Clôturé le » / « Fermé le »;
- ``signalements_insalubrite``, ``signalements_non_decence``, ``signalements_precarite_energetique``:
  by « Déposé le », classified by the rules of ``histologe.yaml`` (or the given classification).

Territory: a row is placed by its INSEE code, else its postal code; a row of a département that no
loaded plan covers is left out and counted in a warning, never matched by name to a local homonym
(see :meth:`Referential.commune`).

An export is a snapshot of what it covers: every indicator it can measure gets a value, zeros
included, for every (commune, month) it covers — each commune of its signalements and each month
from its first to its last date — so that a newer export corrects the counts of an older one. An
export may be filtered (by commune, EPCI, territory): a commune without any signalement in the file
is then not covered, and its stored counts are left alone. Only with ``ImportOptions.complete`` (the
user says the export holds every commune: « --complete », the page's « Export complet » box) do all
the communes of the export's départements get their zeros too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from data_access.errors import UserError
from data_access.importers.options import ImportOptions
from data_access.importers.reading import read_rows
from data_access.importers.referential import Referential
from data_access.importers.text import MISSING, fold, parse_dates, safe_excerpt
from data_access.yaml_files import read_yaml

CLASSIFICATION_FILE = Path(__file__).with_name("histologe.yaml")
DEFAULT_SOURCE = "Histologe / Signal Logement"
DEPOSITED, CLOSED = "signalements_deposes", "signalements_clotures"
HIDDEN = "valeur non reproduite"

# folded header label → role; several generations of labels map to one role
ROLES = {
    "depose le": "deposited",
    "cloture le": "closed",
    "ferme le": "closed",
    "code insee": "insee",
    "code postal": "postal",
    "commune": "commune",
    "commmune": "commune",  # April–October 2023
    "motif de cloture": "motif",
    "ccl de la derniere visite": "conclusion",
    "conclusion de la derniere visite": "conclusion",
    "ccl de la visite": "conclusion",
    "conclusion de la visite": "conclusion",  # February–September 2024: every visit, joined with |
    "situations": "situations",
    "desordres": "categories",  # the new form's disorders, when « Situations » is empty (until September 2024)
    "logement social": "yes_no",
}
DATE_LIKE = r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
CODE_LIKE = r"\d{5}|2[AB]\d{3}"

# --- shapes: what a cell looks like, without its value ---------------------------------------------

_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}(?: \d{1,2}:\d{2}(?::\d{2})?)?|\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_CODE = re.compile(r"\d{4,5}|2[ABab]\d{3}")
_REFERENCE = re.compile(r"\d{4}-\d{1,7}")
_PHONE = re.compile(r"\+?[\d][\d .\-/]{7,}")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
SHAPE_WORDS = {
    "vide": "des cellules vides",
    "date": "des dates",
    "code": "des codes à 5 chiffres (codes postaux ou INSEE)",
    "reference": "des références de signalement",
    "oui/non": "des « Oui » / « Non »",
    "e-mail": "des adresses électroniques",
    "telephone": "des numéros de téléphone",
    "nombre": "des nombres",
    "adresse": "du texte avec des chiffres (des adresses, par exemple)",
    "texte": "du texte sans chiffres",
}


def cell_shape(cell: str) -> str:
    """What a cell looks like (a key of SHAPE_WORDS), never what it says."""
    text = str(cell).strip().strip("'").strip()
    if not text or text.lower() in MISSING:
        return "vide"
    if _DATE.fullmatch(text):
        return "date"
    if _CODE.fullmatch(text):
        return "code"
    if _REFERENCE.fullmatch(text):
        return "reference"
    if fold(text) in ("oui", "non", "non renseigne"):
        return "oui/non"
    if "@" in text:
        return "e-mail"
    if _PHONE.fullmatch(text) and sum(c.isdigit() for c in text) >= 9:
        return "telephone"
    if _NUMBER.fullmatch(text):
        return "nombre"
    if any(c.isdigit() for c in text):
        return "adresse"
    return "texte"


def row_shapes(cells: Sequence[str]) -> list[str]:
    return [cell_shape(c) for c in cells]


# What the cells under a label look like in a well-formed export (folded label → (shapes, whether
# the cell must be filled)). Used to check that header and data are aligned, and to find where a
# header cell is missing.
EXPECTED_SHAPES: dict[str, tuple[frozenset[str], bool]] = {
    "reference": (frozenset({"reference"}), True),
    "depose le": (frozenset({"date"}), True),
    "code postal": (frozenset({"code"}), False),
    "code insee": (frozenset({"code"}), False),
    "commune": (frozenset({"texte"}), False),
    "commmune": (frozenset({"texte"}), False),
    "email": (frozenset({"e-mail"}), False),
    "e mail occupant": (frozenset({"e-mail"}), False),
    "tel occupant": (frozenset({"telephone"}), False),
    "telephone": (frozenset({"telephone"}), False),
    "logement social": (frozenset({"oui/non"}), False),
    "proprietaire averti": (frozenset({"oui/non"}), False),
    "preavis de depart": (frozenset({"oui/non"}), False),
    "demande de relogement": (frozenset({"oui/non"}), False),
    "declarant tiers": (frozenset({"oui/non"}), False),
    "cloture le": (frozenset({"date"}), False),
    "ferme le": (frozenset({"date"}), False),
    "derniere maj le": (frozenset({"date"}), False),
    "date de la derniere visite": (frozenset({"date"}), False),
    "visite le": (frozenset({"date"}), False),
    "longitude": (frozenset({"nombre"}), False),
    "latitude": (frozenset({"nombre"}), False),
    "motif de cloture": (frozenset({"texte"}), False),
}
ROLE_EXPECTED = {  # what a role's column should hold, after « au lieu de »
    "deposited": "dates (jj/mm/aaaa)",
    "closed": "dates (jj/mm/aaaa) ou de cellules vides",
    "postal": "codes postaux",
    "insee": "codes INSEE",
    "commune": "noms de commune",
    "yes_no": "« Oui », « Non » ou « Non renseigné »",
    "motif": "motifs de clôture",
}
FIT_SHARE = 0.8  # share of the non-empty sampled cells with the expected shape, to locate a shift
REFUSE_SHARE = 0.5  # below this share, a column read by the importer is not what its title says

# The full export header in force at several dates (MTES-MCT/histologe, SignalementExportHeader.php;
# ../shared/data/histologe/headers-by-date.txt), to name the column whose header cell is missing.
KNOWN_HEADERS = {
    "2023-06-15": (
        "Référence|Déposé le|Statut|Description|Nom|Prénom|Téléphone|Téléphone|Email|Adresse|Code postal|"
        "Commmune|Code INSEE|Étage|Escalier|Appartement|Complément|Situations|Désordres|Étiquettes|Photos|"
        "Documents|Propriétaire averti|Nb adultes|Nb enfants -6 ans|Nb enfants +6 ans|Allocataire|"
        "Numéro allocataire|Nature du logement|Superficie|Nom bailleur|Logement social|Préavis de départ|"
        "Demande de relogement|Déclarant tiers|Nom tiers|Structure tiers|Lien tiers occupant|"
        "Criticité au dépôt|Visité le|Occupant présent visite|Dernière MAJ le|Clôturé le|Motif de clôture|"
        "Criticité à la clôture"
    ),
    "2023-12-15": (
        "Référence|Déposé le|Statut|Criticité au dépôt|Description|Nom|Prénom|Téléphone|Téléphone sec.|Email|"
        "Adresse|Code postal|Commune|Code INSEE|Étage|Escalier|Appartement|Complément|Situations|Désordres|"
        "Étiquettes|Photos|Documents|Propriétaire averti|Nb adultes|Nb enfants -6 ans|Nb enfants +6 ans|"
        "Allocataire|Numéro allocataire|Nature du logement|Superficie|Nom bailleur|Logement social|"
        "Préavis de départ|Demande de relogement|Déclarant tiers|Nom tiers|Structure tiers|"
        "Lien tiers occupant|Visité le|Occupant présent visite|Statut de la visite|Dernière MAJ le|Clôturé le|"
        "Motif de clôture|Géolocalisation"
    ),
    "2024-06-15": (
        "Référence|Déposé le|Statut|Criticité au dépôt|Description|Nom|Prénom|Téléphone|Téléphone sec.|Email|"
        "Adresse|Code postal|Commune|Code INSEE|Étage|Escalier|Appartement|Complément|Situations|Désordres|"
        "Étiquettes|Photos|Documents|Propriétaire averti|Nb adultes|Nb enfants -6 ans|Nb enfants +6 ans|"
        "Allocataire|Numéro allocataire|Nature du logement|Superficie|Nom bailleur|Logement social|"
        "Préavis de départ|Demande de relogement|Déclarant tiers|Nom tiers|Structure tiers|"
        "Lien tiers occupant|Visité le|Occupant présent visite|Statut de la visite|Conclusion de la visite|"
        "Commentaire de la visite|Dernière MAJ le|Clôturé le|Motif de clôture|Géolocalisation"
    ),
    "2024-10-15": (
        "Référence|Déposé le|Statut|Criticité au dépôt|Description|Type déclarant|Nom occupant|"
        "Prénom occupant|Tél. occupant|Téléphone sec.|E-mail occupant|Adresse|Code postal|Commune|Code INSEE|"
        "Étage|Escalier|Appartement|Complément|Situations|Désordres|Étiquettes|Photos|Documents|"
        "Propriétaire averti|Nb personnes|Enfants -6 ans|Allocataire|Numéro allocataire|Nature du logement|"
        "Superficie|Nom bailleur|Logement social|Préavis de départ|Demande de relogement|Déclarant tiers|"
        "Nom tiers|E-mail tiers|Structure tiers|Lien tiers occupant|Nombre de visites|"
        "Date de la dernière visite|Occupant présent dernière visite|Statut de la dernière visite|"
        "Ccl. de la dernière visite|Comm. de la dernière visite|Dernière MAJ le|Clôturé le|Motif de clôture|"
        "Longitude|Latitude"
    ),
    "2025-03-15": (
        "Référence|Déposé le|Statut|Criticité au dépôt|Description|Type déclarant|Nom occupant|"
        "Prénom occupant|Tél. occupant|Téléphone sec.|E-mail occupant|Adresse|Code postal|Commune|Code INSEE|"
        "Étage|Escalier|Appartement|Complément|Situations|Désordres|Début des désordres|Étiquettes|Photos|"
        "Documents|Propriétaire averti|Date d'information du propriétaire|Moyen d'information du propriétaire|"
        "Nb personnes|Nb enfants|Enfants -6 ans|Allocataire|Numéro allocataire|Nature du logement|Superficie|"
        "Nom bailleur|Logement social|Préavis de départ|Demande de relogement|Déclarant tiers|Nom tiers|"
        "E-mail tiers|Structure tiers|Lien tiers occupant|Nombre de visites|Date de la dernière visite|"
        "Occupant présent dernière visite|Statut de la dernière visite|Ccl. de la dernière visite|"
        "Comm. de la dernière visite|Dernière MAJ le|Clôturé le|Motif de clôture|Longitude|Latitude"
    ),
    "2025-10-15": (
        "Référence|Déposé le|Statut|Criticité au dépôt|Description|Type déclarant|Nom occupant|"
        "Prénom occupant|Tél. occupant|Téléphone sec.|E-mail occupant|Adresse|Code postal|Commune|Code INSEE|"
        "EPCI|Étage|Escalier|Appartement|Complément|Situations|Désordres|Début des désordres|Étiquettes|"
        "Photos|Documents|Propriétaire averti|Date d'information du propriétaire|"
        "Moyen d'information du propriétaire|Nb personnes|Nb enfants|Enfants -6 ans|Allocataire|"
        "Numéro allocataire|Nature du logement|Superficie|Nom bailleur|Logement social|Préavis de départ|"
        "Demande de relogement|Déclarant tiers|Nom tiers|E-mail tiers|Structure tiers|Lien tiers occupant|"
        "Nombre de visites|Date de la dernière visite|Occupant présent dernière visite|"
        "Statut de la dernière visite|Ccl. de la dernière visite|Comm. de la dernière visite|Dernière MAJ le|"
        "Clôturé le|Motif de clôture|Commentaire de clôture|Longitude|Latitude"
    ),
    "2026-02-15": (
        "Référence|Déposé le|Statut|Description|Type déclarant|Nom occupant|Prénom occupant|Tél. occupant|"
        "Téléphone sec.|E-mail occupant|Adresse|Code postal|Commune|Code INSEE|EPCI|Étage|Escalier|"
        "Appartement|Complément|Type occupant|Situations|Désordres|Criticité au dépôt|Début des désordres|"
        "Étiquettes|Photos|Documents|Nom bailleur|Prénom bailleur|Dénomination bailleur|Adresse bailleur|"
        "Code postal bailleur|Ville bailleur|Tél. bailleur|Tél. sec. bailleur|E-mail bailleur|"
        "Propriétaire averti|Date d'information du propriétaire|Moyen d'information du propriétaire|"
        "Nb personnes|Nb enfants|Enfants -6 ans|Allocataire|Numéro allocataire|Nature du logement|Superficie|"
        "Logement social|Préavis de départ|Demande de relogement|Déclarant tiers|Nom tiers|E-mail tiers|"
        "Structure tiers|Lien tiers occupant|Nombre de visites|Date de la dernière visite|"
        "Occupant présent dernière visite|Statut de la dernière visite|Ccl. de la dernière visite|"
        "Comm. de la dernière visite|Dernière MAJ le|Fermé le|Motif de clôture|Commentaire de clôture|"
        "Longitude|Latitude"
    ),
    "2026-06-15": (
        "Référence|Déposé le|Statut|Description|Type déclarant|Nom occupant|Prénom occupant|Tél. occupant|"
        "Téléphone sec.|E-mail occupant|Adresse|Code postal|Commune|Code INSEE|EPCI|Étage|Escalier|"
        "Appartement|Complément|Type occupant|Situations|Désordres|Criticité au dépôt|Début des désordres|"
        "Étiquettes|Photos|Documents|Nom bailleur|Prénom bailleur|Dénomination bailleur|Adresse bailleur|"
        "Code postal bailleur|Ville bailleur|Tél. bailleur|Tél. sec. bailleur|E-mail bailleur|"
        "Propriétaire averti|Date d'information du propriétaire|Moyen d'information du propriétaire|"
        "Nb personnes|Nb enfants|Enfants -6 ans|Autre situation de vulnérabilité|Allocataire|"
        "Numéro allocataire|Nature du logement|Autres occupants désordres|Superficie|Logement social|"
        "Préavis de départ|Demande de relogement|Déclarant tiers|Nom tiers|Matricule tiers|E-mail tiers|"
        "Structure tiers|Lien tiers occupant|Nombre de visites|Date de la dernière visite|"
        "Occupant présent dernière visite|Statut de la dernière visite|Ccl. de la dernière visite|"
        "Comm. de la dernière visite|Dernière MAJ le|Fermé le|Motif de clôture|Commentaire de clôture|"
        "Longitude|Latitude|Zones"
    ),
}


@dataclass
class HistologeResult:
    """Counts as observation rows (indicator_code, territory_code, granularity, period_start, value,
    status, source), row-level problems (line, column, value, problem), rows read, rows in error.

    ``warnings`` (same columns as ``problems``) are not errors: signalements of other départements,
    left out (the preview lists them as warnings, which do not block the import); ``outside`` counts
    them by département."""

    observations: pd.DataFrame
    problems: pd.DataFrame
    file_rows: int
    error_lines: int
    description: str
    notes: list[str]
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["line", "column", "value", "problem"]))
    outside: dict[str, int] = field(default_factory=dict)


def is_header(cells: Sequence[str]) -> bool:
    folded = {fold(c) for c in cells}
    return "depose le" in folded and ("reference" in folded or "statut" in folded)


def load_classification(path: Path | None = None) -> dict[str, Any]:
    """The classification rules (``types`` and ``closure_motives``) from YAML; UserError when malformed."""
    path = path or CLASSIFICATION_FILE
    try:
        config = read_yaml(path)
    except (OSError, yaml.YAMLError) as error:
        raise UserError(f"Classification Histologe illisible ({path.name}) : {error}") from error
    if (
        not isinstance(config, dict)
        or not isinstance(config.get("types", {}), dict)
        or not isinstance(config.get("closure_motives", {}), dict)
    ):
        raise UserError(f"Classification Histologe {path.name} : rubriques « types » et « closure_motives » attendues.")
    return config


def _role(label: str) -> str | None:
    return ROLES.get(fold(label))


def aggregate(data: bytes, options: ImportOptions, ref: Referential, classification: Mapping[str, Any] | None = None) -> HistologeResult:
    """Read a Histologe export and count signalements per commune and month (see the module docstring)."""
    config = classification if classification is not None else load_classification()
    read = read_rows(data, options.sheet, is_header, lambda label: _role(label) is not None, row_shapes)
    labels = read.labels
    roles: dict[str, int] = {}
    for i, label in enumerate(labels):
        roles.setdefault(str(_role(label)), i)  # the first column of a role wins (duplicate headers)
    closed_label = labels[roles["closed"]] if "closed" in roles else "Fermé le"
    if "deposited" not in roles:
        raise UserError("Export Histologe : la colonne « Déposé le » est absente ; cochez-la lors de l'export.")
    if "commune" not in roles and "insee" not in roles:
        raise UserError(
            "Export Histologe : ni « Code INSEE » ni « Commune » ne sont présents ; cochez au moins « Code postal » et « Commune »."
        )
    broken = [line for line, cells in read.rows if cells is None]
    _check_aligned(read.header, read.samples, len(broken), len(read.rows))
    kept = [(line, cells) for line, cells in read.rows if cells is not None]
    width = len(labels)
    frame = pd.DataFrame([cells for _, cells in kept], columns=range(width), dtype=object) if kept else pd.DataFrame(columns=range(width))
    lines = np.array([line for line, _ in kept], dtype=int)
    description = read.description
    del read, kept  # only the kept, non-personal columns remain

    def column(role: str) -> pd.Series:
        return frame[roles[role]].fillna("").astype(str) if role in roles else pd.Series([""] * len(frame), dtype=object)

    deposited, _ = parse_dates(column("deposited"))
    if len(deposited) and deposited.isna().mean() > 0.5:
        raise UserError(
            "Export Histologe : la plupart des cellules de la colonne « Déposé le » ne sont pas des dates : les en-têtes de ce fichier "
            "semblent décalés par rapport aux données (défaut connu de certains exports de 2025–2026). Exportez le fichier à nouveau."
        )
    closed, closed_blank = parse_dates(column("closed"))
    problems: list[pd.DataFrame] = [
        pd.DataFrame(
            {
                "line": broken,
                "column": "",
                "value": "",
                "problem": "n'a pas autant de champs que l'en-tête (en-têtes décalés ou séparateur dans une cellule) : ligne non lue",
            }
        )
    ]
    bad_deposit = deposited.isna().to_numpy()
    problems.append(_problems(lines, bad_deposit, "Déposé le", column("deposited"), "n'est pas une date (attendu : jj/mm/aaaa)"))
    bad_closed = (closed.isna() & ~closed_blank).to_numpy()
    problems.append(_problems(lines, bad_closed, closed_label, column("closed"), "n'est pas une date (attendu : jj/mm/aaaa, ou vide)"))

    places = pd.DataFrame({"insee": column("insee"), "postal": column("postal"), "commune": column("commune")})
    keys = list(places.itertuples(index=False, name=None))
    lookup = {key: ref.commune(*key) for key in dict.fromkeys(keys)}
    found = [lookup[key] for key in keys]
    codes = np.array([r.code for r in found], dtype=object)
    outside = np.array([r.outside for r in found], dtype=bool)
    bad_place = (codes == "") & ~outside
    place_problems = np.array([r.problem for r in found], dtype=object)
    if "commune" in roles:
        place_column, shown = labels[roles["commune"]], [v if ref.is_commune_name(v) else HIDDEN for v in places["commune"][bad_place]]
    else:
        place_column, shown = "Code INSEE", [safe_excerpt(v, CODE_LIKE) for v in places["insee"][bad_place]]
    problems.append(pd.DataFrame({"line": lines[bad_place], "column": place_column, "value": shown, "problem": place_problems[bad_place]}))
    in_error = bad_deposit | bad_closed | bad_place
    valid = ~(in_error | outside)
    error_lines = int(in_error.sum()) + len(broken)

    outside_rows = outside & ~in_error
    by_departement = Counter(r.departement for r, out in zip(found, outside_rows, strict=True) if out)
    homonyms = sum(r.homonym for r, out in zip(found, outside_rows, strict=True) if out)
    warnings = _outside_warnings(by_departement, homonyms)

    month = "datetime64[M]"
    signalements = pd.DataFrame(
        {
            "territory_code": codes[valid],
            "deposited": deposited.to_numpy()[valid].astype("datetime64[ns]").astype(month).astype("datetime64[ns]"),
            "closed": closed.to_numpy()[valid].astype("datetime64[ns]").astype(month).astype("datetime64[ns]"),
            "motif": column("motif").to_numpy()[valid],
            "conclusion": column("conclusion").to_numpy()[valid],
            "situations": _situations(column("situations"), column("categories")).to_numpy()[valid],
            "desordres": column("categories").to_numpy()[valid],
        }
    )
    dated = ~(bad_deposit | bad_closed)
    period = _period(deposited[dated], closed[dated])
    departements = {ref.commune_departement(c) for c in pd.unique(signalements["territory_code"])}
    measured, unmeasured = _measured(config, set(roles))
    covered = ref.communes_of(departements) if options.complete else sorted(pd.unique(signalements["territory_code"]))
    observations = _counts(signalements, config, options, measured, covered, period)

    notes = [f"{len(lines) + len(broken)} signalements lus ; seules les dates, la commune et les catégories ont été gardées, en mémoire."]
    if "insee" not in roles:
        notes.append("Sans colonne « Code INSEE » : communes retrouvées par leur code postal et leur nom.")
    unresolved = int(bad_place.sum())
    if unresolved:
        notes.append(f"{unresolved} signalement(s) dont la commune n'a pas été retrouvée (voir les erreurs).")
    fallback = int((_blank(column("situations")) & ~_blank(column("categories"))).to_numpy()[valid].sum())
    if fallback:
        notes.append(
            f"{fallback} signalement(s) sans « Situations » (nouveau formulaire, exports d'avant septembre 2024) classés d'après la "
            "colonne « Désordres »."
        )
    if not observations.empty and period is not None:
        first, last = (f"{p.year}-{p.month:02d}" for p in period)
        where = "des départements" if len(departements) > 1 else "du département"
        if options.complete:
            notes.append(
                f"Export lu comme un état complet : chaque indicateur mesuré reçoit une valeur, zéro compris, pour les "
                f"{observations['territory_code'].nunique()} communes {where} {', '.join(sorted(departements))} et chaque mois "
                f"de {first} à {last} ; un export plus récent corrige ainsi les comptes d'un export précédent."
            )
        else:
            notes.append(
                f"Export lu comme un état complet de ce qu'il couvre : chaque indicateur mesuré reçoit une valeur, zéro compris, "
                f"pour les {observations['territory_code'].nunique()} commune(s) où il a des signalements et chaque mois de {first} "
                f"à {last} ; les autres communes {where} {', '.join(sorted(departements))} gardent leurs valeurs. S'il couvre tout "
                "le département (export non filtré par commune ou territoire), cochez « Export complet du département » "
                "(option --complete) : ses autres communes recevront zéro."
            )
    if unmeasured:
        notes.append(
            "Non comptés, faute de colonne dans l'export (les valeurs déjà enregistrées restent) : "
            + " ; ".join(f"{code} ({need})" for code, need in unmeasured)
            + "."
        )
    return HistologeResult(
        observations=observations,
        problems=pd.concat(problems, ignore_index=True),
        file_rows=len(lines) + len(broken),
        error_lines=error_lines,
        description=description,
        notes=notes,
        warnings=warnings,
        outside=dict(sorted(by_departement.items())),
    )


def _problems(lines: np.ndarray, mask: np.ndarray, column: str, values: pd.Series, problem: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"line": lines[mask], "column": column, "value": [safe_excerpt(v, DATE_LIKE) for v in values.to_numpy()[mask]], "problem": problem}
    )


def _outside_warnings(by_departement: Mapping[str, int], homonyms: int) -> pd.DataFrame:
    """One warning for the signalements of départements that no loaded plan covers (left out)."""
    if not by_departement:
        return pd.DataFrame(columns=["line", "column", "value", "problem"])
    total = sum(by_departement.values())
    listed = ", ".join(f"{d} : {n}" for d, n in sorted(by_departement.items()))
    problem = (
        f"{total} signalement(s) d'autres départements (hors du département) laissés de côté, non comptés ({listed}), "
        "d'après leur code INSEE ou leur code postal"
        + (f" ; dont {homonyms} portant le nom d'une commune chargée (homonymes)" if homonyms else "")
        + "."
    )
    return pd.DataFrame({"line": [pd.NA], "column": [""], "value": [""], "problem": [problem]})


def _located(header: Sequence[str], samples: Sequence[Sequence[str]]) -> tuple[str, int, int]:
    """Where the header and the data part, from the shapes of the first rows: (``""`` when aligned,
    else a French sentence saying which header cell is missing or extra; fits, misfits)."""
    checked = [(i, EXPECTED_SHAPES[fold(label)]) for i, label in enumerate(header) if fold(label) in EXPECTED_SHAPES]
    cache: dict[tuple[int, int], bool | None] = {}

    def fit(i: int, j: int) -> bool | None:
        if (i, j) not in cache:
            expected, required = dict(checked)[i]
            shapes = [row[j] if 0 <= j < len(row) else "vide" for row in samples]
            filled = [s for s in shapes if s != "vide"]
            if required and len(filled) < FIT_SHARE * len(shapes):
                cache[i, j] = False
            elif not filled:
                cache[i, j] = None
            else:
                cache[i, j] = sum(s in expected for s in filled) >= FIT_SHARE * len(filled)
        return cache[i, j]

    def score(p: int, shift: int) -> tuple[int, int]:
        results = [fit(i, i + shift if i >= p else i) for i, _ in checked]
        return sum(r is True for r in results), sum(r is False for r in results)

    aligned = score(0, 0)
    if not samples or aligned[1] == 0:
        return "", *aligned
    best: tuple[tuple[int, int], int, list[int]] | None = None
    for shift in (1, -1):
        scores = {p: score(p, shift) for p in range(len(header) + 1)}
        top = max(scores.values(), key=lambda s: (s[0] - s[1], -s[1]))
        if best is None or (top[0] - top[1]) > (best[0][0] - best[0][1]):
            best = (top, shift, [p for p, s in scores.items() if s == top])
    assert best is not None
    (fits, misfits), shift, ps = best
    if fits - misfits <= aligned[0] - aligned[1] or misfits > 1:
        return "", *aligned
    low, high = min(ps), max(ps)
    before = header[low - 1] if low > 0 else None
    after = header[high] if high < len(header) else None
    if shift < 0:
        where = f"après « {before} »" if before else "au début"
        return (
            f"l'en-tête a une cellule de trop {where} : les données sont décalées d'une colonne par rapport à leurs titres",
            fits,
            misfits,
        )
    return _missing_sentence(header, before, after), fits, misfits


def _missing_sentence(header: Sequence[str], before: str | None, after: str | None) -> str:
    """« une cellule d'en-tête manque entre « A » et « B » (sans doute « X ») … »: labels only, never cells."""
    between = f"entre « {before} » et « {after} »" if before and after else f"avant « {after} »" if after else f"après « {before} »"
    names = _missing_names(header, before, after)
    named = f" (sans doute « {names[0]} »)" if len(names) == 1 else f" (l'une de {', '.join(f'« {n} »' for n in names)})" if names else ""
    return f"une cellule d'en-tête manque {between}{named} : les données sont décalées d'une colonne par rapport à leurs titres"


def _missing_names(header: Sequence[str], before: str | None, after: str | None) -> list[str]:
    """The labels that sit between ``before`` and ``after`` in the known full headers closest to
    ``header`` (most labels in common) and are not in ``header``: candidates for the missing cell."""
    present = {fold(label) for label in header}
    knowns = [text.split("|") for text in KNOWN_HEADERS.values()]
    overlap = {i: len(present & {fold(k) for k in known}) for i, known in enumerate(knowns)}
    closest = max(overlap.values(), default=0)
    names: list[str] = []
    for i, known in enumerate(knowns):
        if overlap[i] < closest:
            continue
        folded = [fold(k) for k in known]
        start = folded.index(fold(before)) + 1 if before and fold(before) in folded else 0 if before is None else None
        end = folded.index(fold(after)) if after and fold(after) in folded else len(known) if after is None else None
        if start is None or end is None or start > end:
            continue
        names += [k for k, f in zip(known[start:end], folded[start:end], strict=True) if f not in present and k not in names]
    return names if len(names) <= 3 else []


def _check_aligned(header: Sequence[str], samples: Sequence[Sequence[str]], broken: int, rows: int) -> None:
    """Refuse, with one message that quotes no cell, an export whose header and data are not aligned.

    Real exports of 2025–2026 had a header cell missing: every column after it holds its
    neighbour's data (« Commune » holds postal codes, « Code postal » addresses…), or rows have one
    field more than the header. The shapes of the first rows tell which columns hold what they
    should, and where the header breaks. A column read by the importer is refused when fewer than
    half of its sampled cells look right (single odd cells are row errors, not a shift)."""
    misfit_roles = []
    for i, label in enumerate(header):
        role = _role(label)
        if role in ROLE_EXPECTED and fold(label) in EXPECTED_SHAPES:
            expected, required = EXPECTED_SHAPES[fold(label)]
            shapes = [row[i] if i < len(row) else "vide" for row in samples]
            filled = [s for s in shapes if s != "vide"]
            bad = (required and len(filled) < REFUSE_SHARE * len(shapes)) or (
                filled and sum(s in expected for s in filled) < REFUSE_SHARE * len(filled)
            )
            if bad:
                held = Counter(filled).most_common(1)[0][0] if filled else "vide"
                misfit_roles.append(f"la colonne « {label} » contient surtout {SHAPE_WORDS[held]} au lieu de {ROLE_EXPECTED[role]}")
    many_broken = rows > 0 and broken > rows / 2
    if not misfit_roles and not many_broken:
        return
    where, _, _ = _located(header, samples)
    widths = Counter(len(row) for row in samples).most_common(1)
    if not where and many_broken and widths and widths[0][0] == len(header) + 1:
        # the columns read are aligned: the missing title is after the last column whose cells were checked
        last = max((i for i, label in enumerate(header) if fold(label) in EXPECTED_SHAPES), default=len(header) - 1)
        after = header[last + 1] if last + 1 < len(header) else None
        where = _missing_sentence(header, header[last], after)
    parts = []
    if many_broken:
        fields = f" (les lignes en ont {widths[0][0]})" if widths else ""
        parts.append(f"{broken} ligne(s) sur {rows} n'ont pas autant de champs que l'en-tête, qui a {len(header)} colonnes{fields}")
    parts += misfit_roles[:3]
    cause = f" : {where}" if where else ""
    raise UserError(
        "Export Histologe refusé : les en-têtes de ce fichier sont décalés par rapport aux données"
        + cause
        + " ; "
        + " ; ".join(parts)
        + ". C'est un défaut connu de certains exports de 2025–2026 : exportez le fichier à nouveau depuis Histologe. "
        "Rien n'a été importé."
    )


def _blank(cells: pd.Series) -> pd.Series:
    return cells.fillna("").astype(str).str.strip().str.lower().isin(MISSING)


def _situations(situations: pd.Series, categories: pd.Series) -> pd.Series:
    """« Situations », or the disorders of « Désordres » where « Situations » is empty: until
    September 2024, dossiers of the new form had their disorder categories there only."""
    return situations.where(~_blank(situations), categories)


def _period(deposited: pd.Series, closed: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The months an export covers: from its first « Déposé le » to its last date (deposit or closure)."""
    first = deposited.min()
    last = max([d for d in (deposited.max(), closed.max()) if pd.notna(d)], default=pd.NaT)
    if pd.isna(first) or pd.isna(last):
        return None
    return pd.Timestamp(first).to_period("M").to_timestamp(), pd.Timestamp(last).to_period("M").to_timestamp()


RULE_COLUMNS = {
    "conclusions": ("conclusion",),
    "motifs": ("motif",),
    "situations": ("situations", "categories"),
    "desordres": ("categories",),
}
RULE_LABELS = {
    "conclusions": "« Ccl. de la dernière visite »",
    "motifs": "« Motif de clôture »",
    "situations": "« Situations »",
    "desordres": "« Désordres »",
}


def _measured(config: Mapping[str, Any], roles: set[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The indicators the export's columns can measure (they get zeros too), and the others with the
    columns they would need. A type is measured when one column its rule reads is present."""
    measured, unmeasured = [DEPOSITED], []
    for indicator in [CLOSED, *(config.get("closure_motives") or {})]:
        need = ["closed"] if indicator == CLOSED else ["closed", "motif"]
        if set(need) <= roles:
            measured.append(indicator)
        else:
            unmeasured.append((indicator, "« Fermé le »" if indicator == CLOSED else "« Fermé le » et « Motif de clôture »"))
    for indicator, rule in (config.get("types") or {}).items():
        kinds = [k for k in RULE_COLUMNS if (rule or {}).get(k)]
        if any(set(RULE_COLUMNS[k]) & roles for k in kinds):
            measured.append(indicator)
        elif kinds:
            unmeasured.append((indicator, " ou ".join(RULE_LABELS[k] for k in kinds)))
    return measured, unmeasured


def _matches(cells: np.ndarray, rule: Mapping[str, Any], kind: str) -> np.ndarray:
    wanted = rule.get(kind) or []
    if not wanted:
        return np.zeros(len(cells), dtype=bool)
    if kind == "conclusions":
        # codes joined with « , » (one visit) and with « | » (every visit, February–September 2024)
        codes = {str(w).strip().upper() for w in wanted}
        return np.array([bool(codes & {c.strip().upper() for c in re.split(r"[|,]", str(v))}) for v in cells], dtype=bool)
    folded = {fold(w) for w in wanted}
    if kind == "motifs":
        return np.array([fold(v) in folded for v in cells], dtype=bool)
    return np.array([bool(folded & {fold(c) for c in str(v).split("|")}) for v in cells], dtype=bool)  # situations, desordres


def _counts(
    s: pd.DataFrame,
    config: Mapping[str, Any],
    options: ImportOptions,
    measured: Sequence[str],
    communes: Sequence[str],
    period: tuple[pd.Timestamp, pd.Timestamp] | None,
) -> pd.DataFrame:
    """Counts per indicator, commune and month, with a zero for every measured indicator, commune
    of ``communes`` and month of ``period`` that has no signalement."""
    columns = ["indicator_code", "territory_code", "granularity", "period_start", "value", "status", "source"]
    if period is None or not communes:
        return pd.DataFrame(columns=columns)
    frames = [s.groupby(["territory_code", "deposited"]).size().rename("value").reset_index().assign(indicator_code=DEPOSITED)]
    frames[0] = frames[0].rename(columns={"deposited": "period_start"})
    closed = s[s["closed"].notna()]
    frames.append(
        closed.groupby(["territory_code", "closed"])
        .size()
        .rename("value")
        .reset_index()
        .rename(columns={"closed": "period_start"})
        .assign(indicator_code=CLOSED)
    )
    for indicator, motifs in (config.get("closure_motives") or {}).items():
        mask = _matches(closed["motif"].to_numpy(), {"motifs": motifs}, "motifs")
        part = closed[mask].groupby(["territory_code", "closed"]).size().rename("value").reset_index()
        frames.append(part.rename(columns={"closed": "period_start"}).assign(indicator_code=indicator))
    for indicator, rule in (config.get("types") or {}).items():
        rule = rule or {}
        mask = (
            _matches(s["conclusion"].to_numpy(), rule, "conclusions")
            | _matches(s["motif"].to_numpy(), rule, "motifs")
            | _matches(s["situations"].to_numpy(), rule, "situations")
            | _matches(s["desordres"].to_numpy(), rule, "desordres")
        )
        part = s[mask].groupby(["territory_code", "deposited"]).size().rename("value").reset_index()
        frames.append(part.rename(columns={"deposited": "period_start"}).assign(indicator_code=indicator))
    key = ["indicator_code", "territory_code", "period_start"]
    sums = pd.concat(frames, ignore_index=True).groupby(key)["value"].sum()
    months = pd.date_range(period[0], period[1], freq="MS").astype("datetime64[ns]")
    grid = pd.MultiIndex.from_product([list(dict.fromkeys(measured)), list(communes), months], names=key)
    counts = sums.reindex(grid, fill_value=0).astype(float).rename("value").reset_index()
    counts["granularity"] = "month"
    if options.status:
        counts["status"] = options.status
    else:  # the month of the latest date in the file is still running: its counts are provisional
        counts["status"] = np.where(counts["period_start"] >= period[1], "provisoire", "définitif")
    counts["source"] = options.source or DEFAULT_SOURCE
    return counts[columns]


def masked_file_name(file_name: str) -> str:
    """Export file names carry the exporting agent's user name: it is not recorded.

    >>> masked_file_name("export-histologe-jdupont-20260501-101500-1a2b.csv")
    'export-histologe-(utilisateur masqué)-20260501-101500-1a2b.csv'
    """
    return re.sub(r"^(export-histologe-)(.+?)(-\d{8}-\d{6})", r"\1(utilisateur masqué)\3", file_name)
