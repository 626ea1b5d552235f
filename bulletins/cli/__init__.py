"""The command line: parse options, resolve settings, call the library, report.

The command line is an adapter: each command parses its options, resolves one
Settings value, makes one library call, and turns the package's own error into one
clear line and an exit status. The commands are assembled in ``bulletins.cli.app``.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """Entry point of the ``bulletins`` console script."""
    if sys.argv[1:] == ["--version"]:
        # Answered before the commands are loaded: a probe of the installed version
        # (a scheduler's health check, a support question) should not wait for them.
        from bulletins import __version__

        print(f"bulletins {__version__}")
        return
    from bulletins.cli.app import app

    app()
