"""The methods as the observatory applies them, written once: printed on « Données et méthodes »
and on the « Méthodes et sources » page of every dossier and bilan.

The status rule here states what ``data_access.status`` applies (its module docstring is the
rule's technical statement; ``tests/test_bilan.py`` checks both say the same cases).
"""

from __future__ import annotations

import re

METHODS = """
- **Agrégation.** Les valeurs sont additionnées depuis le niveau le plus fin stocké (la commune) vers l'EPCI, l'arrondissement,
  le territoire et le département ; deux niveaux ne sont jamais additionnés.
- **Zéros et lacunes.** Dans la période couverte par une série communale, un mois sans valeur compte pour zéro (les fichiers des
  partenaires ne listent que les communes concernées). Les séries nationales et départementales gardent leurs lacunes.
- **Ratios.** Taux de CQL par assignation, d'octroi du concours de la force publique, expulsions par concours accordé, montants
  moyens, parts des demandes au 115 non pourvues et taux de relogement DALO : recalculés à partir des sommes, jamais moyennés.
- **Stocks.** Un effectif compté à une date (places d'hébergement, référents en poste au 31 décembre) n'est jamais additionné
  d'une année à l'autre : chaque année montre sa valeur, la comparaison des territoires sur plusieurs années montre la dernière.
- **Taux pour 1 000 ménages / habitants.** Ménages INSEE RP 2021 et population municipale 2023 des communes, additionnés.
- **Objectifs et territoires.** Chaque objectif dit comment il se lit pour un territoire, selon les termes du plan :
  *au prorata* (un nombre réparti selon les ménages, ou la population), *objectif de chaque territoire* (« un référent
  territorial par territoire » : 1 dans chacun), *objectif départemental* (non réparti : le territoire voit l'objectif et le
  statut du département), ou *objectif du territoire* quand le plan le fixe pour un territoire nommé.
- **Statuts.** Sur une période évaluée entièrement couverte par les données, un objectif est *atteint* si la valeur
  mesurée tient la cible (au moins la cible pour un minimum, une part ou un effectif ; au plus la cible pour un maximum ou
  un taux), sinon *non atteint*. Sur une période en partie couverte, les nombres sont projetés sur la période entière
  (valeur ÷ part couverte ; les taux, parts et effectifs sont pris tels quels) : *en bonne voie* si la projection tient la
  cible, sinon *en retard* ; un minimum déjà atteint est *atteint*, un maximum annuel déjà dépassé *non atteint*.
  *pas de données* sans valeur mesurée, ou sans cible ni valeur de référence. Un objectif de baisse (de hausse) sans niveau
  cible est tenu quand la valeur est inférieure (supérieure) à sa valeur de référence ; l'année de référence est dite
  *supposée* quand le plan ne la donne pas. Une cible approchée (« une vingtaine ») est tenue à sa tolérance près.
- **Objectifs à fixer.** Quand le plan demande de « se donner des objectifs chiffrés » sans les fixer (PLH de
  Grenoble-Alpes Métropole 2010-2015), l'objectif est *à fixer* : sa valeur mesurée est montrée, jamais jugée.
- **Plans intercommunaux et périmètres.** Un territoire montre les objectifs de chaque plan qui le concerne (le PALHDI
  et le PLH pour Grenoble-Alpes-Métropole), chacun évalué pour une année de sa propre période. Un objectif fixé sur le
  périmètre d'un EPCI à une date passée (avant une fusion) est évalué sur les communes de ce périmètre : la somme de
  leurs valeurs, un taux recalculé à partir des sommes ; une valeur saisie pour l'EPCI lui-même décrit son périmètre
  d'aujourd'hui.
- **Jalons.** Un objectif qualitatif est *atteint* quand il a été enregistré comme réalisé (avec sa date) ; *abandonné* s'il
  a été abandonné ; sinon *à renseigner* jusqu'à son échéance (déclarée, ou la fin du plan), puis *en retard*.
- **Évaluation sur la durée du plan.** Les objectifs annuels sont jugés année par année (« tenu 5 années sur 7 ») ; les
  autres sur toute la période, par le statut de la dernière année. Les années hors de la période du plan sont signalées
  « hors période du plan ».
- **Données de démonstration.** Tant que des données fictives sont présentes, chaque figure qui en montre porte la mention
  « Données fictives de démonstration ». Elles sont générées par le code, calibrées sur des ordres de grandeur publiés.
"""


def method_statements() -> list[str]:
    """``METHODS`` as plain sentences, one per item (Markdown emphasis removed): the lines of a
    printed « Méthodes et sources » page."""
    items = re.split(r"\n- ", "\n" + METHODS.strip())
    return [re.sub(r"\*\*?([^*]+)\*\*?", r"\1", " ".join(item.split())) for item in items if item.strip()]
