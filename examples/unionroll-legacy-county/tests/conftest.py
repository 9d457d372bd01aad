"""The fixtures of unionroll.testing: a sample county workspace, plugin registration for
one test, report rendering."""

pytest_plugins = ["unionroll.testing"]
