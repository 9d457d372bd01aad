"""``python -m unionroll`` runs the command line."""

from unionroll.cli.main import run

run()
