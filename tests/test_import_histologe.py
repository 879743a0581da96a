"""Histologe exports as the platform really writes them (issue 16), on SQLite and PostgreSQL.

Each test builds a small export in memory from a header the platform used (read from
../shared/data/histologe/headers-by-date.txt), with fictitious personal data in every column that
the importer must not keep (DUPONT, 0612345678, 12 rue des Lilas…):

1. a signalement of another département is never counted on a local homonym (Fontaine, Revel,
   Allonnes): the row's INSEE code, then its postal code, decide; the row is left out and counted;
2. visit conclusions joined with « | » (February–September 2024) are classified;
3. an export is a snapshot: a count that falls to zero in a newer export is corrected, zeros stored;
4. a header cell missing (2025–2026 exports) is refused with one message naming the column, and no
   message, report, log or database byte ever holds a personal value;
5. « Commmune » (three m) and two « Téléphone » (2023), « Situations » empty for the new form
   (until September 2024): its categories are read from « Désordres »;
7. précarité énergétique on the first form: its heating critères, in « Désordres », count.
"""

from __future__ import annotations

import csv
import io
import logging
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import select, text

from data_access.db import make_engine
from data_access.errors import UserError
from data_access.importers import ImportOptions, apply_import, prepare_import, revert_batch
from data_access.importers.referential import Referential
from data_access.models import Observation
from data_access.settings import load_settings

HEADERS_BY_DATE = load_settings().shared_data / "histologe" / "headers-by-date.txt"


def _generations() -> dict[str, list[str]]:
    """The full export header in force at each date of headers-by-date.txt."""
    found: dict[str, list[str]] = {}
    date = ""
    for line in HEADERS_BY_DATE.read_text(encoding="utf-8").splitlines():
        if line.startswith("=="):
            date = line.split(" on ")[1].split()[0]
        elif line.strip():
            found[date] = line.split("|")
    return found


GENERATIONS = _generations()
DEFAULT_2026 = [
    "Référence",
    "Déposé le",
    "Statut",
    "Description",
    "Type déclarant",
    "Nom occupant",
    "Prénom occupant",
    "Tél. occupant",
    "E-mail occupant",
    "Adresse",
    "Code postal",
    "Commune",
    "Situations",
    "Désordres",
    "Allocataire",
    "Logement social",
]
# what the importer reads (semantic key → the labels of every generation)
LABELS = {
    "reference": ("Référence",),
    "deposited": ("Déposé le",),
    "status": ("Statut",),
    "postal": ("Code postal",),
    "commune": ("Commune", "Commmune"),
    "insee": ("Code INSEE",),
    "situations": ("Situations",),
    "desordres": ("Désordres",),
    "social": ("Logement social",),
    "conclusion": ("Ccl. de la dernière visite", "Conclusion de la visite"),
    "closed": ("Clôturé le", "Fermé le"),
    "motif": ("Motif de clôture",),
}
# fictitious personal data, shaped as the platform writes it; every other column gets OTHER
PERSONAL = {
    "Nom": "DUPONT",
    "Nom occupant": "DUPONT",
    "Prénom": "Jean",
    "Prénom occupant": "Jean",
    "Téléphone": "'0612345678'",
    "Tél. occupant": "'0612345678'",
    "Téléphone sec.": "'0698765432'",
    "Email": "jean.dupont@example.org",
    "E-mail occupant": "jean.dupont@example.org",
    "Adresse": "12 rue des Lilas",
    "Description": "Humidité chez M. DUPONT, 12 rue des Lilas",
    "Nom bailleur": "BAILLEUR-FICTIF",
    "E-mail bailleur": "bailleur.fictif@example.org",
    "Tél. bailleur": "'0476000000'",
    "Adresse bailleur": "1 place du Marché fictif",
    "Nom tiers": "TIERS-FICTIF",
    "E-mail tiers": "tiers.fictif@example.org",
    "Numéro allocataire": "7654321X",
    "Longitude": "5.7245",
    "Latitude": "45.1885",
    "Géolocalisation": '{"lat":45.1885,"lng":5.7245}',
    "Commentaire de clôture": "Vu avec Mme DUPONT au 0612345678",
    "Comm. de la dernière visite": "Visite chez DUPONT",
    "Commentaire de la visite": "Visite chez DUPONT",
    "Autre situation de vulnérabilité": "DUPONT enceinte",
}
# realistic values of columns whose shape is checked; every other column gets OTHER
PLAIN = {
    "Statut": "en cours",
    "Propriétaire averti": "Non renseigné",
    "Préavis de départ": "Non",
    "Demande de relogement": "Non",
    "Déclarant tiers": "Non",
    "Dernière MAJ le": "10/05/2026",
    "Superficie": "Non renseigné",  # the platform writes it when the occupant did not say
}
OTHER = "Note DUPONT"
SEARCHED = [
    "DUPONT",
    "0612345678",
    "0698765432",
    "dupont@example.org",
    "rue des Lilas",
    "Lilas",
    "7654321X",
    "45.1885",
    "FICTIF",
    "0476000000",
]


def _cells(header: Sequence[str], values: Mapping[str, str], number: int, fill: Mapping[str, str]) -> list[str]:
    row = []
    defaults = {"social": "Non", "reference": f"2026-{number}", "status": "en cours"}
    for label in header:
        key = next((k for k, labels in LABELS.items() if label in labels), None)
        if key is not None:
            row.append(values.get(key, defaults.get(key, "")))
        else:
            row.append(fill.get(label, PERSONAL.get(label, PLAIN.get(label, OTHER))))
    return row


def export(
    header: Sequence[str],
    signalements: Sequence[Mapping[str, str]],
    *,
    sep: str = ";",
    quoting: int = csv.QUOTE_MINIMAL,
    xlsx: bool = False,
    drop: Sequence[str] = (),
    headless: str | None = None,
    fill: Mapping[str, str] | None = None,
) -> bytes:
    """An export of ``signalements`` under ``header``: ``drop`` removes columns (unticked),
    ``headless`` removes one header cell but keeps its data (the 2025–2026 fault), ``fill`` gives
    other columns a value."""
    columns = [label for label in header if label not in drop]
    rows = [_cells(columns, values, n, fill or {}) for n, values in enumerate(signalements, start=1)]
    titles = [label for label in columns if label != headless]
    if xlsx:
        book = Workbook()
        sheet = book.active
        sheet.append(titles)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=sep, quoting=quoting, lineterminator="\r\n")
    writer.writerow(titles)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


FULL_2026 = GENERATIONS["2026-06-15"]
GRENOBLE = {"insee": "38185", "postal": "38000", "commune": "Grenoble"}
ECHIROLLES = {"insee": "38151", "postal": "38130", "commune": "Échirolles"}


def _preview(conn, data: bytes, name: str = "export.csv", **options):  # type: ignore[no-untyped-def]
    return prepare_import(conn, data, name, ImportOptions(**options))


def _value(preview, indicator: str, territory: str, month: str) -> float | None:  # type: ignore[no-untyped-def]
    obs = preview.observations
    chosen = obs[(obs["indicator_code"] == indicator) & (obs["territory_code"] == territory) & (obs["period_start"] == pd.Timestamp(month))]
    return float(chosen["value"].iloc[0]) if len(chosen) else None


def _errors(preview) -> list[str]:  # type: ignore[no-untyped-def]
    return preview.issues.loc[preview.issues["gravite"] == "erreur", "message"].tolist()


def _warnings(preview) -> list[str]:  # type: ignore[no-untyped-def]
    return preview.issues.loc[preview.issues["gravite"] == "avertissement", "message"].tolist()


def _shown(preview) -> str:  # type: ignore[no-untyped-def]
    return (
        preview.text(max_issues=1000) + preview.report_csv().decode("utf-8-sig") + preview.observations.to_csv() + " ".join(preview.notes)
    )


def _no_personal_value(shown: str) -> None:
    assert not [v for v in SEARCHED if v in shown]


# --- 1. other départements ------------------------------------------------------------------------

HOMONYMS = [
    # (header, the row's place, the local homonym that must get nothing)
    pytest.param(FULL_2026, {"insee": "10153", "postal": "10200", "commune": "Fontaine"}, "38169", "10", id="insee-fontaine-aube"),
    pytest.param(DEFAULT_2026, {"postal": "31250", "commune": "Revel"}, "38334", "31", id="postal-revel-haute-garonne"),
    pytest.param(
        FULL_2026, {"insee": "49002", "postal": "49650", "commune": "Allonnes"}, "72003", "49", id="insee-allonnes-maine-et-loire"
    ),
    pytest.param(FULL_2026, {"insee": "10153", "postal": "38600", "commune": "Fontaine"}, "38169", "10", id="insee-beats-postal-code"),
]


@pytest.mark.parametrize(("header", "place", "homonym", "departement"), HOMONYMS)
def test_a_signalement_of_another_departement_is_never_counted_on_a_local_homonym(conn, header, place, homonym, departement):
    rows = [{"deposited": "03/02/2026", **GRENOBLE}, {"deposited": "04/02/2026", **place}, {"deposited": "05/02/2026", **place}]
    preview = _preview(conn, export(header, rows))
    assert not _errors(preview)
    counted = preview.observations[preview.observations["territory_code"] == homonym]
    assert (counted["value"] == 0).all()
    assert _value(preview, "signalements_deposes", "38185", "2026-02-01") == 1
    assert preview.warnings == 1 and not any("hors du département" in n for n in preview.notes)
    warning = _warnings(preview)[0]
    assert "2 signalement(s) d'autres départements" in warning and f"({departement} : 2)" in warning and "homonymes" in warning
    _no_personal_value(_shown(preview))


def test_a_signalement_of_another_departement_is_a_warning_that_does_not_block_the_import(conn):
    """The outside count is a warning (counted in the preview, in the report), not an error: the
    file imports without « exclure les lignes en erreur », and the outside row is stored nowhere."""
    rows = [
        {"deposited": "03/02/2026", **GRENOBLE},
        {"deposited": "04/02/2026", "insee": "10153", "postal": "10200", "commune": "Fontaine"},
    ]
    preview = _preview(conn, export(FULL_2026, rows))
    assert preview.errors == 0 and preview.error_lines == 0 and preview.warnings == 1
    assert _warnings(preview) == [
        "1 signalement(s) d'autres départements (hors du département) laissés de côté, non comptés (10 : 1), "
        "d'après leur code INSEE ou leur code postal ; dont 1 portant le nom d'une commune chargée (homonymes)."
    ]
    report = preview.report_csv().decode("utf-8-sig")
    assert "avertissement" in report and "hors du département" in report
    assert "Avertissements (1) :" in preview.text()
    outcome = apply_import(conn, preview, user_name="test")
    assert outcome.batch_id is not None
    assert _stored(conn, "signalements_deposes", "38185", "2026-02-01") == 1
    assert not _stored(conn, "signalements_deposes", "38169", "2026-02-01")  # the local Fontaine: nothing of the Aube's
    stored = conn.execute(
        text("SELECT count(*) FROM observation WHERE import_batch_id = :b AND territory_code LIKE '10%'"), {"b": outcome.batch_id}
    )
    assert stored.scalar_one() == 0
    assert conn.execute(text("SELECT warnings FROM import_batch_detail WHERE batch_id = :b"), {"b": outcome.batch_id}).scalar_one() == 1


def test_an_unknown_insee_code_of_the_departement_falls_back_on_the_name_inside_it_only(conn):
    rows = [
        {"deposited": "03/02/2026", "insee": "38999", "postal": "38000", "commune": "Grenoble"},
        {"deposited": "04/02/2026", "insee": "38998", "postal": "72000", "commune": "Le Mans"},
    ]
    preview = _preview(conn, export(FULL_2026, rows))
    assert _value(preview, "signalements_deposes", "38185", "2026-02-01") == 1
    assert not (preview.observations["territory_code"] == "72181").any()
    assert _errors(preview) == [
        "ligne 3, colonne « Commune » : « Le Mans » (code INSEE « 38998 ») ne correspond à aucune commune connue : "
        "aucune commune de ce nom dans le département 38 (géographie 2018 ou noms actuels)"
    ]


def test_a_local_insee_code_wins_over_a_postal_code_of_elsewhere(conn):
    rows = [{"deposited": "03/02/2026", "insee": "38185", "postal": "73000", "commune": "Grenoble"}]
    preview = _preview(conn, export(FULL_2026, rows))
    assert _value(preview, "signalements_deposes", "38185", "2026-02-01") == 1 and not _errors(preview)


def test_a_name_shared_by_two_communes_of_the_departement_is_an_error():
    territories = pd.DataFrame(
        {"name": ["Les Granges", "Les Granges"], "level": ["commune", "commune"], "departement_code": ["38", "38"]},
        index=pd.Index(["38901", "38902"], name="code"),
    )
    ref = Referential(
        pd.DataFrame(),
        territories,
        _commune_names={("38", "les granges"): {"38901", "38902"}},
        _levels={"38901": "commune", "38902": "commune"},
    )
    assert ref.commune("", "38000", "Les Granges").problem.startswith("désigne plusieurs communes (commune 38901, commune 38902)")
    assert ref.commune("38901", "", "Les Granges").code == "38901"
    outside = ref.commune("", "10200", "Les Granges")
    assert outside.outside and outside.departement == "10" and outside.homonym and not outside.code


# --- 2. conclusions joined with | ----------------------------------------------------------------


def test_visit_conclusions_joined_with_pipes_are_classified(conn):
    header = GENERATIONS["2024-06-15"]  # « Conclusion de la visite »: every visit, joined with |
    rows = [
        {"deposited": "05/03/2024", "conclusion": "INSALUBRITE|RSD", **GRENOBLE},
        {"deposited": "06/03/2024", "conclusion": "RSD|NON_DECENCE", **GRENOBLE},
        {"deposited": "07/03/2024", "conclusion": "RSD,SUSPICION_INSALUBRE|LOGEMENT_DECENT", **GRENOBLE},
        {"deposited": "08/03/2024", "conclusion": "LOGEMENT_DECENT|AUTRE", **GRENOBLE},
    ]
    preview = _preview(conn, export(header, rows))
    assert _value(preview, "signalements_insalubrite", "38185", "2024-03-01") == 2
    assert _value(preview, "signalements_non_decence", "38185", "2024-03-01") == 1
    assert _value(preview, "signalements_deposes", "38185", "2024-03-01") == 4


# --- 3. snapshots: zeros -------------------------------------------------------------------------


def _stored(conn, indicator: str, territory: str, month: str) -> float | None:  # type: ignore[no-untyped-def]
    o = Observation
    return conn.execute(
        select(o.value).where(
            o.indicator_code == indicator,
            o.territory_code == territory,
            o.granularity == "month",
            o.period_start == pd.Timestamp(month).date(),
        )
    ).scalar_one_or_none()


def test_a_newer_export_corrects_a_count_that_fell_to_zero(conn):
    older = [
        {"deposited": "03/02/2026", "closed": "20/03/2026", "motif": "Travaux faits ou en cours", **GRENOBLE},
        {"deposited": "10/02/2026", "conclusion": "NON_DECENCE", **GRENOBLE},
        {"deposited": "02/03/2026", **ECHIROLLES},
    ]
    # the newer export: the closure was undone (dossier reopened), the second Grenoble dossier was a duplicate
    newer = [{"deposited": "03/02/2026", **GRENOBLE}, {"deposited": "02/03/2026", **ECHIROLLES}]
    first = apply_import(conn, _preview(conn, export(FULL_2026, older), "a.csv", complete=True), user_name="test")
    assert _stored(conn, "signalements_clotures_travaux", "38185", "2026-03-01") == 1
    assert _stored(conn, "signalements_non_decence", "38185", "2026-02-01") == 1
    preview = _preview(conn, export(FULL_2026, newer), "b.csv", complete=True)
    assert "chaque indicateur mesuré reçoit une valeur, zéro compris" in " ".join(preview.notes)
    # deposits 2 → 1 (Grenoble, February); closures, closures « travaux », non-décence 1 → 0
    assert preview.decreases == (4, 3)
    assert "Baisses : 4 valeur(s) enregistrée(s) baissent, dont 3 passent à zéro." in preview.text()
    second = apply_import(conn, preview, user_name="test")
    assert second.batch_id is not None and second.changed >= 4
    for indicator, month in [
        ("signalements_clotures", "2026-03-01"),
        ("signalements_clotures_travaux", "2026-03-01"),
        ("signalements_non_decence", "2026-02-01"),
    ]:
        value = _stored(conn, indicator, "38185", month)
        assert value is not None and value == 0.0 and isinstance(value, float), indicator
    assert _stored(conn, "signalements_deposes", "38185", "2026-02-01") == 1
    assert _stored(conn, "signalements_deposes", "38544", "2026-02-01") == 0.0  # Vienne: in neither export, stored as zero
    zeros = text(
        "SELECT count(*) FROM observation WHERE indicator_code = 'signalements_deposes' AND value = 0 AND import_batch_id IN (:a, :b)"
    )
    assert conn.execute(zeros, {"a": first.batch_id, "b": second.batch_id}).scalar_one() == 2 * 521 - 2
    revert_batch(conn, second.batch_id)
    assert _stored(conn, "signalements_clotures_travaux", "38185", "2026-03-01") == 1


def test_zeros_cover_the_months_of_the_export_and_the_communes_of_its_departements_when_it_is_complete(conn):
    rows = [{"deposited": "28/01/2026", **GRENOBLE}, {"deposited": "02/03/2026", "closed": "05/04/2026", "motif": "Doublon", **ECHIROLLES}]
    obs = _preview(conn, export(FULL_2026, rows), complete=True).observations
    months = sorted(obs["period_start"].unique())
    assert [pd.Timestamp(m).strftime("%Y-%m") for m in months] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert obs["territory_code"].nunique() == 521 and obs["territory_code"].str.startswith("38").all()
    assert len(obs) == obs["indicator_code"].nunique() * 521 * 4 and obs["indicator_code"].nunique() == 9
    assert obs["value"].sum() == 2 + 1  # two deposits, one closure, in none of the groups (Doublon), no type
    assert set(obs.loc[obs["period_start"] == pd.Timestamp("2026-04-01"), "status"]) == {"provisoire"}
    partial = _preview(conn, export(FULL_2026, rows)).observations  # by default: only the communes of the file
    assert set(partial["territory_code"]) == {"38185", "38151"} and len(partial) == 9 * 2 * 4
    assert partial["value"].sum() == 3


def test_a_partial_export_zeroes_only_the_communes_and_months_it_covers(conn):
    """An export filtered on some communes (here Grenoble alone) leaves the others' stored counts
    alone; only « Export complet du département » (complete) zeroes them, and its preview says how
    many stored values go down or to zero."""
    both = [{"deposited": "03/02/2026", **GRENOBLE}, {"deposited": "04/02/2026", **ECHIROLLES}]
    assert apply_import(conn, _preview(conn, export(FULL_2026, both), "a.csv"), user_name="test").batch_id is not None
    grenoble = [{"deposited": "05/02/2026", **GRENOBLE}, {"deposited": "06/02/2026", **GRENOBLE}]
    preview = _preview(conn, export(FULL_2026, grenoble), "b.csv")
    assert set(preview.observations["territory_code"]) == {"38185"}
    assert preview.decreases == (0, 0) and "Baisses" not in preview.text()
    note = next(n for n in preview.notes if "Export lu comme un état complet de ce qu'il couvre" in n)
    assert (
        "pour les 1 commune(s) où il a des signalements" in note and "les autres communes du département 38 gardent leurs valeurs" in note
    )
    assert "« Export complet du département »" in note and "--complete" in note
    assert apply_import(conn, preview, user_name="test").batch_id is not None
    assert _stored(conn, "signalements_deposes", "38185", "2026-02-01") == 2
    assert _stored(conn, "signalements_deposes", "38151", "2026-02-01") == 1  # Échirolles: not in the file, kept

    complete = _preview(conn, export(FULL_2026, grenoble), "b.csv", complete=True)
    assert complete.observations["territory_code"].nunique() == 521
    assert complete.decreases == (1, 1)  # Échirolles' February: 1 → 0
    assert "Baisses : 1 valeur(s) enregistrée(s) baissent, dont 1 passent à zéro." in complete.text()
    assert complete.fingerprint != preview.fingerprint  # another reading of the same file: not « déjà importé »


def test_an_export_without_a_column_leaves_the_indicators_it_cannot_measure_alone(conn):
    full = [{"deposited": "03/02/2026", "closed": "20/02/2026", "motif": "Relogement occupant", "conclusion": "INSALUBRITE", **GRENOBLE}]
    apply_import(conn, _preview(conn, export(FULL_2026, full), "a.csv"), user_name="test")
    default = [{"deposited": "03/02/2026", "postal": "38000", "commune": "Grenoble", "situations": "Incurie"}]
    preview = _preview(conn, export(DEFAULT_2026, default), "b.csv")
    assert set(preview.observations["indicator_code"]) == {"signalements_deposes", "signalements_precarite_energetique"}
    assert any("Non comptés, faute de colonne" in n and "signalements_clotures (« Fermé le »)" in n for n in preview.notes)
    apply_import(conn, preview, user_name="test")
    assert _stored(conn, "signalements_clotures_relogement", "38185", "2026-02-01") == 1
    assert _stored(conn, "signalements_insalubrite", "38185", "2026-02-01") == 1


# --- 4. shifted headers and personal data in messages ----------------------------------------------

SHIFTED = [
    # « Zones » (last) is empty, as it mostly is: the rows have as many non-empty fields as the header
    pytest.param(FULL_2026, {"fill": {"Zones": ""}, "drop": ["Code INSEE"]}, "Adresse", id="2026-semicolon-no-insee"),
    pytest.param(FULL_2026, {}, "Adresse", id="2026-semicolon"),
    pytest.param(GENERATIONS["2025-10-15"], {"sep": ",", "quoting": csv.QUOTE_ALL}, "Adresse", id="2025-comma-quoted"),
    pytest.param(FULL_2026, {"xlsx": True, "fill": {"Zones": ""}}, "Adresse", id="2026-xlsx"),
    pytest.param(FULL_2026, {}, "EPCI", id="2026-no-epci-title"),
    pytest.param(GENERATIONS["2023-12-15"], {}, "Email", id="2023-email"),
]


@pytest.mark.parametrize(("header", "how", "headless"), SHIFTED)
def test_a_header_cell_missing_is_refused_with_one_message_naming_it(conn, header, how, headless):
    rows = [{"deposited": f"{day:02d}/02/2026", "closed": "", "social": "Oui", **GRENOBLE} for day in range(1, 21)]
    with pytest.raises(UserError) as refused:
        _preview(conn, export(header, rows, headless=headless, **how))
    message = str(refused.value)
    assert message.startswith("Export Histologe refusé : les en-têtes de ce fichier sont décalés par rapport aux données")
    assert f"(sans doute « {headless} »)" in message and "Rien n'a été importé" in message
    _no_personal_value(message)


def test_personal_values_in_read_columns_are_never_quoted(conn):
    rows = [
        {"deposited": "03/02/2026", "closed": "09/02/2026", **GRENOBLE},
        {"deposited": "04/02/2026", "closed": "09/02/2026", **GRENOBLE},
        {"deposited": "05/02/2026", **GRENOBLE},
        {"deposited": "06/02/2026", **GRENOBLE},
        {"deposited": "06 12 34 56 78", **GRENOBLE},  # a phone number typed in a date column
        {"deposited": "07/02/2026", "postal": "38000", "commune": "12 rue des Lilas"},  # an address in the commune column
        {"deposited": "08/02/2026", "closed": "jean.dupont@example.org", **GRENOBLE},
    ]
    preview = _preview(conn, export(FULL_2026, rows, drop=["Code INSEE"]))
    assert _errors(preview) == [
        "ligne 6, colonne « Déposé le » : « valeur non reproduite » n'est pas une date (attendu : jj/mm/aaaa)",
        "ligne 7, colonne « Commune » : « valeur non reproduite » (code postal « 38000 ») ne correspond à aucune commune connue : "
        "aucune commune de ce nom dans le département 38 (géographie 2018 ou noms actuels)",
        "ligne 8, colonne « Fermé le » : « valeur non reproduite » n'est pas une date (attendu : jj/mm/aaaa, ou vide)",
    ]
    _no_personal_value(_shown(preview) + "06 12 34 56 78")


def test_a_shifted_export_is_one_refusal_not_one_error_per_row(conn):
    rows = [{"deposited": f"{day:02d}/02/2026", **GRENOBLE} for day in range(1, 29)]
    data = export(FULL_2026, rows, headless="Zones")  # the last column has data but no title
    with pytest.raises(UserError) as refused:
        _preview(conn, data)
    message = str(refused.value)
    assert "28 ligne(s) sur 28 n'ont pas autant de champs que l'en-tête, qui a 69 colonnes (les lignes en ont 70)" in message
    assert "(sans doute « Zones »)" in message
    _no_personal_value(message)


@pytest.fixture
def sqlite_file(small_database_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "perso.db"
    shutil.copy(small_database_template, path)
    return path


def test_no_personal_value_of_any_generation_reaches_the_database_messages_report_or_log(sqlite_file, caplog):
    caplog.set_level(logging.DEBUG)

    def rows(n: int) -> list[dict[str, str]]:  # one month per file, so that every file writes something
        day = f"/{(n - 1) % 12 + 1:02d}/{2024 + (n - 1) // 12}"
        return [
            {"deposited": "03" + day, "closed": "20" + day, "motif": "Insalubrité", "conclusion": "INSALUBRITE", **GRENOBLE},
            {"deposited": "04" + day, "situations": "Chauffage / confort", "desordres": "Chauffage / confort", **ECHIROLLES},
            {"deposited": "05" + day, "postal": "38600", "commune": "Fontaine"},
            {"deposited": "06" + day, "insee": "10153", "postal": "10200", "commune": "Fontaine"},
            {"deposited": "07" + day, "postal": "38000", "commune": "12 rue des Lilas"},
        ]

    files = {f"{date}.csv": export(header, rows(n)) for n, (date, header) in enumerate(GENERATIONS.items(), start=1)}
    files["defaut-2026.csv"] = export(DEFAULT_2026, rows(10))
    files["2025-10-15-virgule.csv"] = export(GENERATIONS["2025-10-15"], rows(11), sep=",", quoting=csv.QUOTE_ALL)
    files["2023-06-15.xlsx"] = export(GENERATIONS["2023-06-15"], rows(12), xlsx=True)
    files["2026-06-15.xlsx"] = export(FULL_2026, rows(13), xlsx=True)
    shifted = {
        "decale-2026.csv": export(FULL_2026, rows(1) * 3, headless="Adresse"),
        "decale-2024.csv": export(GENERATIONS["2024-10-15"], rows(1) * 3, headless="Code postal"),
        "decale-2026.xlsx": export(FULL_2026, rows(1) * 3, headless="Tél. occupant", xlsx=True),
        "decale-fin.csv": export(FULL_2026, rows(1) * 3, headless="Zones"),
    }
    engine = make_engine(f"sqlite:///{sqlite_file}")
    shown = []
    for name, data in files.items():
        with engine.begin() as conn:
            preview = prepare_import(conn, data, f"export-histologe-jdupont-20260601-101500-{name}")
            shown.append(_shown(preview))
            assert preview.errors == 1 and "hors du département" in " ".join(_warnings(preview)), name
            outcome = apply_import(conn, preview, user_name="test", exclude_errors=True)
            shown.append(outcome.message)
            assert outcome.batch_id is not None, name
    for name, data in shifted.items():
        with engine.connect() as conn, pytest.raises(UserError) as refused:
            prepare_import(conn, data, name)
        shown.append(str(refused.value))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM import_batch WHERE kind = 'import'")).scalar() == len(files)
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    stored = b"".join(p.read_bytes() for p in sqlite_file.parent.glob("perso.db*"))
    for value in [*SEARCHED, "jdupont"]:
        assert value.encode() not in stored, value
    _no_personal_value("\n".join(shown) + caplog.text)


# --- 5. header variants ----------------------------------------------------------------------------


@pytest.mark.parametrize("xlsx", [False, True], ids=["csv", "xlsx"])
def test_the_2023_header_with_commmune_and_two_telephones_is_read(conn, xlsx):
    header = GENERATIONS["2023-06-15"]
    assert "Commmune" in header and header.count("Téléphone") == 2
    rows = [
        {"deposited": "12/06/2023", "closed": "30/06/2023", "motif": "Non décence", "postal": "38000", "commune": "Grenoble"},
        {"deposited": "13/06/2023", "postal": "38130", "commune": "Echirolles"},
    ]
    preview = _preview(conn, export(header, rows, drop=["Code INSEE"], xlsx=xlsx), "export.xlsx" if xlsx else "export.csv")
    assert not _errors(preview)
    assert _value(preview, "signalements_deposes", "38185", "2023-06-01") == 1
    assert _value(preview, "signalements_deposes", "38151", "2023-06-01") == 1
    assert _value(preview, "signalements_non_decence", "38185", "2023-06-01") == 1
    assert _value(preview, "signalements_clotures", "38185", "2023-06-01") == 1
    _no_personal_value(_shown(preview))


def test_until_september_2024_the_new_forms_categories_count_when_situations_is_empty(conn):
    header = GENERATIONS["2024-06-15"]
    rows = [
        {"deposited": "05/03/2024", "situations": "", "desordres": "Chauffage / confort|Aération / humidité", **GRENOBLE},
        {"deposited": "06/03/2024", "situations": "les performances énergétiques", "desordres": "Les murs sont humides", **GRENOBLE},
        {"deposited": "07/03/2024", "situations": "", "desordres": "Suroccupation", **GRENOBLE},
        {"deposited": "08/03/2024", "situations": "le confort du logement", "desordres": "Chauffage / confort", **GRENOBLE},
    ]
    preview = _preview(conn, export(header, rows))
    assert _value(preview, "signalements_precarite_energetique", "38185", "2024-03-01") == 2
    assert any("2 signalement(s) sans « Situations »" in n for n in preview.notes)


# --- 7. energy poverty on the first form ---------------------------------------------------------


def test_energy_poverty_on_the_first_form_is_counted_from_its_heating_criteres(conn):
    """The first form's « les performances énergétiques » situation is linked to no critère of the
    platform any more: its heating complaints are critères of « le confort du logement », in
    « Désordres » (MTES-MCT/histologe, Critere.yml; export: Situations = old situations, Désordres =
    old critères). Electricity or ventilation, in the same situation, are not energy poverty."""
    header = GENERATIONS["2023-06-15"]
    rows = [
        {"deposited": "12/06/2023", "situations": "le confort du logement", "desordres": "Le chauffage ne fonctionne pas bien."},
        {
            "deposited": "13/06/2023",
            "situations": "le confort du logement|l'état et propreté du logement",
            "desordres": "Les murs ont des fissures.|Mes factures de chauffage sont anormalement élevées.",
        },
        {"deposited": "14/06/2023", "situations": "le confort du logement", "desordres": "Mon logement est mal isolé"},
        {
            "deposited": "15/06/2023",
            "situations": "le confort du logement",
            "desordres": "J’utilise un appareil d'appoint pour le chauffage.",
        },
        {
            "deposited": "16/06/2023",
            "situations": "le confort du logement",
            "desordres": "Les installations électriques ne sont pas en bon état.|J'ai un problème de ventilation dans mon logement.",
        },
        {
            "deposited": "17/06/2023",
            "situations": "l'état et propreté du logement",
            "desordres": "Il y a des traces importantes de moisissures.",
        },
    ]
    rows = [{**r, "postal": "38000", "commune": "Grenoble"} for r in rows]
    preview = _preview(conn, export(header, rows, drop=["Code INSEE"]))
    assert not _errors(preview)
    assert _value(preview, "signalements_deposes", "38185", "2023-06-01") == 6
    assert _value(preview, "signalements_precarite_energetique", "38185", "2023-06-01") == 4
    _no_personal_value(_shown(preview))


def test_energy_poverty_is_measured_by_desordres_alone():
    from data_access.importers.histologe import _measured, load_classification

    measured, _ = _measured({"types": {"x": {"desordres": ["Isolation thermique"]}}}, {"deposited", "categories"})
    assert "x" in measured
    assert load_classification()["types"]["signalements_precarite_energetique"]["desordres"]


# --- the golden expectations ---------------------------------------------------------------------

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize(
    "case", ["histologe-2026-complet", "histologe-2025-virgule", "histologe-2023-ancien", "histologe-2026", "histologe-2026-defaut"]
)
def test_golden_histologe_expectations_are_the_hand_made_counts_and_zeros(case):
    """tests/golden/make_golden.py builds the expectations from <case>.counts.csv (by hand) and zeros."""
    from tests.golden import make_golden

    expected = pd.DataFrame(make_golden.histologe_expected_rows(case), columns=make_golden.EXPECTED_HEADER)
    counts = pd.read_csv(GOLDEN / f"{case}.counts.csv", sep=";", dtype=str, keep_default_na=False)
    nonzero = expected[expected["value"] != "0"]
    assert sorted(map(tuple, nonzero.to_numpy())) == sorted(map(tuple, counts.to_numpy()))
    assert len(expected) > len(counts) and not expected.duplicated(["indicator_code", "territory_code", "period_start"]).any()


def test_demo_values_an_export_replaces_are_not_counted_as_decreases(conn):
    preview = _preview(conn, export(FULL_2026, [{"deposited": "03/02/2025", **GRENOBLE}]))
    assert preview.counts["remplacent la démo"] > 0  # the demo database has fictitious 2025 counts for Grenoble
    assert preview.decreases == (0, 0) and "Baisses" not in preview.text()
