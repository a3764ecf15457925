"""Every use of Ray's private internals, in one place (see pyproject.toml for the Ray range).

Ray has no public hook for what the runtime needs here (adding env vars and a retry default to
every task the user's code starts, recording those tasks for an interrupt). Each accessor checks at
first use that the internal still exists and otherwise raises one clear error naming it, so a Ray
upgrade that moves it fails loudly at the first run instead of misbehaving.
"""
from __future__ import annotations

import contextlib
import importlib
import os
import time
from typing import Any, Optional

SUPPORTED_RAY = "ray>=2.60,<2.61"


class RayInternalsChanged(RuntimeError):
    """The installed Ray lacks an internal that byzer_kernel relies on."""


def _lookup(module_name: str, *attributes: str) -> Any:
    try:
        value: Any = importlib.import_module(module_name)
        for attribute in attributes:
            value = getattr(value, attribute)
        return value
    except (ImportError, AttributeError) as error:
        import ray

        dotted = ".".join((module_name, *attributes))
        raise RayInternalsChanged(
            f"this Ray ({ray.__version__}) lacks `{dotted}`, which byzer_kernel uses; "
            f"install {SUPPORTED_RAY}") from error


def remote_entry_points() -> tuple:
    """(RemoteFunction, ActorClass): their `_remote` methods are where every `.remote()` call
    passes, with the options already merged."""
    function_cls = _lookup("ray.remote_function", "RemoteFunction")
    actor_cls = _lookup("ray.actor", "ActorClass")
    for cls in (function_cls, actor_cls):
        if not callable(getattr(cls, "_remote", None)):
            raise RayInternalsChanged(f"{cls.__qualname__}._remote is missing; install {SUPPORTED_RAY}")
    return function_cls, actor_cls


def task_runtime_env(runtime_env: dict) -> tuple:
    """(parsed runtime_env, serialized runtime_env info) as `_remote` expects them for a task:
    tasks take their environment from the form computed at decoration time."""
    parse = _lookup("ray._private.utils", "parse_runtime_env_for_task_or_actor")
    serialize = _lookup("ray._private.utils", "get_runtime_env_info")
    parsed = parse(runtime_env)
    return parsed, serialize(parsed, is_job_runtime_env=False, serialize=True)


def actor_runtime_env(runtime_env: dict):
    return _lookup("ray._private.utils", "parse_runtime_env_for_task_or_actor")(runtime_env)


# -- connecting and starting Ray (runtime.cluster) ------------------------------------------------
def refresh_auth_config() -> None:
    """Ray's C++ layer caches RAY_AUTH_MODE / RAY_AUTH_TOKEN*: re-read them after a change (the
    config first, then the token cache, as Ray's own test helpers do)."""
    config = _lookup("ray._raylet", "Config")
    loader = _lookup("ray._raylet", "AuthenticationTokenLoader")
    config.initialize("")
    loader.instance().reset_cache()


def leave_client_mode() -> None:
    """Leave Ray client mode even when its server is gone, so that `ray.init` works again."""
    _lookup("ray._private.client_mode_hook", "_explicitly_disable_client_mode")()


def global_node():
    """The Ray node object of this process (None when this process started or joined none)."""
    return _lookup("ray._private.worker", "_global_node")


def job_config_with_sys_path(paths: list):
    """A JobConfig whose workers on this machine start with `paths` on sys.path (the mechanism Ray
    uses for a driver script's directory)."""
    import inspect

    job_config = _lookup("ray.job_config", "JobConfig")
    if "_py_driver_sys_path" not in inspect.signature(job_config).parameters:
        raise RayInternalsChanged(f"JobConfig(_py_driver_sys_path=...) is missing; install {SUPPORTED_RAY}")
    return job_config(_py_driver_sys_path=paths)


_CLUSTER_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


class NodeStartTimeout(Exception):
    """The new node did not register with its GCS in time (not a RuntimeError on purpose: Ray's
    own wait loop swallows those)."""


@contextlib.contextmanager
def node_start_wait(seconds: float):
    """While Ray starts a node in this process, wait up to `seconds` (from now) for its raylet to
    register with the GCS. Ray waits a fixed 30 s there (`raylet_start_wait_time_s = 30` in
    ray/_private/node.py, no setting), polling `services.get_node`, which raises RuntimeError until
    the node is known: the wrapper polls until the deadline instead, then raises NodeStartTimeout."""
    services = _lookup("ray._private.services")
    original = _lookup("ray._private.services", "get_node")
    deadline = time.monotonic() + seconds

    def get_node(gcs_address, node_id):
        while True:
            try:
                return original(gcs_address, node_id)
            except RuntimeError as error:
                if time.monotonic() >= deadline:
                    raise NodeStartTimeout(
                        f"the Ray node did not register within {seconds:g} s ({error})") from None
                time.sleep(0.2)

    services.get_node = get_node
    try:
        yield
    finally:
        services.get_node = original


@contextlib.contextmanager
def loopback_node_address():
    """Let `ray.init` keep 127.0.0.1 as the node address. Ray swaps a loopback `_node_ip_address`
    (and a loopback GCS host) for the host's address unless RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0,
    which it reads once, at import, into ray_constants.ENABLE_RAY_CLUSTER: that constant is
    switched off meanwhile, and the variable set for the processes Ray starts meanwhile."""
    constants = _lookup("ray._private.ray_constants")
    _lookup("ray._private.ray_constants", "ENABLE_RAY_CLUSTER")
    saved_constant, saved_env = constants.ENABLE_RAY_CLUSTER, os.environ.get(_CLUSTER_ENV)
    constants.ENABLE_RAY_CLUSTER = False
    os.environ[_CLUSTER_ENV] = "0"
    try:
        yield
    finally:
        constants.ENABLE_RAY_CLUSTER = saved_constant
        if saved_env is None:
            os.environ.pop(_CLUSTER_ENV, None)
        else:
            os.environ[_CLUSTER_ENV] = saved_env


def local_cluster_address() -> Optional[str]:
    """The GCS address `ray.init()` would join: env RAY_ADDRESS, else the cluster last started with
    `ray start` on this machine (the file ray_current_cluster in Ray's temp dir); None when there is
    none. Unlike `address="auto"` it never picks any Ray process it finds running (another
    kernel's embedded Ray, say)."""
    return _lookup("ray._private.services", "get_ray_address_from_environment")(None, None)


def gcs_alive_nodes(hostport: str, token: Optional[str], timeout: float) -> list:
    """[(node_manager_address, is_head)] of the alive nodes in the GCS at hostport, read with
    Ray's generated gRPC stubs (NodeInfoGcsService.GetAllNodeInfo)."""
    import grpc

    request_type = _lookup("ray.core.generated.gcs_service_pb2", "GetAllNodeInfoRequest")
    stub_type = _lookup("ray.core.generated.gcs_service_pb2_grpc", "NodeInfoGcsServiceStub")
    alive = _lookup("ray.core.generated.gcs_pb2", "GcsNodeInfo", "GcsNodeState", "ALIVE")
    channel = grpc.insecure_channel(hostport)
    try:
        metadata = [("authorization", f"Bearer {token}")] if token else None
        reply = stub_type(channel).GetAllNodeInfo(request_type(state_filter=alive),
                                                  timeout=timeout, metadata=metadata)
        return [(node.node_manager_address, bool(node.is_head_node))
                for node in reply.node_info_list]
    finally:
        channel.close()
