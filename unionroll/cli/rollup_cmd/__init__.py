"""``unionroll rollup`` and ``unionroll trace``: rolled-up figures and where they come from.

The package: ``command`` (the rollup command and its options), ``text`` (the text
output), ``json_csv`` (the JSON document and the CSV table), ``trace_cmd`` (the trace
command and its output).
"""

from __future__ import annotations

import click

from unionroll.cli.rollup_cmd.command import rollup
from unionroll.cli.rollup_cmd.json_csv import JSON_FORMAT_VERSION, rollup_csv, rollup_json
from unionroll.cli.rollup_cmd.text import LIST_LIMIT, rollup_text
from unionroll.cli.rollup_cmd.trace_cmd import trace, trace_json, trace_text

__all__ = [
    "JSON_FORMAT_VERSION",
    "LIST_LIMIT",
    "register",
    "rollup",
    "rollup_csv",
    "rollup_json",
    "rollup_text",
    "trace",
    "trace_json",
    "trace_text",
]


def register(cli: click.Group) -> None:
    cli.add_command(rollup)
    cli.add_command(trace)
