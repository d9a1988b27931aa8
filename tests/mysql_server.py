"""A real MariaDB server for the MLMD-in-MySQL tests, started on 127.0.0.1 by the tests.

Kubeflow Pipelines and production TFX keep ML Metadata in MySQL; the loader reads it through
DuckDB's mysql scanner. The server runs from a temporary data directory with its own port,
and a user with a password, so the tests go through real authentication over TCP.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pymysql

USER, PASSWORD = "mlmd", "s3cret-pw"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.path.exists(p)), None
    )


@dataclass
class MariaDB:
    datadir: Path
    port: int
    process: subprocess.Popen

    def url(self, database: str, password: str = PASSWORD) -> str:
        return f"mysql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str | None = None) -> pymysql.Connection:
        return pymysql.connect(
            host="127.0.0.1",
            port=self.port,
            user=USER,
            password=PASSWORD,
            database=database,
            autocommit=True,
        )

    def create_database(self, name: str) -> None:
        with self.connect() as con, con.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cur.execute(f"CREATE DATABASE `{name}`")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(base: Path) -> MariaDB:
    server, install = _binary("mariadbd"), _binary("mariadb-install-db")
    if server is None or install is None:
        raise RuntimeError("MariaDB is not installed: run `make test` (scripts/system-deps.sh)")
    datadir, sock = base / "data", base / "mysqld.sock"
    subprocess.run(
        [
            install,
            "--no-defaults",
            f"--datadir={datadir}",
            "--user=root",
            "--auth-root-authentication-method=socket",
            "--skip-test-db",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    process = subprocess.Popen(
        [
            server,
            "--no-defaults",
            f"--datadir={datadir}",
            f"--socket={sock}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            "--user=root",
            "--skip-log-bin",
            f"--pid-file={base / 'mysqld.pid'}",
            f"--log-error={base / 'error.log'}",
            "--innodb-buffer-pool-size=64M",
            "--innodb-log-file-size=16M",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            root = pymysql.connect(unix_socket=str(sock), user="root", autocommit=True)
            break
        except pymysql.err.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                log = (base / "error.log").read_text(errors="replace")[-2000:]
                process.kill()
                raise RuntimeError(f"MariaDB did not start:\n{log}") from None
            time.sleep(0.2)
    with root, root.cursor() as cur:
        for host in ("127.0.0.1", "localhost"):
            cur.execute(f"CREATE USER '{USER}'@'{host}' IDENTIFIED BY '{PASSWORD}'")
            cur.execute(f"GRANT ALL PRIVILEGES ON *.* TO '{USER}'@'{host}'")
    return MariaDB(datadir, port, process)
