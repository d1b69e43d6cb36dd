"""`python -m directory` is the same as the `directory` command."""

from .cli import main

main()
