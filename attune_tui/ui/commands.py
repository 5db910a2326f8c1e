"""Command palette (ctrl+p): every action, plus assignments built from the current plan."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable, Iterator

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..core.plan import YAML_TARGET

if TYPE_CHECKING:
    from .consolidate import ConsolidateScreen

# (title, help, action on the consolidate screen)
ACTIONS: list[tuple[str, str, str]] = [
    ("Save plan", "write the plan file (ctrl+s)", "save"),
    ("Open another plan", "switch to another plan file; asks first when this one has unsaved changes (o)", "open_plan"),
    ("Export plan as YAML", "write the current plan to another file (e)", "export_plan"),
    ("Apply", "see what the plan writes, file by file with diffs, then write it (w)", "apply"),
    ("Toggle light/dark theme", "switch between textual-light and textual-dark (ctrl+t)", "app.toggle_dark"),
    ("Undo", "undo the last assignment or override (u)", "undo"),
    ("Redo", "redo what was undone (ctrl+r)", "redo"),
    ("Statistics", "before/after statistics of the chain (s)", "stats"),
    ("Checklist", "run the completion checklist's verification steps (c)", "checklist"),
    ("Help", "every key binding (?)", "help"),
    ("Toggle provenance", "show where each piece of the preview comes from (p)", "toggle_provenance"),
    ("Filter legacy migrations", "type part of a name (/)", "filter"),
    ("Assign highlighted migration to…", "pick any target (a)", "pick_target"),
    ("Assign highlighted migration to YAML", "extract its seed rows (y)", "assign_yaml"),
    ("Statements of highlighted migration", "fates and per-object overrides (enter)", "statements"),
    ("New target", "add a consolidated file after the highlighted target (n)", "new_target"),
    ("Rename target", "rename the highlighted target and edit its purpose (r)", "rename_target"),
    ("Move target up", "the highlighted target comes earlier (shift+up)", "move_target(-1)"),
    ("Move target down", "the highlighted target comes later (shift+down)", "move_target(1)"),
    ("Remove target", "remove the highlighted target if nothing goes to it (delete)", "remove_target"),
    ("Quit", "asks first when the plan has unsaved changes (q)", "quit"),
]


class ListedCommands(Provider):
    """A provider whose commands are ``(title, help, callback)`` triples from ``_commands``; search matches titles."""

    def _commands(self) -> Iterator[tuple[str, str, Callable]]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)


class AttuneCommands(ListedCommands):
    """Actions and "Assign <migration> to <target>" commands from the current state."""

    def _screen(self) -> "ConsolidateScreen":
        return self.screen  # type: ignore[return-value]

    def _commands(self) -> Iterator[tuple[str, str, Callable]]:
        screen = self._screen()
        for title, help_text, action in ACTIONS:
            yield title, help_text, partial(screen.run_action, action)
        session = screen.session
        if session.cons is None:
            return
        plan = session.plan
        for m in session.history.migrations:
            current = plan.assign.get(m.name)
            for i, t in enumerate(plan.targets):
                if t.file != current:
                    yield (f"Assign {m.name} to {t.file}", f"target {i + 1:02d}" + (f": {t.purpose}" if t.purpose else ""),
                           partial(screen.assign, m.name, t.file))
            if current != YAML_TARGET:
                yield f"Assign {m.name} to YAML", "extract its seed rows", partial(screen.assign, m.name, YAML_TARGET)
        for i, t in enumerate(plan.targets):
            yield f"Show target {t.file}", f"target {i + 1:02d} in the preview", partial(screen.show_target, t.file)

    async def discover(self) -> Hits:  # the actions only: hundreds of assignments would bury them
        screen = self._screen()
        for title, help_text, action in ACTIONS:
            yield DiscoveryHit(title, partial(screen.run_action, action), help=help_text)
