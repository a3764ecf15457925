"""Where a `yarn` or `k8s://` master must answer before a JVM is started for it
(docs/reference/spark-engine.md, "Starting and stopping").

Spark asks YARN's ResourceManager (Hadoop's client retries for up to 15 minutes) or the Kubernetes
API server (its client retries too) only once its context starts, and pyspark's launcher dies
without a word when `yarn` has no Hadoop configuration. So the session finds the addresses Spark
would use, from the same places Spark reads them, and probes them first."""
from __future__ import annotations

import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Mapping, Optional
from urllib.parse import urlsplit

from ...lang.errors import SparkUnavailableError

YARN_CONF_VARIABLES = ("HADOOP_CONF_DIR", "YARN_CONF_DIR")
RESOURCE_MANAGER_PORT = 8032  # Hadoop's default yarn.resourcemanager.address port
KUBERNETES_PORT = 443  # a k8s:// URL without a port: the API server's https port


def kubernetes_api_address(master: str) -> tuple[str, int]:
    """k8s://https://HOST[:PORT] (or k8s://HOST:PORT, https as Spark assumes) -> (HOST, PORT)."""
    url = master[len("k8s://"):]
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    port = parts.port or (80 if parts.scheme == "http" else KUBERNETES_PORT)
    return parts.hostname or "", port


def resource_managers(environ: Optional[Mapping[str, str]] = None) -> tuple[list[tuple[str, int]], str]:
    """The ResourceManager addresses Spark's YARN client would use, and where they were read
    from; fails, saying what to set, when the environment has no Hadoop configuration."""
    environ = os.environ if environ is None else environ
    folders = [environ[name] for name in YARN_CONF_VARIABLES if environ.get(name, "").strip()]
    if not folders:
        raise SparkUnavailableError(
            "the Spark master yarn needs Hadoop's client configuration, and neither HADOOP_CONF_DIR nor "
            "YARN_CONF_DIR is set: set one of them to the folder holding the cluster's yarn-site.xml "
            "(and core-site.xml), or choose another master (`!engine spark where master=\"local[*]\"`)")
    for folder in folders:
        site = Path(folder) / "yarn-site.xml"
        if site.is_file():
            return _addresses(_properties(site)), str(site)
    # Without yarn-site.xml, Hadoop's defaults: the ResourceManager on this machine.
    return [("127.0.0.1", RESOURCE_MANAGER_PORT)], f"Hadoop's default (no yarn-site.xml in {', '.join(folders)})"


def _properties(site: Path) -> dict[str, str]:
    try:
        root = ElementTree.parse(site).getroot()
    except (OSError, ElementTree.ParseError) as error:
        raise SparkUnavailableError(f"the Spark master yarn cannot read {site}: {error}") from None
    properties = {}
    for item in root.iter("property"):
        name, value = item.findtext("name"), item.findtext("value")
        if name and value is not None:
            properties[name.strip()] = value.strip()
    return properties


def _addresses(properties: dict[str, str]) -> list[tuple[str, int]]:
    """yarn.resourcemanager.address (or its hostname at port 8032), one per id under HA."""
    def value(name: str) -> Optional[str]:
        text = properties.get(name)
        for key, replacement in properties.items():  # ${yarn.resourcemanager.hostname} and alike
            if text and "${" in text:
                text = text.replace("${" + key + "}", replacement)
        return text

    def address(suffix: str) -> tuple[str, int]:
        given = value("yarn.resourcemanager.address" + suffix)
        if given and ":" in given:
            host, _, port = given.rpartition(":")
            return _reachable(host), int(port)
        host = given or value("yarn.resourcemanager.hostname" + suffix) or "0.0.0.0"
        return _reachable(host), RESOURCE_MANAGER_PORT

    ids = (value("yarn.resourcemanager.ha.rm-ids") or "").split(",")
    ids = [i.strip() for i in ids if i.strip()]
    high_availability = (value("yarn.resourcemanager.ha.enabled") or "").lower() == "true"
    if high_availability and ids:
        return [address("." + i) for i in ids]
    return [address("")]


def _reachable(host: str) -> str:
    """0.0.0.0 (Hadoop's default host) is reached as this machine."""
    return "127.0.0.1" if host.strip() in ("", "0.0.0.0") else host.strip()
