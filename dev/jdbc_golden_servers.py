"""Throw-away PostgreSQL and MariaDB servers for dev/jdbc_golden.py (recording only, not for tests).

Each server lives in a temporary directory, listens on 127.0.0.1 on a free port, and is stopped by
its own data directory (pg_ctl) or its own process, never by name.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# A server zone far from UTC, to show whether it leaks into what Spark reads.
PG_SERVER_ZONE = "America/New_York"
MARIADB_SERVER_ZONE = "+08:00"
USER = PASSWORD = DATABASE = "golden"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None, log: Path, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on 127.0.0.1:{port} in {deadline_s}s:\n{log.read_text()[-2000:]}")


def as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; as another user it runs as that user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Postgres:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="golden-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")

    def start(self) -> "Postgres":
        subprocess.run(as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", USER,
                                    "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"]),
                       check=True, stdout=subprocess.DEVNULL)
        options = (f"-p {self.port} -h 127.0.0.1 -k {self.root} -c TimeZone={PG_SERVER_ZONE} "
                   "-c fsync=off")
        subprocess.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                                    "-o", options, "-w", "-t", "60", "start"]),
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(as_postgres([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                                    "-U", USER, DATABASE]), check=True)
        return self

    def version(self) -> str:
        return subprocess.run([str(PG_BIN / "postgres"), "--version"], capture_output=True,
                              text=True, check=True).stdout.strip()

    @property
    def url(self) -> str:
        return f"jdbc:postgresql://127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                                        "-w", "stop"]), stdout=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)


class MariaDB:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="golden-mariadb-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> "MariaDB":
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={self.data}", "--user=root",
                        "--skip-test-db"], check=True, stdout=subprocess.DEVNULL)
        # The init file runs with full rights at start-up: no client login as root is needed.
        init = self.root / "init.sql"
        init.write_text(f"CREATE USER IF NOT EXISTS '{USER}'@'%' IDENTIFIED BY '{PASSWORD}';\n"
                        f"GRANT ALL ON *.* TO '{USER}'@'%';\n"
                        f"CREATE DATABASE IF NOT EXISTS {DATABASE};\n")
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                ["mariadbd", "--no-defaults", "--user=root", f"--datadir={self.data}",
                 f"--socket={self.root / 'mysqld.sock'}", f"--port={self.port}",
                 "--bind-address=127.0.0.1", f"--pid-file={self.root / 'mysqld.pid'}",
                 f"--default-time-zone={MARIADB_SERVER_ZONE}", f"--init-file={init}",
                 "--skip-name-resolve", "--innodb-flush-log-at-trx-commit=0"],
                stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, self.log, 60)
        return self

    def version(self) -> str:
        return subprocess.run(["mariadbd", "--version"], capture_output=True, text=True,
                              check=True).stdout.strip()

    def url(self, scheme: str) -> str:
        return f"jdbc:{scheme}://127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)
