"""Typed SQLAlchemy 2 models. The schema itself is created only by the Alembic migrations.

Table names are part of the product: outside tools (a BI tool, ``psql``) query them directly.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

THEMES = ("expulsions", "fsl", "mal_logement", "acces_hebergement", "pilotage", "contexte")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Territory(Base):
    """A commune, a grouping of communes, a département or France.

    ``code``: INSEE code (commune, arrondissement, département), SIREN (EPCI), slug (the
    Département's territoires) or ``FR``. ``population`` and ``households`` of a grouping are
    the sums over its communes.
    """

    __tablename__ = "territory"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20), index=True)
    departement_code: Mapped[str | None] = mapped_column(String(3), index=True)
    population: Mapped[int | None] = mapped_column(Integer)
    households: Mapped[int | None] = mapped_column(Integer)


class TerritoryMembership(Base):
    """Which groupings a territory belongs to, levels denormalised for the series queries.

    A commune belongs to one EPCI, one arrondissement, one territoire and one département; a
    grouping belongs to its département; every territory is also a member of itself, so that one
    join serves values stored at the commune level and values stored at the grouping itself.
    """

    __tablename__ = "territory_membership"

    member_code: Mapped[str] = mapped_column(ForeignKey("territory.code"), primary_key=True)
    group_code: Mapped[str] = mapped_column(ForeignKey("territory.code"), primary_key=True)
    member_level: Mapped[str] = mapped_column(String(20))
    group_level: Mapped[str] = mapped_column(String(20))

    __table_args__ = (Index(None, "group_code", "member_level", "member_code"),)


class HistoricPerimeter(Base):
    """A grouping's composition over a past span (issue 20): the communes of an EPCI from
    ``valid_from`` to ``valid_to`` (inclusive), before a merger changed it (Grenoble-Alpes-Métropole
    had 28 communes until 31 December 2013, 49 since). Declared by a plan (``perimetres`` in
    plan.yaml); the current composition stays in ``territory_membership``."""

    __tablename__ = "historic_perimeter"

    group_code: Mapped[str] = mapped_column(ForeignKey("territory.code"), primary_key=True)
    valid_from: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    member_code: Mapped[str] = mapped_column(ForeignKey("territory.code"), primary_key=True)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)


class Indicator(Base):
    """An indicator of the catalogue. A ratio has a numerator and a denominator (stored indicators)."""

    __tablename__ = "indicator"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40))
    theme: Mapped[str] = mapped_column(String(20))
    better: Mapped[str] = mapped_column(String(10))
    granularities: Mapped[str] = mapped_column(String(40))  # comma-separated, finest first
    definition: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200))
    numerator_code: Mapped[str | None] = mapped_column(ForeignKey("indicator.code"))
    denominator_code: Mapped[str | None] = mapped_column(ForeignKey("indicator.code"))
    scale: Mapped[float] = mapped_column(Float, default=1.0)
    rounding: Mapped[int | None] = mapped_column(Integer)  # the source rounds its figures to this multiple (CAF: 5)
    stock: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # a count at a date: never summed over years


class ImportBatch(Base):
    """One load of values: demo generation, reference data or a partner's file."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    user_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    source: Mapped[str | None] = mapped_column(String(300))
    reverted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Observation(Base):
    """One value per (indicator, territory, period_start, granularity).

    The primary key order serves the page queries: one indicator, one granularity, a range of
    periods, the communes of a grouping. On SQLite the table is clustered on it (WITHOUT ROWID).
    """

    __tablename__ = "observation"

    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"), primary_key=True)
    granularity: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    territory_code: Mapped[str] = mapped_column(ForeignKey("territory.code"), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default="définitif")
    approx: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(300))
    import_batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    # secret statistique: the partner did not publish the value (« s », « < 5 »…); ``value`` is then 0,
    # left out of every sum, and a sum over such a cell is a lower bound (``queries.secret_counts``, ``views.secret``)
    secret: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = ({"sqlite_with_rowid": False},)


class ObservationRollup(Base):
    """Commune-level values summed per grouping (EPCI, arrondissement, territoire, département),
    per indicator, granularity and period: what the pages read for a grouping instead of adding up
    its communes on every click (``data_access/rollup.py``).

    Derived data, kept current from ``observation`` with ``series_coverage`` at every load, import
    and revert; it has no foreign keys so that a rebuild is one INSERT … SELECT (its codes come from
    ``observation`` and ``territory_membership``, which have them). The key order serves the page
    queries: one indicator, one granularity, one grouping, a range of periods.
    """

    __tablename__ = "observation_rollup"

    indicator_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    granularity: Mapped[str] = mapped_column(String(8), primary_key=True)
    territory_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    n_values: Mapped[int] = mapped_column(Integer)  # how many values are summed
    n_demo: Mapped[int] = mapped_column(Integer)  # how many of them are demo values
    n_secret: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # how many are secret cells (value 0)

    __table_args__ = ({"sqlite_with_rowid": False},)


class SeriesCoverage(Base):
    """What is stored, per indicator, département, level and granularity (maintained at each load).

    The series queries read it to choose the finest stored level and granularity without
    scanning observations; the status command and the data dictionary show it.
    """

    __tablename__ = "series_coverage"

    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"), primary_key=True)
    departement_code: Mapped[str] = mapped_column(String(3), primary_key=True)
    level: Mapped[str] = mapped_column(String(20), primary_key=True)
    granularity: Mapped[str] = mapped_column(String(8), primary_key=True)
    first_period: Mapped[dt.date] = mapped_column(Date)
    last_period: Mapped[dt.date] = mapped_column(Date)
    n_values: Mapped[int] = mapped_column(Integer)
    n_demo: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Plan(Base):
    __tablename__ = "plan"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(100))
    acronym: Mapped[str] = mapped_column(String(20))
    departement_code: Mapped[str] = mapped_column(ForeignKey("territory.code"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    axis_kind: Mapped[str] = mapped_column(String(20))  # chantier / orientation
    source: Mapped[str] = mapped_column(Text)
    # the plan a visitor lands on (``defaut: true`` in plan.yaml); see data_access.plans.default_plan
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the territory an intercommunal plan covers (a PLH: its EPCI), where its pages open; None: the département
    perimeter_code: Mapped[str | None] = mapped_column(ForeignKey("territory.code"))


class PlanAxis(Base):
    """A chantier (Isère) or an orientation (Sarthe)."""

    __tablename__ = "plan_axis"

    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    objective: Mapped[str | None] = mapped_column(Text)


class PlanAction(Base):
    """A fiche-action with its texts as the plan words them."""

    __tablename__ = "plan_action"

    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    axis_code: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    objective: Mapped[str | None] = mapped_column(Text)
    quantified_objective: Mapped[str | None] = mapped_column(Text)
    responsible: Mapped[str | None] = mapped_column(Text)
    partners: Mapped[str | None] = mapped_column(Text)
    cost: Mapped[str | None] = mapped_column(Text)
    evaluation_effectivite: Mapped[str | None] = mapped_column(Text)
    evaluation_efficacite: Mapped[str | None] = mapped_column(Text)
    evaluation_impact: Mapped[str | None] = mapped_column(Text)
    evaluation_text: Mapped[str | None] = mapped_column(Text)


class ActionIndicator(Base):
    """The stored indicators that measure a fiche-action's evaluation indicators."""

    __tablename__ = "action_indicator"

    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"), primary_key=True)
    action_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"), primary_key=True)


class Objective(Base):
    """A quantified objective of a plan, quoted in ``label`` in the plan's own words.

    ``territory_code`` is the département for a plan-wide objective. ``kind`` is one of
    ``data_access.status.OBJECTIVE_KINDS``; ``achieved_on`` records a qualitative milestone.
    """

    __tablename__ = "objective"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"), index=True)
    action_code: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)
    indicator_code: Mapped[str | None] = mapped_column(ForeignKey("indicator.code"))
    territory_code: Mapped[str] = mapped_column(ForeignKey("territory.code"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(30))
    target_value: Mapped[float | None] = mapped_column(Float)
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_start: Mapped[dt.date | None] = mapped_column(Date)
    baseline_end: Mapped[dt.date | None] = mapped_column(Date)
    label: Mapped[str] = mapped_column(Text)
    achieved_on: Mapped[dt.date | None] = mapped_column(Date)
    # how the objective reads for a territory (data_access.vocabulary.TerritorialRule)
    territorial_rule: Mapped[str] = mapped_column(String(20), server_default="prorata")
    prorata_base: Mapped[str] = mapped_column(String(20), server_default="menages")  # menages, population
    target_per_territory: Mapped[float | None] = mapped_column(Float)  # chaque_territoire
    tolerance: Mapped[float | None] = mapped_column(Float)  # relative: 0.1 for « une vingtaine »
    tolerance_label: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[dt.date | None] = mapped_column(Date)  # a milestone's due date (default: the plan's end)
    baseline_assumed: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # the date of the territory's composition the objective was set on (« perimetre_au »): a past
    # perimeter (``historic_perimeter``) is evaluated on its own communes, None on today's
    perimeter_date: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("plan_code", "action_code", "position"),)


class Dispositif(Base):
    """A programme that carries part of a plan (``plans/<plan>/dispositifs/<code>.yaml``, issue 20):
    run by operators over its own period and territory, followed by its published results
    (``dispositif_result``), not by territory and month."""

    __tablename__ = "dispositif"

    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"), primary_key=True)
    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    programme: Mapped[str | None] = mapped_column(Text)  # the national programme it belongs to
    category: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(Text)
    presentation: Mapped[str | None] = mapped_column(Text)
    operators: Mapped[str] = mapped_column(Text)  # « ; »-separated, as the document lists them
    support: Mapped[str | None] = mapped_column(Text)  # who accompanies the households
    funders: Mapped[str | None] = mapped_column(Text)
    human_means: Mapped[str | None] = mapped_column(Text)
    public: Mapped[str | None] = mapped_column(Text)
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    territory_code: Mapped[str] = mapped_column(ForeignKey("territory.code"))
    territory_label: Mapped[str] = mapped_column(String(200))  # the document's words (« Département de l'Isère »)


class DispositifAction(Base):
    """The plan's fiches-action a programme serves (its results show in their bilan)."""

    __tablename__ = "dispositif_action"

    plan_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    dispositif_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    action_code: Mapped[str] = mapped_column(String(10), primary_key=True)

    __table_args__ = (
        ForeignKeyConstraint(["plan_code", "dispositif_code"], ["dispositif.plan_code", "dispositif.code"]),
        ForeignKeyConstraint(["plan_code", "action_code"], ["plan_action.plan_code", "plan_action.code"]),
    )


class DispositifBudget(Base):
    """A programme's budget over years, as published: its total a year (``funder`` empty) or one
    funder's share. Stored as the document gives them, never added up (the shares of 2019 of
    « Logement toujours » sum to more than its budget)."""

    __tablename__ = "dispositif_budget"

    plan_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    dispositif_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    funder: Mapped[str | None] = mapped_column(String(200))
    euros_per_year: Mapped[float] = mapped_column(Float)

    __table_args__ = (ForeignKeyConstraint(["plan_code", "dispositif_code"], ["dispositif.plan_code", "dispositif.code"]),)


class DispositifResult(Base):
    """One published result of a programme: an outcome (``data_access.vocabulary.Outcome``), its
    value over the period it covers (« sur la période 2016-2018 », « à fin 2018 »; empty when
    the document gives none), never a month, quarter or year's value, so never summed with one.

    ``bound`` says the document's « plus de » / « un peu moins de » (``OutcomeBound``); ``base``
    the outcome a share is of (« 24 % » of the « 51 parcours clôturés »); ``quote`` the sentence."""

    __tablename__ = "dispositif_result"

    plan_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    dispositif_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    bound: Mapped[str | None] = mapped_column(String(20))
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    base: Mapped[str | None] = mapped_column(String(60))
    computed: Mapped[bool] = mapped_column(Boolean, server_default=false())  # a ratio worked out from its parts
    quote: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (ForeignKeyConstraint(["plan_code", "dispositif_code"], ["dispositif.plan_code", "dispositif.code"]),)


class MilestoneRecord(Base):
    """One recorded state of a milestone objective, by a data manager (the latest row counts; the
    others are its history). Keyed by the objective's (plan, action, position): records survive a
    reload of the plan."""

    __tablename__ = "milestone_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"))
    action_code: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))  # data_access.vocabulary.MilestoneState
    achieved_on: Mapped[dt.date | None] = mapped_column(Date)
    comment: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (Index(None, "plan_code", "action_code", "position"),)


class ActionProgress(Base):
    """The follow-up of a fiche-action for one year (issue 14): its state, what was done, who leads,
    with whom, with what means. One row per (plan, fiche, year), written by ``data_access.progress``;
    every change is also an ``action_progress_history`` row. ``budget`` is in euros."""

    __tablename__ = "action_progress"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_code: Mapped[str] = mapped_column(String(60))
    action_code: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    state: Mapped[str | None] = mapped_column(String(20))  # data_access.vocabulary.ProgressState
    done: Mapped[str | None] = mapped_column(Text)  # « réalisations »
    comment: Mapped[str | None] = mapped_column(Text)
    lead: Mapped[str | None] = mapped_column(String(200))  # « pilote »
    partners: Mapped[str | None] = mapped_column(Text)
    budget: Mapped[float | None] = mapped_column(Float)  # « moyens », euros
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        ForeignKeyConstraint(["plan_code", "action_code"], ["plan_action.plan_code", "plan_action.code"]),
        UniqueConstraint("plan_code", "action_code", "year"),
    )


class ActionProgressImport(Base):
    """One follow-up file imported (``progress import``): its changes are the history rows that name
    it, and reverting it restores what they replaced."""

    __tablename__ = "action_progress_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"))
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)  # data rows read
    changes: Mapped[int] = mapped_column(Integer)  # history rows written
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    reverted_by: Mapped[str | None] = mapped_column(String(200))
    reverted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ActionProgressHistory(Base):
    """One change of a fiche's follow-up: who, when, the values before and after.

    ``kind`` is one of ``data_access.progress.CHANGE_KINDS``. ``reverts_id`` names the change an undo
    (or an import's revert) took back; ``import_id`` the import a change came from. A change of a
    milestone made by an import has ``milestone_position`` and the ``milestone_record`` rows it wrote
    and found (``previous_record_id`` None: none before); its old_*/new_* columns are empty.
    ``old_exists`` / ``new_exists`` say whether the ``action_progress`` row existed before / after.
    """

    __tablename__ = "action_progress_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_code: Mapped[str] = mapped_column(String(60))
    action_code: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("action_progress_import.id"), index=True)
    reverts_id: Mapped[int | None] = mapped_column(ForeignKey("action_progress_history.id"), index=True)
    milestone_position: Mapped[int | None] = mapped_column(Integer)
    milestone_record_id: Mapped[int | None] = mapped_column(ForeignKey("milestone_record.id"))
    previous_record_id: Mapped[int | None] = mapped_column(ForeignKey("milestone_record.id"))
    old_exists: Mapped[bool] = mapped_column(Boolean)
    old_state: Mapped[str | None] = mapped_column(String(20))
    old_done: Mapped[str | None] = mapped_column(Text)
    old_comment: Mapped[str | None] = mapped_column(Text)
    old_lead: Mapped[str | None] = mapped_column(String(200))
    old_partners: Mapped[str | None] = mapped_column(Text)
    old_budget: Mapped[float | None] = mapped_column(Float)
    new_exists: Mapped[bool] = mapped_column(Boolean)
    new_state: Mapped[str | None] = mapped_column(String(20))
    new_done: Mapped[str | None] = mapped_column(Text)
    new_comment: Mapped[str | None] = mapped_column(Text)
    new_lead: Mapped[str | None] = mapped_column(String(200))
    new_partners: Mapped[str | None] = mapped_column(Text)
    new_budget: Mapped[float | None] = mapped_column(Float)
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        ForeignKeyConstraint(["plan_code", "action_code"], ["plan_action.plan_code", "plan_action.code"]),
        Index(None, "plan_code", "action_code", "year"),
    )


class Event(Base):
    """A dated event annotated on the trend charts (e.g. the 2020 health-crisis moratorium)."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    date_start: Mapped[dt.date] = mapped_column(Date)
    date_end: Mapped[dt.date | None] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(300))
    departement_code: Mapped[str | None] = mapped_column(String(3))  # None: national


class ObservationHistory(Base):
    """A stored value as it was before an import replaced it, so that reverting restores it exactly.

    ``batch_id`` is the import that replaced the value; ``import_batch_id`` the batch the value came
    from (a demo, reference or earlier import batch). That one has no foreign key on purpose: demo
    batches may be deleted and regenerated (``seed-demo --replace``), and a revert then skips the
    values whose batch is gone rather than failing.
    """

    __tablename__ = "observation_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(60))
    granularity: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[dt.date] = mapped_column(Date)
    territory_code: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12))
    approx: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(String(300))
    import_batch_id: Mapped[int] = mapped_column(Integer, index=True)
    secret: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ImportBatchDetail(Base):
    """What an import of kind ``import`` read and changed, one row per batch.

    ``options`` is the JSON of the reading options (format, sheet, column choices): together with
    the file's sha256 it identifies an import, so that importing the same file the same way twice
    is a no-op, while another sheet of the same workbook is a new import.
    """

    __tablename__ = "import_batch_detail"

    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), primary_key=True)
    format: Mapped[str] = mapped_column(String(20))
    sheet: Mapped[str | None] = mapped_column(String(200))
    options: Mapped[str] = mapped_column(Text)
    file_rows: Mapped[int] = mapped_column(Integer)
    excluded_rows: Mapped[int] = mapped_column(Integer)
    new_values: Mapped[int] = mapped_column(Integer)
    changed_values: Mapped[int] = mapped_column(Integer)
    unchanged_values: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
    indicator_codes: Mapped[str] = mapped_column(Text)  # comma-separated


class TerritoryAlias(Base):
    """Other names of a territory that partners' files use, e.g. a commune nouvelle's current name
    for the 2018 commune whose code it kept (« Porte-des-Bonnevaux » → 38479). Loaded with the plan."""

    __tablename__ = "territory_alias"

    alias: Mapped[str] = mapped_column(String(200), primary_key=True)
    territory_code: Mapped[str] = mapped_column(ForeignKey("territory.code"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))


class Seance(Base):
    """A saved, ordered sequence of dashboard views presented in a meeting (issue 7, « mode réunion »),
    e.g. « CCAPEX plénière — décembre 2025 ». Its views are ``seance_view`` rows; see ``data_access.seances``.

    ``created_at`` and ``updated_at`` are naive UTC; ``updated_at`` moves with every change to the séance or
    its views. A name is unique within a plan.
    """

    __tablename__ = "seance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_code: Mapped[str] = mapped_column(ForeignKey("plan.code"))
    name: Mapped[str] = mapped_column(String(200))
    meeting_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("plan_code", "name"),)


class SeanceView(Base):
    """One view of a séance: a page (its file stem), the URL parameters that reopen it, a title, a speaker note.

    ``params`` is canonical JSON (sorted keys, str → str) so that two identical views compare equal as text.
    Positions of a séance's views are 0..n-1; deleting the séance deletes its views (ON DELETE CASCADE).
    """

    __tablename__ = "seance_view"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seance_id: Mapped[int] = mapped_column(ForeignKey("seance.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    page: Mapped[str] = mapped_column(String(40))
    params: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("seance_id", "position"),)
