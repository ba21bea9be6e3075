"""A real Spark standalone cluster on 127.0.0.1, started with pyspark's own launcher classes.

``spark-class org.apache.spark.deploy.master.Master`` and ``...worker.Worker`` from the pyspark
install, as a data engineer would start them on a cluster's machines (docs/spark.md); each
in its own process group, so stopping a worker also stops the executor it launched.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

# How long a master or a worker may take to say it is up, on a loaded 2-core machine.
START_TIMEOUT_SECONDS = 180


def free_port() -> int:
    """A TCP port nobody listens on at this moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _spark_class() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "bin" / "spark-class"


class SparkProcess:
    """One launcher process (master or worker) with its log file."""

    def __init__(self, args: list[str], log: Path, ready: str) -> None:
        self.log = log
        env = {
            **os.environ,
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_LOG_DIR": str(log.parent),
            "SPARK_WORKER_DIR": str(log.with_suffix(".work")),
            "PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", sys.executable),
        }
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(_spark_class()), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while ready not in log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"Spark did not start: {log.read_text(errors='replace')}")
            time.sleep(0.2)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class StandaloneCluster:
    """A master and its workers (one by default: 2 cores, 2 GiB) on 127.0.0.1."""

    def __init__(
        self, directory: Path, *, workers: int = 1, cores: int = 2, memory: str = "2g"
    ) -> None:
        self.cores, self.memory = cores, memory
        self.workers: list[SparkProcess] = []
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        port = free_port()
        self.url = f"spark://127.0.0.1:{port}"
        self.master = SparkProcess(
            [
                "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1",
                "--port", str(port),
                "--webui-port", str(free_port()),
            ],
            directory / "master.log",
            ready="I have been elected leader",
        )
        try:
            for _ in range(workers):
                self.worker_start()
        except BaseException:
            self.stop()
            raise

    def worker_start(self) -> SparkProcess:
        """A worker registered with the master (again, after one was killed)."""
        self.worker = SparkProcess(
            [
                "org.apache.spark.deploy.worker.Worker",
                "--host", "127.0.0.1",
                "--cores", str(self.cores),
                "--memory", self.memory,
                "--webui-port", str(free_port()),
                self.url,
            ],
            self.directory / f"worker-{time.monotonic_ns()}.log",
            ready="Successfully registered with master",
        )
        self.workers.append(self.worker)
        return self.worker

    def stop(self) -> None:
        for worker in self.workers:
            worker.kill()
        self.master.kill()
