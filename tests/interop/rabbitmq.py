"""A private RabbitMQ node for the tests: Debian's rabbitmq-server on a free loopback port, with its own node name,
data directory and Erlang cookie under a temporary folder. No system service is touched; stop() removes it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
CTL = Path("/usr/lib/rabbitmq/bin/rabbitmqctl")


class BrokerUnavailable(RuntimeError):
    """rabbitmq-server is not installed, or did not start."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RabbitMQ:
    """One broker node: ``start()``, ``url``, ``stop()``; ``restart()`` keeps its port and data."""

    def __init__(self, base: Path, *, node: str | None = None, cookie: str | None = None) -> None:
        if not SERVER.exists():
            raise BrokerUnavailable(f"{SERVER} not found: apt-get install rabbitmq-server")
        self.base = base
        self.port = _free_port()
        self.node = node or f"notify{uuid.uuid4().hex[:8]}@localhost"
        self.process: subprocess.Popen[bytes] | None = None
        base.mkdir(parents=True, exist_ok=True)
        (base / "enabled_plugins").write_text("[].\n")
        (base / "rabbitmq.conf").write_text("loopback_users = none\n")
        (base / "rabbitmq-env.conf").write_text("")
        if cookie is not None:  # the Erlang cookie the nodes of a cluster share (HOME is the node's folder)
            path = base / ".erlang.cookie"
            path.write_text(cookie)
            path.chmod(0o400)
        self.env = dict(
            os.environ,
            HOME=str(base),
            RABBITMQ_NODENAME=self.node,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(_free_port()),
            RABBITMQ_MNESIA_BASE=str(base / "mnesia"),
            RABBITMQ_LOG_BASE=str(base / "log"),
            RABBITMQ_PID_FILE=str(base / "pid"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(base / "enabled_plugins"),
            RABBITMQ_CONFIG_FILE=str(base / "rabbitmq"),
            RABBITMQ_CONF_ENV_FILE=str(base / "rabbitmq-env.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(base / "advanced.config"),
        )

    @property
    def url(self) -> str:
        return f"rabbit://guest:guest@127.0.0.1:{self.port}/"

    def start(self, timeout: float = 90) -> None:
        log = (self.base / "server.log").open("ab")
        self.process = subprocess.Popen(
            [str(SERVER)], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrokerUnavailable(f"rabbitmq-server exited with {self.process.returncode}; see {log.name}")
            if self._accepts_amqp():
                return
            time.sleep(0.25)
        self.stop()
        raise BrokerUnavailable(f"rabbitmq-server did not accept connections within {timeout} s; see {log.name}")

    def wait_for_amqp(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not self._accepts_amqp():
            if time.monotonic() > deadline:
                raise BrokerUnavailable(f"{self.node} does not accept AMQP connections")
            time.sleep(0.25)

    def _accepts_amqp(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"AMQP\x00\x00\x09\x01")
                return bool(s.recv(1))  # the broker answers the protocol header with connection.start
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        subprocess.run([str(CTL), "-n", self.node, "stop"], env=self.env, capture_output=True, timeout=60, check=False)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait()
        self.process = None
        # epmd may keep the node's name for a moment; nothing else of the node survives.

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def ctl(node: RabbitMQ, *args: str, timeout: float = 120) -> str:
    done = subprocess.run([str(CTL), "-n", node.node, *args], env=node.env, capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip
    if done.returncode != 0:
        raise BrokerUnavailable(f"rabbitmqctl {' '.join(args)} on {node.node}: {done.stdout} {done.stderr}".strip())
    return done.stdout


class Cluster:
    """Three RabbitMQ nodes of the tests' own on loopback, joined into one cluster with rabbitmqctl: their own node
    names, ports, data folders and a shared Erlang cookie. ``url`` names every node, as oslo.messaging reads it."""

    def __init__(self, base: Path, size: int = 3) -> None:
        cookie = uuid.uuid4().hex.upper()
        tag = uuid.uuid4().hex[:6]
        self.nodes = [
            RabbitMQ(base / f"node{i}", node=f"cluster{tag}{i}@localhost", cookie=cookie) for i in range(size)
        ]

    @property
    def url(self) -> str:
        return "rabbit://" + ",".join(f"guest:guest@127.0.0.1:{n.port}" for n in self.nodes) + "/"

    def start(self) -> None:
        first, *others = self.nodes
        first.start()
        for node in others:
            node.start()
            ctl(node, "stop_app")
            ctl(node, "join_cluster", first.node)
            ctl(node, "start_app")
            node.wait_for_amqp()
        running = ctl(first, "cluster_status", "--formatter", "json")
        missing = [n.node for n in self.nodes if n.node not in running]
        if missing:
            raise BrokerUnavailable(f"nodes not in the cluster: {missing}")

    def remove(self) -> None:
        for node in reversed(self.nodes):
            node.remove()
