"""``python -m bulletins``: the same as the ``bulletins`` command."""

from bulletins.cli import main

main()
