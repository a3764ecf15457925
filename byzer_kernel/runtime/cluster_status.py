"""The cluster-status dict behind the front-end's widget. Every part is guarded: status never
raises and never starts Ray; a part that cannot be read is named in "errors"."""
from __future__ import annotations

from typing import Optional

from ..lang.errors import first_line

_RESOURCES = ("CPU", "GPU", "memory", "object_store_memory")


def idle_status(configured: Optional[str], configured_how: Optional[str]) -> dict:
    """The status while no Ray is connected (read without importing Ray)."""
    return {
        "connected": False,
        "address": None,
        "how": None,
        "embedded": False,
        "configured_address": configured,
        "configured_by": configured_how,
        "dashboard_url": None,
        "nodes": {"alive": 0, "dead": 0},
        "node_list": [],
        "resources": {},
        "tasks": {"running": None},
        "actors": {"alive": None},
        "errors": [],
    }


def cluster_status(connection, configured: Optional[str], configured_how: Optional[str]) -> dict:
    status = idle_status(configured, configured_how)
    try:
        import ray

        if connection is None or not ray.is_initialized():
            return status
    except Exception as error:
        status["errors"].append(f"ray: {error}")
        return status
    status.update(connected=True, address=connection.address, how=connection.how,
                  embedded=connection.embedded, dashboard_url=connection.dashboard_url,
                  notice=connection.notice)
    _guarded(status, "nodes", lambda: _nodes(status, ray))
    _guarded(status, "resources", lambda: _resources(status, ray))
    if connection.dashboard_url:  # the state API is served by the dashboard
        _guarded(status, "tasks", lambda: _tasks(status, connection.dashboard_url))
        _guarded(status, "actors", lambda: _actors(status, connection.dashboard_url))
    else:
        status["errors"].append("tasks/actors: no dashboard on this cluster")
    return status


def _guarded(status: dict, part: str, read) -> None:
    try:
        read()
    except Exception as error:  # one unreadable part must not hide the others
        status["errors"].append(f"{part}: {type(error).__name__}: {first_line(str(error), 200)}")


def _nodes(status: dict, ray) -> None:
    nodes = ray.nodes()
    alive = [n for n in nodes if n.get("Alive")]
    status["nodes"] = {"alive": len(alive), "dead": len(nodes) - len(alive)}
    status["node_list"] = [
        {"node_id": n.get("NodeID"), "address": n.get("NodeManagerAddress"),
         "alive": bool(n.get("Alive")), "head": "node:__internal_head__" in (n.get("Resources") or {}),
         "resources": {k: v for k, v in (n.get("Resources") or {}).items() if k in _RESOURCES}}
        for n in nodes]


def _resources(status: dict, ray) -> None:
    total = ray.cluster_resources()
    available = ray.available_resources()
    status["resources"] = {
        name: {"used": max(total.get(name, 0.0) - available.get(name, 0.0), 0.0),
               "total": total.get(name, 0.0)}
        for name in _RESOURCES if name in total or name in ("CPU", "GPU")}


def _tasks(status: dict, dashboard: str) -> None:
    from ray.util.state import list_tasks

    running = list_tasks(address=dashboard, filters=[("state", "=", "RUNNING")], limit=1000,
                         timeout=3,
                         raise_on_missing_output=False)
    status["tasks"] = {"running": len(running)}


def _actors(status: dict, dashboard: str) -> None:
    from ray.util.state import list_actors

    alive = list_actors(address=dashboard, filters=[("state", "=", "ALIVE")], limit=1000,
                        timeout=3,
                        raise_on_missing_output=False)
    status["actors"] = {"alive": len(alive)}
