"""JDBC URLs and driver class names, read as the JDBC drivers Byzer users name read them, and turned
into what the Python libraries that do the work here take (docs/spec.md §3.8).

- `jdbc:postgresql://host[:port]/db?k=v&...` (also `jdbc:postgresql:db` and `//host/`), port 5432;
- `jdbc:mysql://` and `jdbc:mariadb://host[:port]/db?k=v&...`, port 3306; Connector/J's usual
  parameters (characterEncoding, useSSL, zeroDateTimeBehavior, tinyInt1isBit, serverTimezone,
  autoReconnect, failOverReadOnly, useCursorFetch, ...) are accepted; the ones that change what is
  read are kept in `params` for the reader;
- `jdbc:sqlite:path` (relative to the working directory, as the JVM would resolve it).
`user`/`password` may sit in the URL's parameters or in the options; the options win.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote

from ...lang.errors import DatabaseError, UsageError

DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}
# JDBC driver classes Byzer scripts name, by the database they reach.
DRIVERS = {
    "org.postgresql.Driver": "postgresql",
    "com.mysql.jdbc.Driver": "mysql",
    "com.mysql.cj.jdbc.Driver": "mysql",
    "org.mariadb.jdbc.Driver": "mysql",
    "org.sqlite.JDBC": "sqlite",
}
_SCHEMES = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}
# How long a host may take to accept a connection before the statement fails.
CONNECT_TIMEOUT_SECONDS = 10


@dataclass
class JdbcUrl:
    """One database address: `kind` is postgresql, mysql (MariaDB too) or sqlite."""
    url: str
    kind: str
    host: str = ""
    port: int = 0
    database: str = ""
    params: dict = field(default_factory=dict)
    user: str = ""
    password: str = ""

    @property
    def where(self) -> str:
        """How messages name the database: never with its password."""
        if self.kind == "sqlite":
            return f"sqlite:{self.database}"
        return f"{self.kind} at {self.host}:{self.port}/{self.database}"

    def param(self, name: str, default: str = "") -> str:
        for key, value in self.params.items():
            if key.lower() == name.lower():
                return value
        return default

    def reach(self) -> None:
        """Fail within CONNECT_TIMEOUT_SECONDS, naming host and port, when nothing answers there;
        the libraries' own waits are longer or unbounded."""
        if self.kind == "sqlite":
            return
        try:
            socket.create_connection((self.host, self.port), timeout=CONNECT_TIMEOUT_SECONDS).close()
        except socket.timeout:
            raise DatabaseError(f"cannot reach {self.kind} at {self.host}:{self.port}: no answer within "
                                f"{CONNECT_TIMEOUT_SECONDS} s") from None
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise DatabaseError(f"cannot reach {self.kind} at {self.host}:{self.port}: {reason}") from None

    def uri(self, scheme: str = "") -> str:
        """A libpq / connectorx style URI (`scheme://user:password@host:port/db`)."""
        if self.kind == "sqlite":
            return f"sqlite://{quote(self.database)}"
        credentials = quote(self.user, safe="")
        if self.password:
            credentials += ":" + quote(self.password, safe="")
        return f"{scheme or self.kind}://{credentials}@{self.host}:{self.port}/{quote(self.database, safe='')}"


def parse_jdbc_url(url: str, user: str = "", password: str = "", driver: str = "") -> JdbcUrl:
    """The address in `url`, with `user`/`password` options overriding the URL's own."""
    text = url.strip()
    if not text.lower().startswith("jdbc:"):
        raise UsageError(f"`{text}` is not a JDBC URL (it starts with jdbc:, e.g. "
                         "jdbc:postgresql://host:5432/db or jdbc:mysql://host:3306/db)")
    scheme, _, rest = text[5:].partition(":")
    kind = _SCHEMES.get(scheme.lower())
    if kind is None:
        raise UsageError(f"JDBC URLs of `{scheme}` are not supported; supported: jdbc:postgresql, "
                         "jdbc:mysql, jdbc:mariadb, jdbc:sqlite")
    _check_driver(driver, kind)
    if kind == "sqlite":
        path, _, query = rest.partition("?")
        if not path:
            raise UsageError(f"`{text}` names no SQLite file (write jdbc:sqlite:path/to/file.db)")
        return JdbcUrl(text, kind, database=path, params=dict(parse_qsl(query)))
    address, _, query = rest.partition("?")
    params = dict(parse_qsl(query, keep_blank_values=True))
    host, port, database = _host_port_database(address, kind, text)
    found = JdbcUrl(text, kind, host, port, database, params)
    found.user = user or found.param("user")
    found.password = password or found.param("password")
    return found


def _check_driver(driver: str, kind: str) -> None:
    if not driver:
        return
    named = DRIVERS.get(driver.strip())
    if named is None:
        raise UsageError(f"unknown JDBC driver `{driver}`; known: {', '.join(DRIVERS)}")
    if named != kind:
        raise UsageError(f"driver `{driver}` is for {named} but the URL is a {kind} URL")


def _host_port_database(address: str, kind: str, text: str) -> tuple[str, int, str]:
    if not address.startswith("//"):  # jdbc:postgresql:db means localhost
        return "localhost", DEFAULT_PORTS[kind], unquote(address)
    hostport, _, database = address[2:].partition("/")
    host, port = hostport or "localhost", DEFAULT_PORTS[kind]
    if hostport.startswith("["):  # [::1]:5432
        host, _, tail = hostport[1:].partition("]")
        hostport = host + tail
        port_text = tail[1:] if tail.startswith(":") else ""
    else:
        host, _, port_text = hostport.partition(":")
    if "," in host:
        raise UsageError(f"`{text}`: several hosts in one JDBC URL are not supported")
    if port_text:
        if not port_text.isdigit():
            raise UsageError(f"`{text}`: the port `{port_text}` is not a number")
        port = int(port_text)
    return host or "localhost", port, unquote(database)
