"""Check a content file without a database: validate it, then rank every curated scenario and report any whose
expected pattern isn't first or whose stated confidence (``"fit"``) differs.

``python -m patterns.content [PATH]``; exits 1 on any problem. ``python -m patterns.content [PATH] --cases FILE
[--verbose]`` measures the content on expert cases instead (``patterns.content.cases``) and prints the misses."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from patterns.content.cases import evaluate, report_lines
from patterns.content.schema import CONTENT_FILE, ContentError, read_content, validate_content
from patterns.ranking.recommender import recommend
from patterns.ranking.snapshot import snapshot_from_content
from patterns.requirements import Requirements


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    argv = [arg for arg in argv if arg != "--verbose"]
    cases_file = None
    if "--cases" in argv:
        position = argv.index("--cases")
        if position + 1 >= len(argv):
            print("--cases needs a file of cases")
            return 2
        cases_file = Path(argv[position + 1])
        argv = argv[:position] + argv[position + 2 :]
    path = Path(argv[0]) if argv else CONTENT_FILE
    try:
        data = read_content(path)
        validate_content(data)
    except ContentError as error:
        print("\n".join(error.errors))
        return 1
    snapshot = snapshot_from_content(data)
    if cases_file is not None:
        try:
            cases = json.loads(cases_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            print(f"{cases_file}: {error}")
            return 2
        print("\n".join(report_lines(evaluate(cases, snapshot), verbose=verbose)))
        return 0
    failures = 0
    for scenario in data.get("scenarios", []):
        # A scenario states the catalog's own advice: judged without the organisation's policies, as publishing does.
        ranking = recommend(Requirements.from_mapping(scenario["answers"]), snapshot, policies=False)
        top = [f"{o.pattern} {o.score}" for o in ranking.options[:3]]
        level, expected_fit = ranking.verdict.level, scenario.get("fit")
        ok = bool(ranking.options) and ranking.options[0].pattern == scenario["expected"]
        ok = ok and (not expected_fit or expected_fit == level)
        failures += not ok
        fit = f"{level} fit" + (f" (expected {expected_fit})" if expected_fit and expected_fit != level else "")
        print(f"{'ok  ' if ok else 'FAIL'} {scenario['slug']}: expected {scenario['expected']}; top: {', '.join(top)}; "
              f"{fit}")  # fmt: skip
    print(f"{len(data['patterns'])} patterns, {len(data.get('scenarios', []))} scenarios, {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
