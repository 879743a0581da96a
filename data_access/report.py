"""A plain-text account of what the database holds (the ``status`` command)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from data_access.french import fr_number
from data_access.models import Base, ImportBatch, Plan, SeriesCoverage


def _fr(n: int | float) -> str:
    return fr_number(n)


def database_status(conn: Connection) -> str:
    """Counts per table, plans loaded, periods covered per theme, and how much is demo data."""
    lines = ["Tables (lignes) :"]
    for table in Base.metadata.sorted_tables:
        lines.append(f"  {table.name:<22} {_fr(conn.scalar(select(func.count()).select_from(table)) or 0):>12}")
    lines.append("Plans chargés :")
    for code, name, start, end in conn.execute(select(Plan.code, Plan.short_name, Plan.period_start, Plan.period_end).order_by(Plan.code)):
        lines.append(f"  {code} — {name} ({start.year}–{end.year})")
    lines.append("Périodes couvertes (par département, niveau et granularité) :")
    coverage = conn.execute(
        select(
            SeriesCoverage.departement_code,
            SeriesCoverage.level,
            SeriesCoverage.granularity,
            func.count(),
            func.min(SeriesCoverage.first_period),
            func.max(SeriesCoverage.last_period),
            func.sum(SeriesCoverage.n_values),
            func.sum(SeriesCoverage.n_demo),
        )
        .group_by(SeriesCoverage.departement_code, SeriesCoverage.level, SeriesCoverage.granularity)
        .order_by(SeriesCoverage.departement_code, SeriesCoverage.level, SeriesCoverage.granularity)
    )
    for dep, level, granularity, indicators, first, last, values, demo in coverage:
        share = f"{100 * demo / values:.0f} % démo" if values else ""
        lines.append(
            f"  {dep:<3} {level:<12} {granularity:<8} {indicators:>3} indicateurs  {first:%Y-%m} → {last:%Y-%m}  {_fr(values):>10} valeurs  {share}"
        )
    lines.append("Lots de données :")
    for kind, count, rows in conn.execute(
        select(ImportBatch.kind, func.count(), func.sum(ImportBatch.rows))
        .where(ImportBatch.reverted_at.is_(None))
        .group_by(ImportBatch.kind)
    ):
        lines.append(f"  {kind:<10} {count:>3} lot(s), {_fr(rows or 0)} valeurs")
    demo_values = conn.scalar(select(func.sum(SeriesCoverage.n_demo))) or 0
    lines.append("Base de démonstration : oui (données fictives présentes)" if demo_values else "Base de démonstration : non")
    return "\n".join(lines)
