"""The ``radpath`` command line: thin click commands over the library, one module per area."""
from .main import cli, main

__all__ = ["cli", "main"]
