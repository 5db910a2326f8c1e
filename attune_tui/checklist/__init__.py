"""The completion checklist: steps that check on a real PostgreSQL, their state kept in the plan.

Built on ``core`` and ``db``; the CLI (``verify``, ``deploy``) and the app drive it.
"""
