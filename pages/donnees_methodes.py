"""Données et méthodes : dictionnaire des indicateurs, historique des chargements, méthodes, sources."""

import streamlit as st

from ui import cache, filters, frame

view = filters.current()
st.title("Données et méthodes")

st.subheader("Dictionnaire des indicateurs")
catalogue = cache.indicator_catalogue()
coverage = cache.coverage(view.departement)
span = coverage.groupby("indicator_code").agg(
    first=("first_period", "min"), last=("last_period", "max"), updated=("updated_at", "max"), demo=("n_demo", "sum")
)
dictionary = catalogue.join(span, on="code").assign(
    couverture=lambda f: [
        f"{a:%m/%Y} – {b:%m/%Y}" if a == a and a is not None else "aucune donnée" for a, b in zip(f["first"], f["last"], strict=True)
    ],
    maj=lambda f: [f"{d:%d/%m/%Y}" if d == d and d is not None else "–" for d in f["updated"]],
    granularites=lambda f: f["granularities"].str.replace("month", "mois").str.replace("quarter", "trimestre").str.replace("year", "année"),
    calcul=lambda f: [f"{n} / {d}" if isinstance(n, str) else "" for n, d in zip(f["numerator_code"], f["denominator_code"], strict=True)],
)
shown = dictionary[["label", "code", "unit", "theme", "definition", "source", "granularites", "couverture", "maj", "calcul"]].rename(
    columns={
        "label": "Indicateur",
        "code": "Code",
        "unit": "Unité",
        "theme": "Thème",
        "definition": "Définition",
        "source": "Source",
        "granularites": "Granularités",
        "couverture": f"Couverture ({view.departement_name})",
        "maj": "Mise à jour",
        "calcul": "Ratio de",
    }
)
st.dataframe(shown, hide_index=True, width="stretch")
frame.table_downloads(shown, name="dictionnaire-indicateurs", title="Dictionnaire des indicateurs")

st.subheader("Historique des chargements")
history = cache.import_history()
st.dataframe(history, hide_index=True, width="stretch", placeholder="—")
frame.table_downloads(history, name="historique-des-chargements", title="Historique des chargements")
st.caption(
    "Chaque chargement (démonstration, référence, import d'un partenaire) est un lot ; un import peut être annulé depuis la page « Importer des données »."
)

st.subheader("Méthodes")
st.markdown(
    """
- **Agrégation.** Les valeurs sont additionnées depuis le niveau le plus fin stocké (la commune) vers l'EPCI, l'arrondissement,
  le territoire et le département ; deux niveaux ne sont jamais additionnés.
- **Zéros et lacunes.** Dans la période couverte par une série communale, un mois sans valeur compte pour zéro (les fichiers des
  partenaires ne listent que les communes concernées). Les séries nationales et départementales gardent leurs lacunes.
- **Ratios.** Taux de CQL par assignation, d'octroi du concours de la force publique, expulsions par concours accordé, montants
  moyens : recalculés à partir des sommes, jamais moyennés.
- **Taux pour 1 000 ménages / habitants.** Ménages INSEE RP 2021 et population municipale 2023 des communes, additionnés.
- **Objectifs au prorata.** Un objectif départemental affiché pour un territoire est ramené au prorata de ses ménages ; les taux
  et parts ne sont pas répartis. Le libellé l'indique (« au prorata »).
- **Statuts.** *atteint* / *non atteint* sur une période complète ; sur une période en cours, *en bonne voie* ou *en retard* selon
  la projection sur la période entière (les taux ne sont pas projetés) ; *pas de données* sans mesure. Un jalon qualitatif est
  *atteint* à sa date d'enregistrement.
- **Données de démonstration.** Tant que des données fictives sont présentes, chaque figure qui en montre porte la mention
  « Données fictives de démonstration ». Elles sont générées par le code, calibrées sur des ordres de grandeur publiés.
"""
)

st.subheader("Référentiels géographiques et démographiques")
st.markdown(
    """
| Données | Source | Millésime | Licence |
|---|---|---|---|
| Contours des communes | IGN Admin Express COG (via france-geojson) | 2018 | Licence Ouverte / Etalab |
| Communes → EPCI, population | INSEE, DGCL, Etalab (découpage administratif 6.0.0) | COG 2026, population 2023 | Licence Ouverte 2.0 |
| Communes → territoires (Isère) | Département de l'Isère | ≈ COG 2021 | information publique |
| Ménages, arrondissements | INSEE, recensement de la population 2021 ; COG 2024 | RP 2021 | Licence Ouverte 2.0 |
"""
)
