"""attune-tui: consolidate a PostgreSQL migration history, interactively and verified on a real database."""

__version__ = "0.1.0"
