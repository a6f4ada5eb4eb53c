"""``python -m ctmtcntt`` runs the ``ctmt`` command line."""

from .cli import run

if __name__ == "__main__":
    run()
