"""``python -m linkage.cli`` runs the command line, like the ``linkage`` script."""

from linkage.cli.app import main

main()
