"""Benchmark CPU per handled update against a bare PTB echo bot; prints one JSON object.

Run: .venv/bin/python tests/benchmarks/bench_updates.py [--users 40] [--runs 3] [--profile DIR]
Both bots run as `run_polling` subprocesses against the loopback fake Bot API (in this
process), as a new user would run them (default settings, LOG_LEVEL INFO for the bot, SQLite
in a fresh directory; only the prompt dispatcher's interval is stretched so its tick does not
land inside a measured phase). `--users` users talk one step at a time; each phase is a group
of updates of one kind, and its CPU is what the bot's process used (utime + stime from
/proc/<pid>/stat, every thread included) from before the phase's first update to after its
last reply, divided by the updates in the phase. Phases of the bot:

- draft: a user in /practice → "Check a draft" sends two drafts the coach asks to revise;
- note: "/journal <words>" saves a note;
- mood: /mood, tap a rating, tap a word, tap "No, that's all" (four updates);
- button: the tap on "Check a draft" in the practice menu.

The echo bot (one Application, a MessageHandler and a CallbackQueryHandler, run_polling)
gets the same number of texts and taps; each ratio divides the bot's CPU per update in a
phase by the echo bot's for the same mix of texts and taps. Runs alternate between the two
bots so machine noise hits both alike; figures are medians over the runs. CPU time, not wall
time: the machine is shared. `--profile DIR` runs the bot once under cProfile instead and
writes DIR/bot.prof (phases are not separated there).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "integration"), str(Path(__file__).parent)]

from bench_startup import ECHO_BOT  # noqa: E402
from loopback_bot import (  # noqa: E402
    TOKEN,
    BotProcess,
    bot_process,
    changed_messages,
    child_env,
    eventually,
    sqlite_url,
)

from bot.fakeapi.core import JSON, FakeTelegram  # noqa: E402
from bot.fakeapi.driver import match_button  # noqa: E402
from bot.fakeapi.http import serve_fake_api  # noqa: E402

# A developer's aid: with BENCH_PY_SPY=FILE set (and py-spy installed), the bot's phases are
# sampled into FILE as collapsed stacks.
SPY = os.environ.get("BENCH_PY_SPY")
TICK = os.sysconf("SC_CLK_TCK")
FIRST_USER = 1000
DRAFTS = ("You never listen to me", "You always ignore me when I talk")
NOTE = "/journal Today was long, and I noticed I wanted to be heard more than fixed."
# Each phase: how many texts and taps one user sends in it (for the echo bot's mix).
MIX = {"draft": (2, 0), "note": (1, 0), "mood": (1, 3), "button": (0, 1)}
PROFILE_SCRIPT = """\
import cProfile, sys
from bot.__main__ import main
profiler = cProfile.Profile()
profiler.enable()
try:
    code = main(["run"])
finally:
    profiler.disable()
    profiler.dump_stats(sys.argv[1])
sys.exit(code)
"""


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of a process (all its threads, living and dead)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Driver:
    """Plays users one step at a time through the fake, waiting for each reply."""

    def __init__(self, fake: FakeTelegram, bot: BotProcess) -> None:
        self.fake = fake
        self.bot = bot

    async def step(self, user_id: int, act: Callable[[], JSON], expect: str) -> None:
        since = len(self.fake.calls)
        act()

        def answered() -> bool:
            return any(expect in m.plain_text for m in changed_messages(self.fake, user_id, since))

        await eventually(answered, f"{expect!r} for {user_id}", within=60, processes=[self.bot])

    async def say(self, user_id: int, text: str, expect: str) -> None:
        await self.step(user_id, lambda: self.fake.send_text(user_id, text), expect)

    async def tap(self, user_id: int, label: str, expect: str) -> None:
        shown = [m for m in self.fake.messages_to(user_id) if m.labels and not m.deleted]
        button = match_button(shown[-1], label)
        assert button is not None and button[1] is not None, (label, shown[-1].labels)
        message_id, data = shown[-1].message_id, str(button[1])
        await self.step(user_id, lambda: self.fake.tap(user_id, message_id, data), expect)
        await eventually(
            lambda: not self.fake.unanswered_callback_queries,
            "the tap to be answered",
            processes=[self.bot],
        )

    async def tap_any(self, user_id: int, expect: str) -> None:
        """Tap a button with made-up data on the latest bot message (the echo bot's case)."""
        message_id = self.fake.messages_to(user_id)[-1].message_id
        await self.step(user_id, lambda: self.fake.tap(user_id, message_id, "x"), expect)

    async def settle(self) -> None:
        """Let the bot finish what it does after its last reply (counting, committing)."""
        await asyncio.sleep(0.3)


async def measure(driver: Driver, users: list[int], act: Callable[[int], Any]) -> float:
    """CPU seconds the bot used while every user did `act`, one after another."""
    await driver.settle()
    before = cpu_seconds(driver.bot.pid)
    for user_id in users:
        await act(user_id)
    await driver.settle()
    return cpu_seconds(driver.bot.pid) - before


async def bot_phases(driver: Driver, users: list[int]) -> dict[str, float]:
    """Walk every user through the measured paths; CPU seconds per phase."""
    for user_id in users:
        await driver.say(user_id, "/start", "Is that okay with you?")
        await driver.tap(user_id, "Yes, let's begin", "where are you in the world?")
        await driver.say(user_id, "/practice", "What would you like to practise?")
    cpu = {}

    async def button(user_id: int) -> None:
        await driver.tap(user_id, "Check a draft", "Type or paste the words")

    async def drafts(user_id: int) -> None:
        for draft in DRAFTS:
            await driver.say(user_id, draft, "Type or paste the words")

    async def note(user_id: int) -> None:
        await driver.say(user_id, NOTE, "Saved to your journal")

    async def mood(user_id: int) -> None:
        await driver.say(user_id, "/mood", "How are you feeling")
        await driver.tap(user_id, "3 · okay", "Which word comes closest")
        await driver.tap(user_id, "calm", "Anything you'd like to add")
        await driver.tap(user_id, "No, that's all", "Thank you for checking in")

    cpu["button"] = await measure(driver, users, button)
    cpu["draft"] = await measure(driver, users, drafts)
    cpu["note"] = await measure(driver, users, note)
    cpu["mood"] = await measure(driver, users, mood)
    return cpu


async def echo_phases(driver: Driver, users: list[int]) -> dict[str, float]:
    """The same number of texts and taps for the echo bot; CPU seconds per kind."""
    for user_id in users:
        await driver.say(user_id, "hello", "hello")

    async def texts(user_id: int) -> None:
        for index in range(3):
            await driver.say(user_id, f"text {index} from {user_id}", f"{index} from {user_id}")

    async def taps(user_id: int) -> None:
        for _ in range(3):
            await driver.tap_any(user_id, "x")

    return {"text": await measure(driver, users, texts), "tap": await measure(driver, users, taps)}


async def one_run(kind: str, workdir: Path, echo_script: Path, users: int, profile: Path | None):
    """Start one bot, drive its phases, stop it; CPU per update by phase."""
    fake = FakeTelegram(token=TOKEN)
    ids = list(range(FIRST_USER, FIRST_USER + users))
    for user_id in ids:
        fake.add_user(user_id, f"User{user_id}")
    async with serve_fake_api(fake) as base_url:
        env = child_env(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=base_url,
            database_url=sqlite_url(workdir),
            dispatch_interval_seconds=3600,
        )
        script, args = None, ["run"]
        if kind == "echo":
            script, args = echo_script, []
        elif profile is not None:
            script = workdir / "profiled.py"
            workdir.mkdir(parents=True, exist_ok=True)
            script.write_text(PROFILE_SCRIPT)
            args = [str(profile / "bot.prof")]
        async with bot_process(args, env, workdir, script=script) as bot:
            driver = Driver(fake, bot)
            spy = None
            if SPY and kind == "bot":
                spy = await asyncio.create_subprocess_exec(
                    str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "--pid",
                    str(bot.pid),
                    "--format",
                    "raw",
                    "--rate",
                    "250",
                    "--threads",
                    "--output",
                    SPY,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                )
                await asyncio.sleep(1.0)
            if kind == "echo":
                cpu = await echo_phases(driver, ids)
                per_update = {"text": cpu["text"] / (3 * users), "tap": cpu["tap"] / (3 * users)}
            else:
                cpu = await bot_phases(driver, ids)
                per_update = {
                    phase: seconds / (users * sum(MIX[phase])) for phase, seconds in cpu.items()
                }
            if spy is not None:
                spy.send_signal(2)
                await spy.wait()
            exit_code = await bot.terminate(within=60)
        if exit_code != 0:
            raise RuntimeError(f"{kind} exited with {exit_code}\n{bot.output()}")
        sends = sum(1 for c in fake.calls_to("sendMessage") if c.ok)
    return {key: value * 1000 for key, value in per_update.items()} | {"sends": sends}


async def main(users: int, runs: int, profile: Path | None) -> dict[str, Any]:
    """Alternate bot and echo runs; medians and ratios."""
    results: dict[str, list[dict[str, float]]] = {"bot": [], "echo": []}
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as tmp:
        echo_script = Path(tmp) / "echo_bot.py"
        echo_script.write_text(ECHO_BOT)
        if profile is not None:
            profile.mkdir(parents=True, exist_ok=True)
            await one_run("bot", Path(tmp) / "profiled", echo_script, users, profile)
            return {"profile": str(profile / "bot.prof")}
        for index in range(runs):
            for kind in ("bot", "echo"):
                workdir = Path(tmp) / f"{kind}{index}"
                results[kind].append(await one_run(kind, workdir, echo_script, users, None))
    figures: dict[str, Any] = {"users": users, "runs": runs}
    for kind, measured in results.items():
        figures[f"{kind}_cpu_ms_per_update"] = {
            key: round(statistics.median(run[key] for run in measured), 2)
            for key in measured[0]
            if key != "sends"
        }
        figures[f"{kind}_sends_per_run"] = measured[0]["sends"]
    echo = figures["echo_cpu_ms_per_update"]
    ratios = {}
    for phase, (texts, taps) in MIX.items():
        baseline = (texts * echo["text"] + taps * echo["tap"]) / (texts + taps)
        ratios[phase] = round(figures["bot_cpu_ms_per_update"][phase] / baseline, 2)
    figures["ratios"] = ratios
    figures["goal"] = "each ratio <= 1.5"
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=Path, default=None)
    options = parser.parse_args()
    print(json.dumps(asyncio.run(main(options.users, options.runs, options.profile))))
