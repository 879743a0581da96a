"""``python -m data_access demo remove [--indicator CODE] [--departement D]``: remove demo values.

Without options every demo value goes; ``--indicator`` and ``--departement`` (each repeatable)
narrow it to some indicators and départements. Removed values do not come back by ``revert``
(that is for imports); ``seed-demo --replace`` regenerates the demo, except for the series that
hold imported values. An import removes the demo values of its own series by itself.
"""

from __future__ import annotations

import argparse

from sqlalchemy import Engine, select

from data_access import demo
from data_access.errors import UserError
from data_access.models import Indicator, Territory


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("demo", help="retire des données fictives de démonstration (toutes, ou d'un indicateur, d'un département)")
    actions = parser.add_subparsers(dest="demo_command", required=True, metavar="action")
    remove = actions.add_parser(
        "remove", help="retire les valeurs de démonstration (toutes, ou celles des indicateurs et départements donnés)"
    )
    remove.add_argument("--indicator", action="append", metavar="CODE", help="un code d'indicateur du catalogue (répétable)")
    remove.add_argument("--departement", action="append", metavar="D", help="un code de département, par exemple 38 (répétable)")


def run(engine: Engine, args: argparse.Namespace) -> None:
    """Run a ``demo`` command; UserError for an unknown indicator or département (nothing removed)."""
    with engine.begin() as conn:
        if args.indicator:
            known = set(conn.scalars(select(Indicator.code).where(Indicator.code.in_(args.indicator))))
            unknown = sorted(set(args.indicator) - known)
            if unknown:
                raise UserError(f"Indicateur(s) inconnu(s) : {', '.join(unknown)} (voir plans/indicateurs.yaml) ; rien n'a été retiré.")
        if args.departement:
            known = set(conn.scalars(select(Territory.departement_code).where(Territory.departement_code.in_(args.departement))))
            unknown = sorted(set(args.departement) - known)
            if unknown:
                raise UserError(f"Département(s) sans territoire chargé : {', '.join(unknown)} ; rien n'a été retiré.")
        removed = demo.remove_demo(conn, indicators=args.indicator, departements=args.departement)
    if not removed:
        print("Aucune valeur de démonstration ne correspond : rien n'a été retiré.")
        return
    listed = ", ".join(f"{i} ({d} : {n})" for (i, d), n in sorted(removed.items())[:20])
    more = f" et {len(removed) - 20} autre(s) série(s)" if len(removed) > 20 else ""
    print(
        f"Données de démonstration : {sum(removed.values())} valeur(s) retirée(s) : {listed}{more}. "
        "Pour les régénérer : python -m data_access seed-demo --replace."
    )
