"""``python -m cadenza`` runs the command line."""

from __future__ import annotations

from cadenza.cli import main

main()
