"""The web page for the units that send returns and the units that review them.

``unionroll serve`` runs it (a Flask application served by waitress). Every page works
on the same core as the command line: uploads go through the same adapters, safety
checks and validation as ``unionroll ingest``; review steps are those of
``unionroll approve | return | unlock``.
"""

from unionroll.web.app import create_app

__all__ = ["create_app"]
