"""Built-in input adapters: each module is a plugin whose ``register_adapters`` hook returns
the adapters it provides, registered like any third-party plugin.

- ``xlsx_return``: the Excel return template (written by ``xlsx_template``; archives are
  checked by ``xlsx_safety`` before a native reader touches them). Layout:
  docs/return-format.md.
- ``json_return``: one return per JSON file.
"""
