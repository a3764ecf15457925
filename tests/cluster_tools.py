"""Start and stop real Ray clusters for the `cluster` tests (helpers, not tests).

Every cluster lives under its own short --temp-dir and is stopped by killing the processes whose
command line names that directory: plain `ray stop` would kill every Ray on the machine, including
those of other test runs.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import psutil

PYTHON = sys.executable
RAY = str(Path(sys.executable).with_name("ray"))
REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _agent_ports() -> list[str]:
    """Ports that default to fixed numbers and would collide between nodes on one machine."""
    return ["--dashboard-agent-listen-port", str(free_port()), "--dashboard-agent-grpc-port",
            str(free_port()), "--metrics-export-port", str(free_port()),
            "--runtime-env-agent-port", str(free_port()), "--node-manager-port", str(free_port()),
            "--object-manager-port", str(free_port())]


@dataclass
class LocalCluster:
    """A head (and optional extra nodes) started with `ray start` on 127.0.0.1."""

    env: dict
    temp_dir: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="bkc", dir="/tmp"))
    gcs_port: int = field(default_factory=free_port)
    client_port: int = field(default_factory=free_port)
    dashboard_port: Optional[int] = None
    extra_dirs: list = field(default_factory=list)
    # Multi-node clusters take other loopback addresses (see add_node).
    host: str = "127.0.0.1"

    @property
    def gcs_address(self) -> str:
        return f"{self.host}:{self.gcs_port}"

    @property
    def client_address(self) -> str:
        return f"{self.host}:{self.client_port}"

    def _run(self, args: list[str], env: Optional[dict] = None, attempts: int = 3) -> None:
        """`ray start ...`, again when it fails: on a loaded 2-core machine a raylet can miss
        Ray's fixed 30 s startup wait. A failed attempt's processes are killed first."""
        for attempt in range(attempts):
            done = subprocess.run([RAY, *args], env=env or self.env, capture_output=True,
                                  text=True, timeout=300)
            if done.returncode == 0:
                return
            if "--head" in args:
                self.kill()
            else:
                self.kill_dirs(args[args.index("--temp-dir") + 1])
        raise RuntimeError(f"ray {' '.join(args)} failed:\n{done.stdout}\n{done.stderr[-3000:]}")

    def start_head(self, num_cpus: int = 1, dashboard: bool = False) -> "LocalCluster":
        args = ["start", "--head", "--node-ip-address", self.host, "--port", str(self.gcs_port),
                "--ray-client-server-port", str(self.client_port), "--num-cpus", str(num_cpus),
                "--temp-dir", self.temp_dir, "--object-store-memory", str(100 * 1024 ** 2),
                "--disable-usage-stats", *_agent_ports()]
        if dashboard:
            self.dashboard_port = free_port()
            args += ["--include-dashboard", "true", "--dashboard-host", "127.0.0.1",
                     "--dashboard-port", str(self.dashboard_port)]
        else:
            args += ["--include-dashboard", "false"]
        self._run(args)
        return self

    def start_plain_head(self) -> "LocalCluster":
        """A head as a user starts it: `ray start --head` with no address or auth flags, so Ray
        decides the node address (the host's) and token authentication (on when the env's HOME
        has ~/.ray/auth_token). Only ports (free ones), the temp dir and CPUs are set. self.env
        should set RAY_TMPDIR so that temp_dir is $RAY_TMPDIR/ray, where `auto` looks."""
        args = ["start", "--head", "--port", str(self.gcs_port),
                "--ray-client-server-port", str(self.client_port), "--num-cpus", "1",
                "--temp-dir", self.temp_dir, "--disable-usage-stats",
                "--include-dashboard", "false", *_agent_ports()]
        self._run(args)
        with open(os.path.join(self.temp_dir, "ray_current_cluster")) as handle:
            self.host = handle.read().strip().rsplit(":", 1)[0]  # the address Ray chose
        return self

    def add_node(self, num_cpus: int = 1, node_ip: str = "127.0.0.3") -> None:
        """Join another node (its own temp dir) to the head. Ray refuses a second node in its
        stay-on-127.0.0.1 mode and otherwise swaps 127.0.0.1 for the host's IP, so multi-node
        clusters use other loopback addresses: `multi_node_cluster_env()` and host 127.0.0.2."""
        node_dir = tempfile.mkdtemp(prefix="bkn", dir="/tmp")
        self.extra_dirs.append(node_dir)
        env = self.env
        args = ["start", "--address", self.gcs_address, "--node-ip-address", node_ip,
                "--num-cpus", str(num_cpus), "--temp-dir", node_dir,
                "--object-store-memory", str(100 * 1024 ** 2), "--disable-usage-stats",
                *_agent_ports()]
        self._run(args, env)

    def processes(self, marks: Optional[list] = None) -> list:
        if marks is None:
            marks = [self.temp_dir, *self.extra_dirs, f"--port={self.gcs_port}",
                     f"--gcs-address={self.gcs_address}", self.gcs_address]
        found = []
        me = psutil.Process()
        spared = {me.pid, *(p.pid for p in me.parents())}  # a driver naming the cluster is not it
        for proc in psutil.process_iter(["pid", "cmdline"]):
            if proc.pid in spared:
                continue
            cmdline = " ".join(proc.info.get("cmdline") or [])
            if "ray" in cmdline and any(mark in cmdline for mark in marks):
                found.append(proc)
        return found

    def kill_dirs(self, directory: str) -> None:
        self.kill(self.processes([directory]))

    def kill(self, procs: Optional[list] = None) -> None:
        """Kill every process of this cluster (also used to simulate a cluster dying)."""
        procs = self.processes() if procs is None else procs
        for proc in list(procs):
            try:
                procs.extend(proc.children(recursive=True))
            except psutil.Error:
                pass
        for proc in procs:
            try:
                proc.send_signal(signal.SIGKILL)
            except psutil.Error:
                pass
        psutil.wait_procs(procs, timeout=10)

    def stop(self) -> None:
        self.kill()
        for directory in [self.temp_dir, *self.extra_dirs]:
            shutil.rmtree(directory, ignore_errors=True)


def cluster_env(**extra: str) -> dict:
    """The environment for `ray start` and the driver: no inherited Ray address or auth settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RAY_", "BYZER_RAY"))}
    env["RAY_AUTH_MODE"] = "disabled"
    # Keep every Ray process on the loopback address (Ray otherwise swaps 127.0.0.1 for the host IP).
    env["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    env.update(extra)
    return env


def user_env(home: str, **extra: str) -> dict:
    """An environment as a user has it (no RAY_AUTH_MODE, no loopback-only setting), with its own
    HOME (so ~/.ray/auth_token is the test's) and no inherited Ray or Byzer Ray settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAY_", "BYZER_RAY"))}
    env["HOME"] = home
    env.update(extra)
    return env


def multi_node_cluster_env(**extra: str) -> dict:
    env = cluster_env(**extra)
    env["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "1"
    return env


def run_driver(code: str, env: dict, timeout: float = 240) -> dict:
    """Run a driver script in a fresh interpreter (only one Ray per process); it prints one JSON
    line starting with RESULT: that is returned as a dict."""
    done = subprocess.run([PYTHON, "-c", code], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=str(REPO))
    for line in done.stdout.splitlines():
        if line.startswith("RESULT:"):
            return json.loads(line[len("RESULT:"):])
    raise AssertionError(f"driver failed (exit {done.returncode}):\n{done.stdout[-4000:]}\n"
                         f"{done.stderr[-6000:]}")
