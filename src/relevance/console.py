"""The `relevance` console script: Ctrl-C while the command line itself loads says so too."""

from __future__ import annotations

import sys


def main() -> None:
    """Load the command line and run it; an interrupt during loading exits 130 quietly."""
    try:
        from relevance.cli import main as run_cli
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    run_cli()
