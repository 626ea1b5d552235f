"""Loaded into a test worker (``dask worker --preload``): a worker that runs another
release of bulletins than the build, as a machine left out of an upgrade would."""

import bulletins

bulletins.__version__ = "0.0.1"
