"""Drive the real ``yabot`` console script in child processes, as an operator's shell would."""

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

YABOT = Path(sys.executable).with_name("yabot")
STARTUP_DEADLINE = 15.0
"""The acceptance bar: `yabot run` answers /healthz within 15 s of starting."""

CLICK_ENGLISH = re.compile(
    r"Usage|Options|Commands|Positional arguments|Show this message|required|default|env var"
    r"|\b(TEXT|INTEGER|FLOAT|RANGE|OPTIONS|COMMAND|ARGS)\b"
)
"""What click prints in English (headings, the help option, notes, metavars), were some help untranslated."""


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
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({f"YABOT_{key.upper()}": value for key, value in settings.items()})
    return env


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


async def yabot(*args: str, env: Mapping[str, str], cwd: Path) -> Result:
    """Run one ``yabot`` command to completion without blocking the event loop (fakes keep serving)."""
    process = await asyncio.create_subprocess_exec(
        YABOT, *args, env=dict(env), cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return Result(process.returncode, stdout.decode(), stderr.decode())


class Served:
    """A ``yabot run`` child process and what it printed."""

    def __init__(self, env: Mapping[str, str], cwd: Path) -> None:
        self.env = dict(env)
        self.cwd = cwd
        self.url = f"http://127.0.0.1:{env['YABOT_API_PORT']}"
        self.output: list[str] = []
        self._process: asyncio.subprocess.Process | None = None
        self._readers: list[asyncio.Task[None]] = []

    async def start(self) -> float:
        """Start serving; return the seconds until /healthz answered 200."""
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
        async with httpx.AsyncClient() as client:
            while loop.time() - started < STARTUP_DEADLINE:
                if self._process.returncode is not None:
                    break
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return loop.time() - started
                await asyncio.sleep(0.1)
        raise AssertionError("yabot run did not answer /healthz in time:\n" + self.printed)

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for line in stream:
            self.output.append(line.decode().rstrip("\n"))

    @property
    def printed(self) -> str:
        return "\n".join(self.output)

    async def wait_for_output(self, text: str, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        """Wait until the process printed a line containing ``text``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while text not in self.printed:
            if loop.time() > deadline:
                raise AssertionError(f"yabot run never printed {text!r}:\n{self.printed}")
            await asyncio.sleep(0.05)

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` and wait for the process to exit; return its exit code."""
        assert self._process is not None
        if self._process.returncode is None:
            self._process.send_signal(sig)
        code = await asyncio.wait_for(self._process.wait(), timeout=30)
        await asyncio.gather(*self._readers)
        return code

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind runs."""
        await self.stop(signal.SIGKILL)

    async def get(self, path: str) -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.get(f"{self.url}{path}")
