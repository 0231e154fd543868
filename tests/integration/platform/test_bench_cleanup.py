"""Benchmarks clean up after themselves (issue 18 item 7): a benchmark run in a child process leaves no embedded
PostgreSQL server running and no temporary folder behind, whether it finishes, is interrupted (Ctrl-C) or is
terminated (SIGTERM) while its server is up.

Every temporary folder of the child lives under a ``TMPDIR`` of the test's own, so "nothing left" is checked
exactly: that folder is empty and no process names it on its command line (the embedded postmaster runs with
``-D <its data folder>``). That folder is not under pytest's ``tmp_path``: pytest keeps its base folder private
(0700), and the embedded server runs as another user when the tests run as root."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from nexo.platform.settings import REPO_ROOT

RUN = REPO_ROOT / "infra" / "bench" / "run.py"


@pytest.fixture
def folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="nexo-bench-cleanup-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _bench(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    scratch.chmod(0o755)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"NEXO_TEST_DATABASE_URL", "NEXO_BENCH_PGDATA", "NEXO_TEST_PGDATA"}
    }
    # pgserver keeps its inter-process lock under the runtime folder (shared by every process): not ours to judge.
    env.update({"TMPDIR": str(scratch), "XDG_RUNTIME_DIR": str(tmp_path / "run"), "PYTHONSAFEPATH": "1"})
    (tmp_path / "run").mkdir(mode=0o700)
    process = subprocess.Popen(
        [sys.executable, str(RUN), "provision", *args],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    return process, scratch


def _processes_naming(folder: Path) -> list[str]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        if str(folder) in command:
            found.append(command)
    return found


def _connected_to_bench_database(folder: Path) -> bool:
    """The child's embedded server is up and the benchmark is connected to its temporary database."""
    for process in psutil.process_iter(["cmdline"]):
        command = process.info["cmdline"] or []
        if "-D" in command and any(str(folder) in part for part in command):
            try:
                return any("nexo_test_" in " ".join(c.cmdline()) for c in process.children())
            except psutil.Error:
                return False
    return False


def _assert_clean(scratch: Path) -> None:
    assert _processes_naming(scratch) == []
    assert sorted(p.name for p in scratch.iterdir()) == []


def test_a_finished_benchmark_leaves_nothing(folder: Path) -> None:
    process, scratch = _bench(folder, "--samples", "1")
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err.decode()
    assert b'"name": "provision"' in out
    _assert_clean(scratch)


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_benchmark_leaves_nothing(folder: Path, number: signal.Signals) -> None:
    process, scratch = _bench(folder, "--samples", "500")  # minutes of work: it cannot finish first
    deadline = time.monotonic() + 300
    while not _connected_to_bench_database(scratch):  # interrupt the run in the middle of its work
        assert process.poll() is None, process.communicate()[1].decode()
        assert time.monotonic() < deadline, "the benchmark's embedded server never started"
        time.sleep(0.2)
    process.send_signal(number)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err.decode()  # run.py's answer to an interruption
    _assert_clean(scratch)
