"""Generate the built-in demo county: units and two quarters of realistic returns.

Everything is derived from ``county.yaml`` and a fixed random seed, so the demo is the
same on every machine. Returns are produced in the ``json-return`` shape; the demo runner
writes them out as filled Excel templates, JSON files and CSV long tables.

The package: ``data`` (the county's description and the data types), ``units``,
``values`` (the figures), ``registers`` (the register rows), ``faults`` (the returns made
wrong on purpose) and ``dataset`` (:func:`generate`, which puts them together).
"""

from __future__ import annotations

from unionroll.demo.generate.data import (
    SPEC_FILE,
    DemoData,
    DemoReturn,
    DemoUnit,
    demo_year,
    spec,
)
from unionroll.demo.generate.dataset import generate
from unionroll.demo.generate.units import demo_units, units_csv

__all__ = [
    "SPEC_FILE",
    "DemoData",
    "DemoReturn",
    "DemoUnit",
    "demo_units",
    "demo_year",
    "generate",
    "spec",
    "units_csv",
]
