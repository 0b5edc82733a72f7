"""Run the installed chromadb's ``chroma run`` server as a child process on a free loopback port.

Server mode is what Docker Compose deploys (``QA_CHROMA_URL``), so tests exercise the very binary
the container runs. Start-up failure is an error with the server's log attached, never a skip.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.integration.live_server import free_port

CHROMA_BIN = Path(sys.executable).parent / "chroma"
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ChromaServer:
    url: str
    pid: int
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def server_env() -> dict[str, str]:
    """The test process's environment with Chroma's telemetry switched off explicitly."""
    env = dict(os.environ)
    env["ANONYMIZED_TELEMETRY"] = "False"
    env["NO_COLOR"] = "1"
    return env


def heartbeat_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def run_chroma_server(data_dir: Path, log_path: Path) -> Iterator[ChromaServer]:
    """Start ``chroma run``, wait for its heartbeat, and always stop it (terminate, then kill)."""
    if not CHROMA_BIN.exists():
        raise RuntimeError(f"{CHROMA_BIN} not found: chromadb is not installed in this venv")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(CHROMA_BIN), "run", "--path", str(data_dir), "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=server_env(),
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not heartbeat_ok(url):
            if process.poll() is not None or time.monotonic() > deadline:
                text = log_path.read_text(encoding="utf-8", errors="replace")
                raise RuntimeError(f"chroma server did not start ({command}):\n{text[-3000:]}")
            time.sleep(0.2)
        yield ChromaServer(url=url, pid=process.pid, log_path=log_path)
    finally:
        stop_process(process)


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _decode(hex_address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    host = hex_address.split(":")[0]
    raw = bytes.fromhex(host)
    # /proc/net/tcp* stores addresses as host-order 32-bit words
    words = [raw[i : i + 4][::-1] for i in range(0, len(raw), 4)]
    address = ipaddress.ip_address(b"".join(words))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def remote_peers(pid: int) -> list[str]:
    """Remote addresses of the process's TCP sockets (Linux /proc), listening sockets excluded."""
    inodes = _socket_inodes(pid)
    peers = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[9] not in inodes:
                continue
            remote = _decode(fields[2])
            if not remote.is_unspecified:
                peers.append(str(remote))
    return peers
