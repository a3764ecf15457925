"""Real PostgreSQL and MariaDB servers for the JDBC tests (helpers, not tests).

Each server lives in its own temporary directory (data, unix socket, log), listens on 127.0.0.1
only, on a free port, and is stopped by its own pid: the machine's own database services, and the
servers of other test runs, are never touched. Both run from Debian's packages, which `dev/test`
installs (`postgresql`, `mariadb-server`). The process handling they share (temp dir, port
retries, start deadline, stop by pid) is in tests/server_process.py.

    with PostgresServer() as pg:
        pg.execute("create table t (i int)")
        pg.jdbc_url  # jdbc:postgresql://127.0.0.1:PORT/byzer_test

The servers run in UTC (MariaDB: +00:00) unless given another zone, as dev/jdbc_golden.py does to
see whether the server's zone leaks into what Spark reads: PostgresServer("America/New_York").
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any, Optional, Sequence
from urllib.parse import quote

# free_port, HOST and ServerStartError are still importable from here, as before the split
# (the port retries themselves look up server_process.free_port).
from server_process import (HOST, ServerProcess, ServerStartError, free_port,  # noqa: F401
                            run_logged)

TEST_USER = "byzer"
TEST_PASSWORD = "byzer-secret-1"
TEST_DATABASE = "byzer_test"


class _DatabaseServer(ServerProcess):
    """A server process with a test user, its database and its time zone: how to reach it."""

    jdbc_driver = ""
    uri_scheme = ""
    superuser = ""
    superuser_password = ""

    def __init__(self, time_zone: str) -> None:
        super().__init__()
        self.user = TEST_USER
        self.password = TEST_PASSWORD
        self.database = TEST_DATABASE
        # The server's own zone, for sessions that do not set one: what `timestamp with time
        # zone` values are shown in, and what NOW() and friends mean.
        self.time_zone = time_zone

    # Each server defines _initialise(), _launch(log) -> Popen, _is_ready(),
    # _create_test_user_and_database(), jdbc_url and connect(superuser=False, database=None),
    # a DB-API connection (autocommit) over TCP.

    def _on_ready(self) -> None:
        self._create_test_user_and_database()

    def _create_test_user_and_database(self) -> None:
        raise NotImplementedError

    def execute(self, sql: str, params: Optional[Sequence[Any]] = None,
                superuser: bool = False) -> list[tuple]:
        """Run one statement as the test user (or the superuser), committed; the rows it
        returns, if any, as tuples."""
        conn = self.connect(superuser=superuser)
        try:
            cur = conn.cursor()
            try:
                cur.execute(sql, params) if params is not None else cur.execute(sql)
                rows = cur.fetchall() if cur.description else []
            finally:
                cur.close()
            return [tuple(r) for r in rows]
        finally:
            conn.close()

    def credentials(self, superuser: bool = False) -> tuple[str, str]:
        return ((self.superuser, self.superuser_password) if superuser
                else (self.user, self.password))

    def uri(self, superuser: bool = False, database: Optional[str] = None) -> str:
        """The server's URI with credentials (what connectorx and ADBC take)."""
        user, password = self.credentials(superuser)
        return (f"{self.uri_scheme}://{quote(user, safe='')}:{quote(password, safe='')}"
                f"@{self.host}:{self.port}/{database or self.database}")

    def connect_statement(self, name: str) -> str:
        """Byzer's `connect jdbc ... as name;` statement for this server."""
        return (f'connect jdbc where url="{self.jdbc_url}" and driver="{self.jdbc_driver}" '
                f'and user="{self.user}" and password="{self.password}" as {name};')


def _postgres_bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise ServerStartError("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/postgres); "
                               "dev/test installs Debian's postgresql package")
    return Path(found[-1]).parent


class PostgresServer(_DatabaseServer):
    """PostgreSQL with password (SCRAM) authentication on 127.0.0.1, a superuser `postgres` and
    the test user owning the database `byzer_test`."""

    name = "postgres"
    jdbc_driver = "org.postgresql.Driver"
    uri_scheme = "postgresql"
    superuser = "postgres"
    superuser_password = "postgres-secret-1"
    port_taken_markers = ("could not create any TCP/IP sockets", "Address already in use")

    def __init__(self, time_zone: str = "UTC") -> None:
        super().__init__(time_zone)
        self.bin_dir = _postgres_bin_dir()
        # PostgreSQL refuses to run as root: then it runs as Debian's `postgres` system user.
        self._run_as: Optional[pwd.struct_passwd] = (
            pwd.getpwnam("postgres") if os.geteuid() == 0 else None)

    @property
    def jdbc_url(self) -> str:
        return f"jdbc:postgresql://{self.host}:{self.port}/{self.database}"

    def connect(self, superuser: bool = False, database: Optional[str] = None):
        import adbc_driver_postgresql.dbapi

        return adbc_driver_postgresql.dbapi.connect(self.uri(superuser, database),
                                                    autocommit=True)

    def _user_kwargs(self) -> dict:
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self.temp_dir)}
        kwargs: dict = {"env": env, "cwd": str(self.temp_dir)}
        if self._run_as is not None:
            kwargs.update(user=self._run_as.pw_uid, group=self._run_as.pw_gid, extra_groups=[])
        return kwargs

    def _initialise(self) -> None:
        assert self.temp_dir is not None
        password_file = self.temp_dir / "superuser-password"
        password_file.write_text(self.superuser_password + "\n")
        if self._run_as is not None:
            for path in (self.temp_dir, password_file):
                os.chown(path, self._run_as.pw_uid, self._run_as.pw_gid)
        # -N: no fsync; trust only on the unix socket inside the temp dir, passwords over TCP.
        run_logged([str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", self.superuser,
                    f"--pwfile={password_file}", "--auth-local=trust", "--auth-host=scram-sha-256",
                    "-E", "UTF8", "--locale=C.UTF-8", "-N"],
                   "initdb", self.log_path, **self._user_kwargs())
        password_file.unlink()

    def _launch(self, log) -> subprocess.Popen:
        settings = {
            "listen_addresses": self.host, "port": str(self.port),
            "unix_socket_directories": str(self.temp_dir),
            # Test data is thrown away: no durability, little memory.
            "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
            "shared_buffers": "16MB", "max_connections": "60",
            # Same answers on every machine for timestamps with time zone (UTC unless asked).
            "timezone": self.time_zone,
        }
        args = [str(self.bin_dir / "postgres"), "-D", str(self.data_dir)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                **self._user_kwargs())

    def _is_ready(self) -> bool:
        # The postmaster writes "ready" into its pid file once it accepts connections; the file
        # is in our data dir, so this is our server and not whatever else holds the port.
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[7].strip() == "ready"

    def _shutdown_signal(self) -> int:
        return signal.SIGINT  # PostgreSQL's "fast" shutdown (pg_ctl stop -m fast)

    def _create_test_user_and_database(self) -> None:
        conn = self.connect(superuser=True, database="postgres")
        try:
            cur = conn.cursor()
            cur.execute(f"CREATE ROLE {self.user} LOGIN CREATEDB PASSWORD '{self.password}'")
            cur.execute(f"CREATE DATABASE {self.database} OWNER {self.user}")
            cur.close()
        finally:
            conn.close()


class MariaDBServer(_DatabaseServer):
    """MariaDB on 127.0.0.1 (no name resolution) with the test user granted everything, a
    superuser `root` (password on TCP and on the socket) and the database `byzer_test`."""

    name = "mariadb"
    jdbc_driver = "com.mysql.jdbc.Driver"
    uri_scheme = "mysql"
    superuser = "root"
    superuser_password = "root-secret-1"
    port_taken_markers = ("Address already in use", "Can't start server: Bind on TCP/IP port")
    # Small buffers so the server starts fast and light (MariaDB's defaults are for production).
    light_options = ("--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M",
                     "--innodb-log-buffer-size=4M", "--key-buffer-size=1M",
                     "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0",
                     "--skip-name-resolve", "--performance-schema=0")

    def __init__(self, time_zone: str = "+00:00") -> None:
        super().__init__(time_zone)
        self.server_binary = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
        if not os.access(self.server_binary, os.X_OK):
            raise ServerStartError("MariaDB is not installed (mariadbd); dev/test installs "
                                   "Debian's mariadb-server package")
        self._root_password_set = False

    @property
    def socket_path(self) -> Path:
        assert self.temp_dir is not None
        return self.temp_dir / "mariadb.sock"

    @property
    def jdbc_url(self) -> str:
        return (f"jdbc:mysql://{self.host}:{self.port}/{self.database}"
                "?characterEncoding=utf8&useSSL=false")

    def connect(self, superuser: bool = False, database: Optional[str] = None):
        import pymysql

        user, password = self.credentials(superuser)
        return pymysql.connect(host=self.host, port=self.port, user=user, password=password,
                               database=database or self.database, autocommit=True,
                               charset="utf8mb4", connect_timeout=10)

    def _connect_socket_as_root(self):
        import pymysql

        return pymysql.connect(unix_socket=str(self.socket_path), user="root",
                               password=self.superuser_password if self._root_password_set
                               else "", autocommit=True, connect_timeout=5)

    def _run_as_args(self) -> list[str]:
        # mariadbd refuses to run as root unless told to; the temp dir is ours anyway.
        return ["--user=root"] if os.geteuid() == 0 else []

    def _initialise(self) -> None:
        # --no-defaults first: the machine's /etc/mysql configuration is not read.
        run_logged(["mariadb-install-db", "--no-defaults", f"--datadir={self.data_dir}",
                    *self._run_as_args(), "--auth-root-authentication-method=normal",
                    "--skip-test-db", *self.light_options],
                   "mariadb-install-db", self.log_path, stdin=subprocess.DEVNULL,
                   cwd=str(self.temp_dir))

    def _launch(self, log) -> subprocess.Popen:
        assert self.temp_dir is not None
        args = [self.server_binary, "--no-defaults", *self._run_as_args(),
                f"--datadir={self.data_dir}", f"--socket={self.socket_path}",
                f"--port={self.port}", f"--bind-address={self.host}", "--skip-networking=0",
                f"--pid-file={self.temp_dir / 'mariadb.pid'}", f"--tmpdir={self.temp_dir}",
                f"--log-error={self.log_path}", "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_general_ci", f"--default-time-zone={self.time_zone}",
                *self.light_options]
        return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                cwd=str(self.temp_dir))

    def _is_ready(self) -> bool:
        # The socket is in our temp dir, so an answer there comes from our server.
        if not self.socket_path.exists():
            return False
        try:
            conn = self._connect_socket_as_root()
        except Exception:
            return False
        try:
            cur = conn.cursor()
            cur.execute("SELECT @@port")
            return cur.fetchone()[0] == self.port
        finally:
            conn.close()

    def _create_test_user_and_database(self) -> None:
        conn = self._connect_socket_as_root()
        try:
            cur = conn.cursor()
            # mariadb-install-db made password-less root accounts (localhost, 127.0.0.1, ::1,
            # the machine's name): those the server can match get the superuser's password,
            # the one by name (unusable with --skip-name-resolve) goes.
            cur.execute("SELECT host FROM mysql.user WHERE user = 'root'")
            for (root_host,) in cur.fetchall():
                if root_host in ("localhost", "127.0.0.1", "::1"):
                    cur.execute("ALTER USER 'root'@%s IDENTIFIED BY %s",
                                (root_host, self.superuser_password))
                else:
                    cur.execute("DROP USER 'root'@%s", (root_host,))
            for statement in (
                    f"CREATE USER '{self.user}'@'%' IDENTIFIED BY '{self.password}'",
                    f"GRANT ALL ON *.* TO '{self.user}'@'%'",
                    f"CREATE DATABASE {self.database} CHARACTER SET utf8mb4"):
                cur.execute(statement)
            self._root_password_set = True
        finally:
            conn.close()
