#!/usr/bin/env python3
"""Speed in the room: every Link Worker workspace action, served, over the demo catalogue
plus 10,000 synthetic services.

Usage:  .venv/bin/python bench/workspace.py [--size 10000] [--rounds 40] [--workers 1]

Builds (or reuses, under $BENCH_DIR) the instance of bench/load.py, adds a Link Worker
account, serves it with `directory serve`, signs in through the real form and then plays the
session one action after another, as one Link Worker with one person would: open the
workspace, find services, add a suggestion, look a service up by name, add it, allow a
longer distance (a change that re-matches), remove one, open the plan, save it, send it by
text (to the outbox) and open the saved link. Each round uses the next seeded profile of
bench/match.py (goals, conditions, a Newcastle postcode, distance, times, needs), so the
matcher's cache of a person's words does not flatter the figures.

Prints p50/p95/max per action and one JSON line; exits 3 if any action's p95 is 300 ms or
more, 1 if any request failed.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import load  # noqa: E402  (bench/load.py: the instance and the server)

TARGET_P95_MS = 300.0
EMAIL, PASSWORD = "bench-lw@example.org", "bench link worker password"
POSTCODES = ["NE4 8XJ", "NE4 9XA", "NE15 6BZ", "NE4 6HX", "NE2 4BJ", "NE5 2LH", "NE4 8BE"]
PARTS = ("morning", "afternoon", "evening")


def add_link_worker(folder: Path) -> None:
    env = {**load.os.environ, "DIRECTORY_INSTANCE": str(folder), "DIRECTORY_SECRET_KEY": "bench"}
    subprocess.run([str(load.BIN / "directory"), "create-user", EMAIL, "--role", "link_worker",
                    "--password-stdin"], input=PASSWORD + "\n", text=True, env=env,
                   capture_output=True)  # already there on a reused instance: fine


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = ""

    def request(self, path: str, fields: list[tuple[str, str]] | None = None) -> tuple[int, str, float]:
        data = None
        if fields is not None:
            data = urllib.parse.urlencode([("csrf_token", self.csrf), *fields]).encode()
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                body, status = response.read().decode(), response.status
        except urllib.error.HTTPError as err:
            body, status = err.read().decode(), err.code
        elapsed = (time.perf_counter() - started) * 1000
        if found := re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', body):
            self.csrf = found[1]
        return status, body, elapsed


def profile_form(profile: dict, round_no: int) -> list[tuple[str, str]]:
    fields = [("goals", g) for g in profile.get("goals", [])]
    fields += [("conditions", c) for c in profile.get("conditions", [])]
    fields += [("needs", n) for n in profile.get("needs", []) if n in ("free", "step-free", "drop-in")]
    fields += [("place", POSTCODES[round_no % len(POSTCODES)]),
               ("distance", str(profile.get("max_distance_km", 5))),
               ("readiness", profile.get("readiness", "thinking")), ("languages", "en"),
               ("text", profile.get("text", ""))]
    days = sorted({w["day"] for w in profile.get("availability", [])})
    fields += [("times", f"{d}-{PARTS[round_no % 3]}") for d in days]
    if not profile.get("goals") and not profile.get("text"):
        fields.append(("goals", "meet-people"))
    return fields


def play(browser: Browser, profile: dict, round_no: int, timings: dict[str, list[float]],
         failures: list[str]) -> None:
    def step(name: str, path: str, fields: list[tuple[str, str]] | None, ok=(200,)) -> str:
        status, body, ms = browser.request(path, fields)
        timings.setdefault(name, []).append(ms)
        if status not in ok:
            failures.append(f"{name}: {status}")
        return body

    form = profile_form(profile, round_no)
    step("open the workspace", "/workspace/", None)
    body = step("find services", "/workspace/", form + [("find", "1")])
    ids = re.findall(r'name="add" value="([^"]+)"', body)
    shortlist: list[tuple[str, str]] = []
    if ids:
        body = step("add a suggestion", "/workspace/", form + [("matched", "1"), ("add", ids[0])])
        shortlist.append(("shortlist", ids[0]))
    body = step("look up by name", "/workspace/",
                form + [("matched", "1"), *shortlist, ("lookup_q", "walk"), ("lookup", "1")])
    found = re.findall(r'id="lookup-results".*?name="add" value="([^"]+)"', body, re.S)
    if found:
        step("add by name", "/workspace/", form + [("matched", "1"), *shortlist, ("add", found[0])])
        shortlist.append(("shortlist", found[0]))
    change = re.search(r'name="change" value="([^"]+)"', body)
    step("change and match again", "/workspace/",
         form + [("matched", "1"), *shortlist, ("change", change[1] if change else "distance:8")])
    if len(shortlist) > 1:
        step("remove one", "/workspace/", form + [("matched", "1"), *shortlist,
                                                  ("remove", shortlist[-1][1])])
    if not shortlist:
        return
    step("open the plan", "/workspace/plan", form + shortlist)
    body = step("save the plan", "/workspace/plan", form + shortlist + [("save", "1")])
    code = re.search(r'name="token" value="([^"]+)"', body)
    if code:
        step("send by text", "/workspace/plan/send",
             [("token", code[1]), ("kind", "sms"), ("to_sms", "07700 900123")])
        step("open the saved link", f"/workspace/plan/{code[1]}", None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    folder = load.build_instance(args.size)
    add_link_worker(folder)
    plan = json.loads(load.write_plan(folder).read_text(encoding="utf-8"))
    port = load.free_port()
    server = load.start_server(folder, port, args.workers, folder / "bench-workspace.log")
    timings: dict[str, list[float]] = {}
    failures: list[str] = []
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        browser.request("/auth/login")
        status, _body, _ms = browser.request("/auth/login", [("email", EMAIL), ("password", PASSWORD)])
        if status != 200 or not browser.request("/workspace/")[1].count("Find services together"):
            raise SystemExit("could not sign in as the bench Link Worker")
        # Warm up: the workers read the catalogue into memory as they start.
        for n in range(3):
            play(browser, plan["profiles"][-1 - n], n, {}, [])
        for n in range(args.rounds):
            play(browser, plan["profiles"][n % len(plan["profiles"])], n, timings, failures)
    finally:
        load.stop_server(server)

    print(f"{'action':<26}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    summary = {}
    for name, values in timings.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
        summary[name] = {"n": len(values), "p50_ms": round(statistics.median(values), 1),
                         "p95_ms": round(p95, 1), "max_ms": round(values[-1], 1)}
        print(f"{name:<26}{len(values):>5}{summary[name]['p50_ms']:>9.0f}{p95:>9.0f}{values[-1]:>9.0f}")
    print(json.dumps({"size": args.size, "rounds": args.rounds, "failures": failures[:10],
                      "actions": summary}))
    if failures:
        print(f"{len(failures)} requests failed: {failures[:5]}", file=sys.stderr)
        return 1
    slow = [n for n, s in summary.items() if s["p95_ms"] >= TARGET_P95_MS]
    if slow:
        print(f"p95 of {TARGET_P95_MS:g} ms or more: {', '.join(slow)}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
