"""Real processes for the reliability tests: a Redis server, Celery workers and beats, each started
by the test on a port or in a folder of its own, so stopping or killing one disturbs nothing else
(not CI's shared Redis, not another pytest-xdist process). Mail goes to the real test SMTP server
in tests/smtp_server.py, through Django's SMTP backend in the worker.

The worker and beat are separate operating-system processes: they read and write the test's own
database (a transactional test commits, so they see what the web side wrote).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import kombu.pools
import pytest
from django.db import connection

from safeguard.celery import app
from tests.smtp_server import SMTPState, start_smtp_server

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
REDIS_SERVER = shutil.which("redis-server")

needs_redis_server = pytest.mark.skipif(
    REDIS_SERVER is None, reason="the reliability tests start their own redis-server (apt-get install redis-server)"
)


def wait_for(condition: Callable[[], bool], seconds: float = 30.0, every: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, which the test may stop and start again on the same port."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER is not None
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self._answers, 10), "redis-server did not start"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, host, port = settings["USER"], settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


class Processes:
    """Workers and beats of the test's own, all talking to its Redis, database and SMTP server."""

    def __init__(self, redis: RedisServer, smtp_port: int, folder: Path):
        self.redis, self.smtp_port, self.folder = redis, smtp_port, folder
        self.running: list[subprocess.Popen] = []

    def environment(self, **extra: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="safeguard.settings",
            DATABASE_URL=_database_url(),
            REDIS_URL=self.redis.url,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.smtp_port),
            EMAIL_TIMEOUT="5",
            VIGIL_VAR_DIR=str(self.folder / "var"),
            PYTHONPATH=str(ROOT),
            **extra,
        )
        return env

    def _start(self, args: list[str], name: str, **extra: str) -> subprocess.Popen:
        log = (self.folder / f"{name}-{len(self.running)}.log").open("w")
        process = subprocess.Popen(
            [CELERY, "-A", "safeguard", *args],
            cwd=ROOT,
            env=self.environment(**extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append(process)
        return process

    def worker(self, **extra: str) -> subprocess.Popen:
        queue = app.conf.task_default_queue
        process = self._start(
            [
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                f"{queue},celery",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=info",
                f"--hostname=reliability-{len(self.running)}@%h",
            ],
            "worker",
            **extra,
        )
        assert wait_for(lambda: self._log_says(process, "ready"), 60), self.logs()
        return process

    def beat(self, **extra: str) -> subprocess.Popen:
        number = len(self.running)
        return self._start(
            ["beat", "--loglevel=info", f"--schedule={self.folder / f'celerybeat-schedule-{number}'}"],
            "beat",
            **extra,
        )

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL: no shutdown, no acknowledgement, no clean-up — as when a machine dies."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def _log_for(self, process: subprocess.Popen) -> Path:
        index = self.running.index(process)
        return next(self.folder.glob(f"*-{index}.log"))

    def _log_says(self, process: subprocess.Popen, text: str) -> bool:
        return text in self._log_for(process).read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}" for path in self.folder.glob("*.log")
        )


def point_app_at(broker_url: str) -> None:
    """The web side (this test process) publishes to `broker_url` from now on."""
    app.conf.broker_url = broker_url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@pytest.fixture
def smtp() -> Iterator[tuple[int, SMTPState]]:
    server, state = start_smtp_server()
    yield server.server_address[1], state
    state.gate.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def redis(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    point_app_at(server.url)
    yield server
    server.stop()
    app.conf.broker_url, app.conf.broker_transport_options = saved
    point_app_at(saved[0])
    app.conf.broker_transport_options = saved[1]


@pytest.fixture
def processes(redis, smtp, tmp_path) -> Iterator[Processes]:
    (tmp_path / "var").mkdir()
    running = Processes(redis, smtp[0], tmp_path)
    yield running
    running.stop_all()
