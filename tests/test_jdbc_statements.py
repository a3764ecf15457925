"""`connect jdbc`, `!jdbc` and the JDBC ET against the real databases (issue 13), passwords never shown
(results, messages, errors, `!show`, plans), and bad input: each failure names its statement's
line:col, earlier statements keep their effects and the session stays usable."""
from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from urllib.parse import quote

import pyarrow as pa
import pytest

from byzer_kernel.lang import parse
from byzer_kernel.lang.errors import ByzerError, DatabaseError, UsageError
import test_jdbc_load as shared
from test_jdbc_load import KINDS, Database

database, connected = shared.database, shared.connected  # the fixtures all three files share


def make_t(database, table="t"):
    database.drop(table)
    database.run(f"CREATE TABLE {table} (id INTEGER, v VARCHAR(10))", f"INSERT INTO {table} VALUES (1, 'a'), (2, 'b')")


def ids(session, name) -> list:
    return sorted(session.table(name).column("id").to_pylist())


# --- connect ---------------------------------------------------------------------------------
QUALIFIED = {"postgresql": "public.t", "mysql": "byzer_test.t", "sqlite": "main.t"}


def test_named_connection_with_plain_and_schema_qualified_tables(database, connected):
    make_t(database)
    connected.execute(f"load jdbc.`db.t` as plain;\nload jdbc.`db.{QUALIFIED[database.kind]}` as qualified;")
    assert ids(connected, "plain") == ids(connected, "qualified") == [1, 2]


def test_connect_without_as_sets_the_defaults(database, session):
    make_t(database)
    session.execute(database.connect_statement(name=""))
    session.execute("load jdbc.`t` as via_defaults;")
    assert ids(session, "via_defaults") == [1, 2]


def test_url_inline_in_the_load_and_save_options(database, session):
    make_t(database)
    database.drop("t_inline")
    where = database.connect_statement(name="").removeprefix("connect jdbc ").rstrip(";")
    session.execute(f"load jdbc.`t` {where} as inline;\nsave overwrite inline as jdbc.`t_inline` {where};")
    assert ids(session, "inline") == [1, 2] and database.count("t_inline") == 2
    session.execute(f"run command as JDBC.`` {where} and `driver-statement-0`='DELETE FROM t_inline' as r;")
    assert database.count("t_inline") == 0
    if database.server is not None:  # user and password as parameters of the URL itself
        server = database.server
        url = database.url(f"user={server.user}&password={quote(server.password, safe='')}")
        session.execute(f'load jdbc.`t` where url="{url}" and driver="{database.driver}" as in_url;')
        assert ids(session, "in_url") == [1, 2]


BYZER_MYSQL_PARAMS = ("characterEncoding=utf8&useSSL=false&zeroDateTimeBehavior=convertToNull&tinyInt1isBit=false"
                      "&autoReconnect=true&failOverReadOnly=false&serverTimezone=UTC&useUnicode=true")


@pytest.mark.parametrize("scheme,driver", [("mysql", "com.mysql.jdbc.Driver"), ("mysql", "com.mysql.cj.jdbc.Driver"),
                                           ("mariadb", "org.mariadb.jdbc.Driver")])
def test_byzer_mysql_url_parameters(mariadb_server, session, scheme, driver):
    database = Database("mysql", server=mariadb_server)
    database.drop("flags")
    database.run("CREATE TABLE flags (id INT, f TINYINT(1), d DATE)")
    connection = mariadb_server.connect()  # a zero date needs a lenient sql_mode in its own session
    try:
        cursor = connection.cursor()
        cursor.execute("SET SESSION sql_mode = ''")
        cursor.execute("INSERT INTO flags VALUES (1, 1, '2024-01-02'), (2, 0, '0000-00-00')")
    finally:
        connection.close()
    url = f"jdbc:{scheme}://127.0.0.1:{mariadb_server.port}/byzer_test?{BYZER_MYSQL_PARAMS}"
    session.execute(f'connect jdbc where url="{url}" and driver="{driver}" and user="{mariadb_server.user}" '
                    f'and password="{mariadb_server.password}" as my;\nload jdbc.`my.flags` as flags;')
    table = session.table("flags").sort_by("id")
    assert table.schema.field("f").type == pa.int32()  # tinyInt1isBit=false: a number, not a boolean
    assert table.column("f").to_pylist() == [1, 0]
    assert table.column("d").to_pylist() == [dt.date(2024, 1, 2), None]  # zeroDateTimeBehavior=convertToNull


@pytest.mark.parametrize("url,driver,says", [
    ("jdbc:postgresql://127.0.0.1:5432/db", "com.mysql.jdbc.Driver", "is for mysql"),
    ("jdbc:mysql://127.0.0.1:3306/db", "org.postgresql.Driver", "is for postgresql"),
    ("jdbc:sqlite:x.db", "org.mariadb.jdbc.Driver", "is for mysql"),
    ("jdbc:postgresql://127.0.0.1:5432/db", "oracle.jdbc.OracleDriver", "unknown JDBC driver"),
    ("jdbc:oracle:thin:@127.0.0.1:1521:db", "oracle.jdbc.OracleDriver", "not supported"),
    ("postgresql://127.0.0.1:5432/db", "org.postgresql.Driver", "not a JDBC URL"),
])
def test_driver_and_url_are_checked_at_connect(session, url, driver, says):
    session.execute("select 1 as a as before;")
    with pytest.raises(UsageError, match=says) as failure:
        session.execute(f'select 2 as b as earlier;\nconnect jdbc where url="{url}" and driver="{driver}" as bad;')
    assert failure.value.location == "line 2:1"
    assert "bad" not in session.jdbc_connections and session.table("earlier").num_rows == 1


def test_load_options_override_the_connect_options(database, session, tmp_path):
    make_t(database)
    if database.kind == "sqlite":  # connect names another file; the load's url wins
        session.execute(f'connect jdbc where url="jdbc:sqlite:{tmp_path / "other.db"}" and driver="org.sqlite.JDBC" as db;')
        session.execute(f'load jdbc.`db.t` where url="{database.url()}" as t;')
    else:  # connect has a wrong password; the load's right one wins
        session.execute(database.connect_statement("db", password="not-the-password"))
        with pytest.raises(DatabaseError):
            session.execute("load jdbc.`db.t` as t;")
        session.execute(f'load jdbc.`db.t` where password="{database.server.password}" as t;')
    assert ids(session, "t") == [1, 2]


# --- !jdbc and the JDBC ET ---------------------------------------------------------------------
def test_jdbc_command_runs_statements_and_returns_rows(database, connected):
    database.drop("k")
    created = connected.execute('!jdbc db "CREATE TABLE k (id INTEGER PRIMARY KEY, v VARCHAR(10))";')
    assert created.table.column("statement").to_pylist() == ["CREATE TABLE k (id INTEGER PRIMARY KEY, v VARCHAR(10))"]
    inserted = connected.execute("run command as JDBC.`db` where sqls='''INSERT INTO k VALUES (1, 'a;b');\n"
                                 "INSERT INTO k VALUES (2, 'c'), (3, 'd')''' as r;")
    assert inserted.table_name == "r"
    assert inserted.table.column("rowsAffected").to_pylist() == [1, 2]
    selected = connected.execute('!jdbc db "SELECT id, v FROM k ORDER BY id";')
    assert [(r["id"], r["v"]) for r in selected.table.to_pylist()] == [(1, "a;b"), (2, "c"), (3, "d")]


def test_driver_statements_run_in_number_order(database, connected):
    database.drop("ordered")
    connected.execute("run command as JDBC.`db` where `driver-statement-10`='UPDATE ordered SET id = id * 100 "
                      "WHERE id = 2' and `driver-statement-1`='INSERT INTO ordered VALUES (1)' and "
                      "`driver-statement-0`='CREATE TABLE ordered (id INTEGER)' and "
                      "`driver-statement-2`='INSERT INTO ordered VALUES (2)' as r;")
    assert sorted(r[0] for r in database.run("SELECT id FROM ordered")) == [1, 200]


def test_sql_mode_query_returns_the_rows(database, connected):
    make_t(database)
    result = connected.execute("run command as JDBC.`db` where sqlMode='query' and "
                               "`driver-statement-query`='SELECT id, v FROM t WHERE id = 2' as q;")
    assert [(r["id"], r["v"]) for r in connected.table("q").to_pylist()] == [(2, "b")]
    assert result.table_name == "q"


def test_a_failing_statement_names_its_number_and_rolls_back(database, connected):
    make_t(database, "tx")
    database.drop("made_then_failed")
    with pytest.raises(DatabaseError, match="statement 2 of 2") as failure:
        connected.execute("select 1 as x as earlier;\n"
                          "run command as JDBC.`db` where sqls='''INSERT INTO tx VALUES (5, 'new');\n"
                          "INSERT INTO nope VALUES (1)''' as r;")
    assert failure.value.location == "line 2:1"
    assert database.count("tx") == 2  # the insert is undone on every database
    assert database.kind == "mysql" or "rolled back" in failure.value.message
    with pytest.raises(DatabaseError, match="statement 2 of 2") as failure:
        connected.execute('!jdbc db "CREATE TABLE made_then_failed (a INTEGER)" "INSERT INTO nope VALUES (1)";')
    exists = database.run("SELECT COUNT(*) FROM " + (
        "sqlite_master WHERE name = 'made_then_failed'" if database.kind == "sqlite" else
        "information_schema.tables WHERE table_name = 'made_then_failed'"))[0][0]
    if database.kind == "mysql":  # MySQL commits DDL at once, and says so
        assert exists == 1 and "earlier DDL statements stay" in failure.value.message
    else:
        assert exists == 0 and "rolled back" in failure.value.message
    assert connected.table("earlier").num_rows == 1


# --- secrets -----------------------------------------------------------------------------------
SECRET = "Zq9@Sekr3t/pw:77"
SECRET_FORMS = (SECRET, quote(SECRET, safe=""), quote(SECRET))


def assert_no_secret(text: str, where: str = "") -> None:
    for form in SECRET_FORMS:
        assert form not in text, f"the password shows in {where}: {text}"


@pytest.fixture
def secret_user(database):
    """A user of the database whose password is SECRET (SQLite has none: the option is ignored)."""
    if database.kind == "postgresql":
        database.server.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'byzer_secret') "
                                f"THEN CREATE ROLE byzer_secret LOGIN PASSWORD '{SECRET}' IN ROLE byzer; END IF; END $$",
                                superuser=True)
    elif database.kind == "mysql":
        database.server.execute(f"CREATE USER IF NOT EXISTS 'byzer_secret'@'%' IDENTIFIED BY '{SECRET}'", superuser=True)
        database.server.execute("GRANT ALL ON byzer_test.* TO 'byzer_secret'@'%'", superuser=True)
    return database


def secret_connect(database, name="sec", password=SECRET, port=None) -> str:
    url = database.url() if port is None else database.url().replace(f":{database.server.port}/", f":{port}/")
    return f'connect jdbc where url="{url}" and driver="{database.driver}" and user="byzer_secret" ' \
           f'and password="{password}" as {name};'


def shown(result) -> str:
    table = "" if result.table is None else str(result.table.to_pylist())
    return table + " ".join(str(m) for m in result.messages)


def test_password_works_but_is_never_shown(secret_user, session):
    database = secret_user
    make_t(database)
    if database.kind == "postgresql":  # t_copy belongs to byzer_secret, which the test user is not
        database.server.execute("DROP TABLE IF EXISTS t_copy", superuser=True)
        database.run("GRANT ALL ON t TO byzer_secret", "GRANT CREATE ON SCHEMA public TO byzer_secret")
    cells = [f'set pw="{SECRET}";\n' + secret_connect(database, password="${pw}"),  # set lives one cell
             "load jdbc.`sec.t` as t;", "save overwrite t as jdbc.`sec.t_copy`;",
             '!jdbc sec "SELECT COUNT(*) AS n FROM t_copy";']
    outputs = [shown(session.execute(cell)) for cell in cells]
    assert "2" in outputs[-1]  # the password was used: the copy holds both rows
    outputs += [shown(session.execute(c)) for c in ("!show conf;", "!show jobs;", "!show tables;", "!desc t;")]
    assert_no_secret("\n".join(outputs), "results")
    assert_no_secret(parse("\n".join(cells)).describe(), "the plan")


def test_password_absent_from_show_commands(session):
    session.execute(f'set dbPassword="{SECRET}" where type="conf";')
    session.execute(f'connect jdbc where url="jdbc:sqlite:x.db" and driver="org.sqlite.JDBC" and password="{SECRET}" as s;')
    for command in ("!show conf;", "!show jobs;"):
        assert_no_secret(str(session.execute(command).table.to_pylist()), command)


def failing_cells(database):
    """Cells that fail once the connection is made, each with the secret in a different place."""
    closed = free_closed_port()
    url_with_password = database.url(f"user=byzer_secret&password={quote(SECRET, safe='')}") \
        if database.kind != "sqlite" else database.url()
    return [
        secret_connect(database, password="wrong-" + SECRET) + "\nload jdbc.`sec.t` as t;",
        secret_connect(database) + "\nload jdbc.`sec.nothere` as t;",
        secret_connect(database) + '\n!jdbc sec "SELECT * FROM nothere";',
        secret_connect(database) + "\nselect map('a', 1) as m as mt;\nsave overwrite mt as jdbc.`sec.mt`;",
        f'load jdbc.`nothere` where url="{url_with_password}" and driver="{database.driver}" as t;',
        f'load jdbc.`nothere` where url="{database.url()}" and user="byzer_secret" and password="{SECRET}" as t;',
    ] + ([secret_connect(database, port=closed) + "\nload jdbc.`sec.t` as t;"] if database.kind != "sqlite" else [])


def test_password_absent_from_errors(secret_user, session):
    for cell in failing_cells(secret_user):
        with pytest.raises(ByzerError) as failure:
            session.execute(cell)
        error = failure.value
        assert error.kind != "InternalError", error.user_message()
        for text in (error.user_message(), str(error), error.message, error.headline(), error.detail):
            assert_no_secret(text, f"the error of {cell!r}")
        assert_no_secret(parse(cell).describe(), "the plan")


# --- bad input ---------------------------------------------------------------------------------
def free_closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (just released by the system)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BAD = {  # failing statement -> (error class, words the message holds)
    "wrong_password": ("{connect_wrong}\nload jdbc.`bad.t` as x;", DatabaseError, ["{where}"]),
    "closed_port": ("{connect_closed}\nload jdbc.`bad.t` as x;", DatabaseError, ["127.0.0.1:{closed}"]),
    "unknown_table": ("load jdbc.`db.nothere` as x;", DatabaseError, ["nothere"]),
    "map_column": ("save overwrite mapped as jdbc.`db.m`;", UsageError, ["`m`", "map"]),
    "constraint": ("save append dup as jdbc.`db.t`;", DatabaseError, ["table t", "as it was"]),
}


@pytest.mark.parametrize("database,case", [(kind, case) for kind in KINDS for case in BAD if kind != "sqlite"
                                           or case not in ("wrong_password", "closed_port")], indirect=["database"])
def test_bad_input_names_the_statement_and_keeps_the_session(database, connected, case):
    make_t(database)
    database.run("CREATE UNIQUE INDEX t_id ON t (id)")
    closed = free_closed_port()
    server = database.server
    values = {"closed": closed, "where": "" if server is None else f"127.0.0.1:{server.port}",
              "connect_wrong": database.connect_statement("bad", password="wrong-password-123"),
              "connect_closed": "" if server is None else database.connect_statement("bad").replace(
                  f":{server.port}/", f":{closed}/")}
    statement, error_class, words = BAD[case]
    connected.execute("select map('a', 1) as m as mapped;\nselect 1 as id, 'dup' as v as dup;")
    began = time.monotonic()
    with pytest.raises(error_class) as failure:
        connected.execute("select 7 as a as earlier;\nload jdbc.`db.t` as loaded;\n" + statement.format(**values))
    error = failure.value
    assert error.location == f"line {3 + statement.count(chr(10))}:1", error.user_message()
    for word in words:
        assert word.format(**values) in error.message, error.user_message()
    assert "wrong-password-123" not in error.user_message()
    if case == "closed_port":
        assert time.monotonic() - began < 3
    assert connected.table("earlier").num_rows == 1 and ids(connected, "loaded") == [1, 2]
    assert database.count("t") == 2
    assert connected.execute("load jdbc.`db.t` as again;").table.num_rows == 2


class Unanswering:
    """A listener on 127.0.0.1 that takes no connection (its queue full: a connect gets no answer, as
    from a host that drops packets), or, `silent`, accepts and never says a word (a hung server)."""

    def __init__(self, silent: bool):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(0 if not silent else 8)
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        if silent:
            threading.Thread(target=self._accept, daemon=True).start()
        else:
            for _ in range(3):  # fill the accept queue
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", self.port))
                self.held.append(filler)

    def _accept(self):
        while True:
            try:
                self.held.append(self.server.accept()[0])
            except OSError:
                return

    def close(self):
        for s in self.held + [self.server]:
            s.close()


@pytest.mark.parametrize("silent", [False, True], ids=["no_answer", "silent_server"])
def test_an_unanswering_host_fails_within_the_bound(postgres_server, mariadb_server, silent, tmp_path):
    """PostgreSQL and MySQL at once (both wait the same 10 s): each fails within 15 s, naming host and port."""
    from byzer_kernel.engine import Session

    outcomes: dict = {}
    listeners = {kind: Unanswering(silent) for kind in ("postgresql", "mysql")}
    servers = {"postgresql": postgres_server, "mysql": mariadb_server}

    def attempt(kind):
        database = Database(kind, server=servers[kind])
        cell = database.connect_statement("far").replace(f":{servers[kind].port}/", f":{listeners[kind].port}/")
        began = time.monotonic()
        try:
            Session(home=str(tmp_path)).execute(cell + "\nload jdbc.`far.t` as x;")
        except BaseException as error:  # noqa: BLE001 - checked below
            outcomes[kind] = (time.monotonic() - began, error)

    threads = [threading.Thread(target=attempt, args=(kind,), daemon=True) for kind in listeners]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 15
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    hung = [kind for kind in listeners if kind not in outcomes]
    for listener in listeners.values():  # lets a hung attempt end
        listener.close()
    assert not hung, f"still waiting after 15 s: {hung}"
    for kind, (seconds, error) in outcomes.items():
        assert isinstance(error, DatabaseError), (kind, error)
        assert f"127.0.0.1:{listeners[kind].port}" in error.message and seconds < 15, (kind, seconds, error)
        assert error.location == "line 2:1"
