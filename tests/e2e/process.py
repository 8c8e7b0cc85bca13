"""Drive the real ``yabot`` console script in child processes, as an operator's shell would."""

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Final, Self

import httpx

YABOT = Path(sys.executable).with_name("yabot")

HANG_GUARD = 60.0
"""Seconds any wait on a child process may last. Only a hang outlasts it, even on a loaded machine: these
deadlines catch hangs, they measure nothing."""

STARTUP_DEADLINE = HANG_GUARD
"""How long `yabot run` may take to answer /healthz before the test gives up on it (and kills it)."""

CLICK_ENGLISH = re.compile(
    r"Usage|Options|Commands|Positional arguments|Show this message|required|default|env var"
    r"|\b(TEXT|INTEGER|FLOAT|RANGE|OPTIONS|COMMAND|ARGS)\b"
)
"""What click prints in English (headings, the help option, notes, metavars), were some help untranslated."""


LOWEST_PRIORITY = ("nice", "-n", "19") if shutil.which("nice") else ()
"""The prefix that runs a command at the lowest CPU priority, where ``nice`` exists (else none)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def yabot_env(workdir: Path, **settings: str) -> dict[str, str]:
    """A clean environment: no YABOT_* from the developer's shell, data under ``workdir``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("YABOT_")}
    env.update(
        {
            "YABOT_DATA_DIR": str(workdir / "data"),
            "YABOT_API_PORT": str(free_port()),
            "YABOT_WELCOME_BESITOS": "0",
            # No backup or reconciliation timers unless a journey asks: journeys count the timers they set.
            "YABOT_BACKUP_HOURS": "0",
            "YABOT_RECONCILE_HOURS": "0",
            "PYTHONUNBUFFERED": "1",
            "PYTHONFAULTHANDLER": "1",  # SIGABRT prints every thread's stack: see Served.start
        }
    )
    env.update({f"YABOT_{key.upper()}": value for key, value in settings.items()})
    return env


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


async def yabot(
    *args: str,
    env: Mapping[str, str],
    cwd: Path,
    timeout: float = HANG_GUARD,  # noqa: ASYNC109  (a helper's own deadline reads better in every test)
    background: bool = False,
) -> Result:
    """Run one ``yabot`` command to completion without blocking the event loop (fakes keep serving).

    A command still running after ``timeout`` seconds (or when the caller is cancelled) is killed and
    reaped before the error propagates: no test leaves it behind. A ``background`` command runs at the
    lowest CPU priority, so a test starting dozens at once does not starve the tests beside it (pytest-xdist
    runs another on the other core, whose own processes must still start within the hang guard).
    """
    command = (*LOWEST_PRIORITY, YABOT) if background else (YABOT,)
    process = await asyncio.create_subprocess_exec(
        *command,
        *args,
        env=dict(env),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=timeout)
    finally:
        await _end(process)
    assert process.returncode is not None
    return Result(process.returncode, stdout.decode(), stderr.decode())


KEY: Final = re.compile(r"yb_[0-9a-f]{16}_[A-Za-z0-9_-]{43}")


async def issue_key(env: Mapping[str, str], cwd: Path, *scopes: str, name: str = "e2e") -> str:
    """Create an API key with ``yabot apikey create``; return its ``Authorization`` value."""
    options = [option for scope in scopes for option in ("--scope", scope)]
    created = await yabot("apikey", "create", name, *options, env=env, cwd=cwd)
    assert created.returncode == 0, created.stderr
    found = KEY.search(created.stdout)
    assert found is not None, created.stdout
    return f"Bearer {found[0]}"


async def _end(process: asyncio.subprocess.Process) -> None:
    """Kill ``process`` unless it has exited, and reap it."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):  # it exited meanwhile
            process.kill()
    await process.wait()


async def wait_until(
    check: Callable[[], Awaitable[bool]],
    what: str,
    timeout: float = HANG_GUARD,  # noqa: ASYNC109  (a helper's own deadline reads better in every test)
) -> None:
    """Poll ``check`` until it returns true; fail, saying ``what`` never happened, after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(0.1)


class Served:
    """A ``yabot run`` child process and what it printed.

    Use it as an async context manager (``async with Served(env, cwd) as served``): the process is started,
    and ended however the block ends. A start that fails ends its process too.
    """

    def __init__(self, env: Mapping[str, str], cwd: Path) -> None:
        self.env = dict(env)
        self.cwd = cwd
        self._reader: str | None = None
        self.url = f"http://127.0.0.1:{env['YABOT_API_PORT']}"
        self.output: list[str] = []
        self.startup_seconds: float | None = None
        """How long the last start took to answer /healthz: for reports, never for asserts."""
        self._process: asyncio.subprocess.Process | None = None
        self._readers: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()  # a no-op for a process the block already stopped

    @property
    def pid(self) -> int:
        """The process id."""
        return self._started().pid

    @property
    def returncode(self) -> int | None:
        """The exit code once the process has ended and been reaped, else ``None``."""
        return self._started().returncode

    async def start(self, deadline: float = STARTUP_DEADLINE) -> float:
        """Start serving; return the seconds until /healthz answered 200 (also kept in ``startup_seconds``).

        If it does not answer within ``deadline`` seconds, exits, or the caller is cancelled, the process is
        killed and reaped (its output read to the end) before the error propagates.
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        self._process = await asyncio.create_subprocess_exec(
            YABOT,
            "run",
            env=self.env,
            cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert self._process.stdout is not None
        assert self._process.stderr is not None
        self._readers = [
            asyncio.create_task(self._read(stream)) for stream in (self._process.stdout, self._process.stderr)
        ]
        try:
            healthy = await self._until_healthy(started, deadline)
        except BaseException:
            await self.kill()
            raise
        if not healthy:
            await self._dump_stacks()
            await self.kill()  # which also reads its output to the end, for the message
            raise AssertionError(f"yabot run did not answer /healthz within {deadline:g} s:\n{self.printed}")
        self.startup_seconds = loop.time() - started
        return self.startup_seconds

    async def _dump_stacks(self) -> None:
        """Have a hung process print each thread's stack (faulthandler on SIGABRT) for the message."""
        process = self._started()
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGABRT)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), timeout=5)

    async def _until_healthy(self, started: float, deadline: float) -> bool:
        """Poll /healthz until it answers 200 (true), the process exits or the deadline passes (false)."""
        process = self._started()
        loop = asyncio.get_running_loop()
        async with httpx.AsyncClient() as client:
            while loop.time() - started < deadline and process.returncode is None:
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return True
                await asyncio.sleep(0.1)
        return False

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for line in stream:
            self.output.append(line.decode().rstrip("\n"))

    @property
    def printed(self) -> str:
        return "\n".join(self.output)

    async def wait_for_output(self, text: str, timeout: float = HANG_GUARD) -> None:  # noqa: ASYNC109
        """Wait until the process printed a line containing ``text``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while text not in self.printed:
            if loop.time() > deadline:
                raise AssertionError(f"yabot run never printed {text!r}:\n{self.printed}")
            await asyncio.sleep(0.05)

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` and wait for the process to exit; return its exit code.

        One that has exited already just reports its code. One still running after the hang guard is
        killed, and the stop fails.
        """
        process = self._started()
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # it exited meanwhile
                process.send_signal(sig)
        try:
            code = await asyncio.wait_for(process.wait(), timeout=HANG_GUARD)
        except TimeoutError:
            raise AssertionError(f"yabot run did not exit on signal {sig}:\n{self.printed}") from None
        finally:
            await _end(process)
            await self._drain()
        return code

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind runs."""
        await self.stop(signal.SIGKILL)

    async def get(self, path: str, authorization: str | None = None) -> httpx.Response:
        headers = {} if authorization is None else {"Authorization": authorization}
        async with httpx.AsyncClient() as client:
            return await client.get(f"{self.url}{path}", headers=headers)

    async def read(self, path: str) -> httpx.Response:
        """GET an API route with a ``users:read`` key, made with ``yabot apikey create`` on first use."""
        if self._reader is None:
            self._reader = await issue_key(self.env, self.cwd, "users:read")
        return await self.get(path, self._reader)

    def _started(self) -> asyncio.subprocess.Process:
        if self._process is None:
            msg = "the process has not been started"
            raise RuntimeError(msg)
        return self._process

    async def _drain(self) -> None:
        """Let the output readers finish (the pipes close with the process); cancel any still stuck."""
        if not self._readers:
            return
        _, stuck = await asyncio.wait(self._readers, timeout=HANG_GUARD)
        for reader in stuck:
            reader.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)
