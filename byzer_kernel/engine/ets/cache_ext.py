"""`CacheExt` (byzer-lang: streaming.dsl.mmlib.algs.SQLCacheExt): cache or uncache a table, what
`!cache`/`!unCache` run. Accepted and checked; the local engine keeps every session table in memory
as Arrow already, so there is nothing to persist or release, and the ET says so."""
from __future__ import annotations

import pyarrow as pa

from . import builtin_et
from .base import ET, Param, flag


@builtin_et
class CacheExt(ET):
    name = "CacheExt"
    doc = "CacheExt is used to cache/uncache table."
    alg_type = "process"
    code_example = '''select 1 as a as table1;
run table1 as CacheExt.`` where execute="cache" and lifeTime="script";
select * from table1 as output;'''
    params = (
        Param("execute", "cache|uncache", default="cache", values=("cache", "uncache")),
        Param("isEager", "if set true, execute computing right now, and cache the table", default="false",
              value_type="boolean"),
        Param("lifeTime", "script|session|application", default="script",
              values=("script", "session", "application")),
    )

    def run(self, session, request, options, events) -> pa.Table:
        flag(options["isEager"], "isEager", self.name)
        # Byzer caches the table named by the path when there is one, else the input table.
        name = request.path.strip("`") or request.input_table
        table = session.table(name)
        events.message(f"CacheExt {options['execute']} {name}: nothing to do locally, the session's tables "
                       "are already in memory (Arrow); Spark would "
                       + ("keep the table's computed rows for later statements" if options["execute"] == "cache"
                          else "release the table's cached rows"))
        return table

    train = predict = run
