"""App benchmark: start-up to first paint, reassignment to preview, and a 2,000-migration history.

    /tmp/venv/bin/python benchmarks/bench_app.py [--runs 5] [--presses 20] [--size 2000] [--json]

Prints a Markdown table of medians (and the machine) on stdout; progress on stderr.

* **start-up** (subprocess, so imports count): ``python -m attune_tui`` runs in a
  pseudo-terminal of 120x40 on a copy of the bundled example; the clock starts
  just before the process is forked and stops when the terminal output first
  holds the header (*first paint*: frame, header, footer, loading indicator) and
  then ``Legacy 22`` (*lists filled*: the consolidation is built and shown).
  ``--entry run_app`` starts ``attune_tui.ui.app.run_app`` directly instead,
  which leaves out what ``attune_tui.cli`` imports at its top.
* **reassign → preview** (in-process, ``App.run_test``, headless): a number key
  assigns the highlighted migration to another target; measured from the key
  press to the first frame that shows the preview panel as it ends up (title,
  SQL text, piece line: ``preview painted``) and to the first that also shows
  its syntax colours, which a worker adds (``colours in``).
* **2,000 migrations** (``synth.generate_history``, grouped ten files per
  target as in ``bench_engine.py``): time until a frame shows ``Legacy 2000``,
  then pagedown in the legacy list (to the first frame showing the list's new
  page and highlight; the preview follows the highlight) and reassignments by
  number key, measured as above.

A "frame" is a call of ``App._display`` with a compositor update. A headless
app skips turning it into terminal output; the benchmark does it (as a terminal
app does for every frame) and stamps the time when the output is ready. The
outputs are replayed onto an emulated screen afterwards, off the clock, and the
first frame after the key whose screen region shows the final state stops it:
what is timed is what a user would see, not the app's internal state. Next to
each median of wall time, the notes give the main thread's CPU time from the
key to that frame: other processes on a busy machine inflate the first, hardly
the second.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import platform
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))

CSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def bundled_copy(root: Path) -> Path:
    """The bundled history and plan in a scratch folder: the benchmark never writes to the repository."""
    shutil.copytree(ROOT / "migrations.old", root / "migrations.old")
    shutil.copy(ROOT / "consolidation.plan.yaml", root / "consolidation.plan.yaml")
    return root / "consolidation.plan.yaml"


# --- start-up in a pseudo-terminal ----------------------------------------------

def startup_once(workdir: Path, entry: str, timeout: float = 30.0) -> dict[str, float]:
    """Seconds from fork to the header on screen and to the filled legacy list."""
    if entry == "cli":
        argv = [sys.executable, "-m", "attune_tui"]
    else:
        argv = [sys.executable, "-c", ("import sys; from pathlib import Path; from attune_tui.ui.app import run_app; "
                                       "sys.exit(run_app(Path('consolidation.plan.yaml'), None, None, None))")]
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, in the scratch folder
        os.chdir(workdir)
        os.execve(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    marks: dict[str, float] = {}
    wanted = {"first_paint": b"attune-tui", "filled": b"Legacy 22"}
    buf = b""
    try:
        while len(marks) < len(wanted) and time.perf_counter() - started < timeout:
            ready, _, _ = select.select([fd], [], [], 0.02)
            if not ready:
                continue
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                break
            now = time.perf_counter() - started
            buf += data
            plain = CSI.sub(b"", buf)
            for name, marker in wanted.items():
                if name not in marks and marker in plain:
                    marks[name] = now
    finally:
        try:
            os.write(fd, b"\x11")  # ctrl+q: a clean quit (nothing was edited, so it does not ask)
            deadline = time.time() + 3
            while time.time() < deadline:
                done, _ = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                try:
                    if select.select([fd], [], [], 0.05)[0]:
                        os.read(fd, 1 << 16)
                except OSError:
                    pass
            else:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        finally:
            os.close(fd)
    if len(marks) < len(wanted):
        raise RuntimeError(f"the app did not paint {set(wanted) - set(marks)} within {timeout}s")
    return marks


def bench_startup(runs: int, entry: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        bundled_copy(Path(tmp))
        startup_once(Path(tmp), entry)  # warm the file cache: every run then starts alike
        samples = [startup_once(Path(tmp), entry) for _ in range(runs)]
    out = {}
    for key in ("first_paint", "filled"):
        values = [s[key] for s in samples]
        out[f"{key}_s"] = statistics.median(values)
        out[f"{key}_max_s"] = max(values)
    say(f"  start-up ({entry}): " + ", ".join(f"{k} {v:.3f}" for k, v in out.items()))
    return out


# --- in-process measurements ------------------------------------------------------

SEQUENCE = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\n")


class Terminal:
    """The screen a terminal would show: the app's output bytes replayed onto a grid of (character, SGR) cells.

    Textual writes a frame as cursor moves (``CSI row;col H``), SGR styles and text;
    that is all this understands, which is all the app sends between frames.
    """

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.chars = [[" "] * width for _ in range(height)]
        self.styles = [[""] * width for _ in range(height)]

    def feed(self, data: str) -> None:
        from rich.cells import cell_len

        x = y = 0
        style = ""
        pos = 0
        for m in SEQUENCE.finditer(data):
            if m.start() > pos:
                x = self._write(data[pos:m.start()], x, y, style, cell_len)
            pos = m.end()
            if m.group(0) == "\n":
                x, y = 0, y + 1
            elif m.group(2) == "H":
                row, _, col = (m.group(1) or "1;1").partition(";")
                y, x = int(row or 1) - 1, int(col or 1) - 1
            elif m.group(2) == "m":
                style = "" if m.group(1) in ("", "0") else m.group(1)
        if pos < len(data):
            self._write(data[pos:], x, y, style, cell_len)

    def _write(self, text: str, x: int, y: int, style: str, cell_len) -> int:
        if not 0 <= y < self.height:
            return x
        chars, styles = self.chars[y], self.styles[y]
        for ch in text:
            w = cell_len(ch) if ch > "\x7f" else 1
            if 0 <= x < self.width:
                chars[x], styles[x] = ch, style
                if w == 2 and x + 1 < self.width:
                    chars[x + 1], styles[x + 1] = "", style
            x += w
        return x

    def region(self, region, styles: bool = False) -> tuple:
        """What the region shows: its text, and with ``styles`` also each cell's SGR."""
        x0, y0, w, h = region
        rows = range(y0, min(y0 + h, self.height))
        text = tuple("".join(self.chars[y][x0:x0 + w]) for y in rows)
        return (text, tuple(tuple(self.styles[y][x0:x0 + w]) for y in rows)) if styles else text

    def contains(self, needle: str) -> bool:
        return any(needle in "".join(row) for row in self.chars)


class FrameClock:
    """Each frame the app paints: the time its terminal output was ready, and that output.

    ``App._display`` receives the compositor's update; a headless app skips
    turning it into terminal output, so this does it (``render_segments``, as a
    terminal app does for every frame) and stamps the time after it. The output
    is kept and replayed onto a :class:`Terminal` later, off the clock: a frame
    counts only when what the terminal would show has really changed.
    """

    def __init__(self, app) -> None:
        self.frames: list[tuple[float, float, str]] = []  # (time, main thread's CPU time, terminal output)
        self.terminal = Terminal(*app.size)
        self._replayed = 0
        original = app._display

        def display(screen, renderable) -> None:
            if renderable is not None and not app._batch_count:
                data = renderable.render_segments(app.console)
                self.frames.append((time.perf_counter(), time.thread_time(), data))
            original(screen, renderable)

        app._display = display

    def replay(self) -> Terminal:
        """The terminal as the last frame painted left it."""
        for _t, _cpu, data in self.frames[self._replayed:]:
            self.terminal.feed(data)
        self._replayed = len(self.frames)
        return self.terminal

    def replay_to(self, when: float) -> Terminal:
        """The terminal as the frames painted up to ``when`` left it (frames are replayed once, in order)."""
        while self._replayed < len(self.frames) and self.frames[self._replayed][0] <= when:
            self.terminal.feed(self.frames[self._replayed][2])
            self._replayed += 1
        return self.terminal

    def since(self, after: float, region) -> list[tuple[float, float, tuple, tuple]]:
        """(time, CPU time, text, text with styles) of ``region`` after each frame painted after ``after``, replayed now."""
        out = []
        for t, cpu, data in self.frames[self._replayed:]:
            self.terminal.feed(data)
            if t > after:
                out.append((t, cpu, *self.terminal.region(region, styles=True)))
        self._replayed = len(self.frames)
        return out


class Press:
    """A key press: its time and the main thread's CPU time then."""

    def __init__(self) -> None:
        self.t, self.cpu = time.perf_counter(), time.thread_time()

    def to(self, frame: tuple[float, float]) -> tuple[float, float]:
        """(ms of wall time, ms of the main thread's CPU time) from the press to ``frame``."""
        return (frame[0] - self.t) * 1000, (frame[1] - self.cpu) * 1000


def first_showing(frames: list[tuple[float, float, tuple, tuple]], before: tuple,
                  styles: bool = False) -> tuple[float, float]:
    """(time, CPU time) of the first frame whose region shows what the last one does (text, or text and colours).

    ``before`` is the region's text before the key: a key that changed nothing
    on screen cannot be timed, and raises.
    """
    if not frames:
        raise RuntimeError("no frame was painted after the key press")
    final = frames[-1][2:] if styles else frames[-1][2]
    if frames[-1][2] == before:
        raise RuntimeError("the key press did not change what the region shows")
    return next((t, cpu) for t, cpu, text, styled in frames if ((text, styled) if styles else text) == final)


async def settle(app, pilot) -> None:
    """Until no worker runs (the consolidation, the syntax colours); a 2,000-migration build takes more rounds."""
    from attune_tui.ui.pilot import settle as settle_app

    await settle_app(app, pilot, rounds=100)


def neighbour_target(session, legacy: str) -> int | None:
    """A target number 1-9 other than the migration's own (None if its own is the only one)."""
    names = session.plan.target_names()
    current = session.plan.assign.get(legacy)
    own = names.index(current) + 1 if current in names else 0
    for n in (own + 1, own - 1, 1, 2):
        if 1 <= n <= min(9, len(names)) and n != own:
            return n
    return None


async def reassign_latencies(app, pilot, clock: FrameClock,
                             rows: list[int]) -> tuple[list[float], list[float], list[float]]:
    """Per reassignment, in ms: to the first frame showing the new preview, the main thread's CPU time until
    then (what a busy machine does not inflate), and to the frame showing its colours.

    The preview panel (title, SQL, piece line) is read off the replayed terminal:
    the clock stops at the first frame whose panel text is what the panel shows
    once everything settled (and, for colours, its styles too).
    """
    from attune_tui.ui.preview import SqlPreview
    from attune_tui.ui.widgets import LegacyTable

    screen = app.screen
    legacy = screen.query_one(LegacyTable)
    preview = screen.query_one(SqlPreview)
    panel = screen.query_one("#preview-panel")
    painted, cpu, coloured = [], [], []
    for row in rows:
        legacy.focus()
        legacy.move_cursor(row=row)
        await settle(app, pilot)
        name = legacy.current_name()
        n = neighbour_target(app.session, name)
        if n is None:
            continue
        target = app.session.plan.targets[n - 1].file
        region = tuple(panel.region)
        before = clock.replay().region(region)
        press = Press()
        await pilot.press(str(n))
        await settle(app, pilot)
        if app.session.plan.assign[name] != target or screen.shown != target:
            raise RuntimeError(f"{name} was not reassigned to {target}")
        if preview.text != app.session.cons.render(target).text:
            raise RuntimeError(f"the preview does not hold {target}")
        if tuple(panel.region) != region:
            raise RuntimeError("the preview panel moved")
        frames = clock.since(press.t, region)
        if not any(target in line for line in frames[-1][2]):
            raise RuntimeError(f"the preview panel does not name {target}")
        wall, used = press.to(first_showing(frames, before))
        painted.append(wall)
        cpu.append(used)
        coloured.append(press.to(first_showing(frames, before, styles=True))[0])
    return painted, cpu, coloured


async def bench_bundled(presses: int) -> dict[str, float]:
    from attune_tui.ui.app import AttuneApp
    from attune_tui.ui.session import Session

    with tempfile.TemporaryDirectory() as tmp:
        plan = bundled_copy(Path(tmp))
        app = AttuneApp(Session.open(plan))
        async with app.run_test(size=(120, 40)) as pilot:
            clock = FrameClock(app)
            await settle(app, pilot)
            rows = [i % 22 for i in range(presses)]
            painted, cpu, coloured = await reassign_latencies(app, pilot, clock, rows)
            app.session.discard_autosave()
    out = {"reassign_preview_ms": statistics.median(painted), "reassign_preview_max_ms": max(painted),
           "reassign_preview_cpu_ms": statistics.median(cpu), "reassign_coloured_ms": statistics.median(coloured)}
    say("  bundled: " + ", ".join(f"{k} {v:.1f}" for k, v in out.items()))
    return out


def write_synthetic(root: Path, size: int, seed: int) -> Path:
    from bench_engine import grouped_plan
    from synth import generate_history, write_history

    from attune_tui.core.plan import dump_plan

    files = generate_history(size, seed)
    write_history(root / "migrations.old", files)
    plan = grouped_plan([name for name, _ in files])
    path = root / "consolidation.plan.yaml"
    path.write_text(dump_plan(plan), encoding="utf-8")
    return path


async def bench_synthetic(size: int, presses: int, pages: int, seed: int) -> dict[str, float]:
    from attune_tui.ui.app import AttuneApp
    from attune_tui.ui.session import Session
    from attune_tui.ui.widgets import LegacyTable

    with tempfile.TemporaryDirectory() as tmp:
        say(f"  writing a {size}-migration synthetic history")
        plan = write_synthetic(Path(tmp), size, seed)
        t0 = time.perf_counter()
        session = Session.open(plan)
        app = AttuneApp(session)
        async with app.run_test(size=(120, 40)) as pilot:
            clock = FrameClock(app)
            while not getattr(app.screen, "ready", False):
                if time.perf_counter() - t0 > 300:
                    raise RuntimeError("the synthetic history was not shown within 300 s")
                await asyncio.sleep(0.01)
            await settle(app, pilot)
            shown = f"Legacy {size}"
            filled = next(t for t, _cpu, _data in clock.frames if clock.replay_to(t).contains(shown)) - t0
            legacy = app.screen.query_one(LegacyTable)
            legacy.focus()
            await settle(app, pilot)
            region = tuple(app.screen.query_one("#legacy-panel").region)
            page_ms, page_cpu = [], []
            for _ in range(pages):
                before_row = legacy.cursor_row
                before = clock.replay().region(region)
                press = Press()
                await pilot.press("pagedown")
                await settle(app, pilot)
                if legacy.cursor_row == before_row:
                    raise RuntimeError("pagedown did not move the highlight")
                wall, used = press.to(first_showing(clock.since(press.t, region), before, styles=True))
                page_ms.append(wall)
                page_cpu.append(used)
            rows = [(i * 7) % 90 for i in range(presses)]  # files of targets 1-9, reachable by number keys
            painted, cpu, coloured = await reassign_latencies(app, pilot, clock, rows)
            app.session.discard_autosave()
    out = {"synthetic_open_to_filled_s": filled, "synthetic_pagedown_ms": statistics.median(page_ms),
           "synthetic_pagedown_max_ms": max(page_ms), "synthetic_pagedown_cpu_ms": statistics.median(page_cpu),
           "synthetic_reassign_preview_ms": statistics.median(painted),
           "synthetic_reassign_preview_max_ms": max(painted), "synthetic_reassign_preview_cpu_ms": statistics.median(cpu),
           "synthetic_reassign_coloured_ms": statistics.median(coloured)}
    say(f"  {size} migrations: " + ", ".join(f"{k} {v:.1f}" for k, v in out.items()))
    return out


# --- report -----------------------------------------------------------------------

def machine() -> str:
    import textual

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load {load}; "
            f"Python {platform.python_version()}, Textual {textual.__version__}, {platform.system()} {platform.release()}")


def table(r: dict[str, float], size: int, runs: int, presses: int) -> str:
    rows = [
        ("start-up → first paint (`python -m attune_tui`, bundled example)", f"{r['cli_first_paint_s']:.2f} s",
         f"median of {runs}, worst {r['cli_first_paint_max_s']:.2f} s"),
        ("start-up → lists filled (`python -m attune_tui`)", f"{r['cli_filled_s']:.2f} s",
         f"worst {r['cli_filled_max_s']:.2f} s"),
        ("start-up → first paint (`run_app`, without the CLI's imports)", f"{r['run_app_first_paint_s']:.2f} s",
         f"worst {r['run_app_first_paint_max_s']:.2f} s"),
        ("start-up → lists filled (`run_app`)", f"{r['run_app_filled_s']:.2f} s", f"worst {r['run_app_filled_max_s']:.2f} s"),
        ("reassign key → preview painted (bundled)", f"{r['reassign_preview_ms']:.0f} ms",
         (f"median of {presses}, worst {r['reassign_preview_max_ms']:.0f} ms; "
          f"main thread's CPU {r['reassign_preview_cpu_ms']:.0f} ms")),
        ("reassign key → preview with syntax colours (bundled)", f"{r['reassign_coloured_ms']:.0f} ms", ""),
        (f"{size:,} migrations: open → lists filled", f"{r['synthetic_open_to_filled_s']:.2f} s", "in-process, no imports"),
        (f"{size:,} migrations: pagedown in the legacy list → frame", f"{r['synthetic_pagedown_ms']:.0f} ms",
         (f"worst {r['synthetic_pagedown_max_ms']:.0f} ms; main thread's CPU {r['synthetic_pagedown_cpu_ms']:.0f} ms "
          "(the preview follows the highlight)")),
        (f"{size:,} migrations: reassign key → preview painted", f"{r['synthetic_reassign_preview_ms']:.0f} ms",
         (f"median of {presses}, worst {r['synthetic_reassign_preview_max_ms']:.0f} ms; "
          f"main thread's CPU {r['synthetic_reassign_preview_cpu_ms']:.0f} ms")),
        (f"{size:,} migrations: reassign key → syntax colours", f"{r['synthetic_reassign_coloured_ms']:.0f} ms", ""),
    ]
    lines = ["| measure | median | notes |", "|---|---:|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines) + f"\n\nMachine: {machine()}."


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="start-up runs per entry (default: %(default)s)")
    ap.add_argument("--presses", type=int, default=20, help="reassignments measured (default: %(default)s)")
    ap.add_argument("--pages", type=int, default=20, help="pagedowns in the synthetic list (default: %(default)s)")
    ap.add_argument("--size", type=int, default=2000, help="synthetic history size (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print the raw figures as JSON instead of the table")
    args = ap.parse_args()
    results: dict[str, float] = {}
    say("start-up, in a pseudo-terminal")
    for entry in ("cli", "run_app"):
        results.update({f"{entry}_{k}": v for k, v in bench_startup(args.runs, entry).items()})
    say("reassignments on the bundled example")
    results.update(asyncio.run(bench_bundled(args.presses)))
    say(f"{args.size} synthetic migrations")
    results.update(asyncio.run(bench_synthetic(args.size, args.presses, args.pages, args.seed)))
    print(json.dumps(results, indent=2) if args.json else table(results, args.size, args.runs, args.presses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
