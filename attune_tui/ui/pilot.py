"""Driving the app headlessly (tests, screenshots, benchmarks): wait until it has nothing left to do."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App

from .preview import SqlPreview


async def settle(app: App, pilot: Any, rounds: int = 40) -> None:
    """Until no worker runs and no preview waits for its syntax colours (cancelled workers are fine)."""
    await pilot.pause()
    for _ in range(rounds):
        running = [w for w in app.workers if not w.is_finished]
        if any(p.highlight_pending for p in app.screen.query(SqlPreview)):  # colours start a moment later
            await pilot.pause(0.05)
            continue
        if not running:
            break
        await asyncio.gather(*(w.wait() for w in running), return_exceptions=True)
        await pilot.pause()
    await pilot.pause()
