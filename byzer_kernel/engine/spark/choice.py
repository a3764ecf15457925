"""Which engine runs a session's statements, and where Spark runs: the words of the three doors
(environment, `%config`, `!engine`) checked in one place (docs/reference/spark-engine.md)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Optional

from ...lang.errors import UsageError

DUCKDB, SPARK = "duckdb", "spark"
ENGINES = (DUCKDB, SPARK)
DEFAULT_MASTER = "local[*]"
ENGINE_VARIABLE, MASTER_VARIABLE = "BYZER_ENGINE", "BYZER_SPARK_MASTER"

_LOCAL = re.compile(r"local(\[(\*|\d+)(,\s*\d+)?\])?$")
_HOST_PORT = re.compile(r"[^\s/:,]+:\d+$")
MASTER_FORMS = "local, local[N], local[*], spark://HOST:PORT, yarn, k8s://URL or sc://HOST:PORT (Spark Connect)"


@dataclass(frozen=True)
class EngineChoice:
    engine: str = DUCKDB
    master: str = DEFAULT_MASTER


def checked_engine(name: str, where: str) -> str:
    engine = name.strip().lower()
    if engine not in ENGINES:
        raise UsageError(f"{where}: unknown engine `{name}` (engines: {', '.join(ENGINES)})")
    return engine


def checked_master(master: str, where: str) -> str:
    """A master as Spark takes it; anything else fails here, before a JVM is started for it."""
    master = master.strip()
    if _LOCAL.match(master) or master == "yarn" or local_cluster(master):
        return master
    for scheme in ("spark://", "sc://"):
        if master.startswith(scheme):
            hosts = master[len(scheme):].split("/")[0].split(";")[0]
            if hosts and all(_HOST_PORT.match(part) or (scheme == "sc://" and ":" not in part)
                             for part in hosts.split(",")):
                return master
    if master.startswith("k8s://") and len(master) > len("k8s://"):
        return master
    raise UsageError(f"{where}: `{master}` is not a Spark master (forms: {MASTER_FORMS})")


def local_cluster(master: str) -> bool:
    return master.startswith("local-cluster[") and master.endswith("]")


def is_connect(master: str) -> bool:
    """A Spark Connect URL: the session talks to a server, no JVM of its own."""
    return master.startswith("sc://")


def is_local(master: str) -> bool:
    return bool(_LOCAL.match(master)) or local_cluster(master)


def probe_addresses(master: str) -> list[tuple[str, int]]:
    """The host:port pairs that must answer before Spark is asked to start on `master` (a dead
    standalone master or Connect server would otherwise cost Spark's own minute of retries)."""
    if master.startswith("spark://"):
        hosts, default_port = master[len("spark://"):].split("/")[0], None
    elif is_connect(master):
        hosts, default_port = master[len("sc://"):].split("/")[0].split(";")[0], 15002
    elif master.startswith("k8s://"):
        from .cluster_managers import kubernetes_api_address

        return [kubernetes_api_address(master)]
    else:  # local masters; yarn's addresses are in the Hadoop configuration (cluster_managers.py)
        return []
    pairs = []
    for part in hosts.split(","):
        host, _, port = part.rpartition(":") if ":" in part else (part, "", "")
        pairs.append((host.strip("[]"), int(port) if port else default_port))
    return pairs


def from_environment(environ: Optional[dict] = None) -> EngineChoice:
    """BYZER_ENGINE (duckdb|spark, default duckdb) and BYZER_SPARK_MASTER (default local[*])."""
    environ = os.environ if environ is None else environ
    engine = environ.get(ENGINE_VARIABLE, "").strip() or DUCKDB
    master = environ.get(MASTER_VARIABLE, "").strip() or DEFAULT_MASTER
    return EngineChoice(checked_engine(engine, ENGINE_VARIABLE), checked_master(master, MASTER_VARIABLE))
