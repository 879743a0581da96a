"""The manifest of the shared reference data: every file the observatory reads from the shared
data folder (``../shared/data``, or ``OBSERVATOIRE_SHARED_DATA``), with where it comes from.

Each entry gives the file's path relative to that folder, what it holds, its official source and
licence (as documented in ``../shared/data/README.md`` and ``histologe/README.md``), its size and
its sha256, pinned from the copy in the shared data folder, and:

- ``url``: the official address of this exact file, when the shared file is a byte-for-byte copy
  of a published file (the france-geojson outlines, at a pinned commit);
- ``derivation``: otherwise, how the file was compiled from the official sources (subsets, joins,
  sums, figures quoted from reports). Such a file cannot be downloaded as such: ``python -m
  data_access fetch-reference`` says so, and fetches it only from a mirror of the shared folder
  (``--url-base``), still checked against the pinned sha256.

``used_for`` tells what needs the file: ``APPLICATION`` (``setup`` stops without it: plans,
territories, reference series), ``MAPS`` (without it, pages show a French message instead of
maps) or ``TESTS`` (read by the test suite only).

Files of the shared folder that nothing reads are not listed: ``geo/sarthe-departement-2018.geojson``,
``geo/departements-france-simplifie.geojson`` and ``histologe/platform-vocabulary.csv`` (quoted
in comments of ``histologe.yaml`` only).

Standard library only: ``data_access.check_shared`` reads this module before the virtual
environment exists.
"""

from __future__ import annotations

from dataclasses import dataclass

APPLICATION = "application"
MAPS = "cartes"
TESTS = "tests"

# gregoiredavid/france-geojson at the commit the shared outlines were copied from (2018-10-16)
FRANCE_GEOJSON_COMMIT = "5d34ee6d0140c29f785fdb047d9329f1aab58833"
FRANCE_GEOJSON_BASE = f"https://raw.githubusercontent.com/gregoiredavid/france-geojson/{FRANCE_GEOJSON_COMMIT}/"
FRANCE_GEOJSON_SOURCE = (
    "IGN Admin Express COG 2018 et INSEE COG 2018, contours convertis en GeoJSON et simplifiés par le dépôt public "
    f"gregoiredavid/france-geojson (commit {FRANCE_GEOJSON_COMMIT[:7]})"
)
FRANCE_GEOJSON_LICENCE = (
    "Licence Ouverte / Open Licence (Etalab), conditions d'utilisation d'Admin Express ; "
    "attribution « IGN – Admin Express COG 2018 ; INSEE – COG 2018 »"
)

DECOUPAGE_PAGE = "https://github.com/etalab/decoupage-administratif"
COG_PAGE = "https://www.insee.fr/fr/metadonnees/source/operation/s2085/produits"
HISTOLOGE_PAGE = "https://github.com/MTES-MCT/histologe"

COMMUNES_SOURCE = (
    "Etalab, paquet @etalab/decoupage-administratif 6.0.0 (INSEE COG au 1er janvier 2026, composition des EPCI DGCL 2026, "
    "populations légales 2023) et INSEE, historique du COG 2026 (mouvements des communes depuis 1943)"
)
COMMUNES_LICENCE = "Licence Ouverte / Etalab 2.0 ; attribution « INSEE, DGCL, Etalab »"
COMMUNES_DERIVATION = (
    "les communes du COG 2018 (celles des contours) rattachées à leur commune, leur EPCI et leur population du COG 2026 "
    "par la liste des anciens codes ; cette table n'existe telle quelle sur aucun site officiel"
)
PUBLISHED_FIGURES_LICENCE = "chiffres publiés, cités avec leur source (colonne « source » du fichier)"


@dataclass(frozen=True)
class ReferenceFile:
    """One file of the shared data folder and where it comes from (texts in French, shown to users)."""

    path: str  # relative to the shared data folder, with « / »
    what: str
    used_for: str  # APPLICATION, MAPS or TESTS
    source: str
    licence: str
    size: int  # bytes
    sha256: str
    url: str | None = None  # official address of this exact file; None when the file was compiled
    derivation: str | None = None  # how the file was compiled from its sources, when it is not a copy
    source_pages: tuple[str, ...] = ()  # where the official sources are published

    @property
    def downloadable(self) -> bool:
        """Whether the file can be fetched from its official source as such."""
        return self.url is not None


FILES: tuple[ReferenceFile, ...] = (
    ReferenceFile(
        path="referentiel/isere-communes.csv",
        what="les 521 communes de l'Isère (COG 2018) : EPCI, territoire du Département, population 2023",
        used_for=APPLICATION,
        source=COMMUNES_SOURCE + " ; composition des 13 territoires : Département de l'Isère",
        licence=COMMUNES_LICENCE + " ; liste des territoires : information publique du Département, sans licence explicite",
        size=62164,
        sha256="af2cb1a3d978e09ef64867a6fb087e01d007f3f2893d602710087ae5a7332007",
        derivation=COMMUNES_DERIVATION + " ; territoires d'après la liste du Département, avec quatre arbitrages documentés",
        source_pages=(DECOUPAGE_PAGE, COG_PAGE),
    ),
    ReferenceFile(
        path="referentiel/isere-territoires.csv",
        what="les 13 territoires de l'Isère : nombre de communes et population",
        used_for=APPLICATION,
        source="Département de l'Isère (composition) ; INSEE, populations légales 2023",
        licence="information publique du Département, sans licence explicite ; populations : Licence Ouverte / Etalab 2.0",
        size=571,
        sha256="0b8c5e4ef385cbb5fe00a24f803b4ace81cb85edb93ea274e4f81de9c7ff81cf",
        derivation="sommes par territoire de referentiel/isere-communes.csv",
        source_pages=(DECOUPAGE_PAGE,),
    ),
    ReferenceFile(
        path="referentiel/sarthe-communes.csv",
        what="les 360 communes de la Sarthe (COG 2018) : EPCI, Le Mans Métropole ou reste du département, population 2023",
        used_for=APPLICATION,
        source=COMMUNES_SOURCE,
        licence=COMMUNES_LICENCE,
        size=46403,
        sha256="06241037cccfd93a8f9a26db33fa3a4cc9b893f1d6b529f52cc5bcb28999aca6",
        derivation=COMMUNES_DERIVATION + " ; territoire : appartenance à la CU Le Mans Métropole en 2026",
        source_pages=(DECOUPAGE_PAGE, COG_PAGE),
    ),
    ReferenceFile(
        path="referentiel/sarthe-territoires.csv",
        what="les 2 territoires de la Sarthe : nombre de communes et population",
        used_for=APPLICATION,
        source="INSEE, populations légales 2023 ; DGCL, composition de Le Mans Métropole 2026",
        licence="Licence Ouverte / Etalab 2.0",
        size=151,
        sha256="1db7839e4cd67a482f8cca983af6a88a79f37e28a1750051c5a1bfc801b67d4a",
        derivation="sommes par territoire de referentiel/sarthe-communes.csv",
        source_pages=(DECOUPAGE_PAGE,),
    ),
    ReferenceFile(
        path="referentiel/logement-menages-2021.csv",
        what="ménages, logements et arrondissement des 881 communes (COG 2018) de l'Isère et de la Sarthe",
        used_for=APPLICATION,
        source=(
            "INSEE, recensement de la population 2021 (base du comparateur de territoires, base logement) ; "
            "arrondissements : INSEE COG 2024 par le paquet @etalab/decoupage-administratif 4.1.0"
        ),
        licence="Licence Ouverte / Etalab 2.0 ; attribution « Source : Insee, RP 2021 »",
        size=50242,
        sha256="c4cc88770f31360b7d35e1eff298a1de0d711135b164e25dd7b1b6422906e8af",
        derivation=(
            "extrait compilé des fichiers nationaux de l'INSEE pour les communes de 2018 des deux départements "
            "(ménages des communes fusionnées comptés sur la commune nouvelle)"
        ),
        source_pages=(COG_PAGE, DECOUPAGE_PAGE),
    ),
    ReferenceFile(
        path="reference/france-procedure-expulsion.csv",
        what="séries nationales de la procédure d'expulsion (2000–2024, avec lacunes)",
        used_for=APPLICATION,
        source=(
            "Ministères de la Justice et de l'Intérieur, Fondation Abbé Pierre (rapports sur l'état du mal-logement), "
            "Cour des comptes : la source de chaque chiffre est dans le fichier"
        ),
        licence=PUBLISHED_FIGURES_LICENCE,
        size=5138,
        sha256="617dd126782bfa91971753d4de829036b0bc6f724dc24b1c1d63a37e142c7b5c",
        derivation="chiffres relevés dans des rapports publiés : aucun fichier officiel ne les rassemble",
    ),
    ReferenceFile(
        path="reference/isere-reperes-publies.csv",
        what="repères publiés pour l'Isère (2010, 2014, 2022), déclarés par le plan de l'Isère",
        used_for=APPLICATION,
        source="Un Toit Pour Tous (lettre de l'observatoire n° 5), ADIL de l'Isère : la source de chaque chiffre est dans le fichier",
        licence=PUBLISHED_FIGURES_LICENCE,
        size=530,
        sha256="743dc9bdc4c7ff62d4540cdbd59b0a9a73cd6eb45dd8511b05fd75d50cbc5e8f",
        derivation="chiffres relevés dans des publications locales : aucun fichier officiel ne les rassemble",
    ),
    ReferenceFile(
        path="geo/isere-communes-2018.geojson",
        what="contours des 521 communes de l'Isère (1er janvier 2018)",
        used_for=MAPS,
        source=FRANCE_GEOJSON_SOURCE,
        licence=FRANCE_GEOJSON_LICENCE,
        size=613708,
        sha256="c49fe2aacdce7bfab381fe3245a4b7535925a7441769c6ff6be7ee0da6d82ff8",
        url=FRANCE_GEOJSON_BASE + "departements/38-isere/communes-38-isere.geojson",
    ),
    ReferenceFile(
        path="geo/sarthe-communes-2018.geojson",
        what="contours des 360 communes de la Sarthe (1er janvier 2018)",
        used_for=MAPS,
        source=FRANCE_GEOJSON_SOURCE,
        licence=FRANCE_GEOJSON_LICENCE,
        size=526383,
        sha256="76349ad096f3c3b7acc6cdf8db5d4c36717a2c3c517a8c5bba87444a9af94b98",
        url=FRANCE_GEOJSON_BASE + "departements/72-sarthe/communes-72-sarthe.geojson",
    ),
    ReferenceFile(
        path="geo/isere-departement-2018.geojson",
        what="contour du département de l'Isère (1er janvier 2018), pour vérifier les couches construites",
        used_for=TESTS,
        source=FRANCE_GEOJSON_SOURCE,
        licence=FRANCE_GEOJSON_LICENCE,
        size=36685,
        sha256="85f8242a1e2be5d7b39add102d65fd4cef74f55b3031da19a948863e76263eb6",
        url=FRANCE_GEOJSON_BASE + "departements/38-isere/departement-38-isere.geojson",
    ),
    *(
        ReferenceFile(
            path=f"histologe/{name}",
            what=what,
            used_for=TESTS,
            source="code public de la plateforme Histologe / Signal Logement (dépôt MTES-MCT/histologe, commit f40ed472, août 2026)",
            licence="en-têtes relevés dans le code public de la plateforme (aucune donnée personnelle)",
            size=size,
            sha256=sha256,
            derivation="lignes d'en-tête relevées dans le code source de la plateforme et son historique",
            source_pages=(HISTOLOGE_PAGE,),
        )
        for name, what, size, sha256 in (
            (
                "headers-by-date.txt",
                "en-têtes de l'export Histologe à neuf dates (juin 2023 – août 2026)",
                9067,
                "516ba7ceb814500632ac6ae9aa45e45743a2a6b0b7657adb9a14df3b242470dd",
            ),
            (
                "header-full-2026.txt",
                "en-tête de l'export Histologe complet (depuis avril 2026)",
                1257,
                "44ab066e12ba02bec88e4bf3d072d39b3759c2be01ac159327196c0943db940e",
            ),
            (
                "header-full-2024-2026-comma.txt",
                "en-tête de l'export Histologe complet (août 2024 – avril 2026)",
                1297,
                "02abb8aa4fe9d907b66355549a62d142681374db60c2d7c4762255c767adeaa1",
            ),
            (
                "header-default-2026.txt",
                "en-tête de l'export Histologe par défaut (depuis avril 2026)",
                214,
                "64f8f4f9f92fdf952e573ba6ad59085704ef7be61a83ef4fd02b0eb1cb3d61c2",
            ),
        )
    ),
)


def files_for(*uses: str) -> tuple[ReferenceFile, ...]:
    """The manifest's files needed for one of ``uses`` (APPLICATION, MAPS, TESTS)."""
    return tuple(entry for entry in FILES if entry.used_for in uses)
