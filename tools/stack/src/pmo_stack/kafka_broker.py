"""A single-node Apache Kafka 4.1 broker (KRaft combined mode) assembled from Maven Central jars."""

from __future__ import annotations

import asyncio
import base64
import fcntl
import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

from pmo_stack.paths import default_cache_dir, repo_root
from pmo_stack.process_group import GroupProcess, spawn_in_group, tail
from pmo_stack.sync_bridge import run_blocking

KAFKA_VERSION = "4.1.1"
_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies"
_JVM_OPTS = ["-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true"]


def ensure_kafka_jars(cache_dir: Path | None = None) -> Path:
    """Fetch the broker's jars with Maven into `<cache>/kafka-4.1.1/libs` once; return that dir."""
    cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
    home = cache_dir / f"kafka-{KAFKA_VERSION}"
    libs = home / "libs"
    marker = home / ".complete"
    if marker.exists():
        return libs
    home.mkdir(parents=True, exist_ok=True)
    # A lock, because pytest workers and `make run` may race to fill an empty cache.
    with (home / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            return libs
        _copy_dependencies(home, libs)
        marker.write_text(KAFKA_VERSION + "\n")
    return libs


def _copy_dependencies(home: Path, libs: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError("Maven (`mvn`) is not on PATH; it is needed to fetch the Kafka jars")
    pom = repo_root() / "infra" / "kafka" / "pom.xml"
    staging = home / "libs.partial"
    shutil.rmtree(staging, ignore_errors=True)
    cmd = [mvn, "-B", "-q", "-f", str(pom), _DEPENDENCY_PLUGIN, f"-DoutputDirectory={staging}"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(
            f"fetching Kafka jars failed (exit {result.returncode}):\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("`java` (17+) is not on PATH; it is needed to run the Kafka broker")
    return java


def _random_cluster_id() -> str:
    # Kafka cluster ids are 16 random bytes in URL-safe base64 without padding.
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


async def _broker_count(bootstrap_servers: str) -> int:
    """Ask the cluster for its metadata and return how many brokers it lists."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
    try:
        await asyncio.wait_for(admin.start(), timeout=10)
        cluster = await asyncio.wait_for(admin.describe_cluster(), timeout=10)
        return len(cluster.get("brokers", []))
    finally:
        await admin.close()


class KafkaBroker(GroupProcess):
    """A local KRaft broker+controller process bound to 127.0.0.1."""

    def __init__(self, *, libs_dir: Path, data_dir: Path, port: int, controller_port: int) -> None:
        super().__init__(data_dir / "kafka.log")
        self.libs_dir = libs_dir
        self.data_dir = data_dir
        self.port = port
        self.controller_port = controller_port

    @property
    def bootstrap_servers(self) -> str:
        """The `host:port` clients connect to."""
        return f"127.0.0.1:{self.port}"

    @property
    def _config_path(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def _log_dir(self) -> Path:
        return self.data_dir / "kraft-data"

    def start(self) -> None:
        """Write the config, format storage on first use and launch the broker."""
        if self.is_running:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        self._format_storage()
        cmd = [
            _java(),
            *_JVM_OPTS,
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            "-cp",
            f"{self.libs_dir}/*",
            "kafka.Kafka",
            str(self._config_path),
        ]
        self._proc = spawn_in_group(cmd, log_path=self.log_path, cwd=self.data_dir)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the broker answers a metadata request listing itself."""
        deadline = time.monotonic() + timeout
        last_error: BaseException | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(
                    f"Kafka exited with code {self._proc.returncode}; "
                    f"log {self.log_path}:\n{tail(self.log_path)}"
                )
            try:
                # A cheap connect first keeps aiokafka from logging every refused attempt.
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                if run_blocking(_broker_count(self.bootstrap_servers)) > 0:
                    return
            except Exception as exc:  # not up yet: connection refused, timeout, no brokers
                last_error = exc
            time.sleep(0.5)
        raise TimeoutError(
            f"Kafka at {self.bootstrap_servers} not ready after {timeout:.0f}s "
            f"(last error: {last_error!r}); log {self.log_path}:\n{tail(self.log_path)}"
        )

    def _write_config(self) -> None:
        settings = {
            "node.id": "1",
            "process.roles": "broker,controller",
            "listeners": (
                f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            # A static voter set (not --standalone): the controller address lives only in this
            # file, so a restart on other ports still finds its own quorum.
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "log.dirs": str(self._log_dir),
            "num.partitions": "3",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "offsets.topic.replication.factor": "1",
            # Fewer than the default 50 partitions: the first consumer group appears faster.
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "false",
            "delete.topic.enable": "true",
        }
        text = "".join(f"{key}={value}\n" for key, value in settings.items())
        self._config_path.write_text(text)
        (self.data_dir / "log4j2.properties").write_text(_LOG4J2_CONFIG)

    def _format_storage(self) -> None:
        if (self._log_dir / "meta.properties").exists():
            return
        cmd = [
            _java(),
            "-Xmx256m",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            "-cp",
            f"{self.libs_dir}/*",
            "kafka.tools.StorageTool",
            "format",
            # One token: an id that starts with "-" would otherwise be read as an option.
            f"--cluster-id={_random_cluster_id()}",
            "--config",
            str(self._config_path),
            "--ignore-formatted",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(
                f"formatting Kafka storage failed (exit {result.returncode}):\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )


# Everything to stdout (which spawn_in_group sends to kafka.log); only our own broker logs here.
_LOG4J2_CONFIG = """\
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""
