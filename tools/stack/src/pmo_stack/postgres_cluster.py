"""A throwaway PostgreSQL server on 127.0.0.1, tuned for test speed rather than durability."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from pmo_stack.lifecycle import Startable
from pmo_stack.sync_bridge import run_blocking

_SERVER_USER = "postgres"
_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def find_postgres_bindir() -> Path:
    """Find initdb/pg_ctl: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin."""
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        # On Debian, libpq-dev's pg_config answers /usr/bin, which has no initdb.
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and (bindir / "initdb").exists():
            return bindir
    candidates = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    if not candidates:
        raise RuntimeError(
            "PostgreSQL server binaries not found (no initdb via pg_config or under "
            "/usr/lib/postgresql/*/bin); install Debian's `postgresql` package"
        )
    return max(candidates, key=lambda p: _version_key(p.parent.name))


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))


async def _create_database(admin_url: str, name: str) -> None:
    import asyncpg

    url = make_url(admin_url)
    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        # Identifiers cannot be bound as parameters; the name was validated against a strict regex.
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def create_database_at(admin_url: str, name: str) -> str:
    """Create database `name` on the server behind `admin_url`; return its async SQLAlchemy URL."""
    if not _DATABASE_NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}: use [a-z0-9_], starting with a letter")
    run_blocking(_create_database(admin_url, name))
    url = make_url(admin_url).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False)


class PostgresCluster(Startable):
    """A private PostgreSQL cluster under `data_dir`, listening on 127.0.0.1:`port` only."""

    def __init__(self, *, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.bindir = find_postgres_bindir()
        self.pgdata = data_dir / "pgdata"
        self.socket_dir = data_dir / "run"
        self.log_path = data_dir / "postgres.log"
        self._started = False

    @property
    def admin_url(self) -> str:
        """Async SQLAlchemy URL of the `postgres` maintenance database, as superuser."""
        return f"postgresql+asyncpg://{_SERVER_USER}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Initialise the cluster on first use, write its settings and start the server."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            # The server refuses to run as root, so it runs as the `postgres` system user.
            shutil.chown(self.data_dir, _SERVER_USER, _SERVER_USER)
            shutil.chown(self.socket_dir, _SERVER_USER, _SERVER_USER)
            self._check_reachable_by_server_user()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        self._write_settings()
        self._run_as_server(
            [
                str(self.bindir / "pg_ctl"),
                "start",
                "-D",
                str(self.pgdata),
                "-l",
                str(self.log_path),
                "-w",
                "-t",
                "60",
            ]
        )
        self._started = True

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until the server accepts connections on 127.0.0.1:`port`."""
        deadline = time.monotonic() + timeout
        cmd = [str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"]
        while time.monotonic() < deadline:
            if subprocess.run(cmd, check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise TimeoutError(
            f"PostgreSQL on 127.0.0.1:{self.port} not ready after {timeout:.0f}s; "
            f"see {self.log_path}"
        )

    def stop(self) -> None:
        """Stop the server (fast shutdown: roll back open transactions, close connections)."""
        if not self._started:
            return
        self._run_as_server(
            [str(self.bindir / "pg_ctl"), "stop", "-D", str(self.pgdata), "-m", "fast", "-w"]
        )
        self._started = False

    def create_database(self, name: str) -> str:
        """Create database `name`; return its `postgresql+asyncpg://` URL."""
        return create_database_at(self.admin_url, name)

    def _initdb(self) -> None:
        self._run_as_server(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                _SERVER_USER,
                "-E",
                "UTF8",
                "--locale=C",
                "--auth=trust",
                "--no-sync",
            ]
        )
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write("\ninclude = 'pmo_stack.conf'\n")
        # Trust only the Unix socket (inside data_dir) and IPv4 loopback; nothing else may connect.
        (self.pgdata / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        )

    def _write_settings(self) -> None:
        # Rewritten on every start, so a restart may move the cluster to another port.
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
            "max_connections": "200",
            # Durability is worthless for a throwaway test server; speed is not.
            "fsync": "off",
            "full_page_writes": "off",
            "synchronous_commit": "off",
        }
        conf = self.pgdata / "pmo_stack.conf"
        conf.write_text("".join(f"{key} = {value}\n" for key, value in settings.items()))
        if os.geteuid() == 0:
            shutil.chown(conf, _SERVER_USER, _SERVER_USER)
            shutil.chown(self.pgdata / "pg_hba.conf", _SERVER_USER, _SERVER_USER)

    def _check_reachable_by_server_user(self) -> None:
        probe = ["runuser", "-u", _SERVER_USER, "--", "test", "-w", str(self.data_dir)]
        if subprocess.run(probe, check=False).returncode != 0:
            raise RuntimeError(
                f"{self.data_dir} is not writable by the `{_SERVER_USER}` user (is a parent "
                "directory mode 0700?); put the cluster under a world-traversable directory"
            )

    def _run_as_server(self, cmd: Sequence[str]) -> None:
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", _SERVER_USER, "--", *cmd]
        result = subprocess.run(
            list(cmd), capture_output=True, text=True, check=False, cwd=self.data_dir
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd)} failed (exit {result.returncode}):\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
