"""Run a benchmark: ``python infra/bench/run.py NAME [--tenants N] [--samples N] [--concurrency N]``.

Discovers every ``infra/bench/bench_*.py``; each defines ``BENCHMARKS: dict[str, async fn(args) -> list[dict]]``.
Prints one JSON object per line, each with ``"name"``. ``NAME`` may be ``all``; ``--list`` shows what exists.
Whatever a benchmark starts (embedded PostgreSQL, uvicorn or localstripe children, temporary folders) is gone when
this exits, also after a failure, Ctrl-C or SIGTERM (``common.cleanup``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
Benchmark = Callable[[argparse.Namespace], Awaitable[list[dict[str, Any]]]]


def discover() -> dict[str, Benchmark]:
    from nexo.platform.composition import register_models

    register_models()  # benchmarks migrate and build schemas without the app factory
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))  # so bench files can `import common`
    found: dict[str, Benchmark] = {}
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(f"nexo_bench_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, benchmark in getattr(module, "BENCHMARKS", {}).items():
            if name in found:
                raise SystemExit(f"benchmark {name!r} is defined twice ({path.name})")
            found[name] = benchmark
    return found


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", nargs="?", help="benchmark name, or 'all'")
    p.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    p.add_argument("--tenants", type=int, default=None, help="tenants to create (each benchmark has a default)")
    p.add_argument("--samples", type=int, default=None, help="measurements to take (where it applies)")
    p.add_argument("--concurrency", type=int, default=None, help="parallelism (where it applies)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    benchmarks = discover()
    if args.list or not args.name:
        print("\n".join(sorted(benchmarks)))
        return 0
    names = sorted(benchmarks) if args.name == "all" else [args.name]
    unknown = [n for n in names if n not in benchmarks]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; known: {', '.join(sorted(benchmarks))}", file=sys.stderr)
        return 2
    from common import cleanup, install_cleanup, interrupted

    install_cleanup()  # SIGTERM/SIGHUP act like Ctrl-C: every `finally` runs, then servers and folders go
    try:
        for name in names:
            for figure in asyncio.run(benchmarks[name](args)):
                # The 1-minute load average when it ended: on a shared machine it says how much else was running.
                figure = {"name": name, **figure, "load_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}
                print(json.dumps(figure), flush=True)
    except BaseException as error:
        if not (isinstance(error, KeyboardInterrupt) or interrupted()):
            raise
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        cleanup()  # the embedded server stopped, child processes ended, temporary folders removed
    return 0


if __name__ == "__main__":
    sys.exit(main())
