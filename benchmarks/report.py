"""Budgets, the Markdown table and the JSON written to ``benchmarks/results/``."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks.databases import ROOT
from benchmarks.pages import PageResult
from benchmarks.queries import QueryResult
from benchmarks.stats import Timing

WARM_PAGE_P95_MS = 300
COLD_PAGE_MS = 3000
GROWTH_MAX = 3.0
QUERY_RATIO_MAX = 1.5
QUERY_ABSOLUTE_MS = 20
MAP_BYTES = {"territoire": 120_000, "epci": 200_000, "arrondissement": 200_000, "commune": 400_000}
EXPORT_MS = {"graphique": 300, "carte des communes": 2000}
IMPORT_ROWS_PER_S = 50_000
SEED_S = 60
CLICK_FLOOR_RATIO_MAX = 1.5  # sidebar click → all painted, against the same figures in a static page
CLICK_MS = 1000
OPEN_MS = 1500
BROWSER = "Navigateur"  # the « Base » column of the browser's budgets


@dataclass
class Check:
    """One budget: what is measured, the limit, the measure, and whether it holds."""

    backend: str
    subject: str
    limit: str
    measured: str
    ok: bool


def fr(value: float, decimals: int = 0) -> str:
    """« 1 529 », « 12,5 »: the French number format of the dashboard (narrow no-break spaces)."""
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text


def _t(t: Timing) -> str:
    return f"{fr(t.min_ms)} / {fr(t.median_ms)} / {fr(t.p95_ms)}"


def page_checks(backend: str, demo: list[PageResult], scaled: list[PageResult] | None) -> list[Check]:
    checks = []
    scaled_by_view = {r.view: r for r in scaled or []}
    for result in demo:
        checks.append(
            Check(
                backend,
                f"page {result.view} : chaud p95",
                f"≤ {WARM_PAGE_P95_MS} ms",
                f"{fr(result.warm.p95_ms)} ms",
                result.warm.p95_ms <= WARM_PAGE_P95_MS,
            )
        )
        checks.append(
            Check(
                backend,
                f"page {result.view} : froid (max)",
                f"≤ {fr(COLD_PAGE_MS)} ms",
                f"{fr(result.cold.p95_ms)} ms",
                result.cold.p95_ms <= COLD_PAGE_MS,
            )
        )
        if result.view in scaled_by_view:
            growth = scaled_by_view[result.view].warm.p95_ms / result.warm.p95_ms
            checks.append(
                Check(backend, f"page {result.view} : croissance ×10", f"≤ {fr(GROWTH_MAX, 1)}×", f"{fr(growth, 2)}×", growth <= GROWTH_MAX)
            )
    return checks


def query_checks(backend: str, results: list[QueryResult]) -> list[Check]:
    return [
        Check(
            backend,
            f"requête {r.function}({r.arguments})",
            f"≤ {fr(QUERY_RATIO_MAX, 1)}× plancher ou ≤ {QUERY_ABSOLUTE_MS} ms",
            f"{fr(r.timing.median_ms, 1)} ms, {fr(r.ratio, 2)}×",
            r.timing.median_ms <= QUERY_ABSOLUTE_MS or r.ratio <= QUERY_RATIO_MAX,
        )
        for r in results
    ]


def _kb(size: float) -> str:
    return f"{fr(size / 1000, 1)} kB"


def browser_checks(browser: dict[str, Any]) -> list[Check]:
    """The browser's budgets, on the medians: click ≤ 1,5 × paint floor and ≤ 1 s, URL ≤ 1,5 s,
    no request to another host."""
    checks = []
    for v in browser["views"]:
        click = v["click"]["median_ms"]
        if v["floor"]:
            ratio = click / v["floor"]["median_ms"]
            checks.append(
                Check(
                    BROWSER,
                    f"clic → {v['view']} : rapport au plancher (médiane)",
                    f"≤ {fr(CLICK_FLOOR_RATIO_MAX, 1)}×",
                    f"{fr(ratio, 2)}× ({fr(click)} / {fr(v['floor']['median_ms'])} ms)",
                    ratio <= CLICK_FLOOR_RATIO_MAX,
                )
            )
        checks.append(
            Check(BROWSER, f"clic → {v['view']} : affiché (médiane)", f"≤ {fr(CLICK_MS)} ms", f"{fr(click)} ms", click <= CLICK_MS)
        )
        opened = v["open"]["median_ms"]
        checks.append(
            Check(BROWSER, f"adresse {v['url']} → affichée (médiane)", f"≤ {fr(OPEN_MS)} ms", f"{fr(opened)} ms", opened <= OPEN_MS)
        )
    outside = browser["outside_requests"]
    checks.append(
        Check(
            BROWSER,
            "requêtes vers un autre hôte que l'application",
            "aucune",
            ", ".join(outside[:3]) + (" …" if len(outside) > 3 else "") if outside else "aucune",
            not outside,
        )
    )
    return checks


def browser_markdown(browser: dict[str, Any]) -> list[str]:
    """The browser table: per view, click and URL → all painted, bytes, paint floor and ratio."""
    payloads = any("payload_bytes" in v for v in browser["views"])
    load = browser.get("load_average") or []
    lines = [
        "",
        f"## Navigateur — {browser['date']}",
        "",
        f"Chromium {browser['chromium']} sans interface (rendu logiciel), 1920×1080 ; {browser['clicks']} clics à chaud et "
        f"{browser['opens']} ouvertures d'adresse par vue"
        + (f" ; charge de la machine (1 min) : {fr(load[0], 2)} avant, {fr(load[1], 2)} après" if len(load) == 2 else "")
        + ".",
        "« Clic » : clic sur le lien de la page dans le menu latéral, jusqu'au dernier graphique affiché ; « dont serveur » : "
        "jusqu'à la réception de la fin du script (exécution sur le serveur et envoi) ; « Octets » : reçus par le websocket pour "
        "ce clic (médiane) ; « Plancher » : les mêmes figures dessinées par `Plotly.newPlot` dans une page statique avec le "
        "plotly.js du paquet installé (script déjà chargé), « depuis la navigation » : chargement de plotly.js compris ; "
        "« Adresse » : l'adresse de la vue ouverte dans un nouvel onglet (cache HTTP chaud).",
        "",
        "| Vue | Graphiques | Clic → affiché | dont serveur | Octets par clic | Plancher | Rapport | Adresse → affichée | dont serveur "
        "| Plancher depuis la navigation | Figures (JSON) |" + (" Figures (AppTest) |" if payloads else ""),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if payloads else ""),
    ]
    for v in browser["views"]:
        floor, nav = v["floor"], v["floor_navigation"]
        ratio = f"{fr(v['click']['median_ms'] / floor['median_ms'], 2)}×" if floor else "–"
        lines.append(
            f"| {v['view']} | {v['charts']} | {_t(Timing(**v['click']))} | {fr(v['click_finished_ms'])} | {_kb(v['click_bytes'])} | "
            f"{_t(Timing(**floor)) if floor else '(aucun graphique)'} | {ratio} | {_t(Timing(**v['open']))} | {fr(v['open_finished_ms'])} | "
            f"{_t(Timing(**nav)) if nav else '–'} | {_kb(v['figure_bytes']) if v['charts'] else '–'} |"
            + (f" {_kb(v['payload_bytes']) if v.get('payload_bytes') else '–'} |" if payloads else "")
        )
    outside = browser["outside_requests"]
    lines += [
        "",
        "Requêtes vers un autre hôte que l'application : " + (", ".join(outside) if outside else "aucune") + ".",
    ]
    return lines


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    memory_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), 0)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout.strip())
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": {p: version(p) for p in ("streamlit", "plotly", "sqlalchemy", "pandas", "psycopg", "kaleido")},
        "commit": commit + ("+modifications" if dirty else ""),
    }


def markdown(results: dict[str, Any], checks: list[Check]) -> str:
    """The tables printed and committed: per backend, pages, queries, then outputs and budgets."""
    lines = [
        f"# Benchmark — {results['date']}",
        "",
        f"Machine : {results['machine']['cpu']}, {results['machine']['cores']} cœurs, "
        f"{fr(results['machine']['memory_gib'], 1)} Gio ; Python {results['machine']['python']}, SQLite {results['machine']['sqlite']}"
        + (f", {results['postgresql_version']}" if results.get("postgresql_version") else "")
        + f" ; commit {results['machine']['commit']}.",
        "",
    ]
    lines.append("Temps en ms : min / médiane / p95. « ×10 » : base de démonstration étendue à dix fois les communes.")
    for backend, data in results.get("backends", {}).items():
        counts = data["databases"]
        lines += [
            "",
            f"## {backend} — démo : {fr(counts['demo']['communes'])} communes, {fr(counts['demo']['observations'])} valeurs ; "
            f"×10 : {fr(counts['scaled']['communes'])} communes, {fr(counts['scaled']['observations'])} valeurs",
            "",
        ]
        lines += ["| Vue | Froid | Chaud | Chaud ×10 | Croissance p95 |", "|---|---:|---:|---:|---:|"]
        scaled = {p["view"]: p for p in data["pages_scaled"]}
        for page in data["pages"]:
            other = scaled.get(page["view"])
            growth = other["warm"]["p95_ms"] / page["warm"]["p95_ms"] if other else None
            lines.append(
                f"| {page['view']} | {_t(Timing(**page['cold']))} | {_t(Timing(**page['warm']))} | "
                f"{_t(Timing(**other['warm'])) if other else '—'} | {fr(growth, 2) + '×' if growth else '—'} |"
            )
        lines += [
            "",
            "| Requête | Arguments | Lignes | Fonction (ms) | Plancher (ms) | Plancher | Rapport |",
            "|---|---|---:|---:|---:|---|---:|",
        ]
        for q in data["queries"]:
            ratio = q["timing"]["median_ms"] / q["floor"]["median_ms"] if q["floor"]["median_ms"] else float("inf")
            lines.append(
                f"| {q['function']} | {q['arguments']} | {q['rows']} | {_t(Timing(**q['timing']))} | {_t(Timing(**q['floor']))} | {q['floor_kind']} | {fr(ratio, 2)}× |"
            )
        lines += [
            "",
            f"Import d'un fichier long de {fr(data['import']['rows'])} lignes : {_t(Timing(**data['import']['timing']))} ms, "
            f"soit {fr(data['import']['rows_per_s'])} lignes/s (médiane). `seed-demo` : {', '.join(fr(s, 1) + ' s' for s in data['seed_seconds'])}.",
        ]
    out = results.get("outputs")
    if out:
        lines += ["", "## Sorties (SQLite)", "", "| Carte | Taille JSON |", "|---|---:|"]
        lines += [f"| {level} | {fr(size / 1000, 1)} kB |" for level, size in out["map_sizes"].items()]
        lines += ["", "| Export PNG à chaud | ms |", "|---|---:|"]
        lines += [f"| {name} | {_t(Timing(**t))} |" for name, t in out["exports"].items()]
        if out.get("startup"):
            lines += ["", f"`make run` → première page affichée : {_t(Timing(**out['startup']))} ms."]
    if results.get("browser"):
        lines += browser_markdown(results["browser"])
    failed = [c for c in checks if not c.ok]
    lines += ["", f"## Budgets : {len(checks) - len(failed)} tenus sur {len(checks)}", ""]
    if failed:
        lines += ["| Base | Mesure | Budget | Mesuré |", "|---|---|---|---|"]
        lines += [f"| {c.backend} | {c.subject} | {c.limit} | {c.measured} |" for c in failed]
    else:
        lines.append("Tous les budgets sont tenus.")
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], checks: list[Check], directory: Path) -> str:
    """Write ``latest.json`` and ``latest.md`` in ``directory``; return the Markdown."""
    directory.mkdir(parents=True, exist_ok=True)
    results["checks"] = [c.__dict__ for c in checks]
    (directory / "latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    text = markdown(results, checks)
    (directory / "latest.md").write_text(text, encoding="utf-8")
    return text
