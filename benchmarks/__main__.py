"""``python -m benchmarks`` (``make bench``): build the databases, measure, print and save the table.

Runs on SQLite, and on PostgreSQL too when ``OBSERVATOIRE_TEST_POSTGRES_URL`` is set (a database
is created beside it for the run and dropped afterwards). Exits 0 even when a budget is missed:
the table says which; ``--strict`` exits 1 then.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import text

from benchmarks import browser, databases, imports, outputs, pages, queries, report, startup
from benchmarks.databases import ROOT
from data_access.cli import FrenchArgumentParser
from data_access.db import make_engine, temporary_postgres_database


def _arguments() -> argparse.Namespace:
    parser = FrenchArgumentParser(prog="python -m benchmarks", description="Mesure les pages, requêtes, cartes, exports et imports.")
    parser.add_argument("--repetitions", type=int, default=15, help="passages à chaud par vue et par requête (défaut 15)")
    parser.add_argument("--froid", type=int, default=3, help="passages à froid par vue (défaut 3)")
    parser.add_argument("--facteur", type=int, default=10, help="multiplication des communes de la base étendue (défaut 10)")
    parser.add_argument("--lignes", type=int, default=100_000, help="lignes du fichier d'import (défaut 100 000)")
    parser.add_argument(
        "--sans-postgresql", action="store_true", help="SQLite seulement, même si OBSERVATOIRE_TEST_POSTGRES_URL est défini"
    )
    parser.add_argument("--sans-demarrage", action="store_true", help="ne pas mesurer make run → première page")
    parser.add_argument(
        "--seulement",
        choices=["navigateur"],
        help="ne mesurer que cette partie (navigateur : clic et adresse → page affichée) ; les autres résultats de latest.json sont gardés",
    )
    parser.add_argument(
        "--sans-navigateur", action="store_true", help="ne pas mesurer dans le navigateur (ses résultats précédents sont gardés)"
    )
    parser.add_argument("--clics", type=int, default=10, help="clics à chaud par vue dans le navigateur (défaut 10)")
    parser.add_argument("--ouvertures", type=int, default=5, help="ouvertures de l'adresse de chaque vue et dessins du plancher (défaut 5)")
    parser.add_argument("--resultats", type=Path, default=ROOT / "benchmarks" / "results", help="dossier des résultats")
    parser.add_argument("--strict", action="store_true", help="code de sortie 1 si un budget n'est pas tenu")
    return parser.parse_args()


def _say(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", flush=True)


def _measure_backend(
    name: str, demo_url: str, scaled_url: str, seed_seconds: list[float], work: Path, args: argparse.Namespace
) -> dict[str, Any]:
    _say(f"{name} : pages, base de démonstration")
    demo_pages = pages.measure_pages(demo_url, cold_repeat=args.froid, warm_repeat=args.repetitions)
    _say(f"{name} : pages, base ×{args.facteur}")
    scaled_pages = pages.measure_pages(scaled_url, cold_repeat=args.froid, warm_repeat=args.repetitions)
    _say(f"{name} : requêtes contre leur plancher")
    engine = make_engine(demo_url)
    query_results = [queries.measure_query(engine, call, call_args, args.repetitions) for call, call_args in pages.recorded_calls(demo_url)]
    _say(f"{name} : import de {args.lignes} lignes")
    rows, import_timing = imports.import_throughput(engine, work, rows=args.lignes, repeat=3)
    engine.dispose()
    return {
        "databases": {"demo": databases.row_counts(demo_url), "scaled": databases.row_counts(scaled_url)},
        "seed_seconds": [round(s, 2) for s in seed_seconds],
        "pages": [asdict(p) for p in demo_pages],
        "pages_scaled": [asdict(p) for p in scaled_pages],
        "queries": [{**asdict(q), "ratio": round(q.ratio, 3)} for q in query_results],
        "import": {"rows": rows, "timing": asdict(import_timing), "rows_per_s": round(rows / (import_timing.median_ms / 1000))},
        "_objects": (demo_pages, scaled_pages, query_results),
    }


def _measure_browser(demo_path: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The browser table's data: the app served on a copy of the demo database (see benchmarks/browser.py)."""
    _say("Navigateur : clic et adresse → page affichée, plancher d'affichage")
    copy = databases.copy_sqlite(demo_path, work / "browser.db")
    run = browser.measure_browser(databases.sqlite_url(copy), clicks=args.clics, opens=args.ouvertures, say=_say)
    data: dict[str, Any] = {"date": dt.datetime.now().isoformat(timespec="seconds"), "commit": report.machine()["commit"], **run.as_dict()}
    try:
        from benchmarks import payloads
    except ImportError:
        return data
    _say("Navigateur : taille des figures de chaque vue (AppTest)")
    sizes = payloads.page_payloads(databases.sqlite_url(copy), pages.VIEWS)
    for view in data["views"]:
        view["payload_bytes"] = sizes.get(view["view"])
    return data


def _previous(directory: Path) -> dict[str, Any]:
    path = directory / "latest.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def _browser_only(args: argparse.Namespace) -> int:
    """``--seulement navigateur``: a demo database of its own, the browser table measured; the rest
    of latest.json (and its budgets) kept as it was."""
    results = _previous(args.resultats) or {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": report.machine()}
    with tempfile.TemporaryDirectory(prefix="observatoire-bench-") as tmp:
        work = Path(tmp)
        _say("SQLite : base de démonstration (seed-demo)")
        demo_path = work / "demo.db"
        databases.build_demo(databases.sqlite_url(demo_path), seed_runs=1)
        results["browser"] = _measure_browser(demo_path, work, args)
    checks = [report.Check(**c) for c in results.get("checks", []) if c["backend"] != report.BROWSER]
    checks += report.browser_checks(results["browser"])
    print(report.write(results, checks, args.resultats))
    return 1 if args.strict and not all(c.ok for c in checks) else 0


def main() -> int:
    args = _arguments()
    if args.seulement == "navigateur":
        return _browser_only(args)
    postgres_url = None if args.sans_postgresql else os.environ.get("OBSERVATOIRE_TEST_POSTGRES_URL")
    results: dict[str, Any] = {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": report.machine(), "backends": {}}
    checks: list[report.Check] = []
    with tempfile.TemporaryDirectory(prefix="observatoire-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        _say("SQLite : base de démonstration (seed-demo ×3)")
        demo_path = work / "demo.db"
        built = databases.build_demo(databases.sqlite_url(demo_path), seed_runs=3)
        scaled_path = databases.copy_sqlite(demo_path, work / "scaled.db")
        _say(f"SQLite : base ×{args.facteur}")
        databases.scale(databases.sqlite_url(scaled_path), args.facteur)
        backends = {"SQLite": (built.url, databases.sqlite_url(scaled_path), built.seed_seconds)}
        if postgres_url:
            _say("PostgreSQL : base de démonstration (seed-demo ×3)")
            pg_demo = stack.enter_context(temporary_postgres_database(postgres_url, "bench_demo"))
            pg_built = databases.build_demo(pg_demo, seed_runs=3)
            pg_scaled = stack.enter_context(temporary_postgres_database(postgres_url, "bench_scaled", template=pg_demo))
            _say(f"PostgreSQL : base ×{args.facteur}")
            databases.scale(pg_scaled, args.facteur)
            backends["PostgreSQL"] = (pg_demo, pg_scaled, pg_built.seed_seconds)
            engine = make_engine(pg_demo)
            with engine.connect() as conn:
                results["postgresql_version"] = str(conn.scalar(text("SHOW server_version"))).join(("PostgreSQL ", ""))
            engine.dispose()
        for name, (demo_url, scaled_url, seeds) in backends.items():
            measured = _measure_backend(name, demo_url, scaled_url, seeds, work, args)
            demo_pages, scaled_pages, query_results = measured.pop("_objects")
            results["backends"][name] = measured
            checks += report.page_checks(name, demo_pages, scaled_pages) + report.query_checks(name, query_results)
            imported = measured["import"]["rows_per_s"]
            checks.append(
                report.Check(
                    name,
                    "import format long",
                    f"≥ {report.fr(report.IMPORT_ROWS_PER_S)} lignes/s",
                    f"{report.fr(imported)} lignes/s",
                    imported >= report.IMPORT_ROWS_PER_S,
                )
            )
            seed = max(measured["seed_seconds"])
            checks.append(report.Check(name, "seed-demo (max)", f"≤ {report.SEED_S} s", f"{report.fr(seed, 1)} s", seed <= report.SEED_S))
        _say("Cartes et exports")
        engine = make_engine(built.url)
        figures = outputs.page_figures(engine)
        engine.dispose()
        sizes = outputs.map_sizes(figures)
        exports = outputs.export_timings(figures, repeat=5)
        results["outputs"] = {"map_sizes": sizes, "exports": {k: asdict(v) for k, v in exports.items()}}
        checks += [
            report.Check(
                "—",
                f"carte {level}",
                f"≤ {report.fr(report.MAP_BYTES[level] / 1000)} kB",
                f"{report.fr(size / 1000, 1)} kB",
                size <= report.MAP_BYTES[level],
            )
            for level, size in sizes.items()
        ]
        checks += [
            report.Check(
                "—",
                f"export PNG {name} (médiane)",
                f"≤ {report.fr(report.EXPORT_MS[name])} ms",
                f"{report.fr(t.median_ms)} ms",
                t.median_ms <= report.EXPORT_MS[name],
            )
            for name, t in exports.items()
        ]
        if not args.sans_demarrage:
            _say("make run → première page")
            results["outputs"]["startup"] = asdict(startup.startup_timing(built.url, repeat=3))
        if not args.sans_navigateur:
            results["browser"] = _measure_browser(demo_path, work, args)
            checks += report.browser_checks(results["browser"])
    if args.sans_navigateur:  # the browser's last results, kept with their date
        previous = _previous(args.resultats)
        if previous.get("browser"):
            results["browser"] = previous["browser"]
            checks += [report.Check(**c) for c in previous.get("checks", []) if c["backend"] == report.BROWSER]
    text_table = report.write(results, checks, args.resultats)
    print(text_table)
    return 1 if args.strict and not all(c.ok for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
