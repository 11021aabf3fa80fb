"""``python -m linkage.cli`` runs the command line, like the ``linkage`` script."""

from linkage.cli.app import main

if __name__ == "__main__":  # the batch map's worker processes import this module too
    main()
