"""A real PgBouncer (Debian's ``pgbouncer``) in transaction mode in front of the test database."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PGBOUNCER_PATHS = ("pgbouncer", "/usr/sbin/pgbouncer")


def find_pgbouncer() -> str | None:
    for candidate in PGBOUNCER_PATHS:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _target(database_url: str) -> tuple[str, int, str, str]:
    """(host or socket dir, port, database, user) of a libpq/asyncpg URL."""
    parts = urlsplit(database_url)
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
    return host, parts.port or 5432, parts.path.lstrip("/"), parts.username or "postgres"


def _run_as(host: str) -> str | None:
    """PgBouncer refuses to run as root: run it as the owner of the server's socket dir (or ``nobody``)."""
    if os.geteuid() != 0:
        return None
    if host.startswith("/"):
        return pwd.getpwuid(Path(host).stat().st_uid).pw_name
    return "nobody"


INI = """[databases]
{database} = host={host} port={port} dbname={database} user={user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = {server_connections}
max_client_conn = 50
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


@contextmanager
def running_pgbouncer(database_url: str, *, server_connections: int = 1) -> Iterator[str]:
    """Start PgBouncer for ``database_url``'s database; yield an asyncpg URL through it; stop it afterwards.

    Its ini, userlist, log and pid file live in a temporary folder (readable by the user it runs as), removed after.
    """
    binary = find_pgbouncer()
    assert binary, "pgbouncer is not installed"
    host, port, database, user = _target(database_url)
    listen_port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="nexo-pgbouncer-"))
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        INI.format(
            database=database,
            host=host,
            port=port,
            user=user,
            listen_port=listen_port,
            folder=folder,
            server_connections=server_connections,
        )
    )
    command = [binary, str(ini)]
    run_as = _run_as(host)
    if run_as:
        shutil.chown(folder, run_as)
        for child in folder.iterdir():
            shutil.chown(child, run_as)
        command = [binary, "-u", run_as, str(ini)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(listen_port, process, folder)
        yield f"postgresql+asyncpg://{user}@127.0.0.1:{listen_port}/{database}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (folder / "pgbouncer.log").read_text() if (folder / "pgbouncer.log").exists() else ""
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"pgbouncer exited with {process.returncode}: {output}\n{log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("pgbouncer did not start listening")
