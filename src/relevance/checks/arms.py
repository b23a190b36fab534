"""Arm checks on cells: unknown labels, empty or tiny arms."""

from __future__ import annotations

import difflib

from relevance.checks.base import counted, finding
from relevance.config import Experiment
from relevance.errors import brief
from relevance.io.cells import MISSING_LEVEL, Cells
from relevance.results import Finding, Severity

TINY_ARM = 100
MAX_LABELS_LISTED = 5
MAX_LABEL_CHARACTERS = 60


def _normalise(label: str) -> str:
    return " ".join(label.split()).casefold()


def unknown_arms(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Arm labels in the data that the config does not know (with a 'did you mean').

    A label that matches an arm only after trimming spaces or ignoring case (" A", "a") is an
    error too: merging it silently would hide a broken extract.
    """
    known = experiment.arms.all
    unknown = sorted(
        ((label, n) for label, n in cells.arm_sizes().items() if label not in known),
        key=lambda item: (-item[1], item[0]),
    )
    column = experiment.data.arm
    arms = ", ".join(brief(arm, 30) for arm in known)
    findings = []
    if len(unknown) > MAX_LABELS_LISTED:
        rest = unknown[MAX_LABELS_LISTED:]
        findings.append(
            finding(
                "unknown_arm",
                Severity.ERROR,
                f"The data has {len(rest):,} more arm labels that the experiment does not list "
                f"({counted(sum(n for _, n in rest), 'row')}), besides those below: the arm "
                f"column `{column}` may not hold arm labels at all.",
                "check that `data.arm` names the column with the assigned arm",
                where=f"column `{column}`",
                label=None,
                rows=sum(n for _, n in rest),
                suggestion=None,
            )
        )
    for label, rows in unknown[:MAX_LABELS_LISTED]:
        if label == MISSING_LEVEL:
            findings.append(
                finding(
                    "unknown_arm",
                    Severity.ERROR,
                    f"{counted(rows, 'row')} {'has' if rows == 1 else 'have'} no arm label (empty or "
                    f"NULL in column `{column}`).",
                    "give every recipient the arm they were assigned to, or remove rows that "
                    "were never part of the experiment",
                    where=f"column `{column}`",
                    label=None,
                    rows=rows,
                    suggestion=None,
                )
            )
            continue
        same = [k for k in known if _normalise(k) == _normalise(label)]
        close = same or difflib.get_close_matches(label, known, n=1, cutoff=0.6)
        if same:
            hint = (
                f" It differs from {brief(same[0])} only in spaces or capital letters, so it was "
                f"not merged into that arm. Did you mean {brief(same[0])}?"
            )
        else:
            hint = f" Did you mean {brief(close[0])}?" if close else ""
        findings.append(
            finding(
                "unknown_arm",
                Severity.ERROR,
                f"The data has {counted(rows, 'row')} in arm {brief(label)} (column `{column}`), which the "
                f"experiment does not list (arms: {arms}).{hint}",
                "correct the label in the data, or add it to `arms` in the experiment file",
                where=f"column `{column}`",
                label=label[:MAX_LABEL_CHARACTERS],
                rows=rows,
                suggestion=close[0] if close else None,
            )
        )
    return findings


def empty_or_tiny_arms(experiment: Experiment, cells: Cells) -> list[Finding]:
    """Arms with no recipients (error) or too few to say anything (warning)."""
    totals = cells.arm_sizes()
    findings = []
    for arm in experiment.arms.all:
        n = int(totals.get(arm, 0))
        if n == 0:
            findings.append(
                finding(
                    "empty_arm",
                    Severity.ERROR,
                    f"Arm {arm!r} has no recipients in the data.",
                    f"check the arm column `{experiment.data.arm}` and the labels in `arms`",
                    arm=arm,
                )
            )
        elif n < TINY_ARM:
            findings.append(
                finding(
                    "tiny_arm",
                    Severity.WARNING,
                    f"Arm {arm!r} has only {n} recipients: estimates will be very uncertain.",
                    arm=arm,
                    recipients=n,
                )
            )
    return findings
