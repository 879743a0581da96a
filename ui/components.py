"""Small Streamlit building blocks shared by pages: family tiles, status badges, objective tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.french import fr_number, fr_signed_percent
from data_access.status import KIND_LABELS
from figures.palette import STATUS_COLOURS

# a symbol as well as a colour, so that the status reads without colour vision
STATUS_SYMBOLS = {"atteint": "✔", "en bonne voie": "↗", "en retard": "⚠", "non atteint": "✖", "pas de données": "–"}
BADGE_COLOURS = {"atteint": "green", "en bonne voie": "blue", "en retard": "orange", "non atteint": "red", "pas de données": "gray"}


def status_badge(status: str) -> str:
    """Markdown badge for a status, e.g. ``:green-badge[✔ atteint]``."""
    return f":{BADGE_COLOURS.get(status, 'gray')}-badge[{STATUS_SYMBOLS.get(status, '')} {status}]"


def value_text(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "–"
    return fr_number(value, 1 if abs(value) < 10 and value != int(value) else 0)


def indicator_trend_table(codes: list[str], series: pd.DataFrame, labels: dict[str, str], year: int) -> pd.DataFrame:
    """One row per indicator of ``codes``: its label, its value in ``year`` in French print, and its
    complete yearly values in order (for a ``LineChartColumn`` sparkline)."""
    rows = []
    for code in codes:
        values = series[(series["indicator_code"] == code) & series["complete"].astype(bool)].sort_values("period_start")
        current = values.loc[[d.year == year for d in values["period_start"]], "value"]
        rows.append(
            (labels.get(code, code), value_text(current.iloc[-1]) if not current.empty else "–", values["value"].astype(float).tolist())
        )
    return pd.DataFrame(rows, columns=["Indicateur", f"Valeur {year}", "Évolution"])


def family_tile(parts: pd.DataFrame, objectives: pd.DataFrame, year: int) -> None:
    """One bordered tile: the family's values for ``year``, their change, and its objectives' statuses."""
    with st.container(border=True):
        st.markdown(f"#### {parts['title'].iloc[0]}")
        for row in parts.itertuples():
            delta = (
                None
                if row.change_pct is None or pd.isna(row.change_pct)
                # Streamlit reads the arrow's direction from a leading ASCII « - »
                else f"{fr_signed_percent(row.change_pct).replace('−', '-')} sur un an"
            )
            st.metric(row.part, value_text(row.value), delta=delta, delta_color="off")
        st.caption(f"Évolution : {year} par rapport à {year - 1}")
        for objective in objectives.itertuples():
            target = "" if objective.target is None or pd.isna(objective.target) else f" (cible {value_text(objective.target)})"
            st.markdown(f"{status_badge(objective.status)} {objective.label}{target}")
        if objectives.empty:
            st.caption("Pas d'objectif chiffré du plan sur ces indicateurs.")


def objective_table(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The status table in readable French columns (what is shown is what the CSV contains)."""
    return pd.DataFrame(
        {
            "Action": table["action_code"],
            "Objectif (termes du plan)": table["label"],
            "Nature": table["kind"].map(KIND_LABELS),
            "Indicateur": table["indicator_code"].map(lambda c: labels.get(c, "—") if isinstance(c, str) else "— (non mesuré)"),
            "Période évaluée": table["period_label"],
            "Cible": table["target"].map(value_text) + table["prorata"].map(lambda p: " (au prorata)" if p else ""),
            "Référence": table["baseline"].map(value_text),
            "Valeur": table["value"].map(value_text),
            "Statut": table["status"].map(lambda s: f"{STATUS_SYMBOLS.get(s, '')} {s}"),
        }
    )


def style_status(frame: pd.DataFrame) -> pd.io.formats.style.Styler:
    """Colour the « Statut » column with the colour-blind-safe status palette."""

    def colour(value: str) -> str:
        status = value.split(" ", 1)[-1]
        return f"background-color: {STATUS_COLOURS.get(status, '#ffffff')}; color: {'#000' if status in ('en bonne voie', 'en retard') else '#fff'}"

    return frame.style.map(colour, subset=["Statut"])
