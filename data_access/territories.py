"""Territories of a plan's département, read from the referential CSVs in the shared data folder.

One commune belongs to one EPCI, one arrondissement, one territoire and one département; the
groupings' population and households are the sums over their communes (INSEE RP 2021 households,
2023 legal population).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, insert

from data_access.errors import UserError
from data_access.models import Territory, TerritoryAlias, TerritoryMembership
from data_access.writes import upsert

FRANCE = {"code": "FR", "name": "France", "level": "france", "departement_code": "FR", "population": None, "households": None}


@dataclass(frozen=True)
class ReferentielFiles:
    communes: Path
    territoires: Path
    menages: Path


def read_csv_text(path: Path) -> pd.DataFrame:
    """A referential CSV with every column as text, so that codes keep their leading zeros."""
    if not path.exists():
        raise UserError(
            f"Fichier de référence introuvable : {path}. Placez les données partagées dans ce dossier "
            "ou indiquez leur emplacement avec OBSERVATOIRE_SHARED_DATA."
        )
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def territory_tables(files: ReferentielFiles, departement_code: str, departement_name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``territory`` rows and the ``territory_membership`` rows of one département.

    Raises UserError when a commune has no household count or a territoire is unknown.
    """
    communes = read_csv_text(files.communes)
    households = read_csv_text(files.menages).set_index("code_commune")
    known_territoires = read_csv_text(files.territoires).set_index("code_territoire")
    missing = sorted(set(communes["code_commune"]) - set(households.index))
    if missing:
        raise UserError(f"{files.menages.name} : pas de nombre de ménages pour les communes {', '.join(missing[:10])}.")
    unknown = sorted(set(communes["code_territoire"]) - set(known_territoires.index))
    if unknown:
        raise UserError(f"{files.communes.name} : territoires absents de {files.territoires.name} : {', '.join(unknown)}.")

    c = communes.assign(
        population=communes["population"].astype(int),
        households=households.loc[communes["code_commune"], "menages_2021"].astype(int).to_numpy(),
        code_arrondissement=households.loc[communes["code_commune"], "code_arrondissement"].to_numpy(),
        nom_arrondissement=households.loc[communes["code_commune"], "nom_arrondissement"].to_numpy(),
    )
    groupings = {
        "epci": ("code_epci", "nom_epci"),
        "arrondissement": ("code_arrondissement", "nom_arrondissement"),
        "territoire": ("code_territoire", "nom_territoire"),
    }
    frames = [
        pd.DataFrame(
            {
                "code": c["code_commune"],
                "name": c["nom_commune"],
                "level": "commune",
                "departement_code": departement_code,
                "population": c["population"],
                "households": c["households"],
            }
        )
    ]
    memberships = []
    for level, (code_col, name_col) in groupings.items():
        sums = c.groupby([code_col, name_col], as_index=False)[["population", "households"]].sum()
        frames.append(sums.rename(columns={code_col: "code", name_col: "name"}).assign(level=level, departement_code=departement_code))
        memberships.append(
            pd.DataFrame({"member_code": c["code_commune"], "group_code": c[code_col], "member_level": "commune", "group_level": level})
        )
        memberships.append(
            pd.DataFrame(
                {"member_code": sums[code_col], "group_code": departement_code, "member_level": level, "group_level": "departement"}
            )
        )
    frames.append(
        pd.DataFrame(
            [
                {
                    "code": departement_code,
                    "name": departement_name,
                    "level": "departement",
                    "departement_code": departement_code,
                    "population": int(c["population"].sum()),
                    "households": int(c["households"].sum()),
                }
            ]
        )
    )
    memberships.append(
        pd.DataFrame(
            {"member_code": c["code_commune"], "group_code": departement_code, "member_level": "commune", "group_level": "departement"}
        )
    )
    territories = pd.concat(frames, ignore_index=True)
    selves = pd.DataFrame(
        {
            "member_code": territories["code"],
            "group_code": territories["code"],
            "member_level": territories["level"],
            "group_level": territories["level"],
        }
    )
    membership = pd.concat([*memberships, selves], ignore_index=True).drop_duplicates(["member_code", "group_code"])
    return territories, membership


def load_territories(conn: Connection, files: ReferentielFiles, departement_code: str, departement_name: str) -> int:
    """Insert or update the territories of one département and replace their memberships.

    Idempotent: loading the same files twice leaves the same rows. Returns the number of communes.
    """
    territories, membership = territory_tables(files, departement_code, departement_name)
    upsert(conn, Territory, [FRANCE], ["code"])
    france_self = {"member_code": "FR", "group_code": "FR", "member_level": "france", "group_level": "france"}
    upsert(conn, TerritoryMembership, [france_self], ["member_code", "group_code"])
    upsert(conn, Territory, _records(territories), ["code"])
    members = list(membership["member_code"].unique())
    for start in range(0, len(members), 500):  # stay under the bound-parameter limits
        conn.execute(delete(TerritoryMembership).where(TerritoryMembership.member_code.in_(members[start : start + 500])))
    conn.execute(insert(TerritoryMembership), _records(membership))
    communes = territories.loc[territories["level"] == "commune", "code"].tolist()
    for start in range(0, len(communes), 500):
        conn.execute(delete(TerritoryAlias).where(TerritoryAlias.territory_code.in_(communes[start : start + 500])))
    aliases = commune_aliases(files)
    if not aliases.empty:
        conn.execute(insert(TerritoryAlias), _records(aliases))
    return len(communes)


def commune_aliases(files: ReferentielFiles) -> pd.DataFrame:
    """Current (COG 2026) names that differ from the 2018 names, mapped to the 2018 code the commune
    kept: a commune nouvelle's name designates its absorbing commune (``code_commune ==
    code_commune_2026``), a renamed commune keeps its code. Columns: alias, territory_code, kind."""
    communes = read_csv_text(files.communes)
    if "nom_commune_2026" not in communes.columns:
        return pd.DataFrame(columns=["alias", "territory_code", "kind"])
    renamed = communes[communes["nom_commune_2026"] != communes["nom_commune"]]
    aliases = pd.DataFrame({"alias": renamed["nom_commune_2026"], "territory_code": renamed["code_commune_2026"], "kind": "nom_2026"})
    kept = set(communes["code_commune"])
    return aliases[aliases["territory_code"].isin(kept)].drop_duplicates(["alias", "territory_code"]).reset_index(drop=True)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with None for missing values (what the database drivers expect)."""
    return [{str(k): v for k, v in row.items()} for row in frame.astype(object).where(frame.notna(), None).to_dict("records")]
