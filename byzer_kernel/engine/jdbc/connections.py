"""`connect jdbc where ... as name` and how a `jdbc.`path`` finds its database (docs/spec.md §3.8).

As Byzer's ConnectMeta: `connect` keeps the rendered options under the name; a load, save or
`!jdbc` path `name.rest` whose first part is a kept name takes those options, then the statement's
own options over them (`load configs should overwrite connect configs`), and `rest` is the table
(`pg.public.t` -> table `public.t`). Without `as`, `connect` keeps the format's defaults, used by
paths whose first part is no kept name. A `url` in the statement's own options works alone.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...lang.errors import UnsupportedStatementError, UsageError
from ...lang.secrets import is_secret_key
from ..formats.options import option
from .urls import JdbcUrl, parse_jdbc_url

DEFAULTS = ""  # the key of `connect jdbc where ...` without `as`


@dataclass
class Target:
    """What a jdbc path names: the database, the table (or '' for `!jdbc`), and all options."""
    url: JdbcUrl
    table: str
    options: dict


def execute_connect(session, statement, events):
    if statement.format.lower() != "jdbc":
        raise UnsupportedStatementError(f"not supported by the local engine: {statement.describe()} "
                                        "(only jdbc connections are: connect jdbc where url=\"...\" as name)")
    options = session.rendered_options(statement.options)
    if option(options, "url") is None:
        raise UsageError("connect jdbc needs url=\"jdbc:...\" (e.g. jdbc:postgresql://host:5432/db)")
    _remember_secrets(session, options)
    _address(options)  # a malformed URL or driver fails here, not at the first load
    name = statement.name.strip("`") if statement.name else DEFAULTS
    connections(session)[name] = options
    return None


def connections(session) -> dict:
    """The session's kept connections: name -> rendered options."""
    return session.jdbc_connections


def resolve(session, path: str, options: dict, table_required: bool = True) -> Target:
    """The database and table a `jdbc.`path`` with `options` names."""
    kept = connections(session)
    first, dot, rest = path.partition(".")
    if dot and first in kept:
        merged, table = {**kept[first], **options}, rest
    elif path in kept and path != DEFAULTS:  # `jdbc.`db`` for a directQuery or `!jdbc db`
        merged, table = {**kept[path], **options}, ""
    elif DEFAULTS in kept:
        merged, table = {**kept[DEFAULTS], **options}, path
    else:
        merged, table = dict(options), path
    if option(merged, "url") is None:
        names = ", ".join(n for n in kept if n) or "none yet"
        raise UsageError(f"jdbc.`{path}`: no connection named `{first}` and no url option "
                         f"(kept connections: {names}); write connect jdbc where url=\"...\" as {first or 'db'}")
    if table_required and not table and option(merged, "directQuery") is None:
        raise UsageError(f"jdbc.`{path}` names no table (write jdbc.`db.table`)")
    _remember_secrets(session, options)
    address = _address(merged)
    if address.password:
        session.secret_values.add(address.password)  # also when it sits in the URL
    return Target(address, table, merged)


def _remember_secrets(session, options: dict) -> None:
    session.secret_values.update(str(value) for key, value in options.items() if is_secret_key(key) and value)


def _address(options: dict) -> JdbcUrl:
    return parse_jdbc_url(str(option(options, "url")), user=str(option(options, "user", "") or ""),
                          password=str(option(options, "password", "") or ""),
                          driver=str(option(options, "driver", "") or ""))
