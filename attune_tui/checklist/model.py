"""Checklist steps, their state, and the events a run reports while it goes.

The state is plain data so it can live in the plan file (a session resumes
where it stopped) and travel in Textual messages; events are how the app
shows progress bars and live logs without the checklist knowing about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Union

LOG_KEEP = 40  # log lines kept in the plan file per step; the app shows the whole log while it runs
DETAILS_KEEP = 50  # entries kept per details list (schema differences, upgrade outcomes) in the plan file


class Status(str, Enum):
    PENDING = "pending"
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class StepState:
    """What is known of one step: status, one-line result, log, seconds taken, and details for the UI."""

    step: str
    status: Status = Status.PENDING
    result: str = ""
    duration: float | None = None
    log: list[str] = field(default_factory=list)
    finished: str = ""  # ISO time the step last finished
    plan_digest: str = ""  # the plan it ran against; a changed plan makes the result stale
    details: dict[str, Any] = field(default_factory=dict)  # e.g. the structured schema diff

    def to_dict(self) -> dict[str, Any]:
        """The persisted form: logs and details shortened, so a resumed session still shows why a step failed."""
        out: dict[str, Any] = {"status": self.status.value, "result": self.result}
        if self.duration is not None:
            out["duration"] = round(self.duration, 2)
        if self.finished:
            out["finished"] = self.finished
        if self.plan_digest:
            out["plan_digest"] = self.plan_digest
        if self.log:
            out["log"] = self.log[-LOG_KEEP:]
        if self.details:
            out["details"] = {k: v[:DETAILS_KEEP] if isinstance(v, list) else v for k, v in self.details.items()}
        return out

    @classmethod
    def from_dict(cls, step: str, d: dict[str, Any]) -> "StepState":
        try:
            status = Status(d.get("status", "pending"))
        except ValueError:
            status = Status.PENDING
        if status is Status.RUNNING:  # a session that died mid-step
            status = Status.PENDING
        duration = d.get("duration")
        return cls(step, status, str(d.get("result") or ""),
                   float(duration) if isinstance(duration, (int, float)) else None,
                   [str(x) for x in d.get("log") or []], str(d.get("finished") or ""),
                   str(d.get("plan_digest") or ""),
                   dict(d["details"]) if isinstance(d.get("details"), dict) else {})


@dataclass(frozen=True)
class StepStarted:
    step: str


@dataclass(frozen=True)
class StepProgress:
    """``done`` of ``total`` units finished (``total`` 0: unknown), with what is happening now."""

    step: str
    done: int
    total: int
    message: str


@dataclass(frozen=True)
class StepLog:
    step: str
    line: str


@dataclass(frozen=True)
class StepFinished:
    step: str
    state: StepState


Event = Union[StepStarted, StepProgress, StepLog, StepFinished]
Listener = Callable[[Event], None]


class StepFailed(Exception):
    """A step's check did not hold; ``result`` is the one-line summary, ``details`` extra data for the UI."""

    def __init__(self, result: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(result)
        self.result = result
        self.details = details or {}


class StepSkipped(Exception):
    """The step does not apply (nothing configured for it); the message says why."""


class Reporter:
    """What a running step uses to tell the world: log lines and progress, as events."""

    def __init__(self, step: str, listener: Listener) -> None:
        self.step = step
        self.lines: list[str] = []
        self.details: dict[str, Any] = {}  # kept in the step's state whatever its outcome
        self._listener = listener

    def log(self, line: str) -> None:
        for part in line.splitlines() or [""]:
            self.lines.append(part)
            self._listener(StepLog(self.step, part))

    def progress(self, done: int, total: int, message: str = "") -> None:
        self._listener(StepProgress(self.step, done, total, message))


@dataclass(frozen=True)
class Step:
    """One checklist step: ``run`` returns the one-line result or raises StepFailed/StepSkipped.

    ``automatic`` steps are what ``verify`` runs; ``dangerous`` ones change
    something outside throwaway databases and must be confirmed first.
    """

    id: str
    title: str
    run: Callable[[Any, Reporter], str]
    automatic: bool = True
    dangerous: bool = False
    needs_database: bool = True
    help: str = ""
