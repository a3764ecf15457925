"""The database servers the JDBC tests run against (tests/db_servers.py): they start, take the
test user's password and refuse a wrong one, listen on 127.0.0.1 only, and leave nothing behind."""
import socket
from pathlib import Path

import psutil
import pytest

import server_process
from db_servers import MariaDBServer, PostgresServer, ServerStartError

SERVERS = {"postgres": "postgres_server", "mariadb": "mariadb_server"}
CURRENT_USER_SQL = {"postgres": "SELECT current_user, current_database()",
                    "mariadb": "SELECT substring_index(current_user(), '@', 1), database()"}
# The server's own zone (PostgreSQL's session zone is the server's unless the client sets one;
# ADBC runs a query as COPY (...), which takes SELECT but not SHOW).
SERVER_ZONE_SQL = {"postgres": "SELECT current_setting('TimeZone')",
                   "mariadb": "SELECT @@global.time_zone"}
WRONG_PASSWORD_WORDS = {"postgres": "password authentication failed", "mariadb": "Access denied"}


@pytest.fixture(params=sorted(SERVERS))
def kind_and_server(request):
    return request.param, request.getfixturevalue(SERVERS[request.param])


def test_test_user_logs_in_and_owns_a_database(kind_and_server):
    kind, server = kind_and_server
    assert server.execute(CURRENT_USER_SQL[kind]) == [("byzer", "byzer_test")]
    server.execute("CREATE TABLE launcher_check (id INT PRIMARY KEY, name VARCHAR(20))")
    try:
        server.execute("INSERT INTO launcher_check VALUES (1, 'één')")
        assert server.execute("SELECT id, name FROM launcher_check") == [(1, "één")]
    finally:
        server.execute("DROP TABLE launcher_check")


def test_superuser_logs_in_too(kind_and_server):
    _, server = kind_and_server
    assert server.execute("SELECT 42", superuser=True) == [(42,)]


def test_jdbc_url_driver_and_connect_statement(kind_and_server):
    kind, server = kind_and_server
    if kind == "postgres":
        assert server.jdbc_url == f"jdbc:postgresql://127.0.0.1:{server.port}/byzer_test"
        assert server.jdbc_driver == "org.postgresql.Driver"
    else:
        assert server.jdbc_url == (f"jdbc:mysql://127.0.0.1:{server.port}/byzer_test"
                                   "?characterEncoding=utf8&useSSL=false")
        assert server.jdbc_driver == "com.mysql.jdbc.Driver"
    assert server.connect_statement("db") == (
        f'connect jdbc where url="{server.jdbc_url}" and driver="{server.jdbc_driver}" '
        'and user="byzer" and password="byzer-secret-1" as db;')


def test_uri_takes_connectorx_to_the_test_database(kind_and_server):
    import connectorx

    _, server = kind_and_server
    table = connectorx.read_sql(server.uri(), "SELECT 7 AS seven", return_type="arrow")
    assert table.column("seven").to_pylist() == [7]


def test_a_wrong_password_is_refused(kind_and_server, monkeypatch):
    kind, server = kind_and_server
    monkeypatch.setattr(server, "password", "not-the-password")
    with pytest.raises(Exception) as refused:
        server.execute("SELECT 1")
    assert WRONG_PASSWORD_WORDS[kind] in str(refused.value)


def test_listens_on_loopback_only_and_its_socket_is_in_its_temp_dir(kind_and_server):
    _, server = kind_and_server
    process = psutil.Process(server.pid)
    listening = {(c.laddr.ip, c.laddr.port) for c in process.net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN}
    assert listening == {("127.0.0.1", server.port)}
    unix_sockets = [c.laddr for c in process.net_connections(kind="unix") if c.laddr]
    assert unix_sockets and all(Path(p).parent == server.temp_dir for p in unix_sockets)


def _processes_naming(directory: Path) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        if any(str(directory) in part for part in (p.info["cmdline"] or [])):
            found.append(p)
    return found


@pytest.mark.parametrize("server_class", [PostgresServer, MariaDBServer])
def test_stop_ends_every_process_and_removes_the_temp_dir(server_class):
    server = server_class().start()
    pid, temp_dir = server.pid, server.temp_dir
    connection = server.connect()  # a PostgreSQL backend process, a MariaDB thread
    family = [pid] + [child.pid for child in psutil.Process(pid).children(recursive=True)]
    assert _processes_naming(temp_dir)
    try:
        server.stop()
    finally:
        try:
            connection.close()
        except Exception:
            pass  # the server is gone, which is the point
    assert not [p for p in family if psutil.pid_exists(p)]
    assert not temp_dir.exists()
    assert not _processes_naming(temp_dir)
    assert server.pid is None
    server.stop()  # a second stop is harmless


@pytest.mark.parametrize("server_class", [PostgresServer, MariaDBServer])
def test_a_port_taken_before_the_server_binds_it_is_retried(server_class, monkeypatch):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken])
        real_free_port = server_process.free_port
        # The retry loop is server_process's: that is where it looks the port up.
        monkeypatch.setattr(server_process, "free_port",
                            lambda: next(ports, None) or real_free_port())
        with server_class() as server:
            assert server.port != taken
            # The first attempt did run into the squatter, and the second one took another port.
            assert "Address already in use" in server.log_path.read_text()
            assert server.execute("SELECT 1") == [(1,)]


def test_servers_run_in_utc_unless_given_another_zone(kind_and_server):
    kind, server = kind_and_server
    assert server.execute(SERVER_ZONE_SQL[kind]) == [(server.time_zone,)]
    assert server.time_zone == {"postgres": "UTC", "mariadb": "+00:00"}[kind]


@pytest.mark.parametrize("server_class, zone", [(PostgresServer, "America/New_York"),
                                                (MariaDBServer, "+08:00")])
def test_a_server_started_with_another_zone_reports_it(server_class, zone):
    with server_class(time_zone=zone) as server:
        kind = "postgres" if server_class is PostgresServer else "mariadb"
        assert server.execute(SERVER_ZONE_SQL[kind]) == [(zone,)]


class _MariaDBWithABadOption(MariaDBServer):
    """Initialises fine, then its server exits at once on an option it does not know."""

    def _launch(self, log):
        self.used_temp_dir = self.temp_dir
        self.light_options = self.light_options + ("--no-such-option-for-the-test",)
        return super()._launch(log)


def test_a_server_that_cannot_start_says_why_and_leaves_nothing():
    server = _MariaDBWithABadOption()
    with pytest.raises(ServerStartError) as failed:
        server.start()
    assert "exited with code" in str(failed.value)
    assert "no-such-option-for-the-test" in str(failed.value)  # the log tail
    assert server.process is None and server.temp_dir is None
    assert not server.used_temp_dir.exists()
