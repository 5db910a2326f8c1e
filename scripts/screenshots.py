"""Drive the real app headlessly and save an SVG and a PNG of each screen into screenshots/.

    python scripts/screenshots.py [--plan consolidation.plan.yaml] [--out screenshots]

Works on a copy of the bundled history, so nothing in the repository changes.
When the repository has a plan file it is used (copied); otherwise the app
starts from one target per legacy file, as `attune-tui` does.  PNGs need
cairosvg (pip install cairosvg); without it only SVGs are written.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from attune_tui.core.plan import dump_plan  # noqa: E402
from attune_tui.ui.app import AttuneApp  # noqa: E402
from attune_tui.ui.session import Session  # noqa: E402


async def shoot(plan: Path, out: Path) -> list[Path]:
    saved: list[Path] = []

    def app() -> AttuneApp:
        return AttuneApp(Session.open(plan))

    def no_blink(a: AttuneApp) -> None:
        from textual.widgets import Input

        for i in a.screen.query(Input):
            i.cursor_blink = False

    from attune_tui.ui.pilot import settle

    async def snap(a: AttuneApp, pilot, name: str) -> None:
        await settle(a, pilot)
        await pilot.pause(0.1)
        path = out / f"{name}.svg"
        path.write_text(a.export_screenshot(title=f"attune-tui: {name}"), encoding="utf-8")
        saved.append(path)

    a = app()
    async with a.run_test(size=(120, 40)) as pilot:
        await settle(a, pilot)
        a.clear_notifications()
        await pilot.press("down", "down")
        await snap(a, pilot, "01-consolidate")
        await pilot.press("3")
        await snap(a, pilot, "02-assigned-to-3")
        await pilot.press("tab", "tab", "p", "down", "down", "down")
        await snap(a, pilot, "03-provenance")
        await pilot.press("shift+tab", "shift+tab", "enter")
        await snap(a, pilot, "04-statements")
        await pilot.press("escape", "a")
        await snap(a, pilot, "05-target-picker")
        await pilot.press("escape", "s")
        await snap(a, pilot, "06-statistics")
        await pilot.press("escape", "question_mark")
        await snap(a, pilot, "07-help")
        await pilot.press("escape", "ctrl+p")
        await pilot.press(*"assign core")
        await snap(a, pilot, "08-command-palette")
        await pilot.press("escape", "q")
        await snap(a, pilot, "09-quit-confirm")
        await pilot.press("escape", "w")  # apply: reads the seed rows on a database first
        await snap(a, pilot, "13-apply")
        await pilot.press("escape", "o")
        await pilot.pause()
        no_blink(a)
        await pilot.press(*"other.plan.yaml", "enter")
        await snap(a, pilot, "14-open-plan-error")
        await pilot.press("escape", "e")
        await pilot.pause()
        no_blink(a)
        await snap(a, pilot, "15-export-plan")
        await pilot.press("escape", "ctrl+t")
        a.clear_notifications()
        await snap(a, pilot, "16-consolidate-light")
        await pilot.press("ctrl+t")
        edited = dump_plan(a.session.plan)

    # as after a crash: a side file with the edits above; the next start offers to recover it
    a = app()
    a.session.autosave_path.write_text(edited, encoding="utf-8")
    async with a.run_test(size=(120, 40)) as pilot:
        await snap(a, pilot, "17-recover")
        await pilot.press("d")  # discard: the shots below start from the plan file
        await settle(a, pilot)

    a = app()
    async with a.run_test(size=(80, 24)) as pilot:
        await settle(a, pilot)
        a.clear_notifications()
        await snap(a, pilot, "10-consolidate-80x24")

    plan.with_name(f".{plan.name}.autosave").unlink(missing_ok=True)  # no recovery prompt: the edits above were shots
    a = app()
    async with a.run_test(size=(120, 40)) as pilot:
        await settle(a, pilot)
        a.clear_notifications()
        await pilot.press("c", "R")  # the checklist: run every automatic step (embedded PostgreSQL)
        screen = a.screen
        for _ in range(1200):  # at most two minutes
            await pilot.pause(0.1)
            if not getattr(screen, "busy", False):
                break
        await pilot.press("home")
        await settle(a, pilot)
        a.clear_notifications()
        await snap(a, pilot, "11-checklist")
        a.clear_notifications()
        await pilot.press("d")
        await snap(a, pilot, "12-deploy-dialog")
    return saved


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", default=str(ROOT / "consolidation.plan.yaml"))
    ap.add_argument("--out", default=str(ROOT / "screenshots"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "migrations.old", work / "migrations.old")
        # what the checklist's steps check: the consolidated files, the YAML, and the schema tests
        shutil.copytree(ROOT / "migrations", work / "migrations")
        shutil.copytree(ROOT / "packs", work / "packs")
        shutil.copytree(ROOT / "tests" / "schema", work / "tests" / "schema")
        for name in ("__init__.py", "conftest.py"):
            shutil.copy(ROOT / "tests" / name, work / "tests" / name)
        plan = work / "consolidation.plan.yaml"
        if Path(args.plan).exists():
            shutil.copy(args.plan, plan)
        svgs = asyncio.run(shoot(plan, out))
    try:
        import cairosvg
    except ImportError:
        print("cairosvg is not installed: wrote SVGs only", file=sys.stderr)
        cairosvg = None
    for svg in svgs:
        if cairosvg is not None:
            cairosvg.svg2png(url=str(svg), write_to=str(svg.with_suffix(".png")))
        print(svg.with_suffix(".png" if cairosvg else ".svg").relative_to(Path.cwd()) if svg.is_relative_to(Path.cwd()) else svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
