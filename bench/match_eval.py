#!/usr/bin/env python3
"""Evaluate the matcher on a judged collection through the real load and match code paths.

Usage:  .venv/bin/python bench/match_eval.py [COLLECTION_DIR ...] [--json] [--today YYYY-MM-DD]
            [--explain PERSONA,PERSONA]

Each COLLECTION_DIR holds catalog.hsds.json (or catalog.json), personas.json, qrels.json and
forbidden.json (default: both dev collections, tests/data/eval-dev (North Tyneside) and
tests/data/eval-dev2 (South Tyneside), copies of the shared ones; their mean is printed
too). The
catalogue is imported into a fresh temporary instance through `directory init` and
`directory import-hsds` (the flat catalog.json through the catalogue loader when there is
no Open Referral file, or with --flat), then every persona goes through the same function
as POST /api/v1/match. Prints nDCG@5,
nDCG@10, precision@3, recall of grade 2 in the top 10 and rule violations (any forbidden
service returned), per persona and overall. Exits 1 if any rule is broken.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from eval_metrics import ndcg_at_k, precision_at_k, recall_at_k  # noqa: E402

NOT_INPUT = {"id", "story", "based_on", "judge_location", "judge_outward_code"}


def evaluate(
    folder: Path, today: date, flat: bool = False, explain: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Match every persona of the collection in folder; print `match --explain` for those in
    explain (to stderr, service ids as the collection names them, with their grades)."""
    from flask.cli import ScriptInfo

    from directory import create_app, migrate, search, seed, vocabulary
    from directory.api.match import match_json
    from directory.cli import _explained, cli

    catalog = json.loads((folder / "catalog.json").read_text(encoding="utf-8"))
    personas = json.loads((folder / "personas.json").read_text(encoding="utf-8"))
    qrels = json.loads((folder / "qrels.json").read_text(encoding="utf-8"))
    forbidden = json.loads((folder / "forbidden.json").read_text(encoding="utf-8"))
    to_source = {seed.service_uuid(item["id"]): item["id"] for item in catalog}
    to_uuid = {source: uuid for uuid, source in to_source.items()}

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"INSTANCE_PATH": tmp, "SECRET_KEY": "eval", "TESTING": True})
        database = app.extensions["db"]
        hsds_file = folder / "catalog.hsds.json"
        if hsds_file.exists() and not flat:
            runner = app.test_cli_runner()
            for args in (["init"], ["import-hsds", str(hsds_file)]):
                done = runner.invoke(cli, args, obj=ScriptInfo(create_app=lambda: app))
                if done.exit_code != 0:
                    raise SystemExit(f"directory {' '.join(args)} failed: {done.output}")
        else:
            migrate.upgrade(database.engine)
            with database.sessions() as session:
                vocabulary.sync_terms(session, app.extensions["vocabulary"])
                seed.load_catalogue(session, seed.from_flat(catalog), source="eval")
                session.commit()
            search.rebuild_all(app)
        rows = []
        for persona in personas:
            payload = {k: v for k, v in persona.items() if k not in NOT_INPUT}
            # The collection names services by its own ids; the import keys them by UUID.
            payload["exclude"] = [to_uuid.get(i, i) for i in payload.get("exclude", [])]
            with app.app_context():
                answer = match_json(payload, today)
                if persona["id"] in explain:
                    _print_explained(_explained(payload, today), to_source,
                                     qrels.get(persona["id"], {}), persona)
            ranked = [to_source[r["service_id"]] for r in answer["results"]]
            grades = qrels.get(persona["id"], {})
            broken = sorted(set(ranked) & set(forbidden.get(persona["id"], [])))
            rows.append({
                "persona": persona["id"],
                "ndcg@5": ndcg_at_k(ranked, grades, 5),
                "ndcg@10": ndcg_at_k(ranked, grades, 10),
                "p@3": precision_at_k(ranked, grades, 3),
                "recall2@10": recall_at_k(ranked, grades, 10),
                "violations": broken,
                "without_reasons": [to_source[r["service_id"]] for r in answer["results"] if not r["reasons"]],
                "top": ranked[:10],
            })
        database.engine.dispose()
    n = len(rows)
    overall = {
        key: sum(r[key] for r in rows) / n for key in ("ndcg@5", "ndcg@10", "p@3", "recall2@10")
    }
    overall["violations"] = sum(len(r["violations"]) for r in rows)
    overall["results_without_reasons"] = sum(len(r["without_reasons"]) for r in rows)
    return {"personas": rows, "overall": overall}


def _print_explained(text: str, to_source: dict[str, str], grades: dict[str, int],
                     persona: dict[str, Any]) -> None:
    for uuid, source in to_source.items():
        text = text.replace(f"[{uuid}]", f"[{source}, grade {grades.get(source, 0)}]")
    print(f"=== {persona['id']}: {persona.get('story', '')}\n{text}\n", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", default=[str(ROOT / "tests" / "data" / d)
                                                        for d in ("eval-dev", "eval-dev2")])
    parser.add_argument("--today", default="2026-11-30")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--flat", action="store_true", help="load catalog.json, not the HSDS file")
    parser.add_argument("--explain", default="", help="persona ids (comma-separated) to explain")
    args = parser.parse_args(argv)
    explain = frozenset(filter(None, args.explain.split(",")))
    reports = {f: evaluate(Path(f), date.fromisoformat(args.today), args.flat, explain)
               for f in args.folders}
    if args.json:
        print(json.dumps(reports if len(reports) > 1 else next(iter(reports.values())), indent=2))
    else:
        for folder, report in reports.items():
            print(f"\n{Path(folder).name}")
            _print_report(report)
        if len(reports) > 1:
            keys = ("ndcg@5", "ndcg@10", "p@3", "recall2@10")
            mean = {k: sum(r["overall"][k] for r in reports.values()) / len(reports) for k in keys}
            print(f"\n{'mean':8} {mean['ndcg@5']:7.3f} {mean['ndcg@10']:8.3f} {mean['p@3']:5.2f} "
                  f"{mean['recall2@10']:6.2f}  "
                  f"{sum(r['overall']['violations'] for r in reports.values())}")
    return 1 if any(r["overall"]["violations"] for r in reports.values()) else 0


def _print_report(report: dict[str, Any]) -> None:
    print(f"{'persona':8} {'nDCG@5':>7} {'nDCG@10':>8} {'P@3':>5} {'R2@10':>6}  violations")
    for r in report["personas"]:
        print(f"{r['persona']:8} {r['ndcg@5']:7.3f} {r['ndcg@10']:8.3f} {r['p@3']:5.2f} "
              f"{r['recall2@10']:6.2f}  {', '.join(r['violations']) or '-'}")
    o = report["overall"]
    print(f"{'overall':8} {o['ndcg@5']:7.3f} {o['ndcg@10']:8.3f} {o['p@3']:5.2f} "
          f"{o['recall2@10']:6.2f}  {o['violations']} (results without reasons: "
          f"{o['results_without_reasons']})")


if __name__ == "__main__":
    sys.exit(main())
