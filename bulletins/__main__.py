"""``python -m bulletins``: the same as the ``bulletins`` command."""

from .cli import main

main()
