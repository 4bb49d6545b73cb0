"""Write what the app and the tests take from the finding lifecycle (sync/lifecycle.py):

- pwa/js/lifecycle-data.js: the table itself, as an ES module the app imports;
- sync/lifecycle_vectors.json: for every state, its sets and where each move leads, made by the
  Python functions; tests/js/lifecycle.test.mjs checks the app's helpers against them and
  tests/unit/test_lifecycle.py that both files are current.

Run from the repository root:  .venv/bin/python -m sync.tools.make_lifecycle_files
"""
import json
from datetime import date, timedelta
from pathlib import Path

from sync import lifecycle

ROOT = Path(__file__).resolve().parents[2]
DATA_PATH = ROOT / "pwa" / "js" / "lifecycle-data.js"
VECTORS_PATH = ROOT / "sync" / "lifecycle_vectors.json"
ROLES = ("worker", "property", "agency", "reviewer", "admin")
OVERDUE_TODAY = date(2024, 8, 15)


def data_module() -> str:
    table = json.dumps(lifecycle.as_data(), ensure_ascii=False, indent=2)
    return ("// Generated from sync/lifecycle.py by `python -m sync.tools.make_lifecycle_files`:"
            " do not edit.\n"
            "// The finding's states and moves; pwa/js/lifecycle.js reads them.\n"
            f"export default {table};\n")


def _outcome(move, *args) -> dict:
    try:
        return {"status": move(*args)}
    except lifecycle.TransitionRefused as refusal:
        return {"refused": refusal.code}


def vectors() -> dict:
    states = list(lifecycle.STATES)
    deadlines = (None, OVERDUE_TODAY - timedelta(days=3), OVERDUE_TODAY,
                 OVERDUE_TODAY + timedelta(days=1))
    return {
        "states": [{"status": s, "label": lifecycle.label(s),
                    "in": {name: s in members for name, members in lifecycle.NAMED_SETS.items()},
                    "correction": _outcome(lifecycle.after_correction, s),
                    "rectification_report": _outcome(lifecycle.after_rectification_report, s)}
                   for s in states],
        "decisions": [{"status": s, "decision": d, "role": role,
                       **_outcome(lifecycle.after_decision, s, d, role)}
                      for s in states for d in lifecycle.DECISIONS for role in ROLES],
        "days_overdue": [{"status": s, "today": OVERDUE_TODAY.isoformat(),
                          "deadline": deadline.isoformat() if deadline else None,
                          "expected": lifecycle.days_overdue(s, deadline, OVERDUE_TODAY)}
                         for s in states for deadline in deadlines],
    }


def vectors_text() -> str:
    return json.dumps(vectors(), ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    DATA_PATH.write_text(data_module(), encoding="utf-8")
    VECTORS_PATH.write_text(vectors_text(), encoding="utf-8")
    print(f"wrote {DATA_PATH.relative_to(ROOT)} and {VECTORS_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
