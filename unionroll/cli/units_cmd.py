"""``unionroll units``: the unit hierarchy."""

from __future__ import annotations

import click


@click.group("units")
def units() -> None:
    """单位名单：导入、列出、层级树。"""


def register(cli: click.Group) -> None:
    cli.add_command(units)
