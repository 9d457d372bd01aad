"""``python -m unionroll`` runs the command line."""

from unionroll.cli.main import cli

cli()
