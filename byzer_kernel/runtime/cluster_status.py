"""The cluster-status dict behind `!ray status` / `%byzer status` (widgets.py shows it). Every part
is guarded: status never raises and never starts Ray; a part that cannot be read is named in
"errors".

    versions    {"ray": "2.60.0", "python": "3.11.7"}
    nodes       {"alive": n, "dead": n}
    node_list   [{"node_id", "address", "alive", "head",
                  "resources": {"CPU": {"used", "total"}, "GPU", "memory", "object_store_memory"}}]
    resources   the cluster's totals, same form
    pending     {"tasks": n, "demands": [{"bundle": {"CPU": 1.0}, "count": n, "kind": "task"}]}
    tasks       {"running": n | None}; actors {"alive": n | None} (the state API, on the dashboard)

Per-node use and pending demands come from the GCS's cluster status (what `ray status` prints);
resources are Ray's logical ones, as `ray status` shows them.
"""
from __future__ import annotations

import platform
from typing import Optional

from ..lang.errors import first_line

_RESOURCES = ("CPU", "GPU", "memory", "object_store_memory")
GCS_TIMEOUT_SECONDS = 3


def versions() -> dict:
    """The Python and Ray of the driver (a Ray cluster runs the same); read without importing Ray."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ray_version = version("ray")
    except PackageNotFoundError:
        ray_version = None
    return {"ray": ray_version, "python": platform.python_version()}


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
        "versions": versions(),
        "nodes": {"alive": 0, "dead": 0},
        "node_list": [],
        "resources": {},
        "pending": {"tasks": None, "demands": []},
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
    status["versions"]["ray"] = ray.__version__
    _guarded(status, "nodes", lambda: _nodes(status, ray))
    _guarded(status, "resources", lambda: _resources(status, ray))
    _guarded(status, "usage", lambda: _usage(status, ray))
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
         "resources": {k: {"used": None, "total": float(v)} for k, v in (n.get("Resources") or {}).items()
                       if k in _RESOURCES}}
        for n in nodes]


def _resources(status: dict, ray) -> None:
    total = ray.cluster_resources()
    available = ray.available_resources()
    status["resources"] = {
        name: {"used": max(total.get(name, 0.0) - available.get(name, 0.0), 0.0),
               "total": total.get(name, 0.0)}
        for name in _RESOURCES if name in total or name in ("CPU", "GPU")}


def _usage(status: dict, ray) -> None:
    """Each node's use and the demands waiting for resources, from the GCS (not in client mode:
    a ray:// driver cannot reach the cluster's GCS, so its nodes show totals only)."""
    from ray.autoscaler.v2.sdk import get_cluster_status
    from ray.util.client import ray as client

    if client.is_connected():
        return

    reply = get_cluster_status(ray.get_runtime_context().gcs_address, timeout=GCS_TIMEOUT_SECONDS)
    by_id = {node["node_id"]: node for node in status["node_list"]}
    for node in list(reply.active_nodes) + list(reply.idle_nodes):
        known = by_id.get(node.node_id)
        if known is None:
            continue
        for usage in node.resource_usage.usage:
            if usage.resource_name in _RESOURCES:
                known["resources"][usage.resource_name] = {"used": float(usage.used), "total": float(usage.total)}
    demands = []
    for kind, groups in (("task", reply.resource_demands.ray_task_actor_demand),
                         ("placement group", reply.resource_demands.placement_group_demand)):
        for group in groups:
            for request in group.bundles_by_count:
                demands.append({"kind": kind, "bundle": dict(request.bundle), "count": int(request.count)})
    status["pending"] = {"tasks": sum(d["count"] for d in demands if d["kind"] == "task"), "demands": demands}


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
