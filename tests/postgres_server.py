"""A real PostgreSQL server for the MLflow-in-Postgres tests, started on 127.0.0.1 by the tests.

MLflow's tracking server commonly keeps its store in Postgres; the loader reads it through
DuckDB's postgres scanner. The server runs from a temporary data directory with its own port
and a user with a password (scram-sha-256 over TCP), so the tests go through real
authentication. Postgres refuses to run as root: under root the server runs as the
``postgres`` system user (Debian's package creates it), else as ``nobody``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

USER, PASSWORD = "mlflow", "pg-s3cret pw"
_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _binary(name: str) -> str | None:
    found = (str(d / name) for d in _BIN_DIRS if (d / name).exists())
    return next(found, None) or shutil.which(name)


def _server_user() -> pwd.struct_passwd | None:
    """The user to run the server as when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and no postgres or nobody user to run Postgres as")


@dataclass
class Postgres:
    base: Path
    port: int
    process: subprocess.Popen
    psql: str

    def url(
        self, database: str, password: str | None = PASSWORD, scheme: str = "postgresql"
    ) -> str:
        secret = "" if password is None else ":" + password.replace(" ", "%20")
        return f"{scheme}://{USER}{secret}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        done = subprocess.run(
            [self.psql, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", statement],
            env={
                **os.environ,
                "PGHOST": "127.0.0.1",
                "PGPORT": str(self.port),
                "PGUSER": USER,
                "PGPASSWORD": PASSWORD,
                "PGDATABASE": database,
            },
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def create_database(self, name: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{name}"')
        self.sql(f'CREATE DATABASE "{name}"')

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.base, ignore_errors=True)


def start() -> Postgres:
    initdb, server, psql = _binary("initdb"), _binary("postgres"), _binary("psql")
    if initdb is None or server is None or psql is None:
        raise RuntimeError("PostgreSQL is not installed: run `make test` (scripts/system-deps.sh)")
    user = _server_user()
    # Outside pytest's tmp dirs: those are private to root, and the server may run as another user.
    base = Path(tempfile.mkdtemp(prefix="graphlets-pg-"))
    datadir, pwfile = base / "data", base / "pwfile"
    pwfile.write_text(PASSWORD + "\n")
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
        os.chown(pwfile, user.pw_uid, user.pw_gid)
    as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
    init = [initdb, "-D", str(datadir), "-U", USER, f"--pwfile={pwfile}"]
    init += ["--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]
    subprocess.run(
        init,
        check=True,
        capture_output=True,
        cwd=base,
        **as_user,  # type: ignore[arg-type]
    )
    port = _free_port()
    log = base / "server.log"
    command = [server, "-D", str(datadir), "-p", str(port), "-c", "listen_addresses=127.0.0.1"]
    for setting in (f"unix_socket_directories={base}", "fsync=off", "synchronous_commit=off"):
        command += ["-c", setting]
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            cwd=base,
            **as_user,  # type: ignore[arg-type]
        )
    pg = Postgres(base, port, process, psql)
    deadline = time.monotonic() + 60
    while True:
        try:
            pg.sql("select 1")
            return pg
        except subprocess.CalledProcessError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    f"Postgres did not start:\n{log.read_text(errors='replace')[-2000:]}"
                ) from None
            time.sleep(0.2)
