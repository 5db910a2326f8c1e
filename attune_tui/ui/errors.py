"""Failures become notifications: a bad request is one sentence, an engine failure never a traceback."""

from __future__ import annotations

from functools import wraps
from typing import Callable

from ..core.plan import PlanError


def guarded(fn: Callable) -> Callable:
    """Decorate a handler of a Textual node (screen or widget) so that it cannot take the app down."""

    @wraps(fn)
    def wrapper(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except PlanError as e:
            self.notify(str(e), severity="error", timeout=6)
        except Exception as e:  # an engine bug must not take the session down
            self.log.error(f"{fn.__name__} failed", e)
            self.notify(f"{type(e).__name__}: {e}", title="Internal error (the plan on disk is unchanged)",
                        severity="error", timeout=10)
        return None

    return wrapper
