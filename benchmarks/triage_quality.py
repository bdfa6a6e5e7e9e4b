"""Triage quality on the project's labelled set and on the public Bitext sample (mapped to the
taxonomy): intent accuracy, must-escalate recall, false escalations. The shipped intent model is
trained on four fifths of the Bitext sample; the last row is the fifth it never saw (reworded as
for training).

    .venv/bin/python benchmarks/triage_quality.py [path/to/shared]
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.triage import intent_training
from app.triage.evaluation import (
    ALWAYS_ESCALATE_INTENTS,
    BITEXT_RELATIVE_PATH,
    LabelledMessage,
    evaluate,
    load_bitext,
    load_labelled,
)
from app.triage.offline import OfflineTriageBackend


def main() -> int:
    shared = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared"
    )
    backend = OfflineTriageBackend()
    backend.warm_up()
    sets = [("labelled set (project)", load_labelled())]
    bitext = shared / BITEXT_RELATIVE_PATH
    if bitext.exists():
        sets.append(("Bitext sample (mapped)", load_bitext(bitext)))
        held_out = intent_training.load_bitext(
            bitext, intent_training.load_bitext_mapping(), holdout=True
        )
        rows = tuple(
            LabelledMessage(ex.text, ex.intent, ex.intent in ALWAYS_ESCALATE_INTENTS, "en")
            for ex in held_out
        )
        sets.append(("Bitext, held-out fifth", rows))
    else:
        print(f"(Bitext sample not found at {bitext}; skipped)")
    print(f"{'set':<26}{'rows':>6}{'intent acc':>12}{'must-esc recall':>17}{'false esc':>11}")
    for name, rows in sets:
        report = evaluate(rows, backend)
        print(
            f"{name:<26}{report.total:>6}{report.intent_accuracy:>12.1%}"
            f"{report.must_escalate_recall:>17.1%}{report.false_escalation_rate:>11.1%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
