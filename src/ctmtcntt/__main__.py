"""``python -m ctmtcntt`` runs the ``ctmt`` command line."""

from .cli import main

if __name__ == "__main__":
    main()
