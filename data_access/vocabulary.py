"""The closed vocabularies of the observatory, each defined once: levels, granularities, objective
statuses and kinds, batch kinds, the pages of the dashboard, the trêve hivernale and the demo notice.

Every member is a ``StrEnum`` whose value is the word stored in the database and written in URLs,
so that a member compares equal to the plain string (``Level.COMMUNE == "commune"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DEMO_NOTICE = "Données fictives de démonstration"


class Level(StrEnum):
    """Territorial levels, from the finest to France."""

    COMMUNE = "commune"
    EPCI = "epci"
    ARRONDISSEMENT = "arrondissement"
    TERRITOIRE = "territoire"
    DEPARTEMENT = "departement"
    FRANCE = "france"


GROUP_LEVELS = (Level.EPCI, Level.ARRONDISSEMENT, Level.TERRITOIRE, Level.DEPARTEMENT)
# the levels a user compares territories at (the sidebar's « Niveau territorial »), in menu order
CHOOSABLE_LEVELS = (Level.TERRITOIRE, Level.EPCI, Level.ARRONDISSEMENT, Level.COMMUNE)
LEVEL_PLURAL = {
    Level.COMMUNE: "communes",
    Level.EPCI: "intercommunalités (EPCI)",
    Level.ARRONDISSEMENT: "arrondissements",
    Level.TERRITOIRE: "territoires",
    Level.DEPARTEMENT: "départements",
    Level.FRANCE: "France",
}
LEVEL_SINGULAR = {
    Level.COMMUNE: "commune",
    Level.EPCI: "intercommunalité",
    Level.ARRONDISSEMENT: "arrondissement",
    Level.TERRITOIRE: "territoire",
    Level.DEPARTEMENT: "département",
    Level.FRANCE: "France",
}


class Granularity(StrEnum):
    """Time steps the queries aggregate to (``rolling12``: sum over the 12 months ending at each month)."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ROLLING12 = "rolling12"
    TOTAL = "total"


STORED_GRANULARITIES = (Granularity.MONTH, Granularity.QUARTER, Granularity.YEAR)
# URL word (« granularite=mois ») → granularity, in the order of the sidebar's « Pas de temps »
GRANULARITY_URL = {
    "mois": Granularity.MONTH,
    "trimestre": Granularity.QUARTER,
    "annee": Granularity.YEAR,
    "glissant": Granularity.ROLLING12,
}
GRANULARITY_WORD = {granularity: word for word, granularity in GRANULARITY_URL.items()}
GRANULARITY_LABELS = {
    Granularity.MONTH: "mois",
    Granularity.QUARTER: "trimestre",
    Granularity.YEAR: "année",
    Granularity.ROLLING12: "cumul glissant sur 12 mois",
    Granularity.TOTAL: "total de la période",
}
GRANULARITY_MENU = {granularity: GRANULARITY_LABELS[granularity].capitalize() for granularity in GRANULARITY_URL.values()}


class ObjectiveStatus(StrEnum):
    """What an objective's measurement (or a milestone's record) says for an evaluated period."""

    ATTEINT = "atteint"
    EN_BONNE_VOIE = "en bonne voie"
    EN_RETARD = "en retard"
    NON_ATTEINT = "non atteint"
    A_RENSEIGNER = "à renseigner"  # a milestone nobody recorded yet, before its due date
    A_FIXER = "à fixer"  # the plan asks for a quantified target it has not set yet (PLH « Se donner des objectifs chiffrés »)
    ABANDONNE = "abandonné"  # a milestone given up
    PAS_DE_DONNEES = "pas de données"


# a symbol as well as a colour, so that a status reads without colour vision
STATUS_SYMBOLS = {
    ObjectiveStatus.ATTEINT: "✔",
    ObjectiveStatus.EN_BONNE_VOIE: "↗",
    ObjectiveStatus.EN_RETARD: "⚠",
    ObjectiveStatus.NON_ATTEINT: "✖",
    ObjectiveStatus.A_RENSEIGNER: "✎",
    ObjectiveStatus.A_FIXER: "○",
    ObjectiveStatus.ABANDONNE: "⊘",
    ObjectiveStatus.PAS_DE_DONNEES: "–",
}


class MilestoneState(StrEnum):
    """What a data manager records about a milestone (« réalisé » with its date, « abandonné »)."""

    REALISE = "realise"
    ABANDONNE = "abandonne"
    A_RENSEIGNER = "a_renseigner"  # withdraws an earlier record


MILESTONE_STATE_LABELS = {
    MilestoneState.REALISE: "réalisé",
    MilestoneState.ABANDONNE: "abandonné",
    MilestoneState.A_RENSEIGNER: "à renseigner",
}


class ProgressState(StrEnum):
    """How far a fiche-action has got in a year, as a data manager records it (issue 14)."""

    NON_ENGAGEE = "non_engagee"
    ENGAGEE = "engagee"
    REALISEE = "realisee"
    ABANDONNEE = "abandonnee"


PROGRESS_STATE_LABELS = {
    ProgressState.NON_ENGAGEE: "non engagée",
    ProgressState.ENGAGEE: "engagée",
    ProgressState.REALISEE: "réalisée",
    ProgressState.ABANDONNEE: "abandonnée",
}
PROGRESS_NOT_RECORDED = "sans suivi"  # a fiche and year nobody recorded a state for


class TerritorialRule(StrEnum):
    """How a plan-wide objective reads for one territory (declared per objective in plan.yaml)."""

    PRORATA = "prorata"  # a count shared pro rata of households (or population)
    CHAQUE_TERRITOIRE = "chaque_territoire"  # the per-territory target holds in each territory
    DEPARTEMENTAL = "departemental"  # not divided: a territory shows the département's objective
    TERRITORIAL = "territorial"  # the objective names its own territory (Sarthe 2A)


RULE_LABELS = {
    TerritorialRule.PRORATA: "au prorata",
    TerritorialRule.CHAQUE_TERRITOIRE: "objectif de chaque territoire",
    TerritorialRule.DEPARTEMENTAL: "objectif départemental",
    TerritorialRule.TERRITORIAL: "objectif du territoire",
}


class ProrataBase(StrEnum):
    MENAGES = "menages"
    POPULATION = "population"


class ObjectiveKind(StrEnum):
    MIN_PER_YEAR = "min_per_year"
    MAX_PER_YEAR = "max_per_year"
    MIN_CUMULATIVE = "min_cumulative"
    DECREASE_FROM_BASELINE = "decrease_from_baseline"
    INCREASE_FROM_BASELINE = "increase_from_baseline"
    RATIO_MAX = "ratio_max"
    SHARE_MIN = "share_min"
    STOCK_TARGET = "stock_target"
    MILESTONE = "milestone"
    TO_BE_SET = "to_be_set"  # « objectif chiffré à fixer »: its indicator is followed, its target is not written yet


class BatchKind(StrEnum):
    DEMO = "demo"
    REFERENCE = "reference"
    IMPORT = "import"


class Outcome(StrEnum):
    """The results a programme (dispositif) publishes (issue 20): counts, and shares or costs whose
    parts, when the document gives both, are in ``OUTCOMES`` (``parts``)."""

    PERSONNES_ACCOMPAGNEES = "personnes_accompagnees"
    MENAGES_ENTRES = "menages_entres"
    PARCOURS_CLOTURES = "parcours_clotures"
    CLOTURES_DETTE_MINOREE = "clotures_dette_minoree"
    CLOTURES_DETTE_APUREE = "clotures_dette_apuree"
    MESURES_RENOUVELEES = "mesures_renouvelees"
    MOIS_ACCOMPAGNEMENT = "mois_accompagnement"
    COUT_ACCOMPAGNEMENT = "cout_accompagnement"
    PART_DETTE_MINOREE = "part_dette_minoree"
    PART_DETTE_APUREE = "part_dette_apuree"
    PART_RENOUVELEES = "part_renouvelees"
    PART_PLUS_DE_3_PROBLEMATIQUES = "part_plus_de_3_problematiques"
    COUT_6_MOIS = "cout_6_mois"
    RENCONTRES_6_MOIS = "rencontres_6_mois"


@dataclass(frozen=True)
class OutcomeInfo:
    """How an outcome reads: its French label and unit; a ratio's ``parts`` (numerator,
    denominator) and ``scale`` (value = numerator / denominator × scale)."""

    label: str
    unit: str
    parts: tuple[Outcome, Outcome] | None = None
    scale: float = 1.0


OUTCOMES = {
    Outcome.PERSONNES_ACCOMPAGNEES: OutcomeInfo("Personnes accompagnées", "personnes"),
    Outcome.MENAGES_ENTRES: OutcomeInfo("Ménages entrés dans le dispositif", "ménages"),
    Outcome.PARCOURS_CLOTURES: OutcomeInfo("Parcours clôturés", "parcours"),
    Outcome.CLOTURES_DETTE_MINOREE: OutcomeInfo("Parcours clôturés avec une dette minorée", "parcours"),
    Outcome.CLOTURES_DETTE_APUREE: OutcomeInfo("Parcours clôturés avec la dette apurée", "parcours"),
    Outcome.MESURES_RENOUVELEES: OutcomeInfo("Mesures renouvelées au moins une fois", "mesures"),
    Outcome.MOIS_ACCOMPAGNEMENT: OutcomeInfo("Mois d'accompagnement", "mois"),
    Outcome.COUT_ACCOMPAGNEMENT: OutcomeInfo("Coût de l'accompagnement", "€"),
    Outcome.PART_DETTE_MINOREE: OutcomeInfo(
        "Part des situations avec une dette minorée", "%", (Outcome.CLOTURES_DETTE_MINOREE, Outcome.PARCOURS_CLOTURES), 100
    ),
    Outcome.PART_DETTE_APUREE: OutcomeInfo(
        "Part des situations avec la dette apurée", "%", (Outcome.CLOTURES_DETTE_APUREE, Outcome.PARCOURS_CLOTURES), 100
    ),
    Outcome.PART_RENOUVELEES: OutcomeInfo(
        "Part des mesures renouvelées au moins une fois", "%", (Outcome.MESURES_RENOUVELEES, Outcome.PARCOURS_CLOTURES), 100
    ),
    Outcome.PART_PLUS_DE_3_PROBLEMATIQUES: OutcomeInfo("Part des ménages accompagnés cumulant plus de 3 problématiques", "%"),
    Outcome.COUT_6_MOIS: OutcomeInfo(
        "Coût de l'accompagnement global renforcé",
        "€ pour 6 mois d'accompagnement",
        (Outcome.COUT_ACCOMPAGNEMENT, Outcome.MOIS_ACCOMPAGNEMENT),
        6,
    ),
    Outcome.RENCONTRES_6_MOIS: OutcomeInfo("Rencontres à domicile par bénéficiaire", "rencontres pour 6 mois d'accompagnement"),
}


class OutcomeBound(StrEnum):
    """A result published as a bound (« un peu moins de 1500 € », « plus de 5 rencontres »)."""

    MOINS_DE = "moins de"
    PLUS_DE = "plus de"


class Section(StrEnum):
    """The groups of the sidebar navigation."""

    TABLEAU_DE_BORD = "Tableau de bord"
    THEMATIQUES = "Thématiques"
    LE_PLAN = "Le plan"
    REUNIONS = "Réunions et données"


class Page(StrEnum):
    """The dashboard's pages: the value is the page's file stem and URL path."""

    VUE_ENSEMBLE = "vue_ensemble"
    TENDANCES = "tendances"
    COMPARER = "comparer"
    EXPULSIONS = "expulsions"
    FSL = "fsl"
    MAL_LOGEMENT = "mal_logement"
    ACCES_HEBERGEMENT = "acces_hebergement"
    PLAN_ACTION = "plan_action"
    DISPOSITIFS = "dispositifs"
    DONNEES_METHODES = "donnees_methodes"
    SEANCES = "seances"
    IMPORT_DONNEES = "import_donnees"


@dataclass(frozen=True)
class PageInfo:
    """One page of the registry: what the navigation, the séances, the exports and the tests read."""

    page: Page
    title: str
    icon: str
    section: Section
    in_seance: bool = True  # a view of this page can be saved in a séance and exported as a slide
    heading: str | None = None  # the page's title when longer than its menu label

    @property
    def page_title(self) -> str:
        return self.heading or self.title

    @property
    def script(self) -> str:
        return f"pages/{self.page.value}.py"


PAGES = (
    PageInfo(Page.VUE_ENSEMBLE, "Vue d'ensemble", ":material/dashboard:", Section.TABLEAU_DE_BORD),
    PageInfo(Page.TENDANCES, "Tendances", ":material/show_chart:", Section.TABLEAU_DE_BORD),
    PageInfo(Page.COMPARER, "Comparer les territoires", ":material/map:", Section.TABLEAU_DE_BORD),
    PageInfo(Page.EXPULSIONS, "Procédure d'expulsion", ":material/gavel:", Section.THEMATIQUES),
    PageInfo(Page.FSL, "Aides FSL", ":material/euro:", Section.THEMATIQUES, heading="Aides du Fonds de solidarité logement"),
    PageInfo(Page.MAL_LOGEMENT, "Mal-logement", ":material/house_siding:", Section.THEMATIQUES),
    PageInfo(Page.ACCES_HEBERGEMENT, "Accès et hébergement", ":material/night_shelter:", Section.THEMATIQUES),
    PageInfo(Page.PLAN_ACTION, "Plan d'action", ":material/checklist:", Section.LE_PLAN),
    PageInfo(Page.DISPOSITIFS, "Dispositifs", ":material/diversity_3:", Section.LE_PLAN, heading="Dispositifs du plan"),
    PageInfo(Page.DONNEES_METHODES, "Données et méthodes", ":material/menu_book:", Section.LE_PLAN),
    PageInfo(Page.SEANCES, "Séances", ":material/slideshow:", Section.REUNIONS, in_seance=False),
    PageInfo(Page.IMPORT_DONNEES, "Importer des données", ":material/upload_file:", Section.REUNIONS, in_seance=False),
)
PAGE_INFO = {info.page: info for info in PAGES}
HOME_PAGE = Page.VUE_ENSEMBLE  # served at « / »
SEANCE_PAGES = tuple(info.page for info in PAGES if info.in_seance)


@dataclass(frozen=True)
class Treve:
    """The trêve hivernale: no eviction may be carried out from 1 November to 31 March (inclusive).

    Extended during the health crisis (until 10 July 2020, then until 31 May 2021): those
    extensions are events of the reference data (``data_access.reference.NATIONAL_EVENTS``)."""

    first_month: int = 11  # November
    last_month: int = 3  # March
    text: str = "1er novembre – 31 mars"

    def covers(self, month: int) -> bool:
        """Whether the month (1–12) lies in the ordinary trêve."""
        return month >= self.first_month or month <= self.last_month


TREVE = Treve()
