"""Ray connection manager (DESIGN §4.5). Interface stub: the runtime-cluster helper completes it.

    connection = cluster_for(session).connect(code_address, events)   # lazily, once per session
    connection.address / connection.how / connection.embedded
    cluster_for(session).status() -> dict for the status widget
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass
class RayConnection:
    address: str  # the address in use ("embedded" for the local Ray)
    how: str  # how it was chosen: "rayAddress", "BYZER_RAY_ADDRESS", "code", "embedded"
    embedded: bool
    dashboard_url: Optional[str] = None


class ClusterManager:
    def __init__(self, session):
        self.session = session
        self.connection: Optional[RayConnection] = None

    def connect(self, code_address: Optional[str] = None, events=None) -> RayConnection:
        import ray

        if self.connection is None:
            if not ray.is_initialized():
                ray.init(include_dashboard=False, log_to_driver=False)
            self.connection = RayConnection("embedded", "embedded", True)
        return self.connection

    def status(self) -> dict:
        return {"connected": self.connection is not None}

    def close(self) -> None:
        self.connection = None


def cluster_for(session) -> ClusterManager:
    manager = getattr(session, "_cluster_manager", None)
    if manager is None:
        manager = ClusterManager(session)
        session._cluster_manager = manager
        session.close_hooks.append(manager.close)
    return manager
