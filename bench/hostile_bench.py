"""What a well-behaved client sees while one client is hostile: a health
check's and a small Detect's p50/p99, and the server's RSS, under each of the
loads the hardening is about (aurum_ml.testing.hostile; the tests assert
looser bounds on the same loads, for shared CI machines).

    .venv/bin/python bench/hostile_bench.py [--seconds 15] [--load NAME ...]
"""

from __future__ import annotations

import argparse
import sys

from aurum_ml.testing import running_server
from aurum_ml.testing.hostile import Load, hostile_loads, measure, percentile

BUDGET_MB = 512

LOADS: dict[str, Load] = {
    "idle": lambda server, stop: stop.wait(),
    **hostile_loads(),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="probe time per load")
    parser.add_argument(
        "--load", action="append", choices=list(LOADS), help="only these loads (repeatable)"
    )
    args = parser.parse_args()
    names = args.load or list(LOADS)
    env = {"AURUM_DECODE_BUDGET_MB": str(BUDGET_MB)}
    print(f"{'load':<48} {'health p50/p99 ms':>18} {'Detect p50/p99 ms':>18} {'RSS MiB':>16}")
    with running_server(env=env) as server:
        for name in names:
            seen = measure(server, LOADS[name], seconds=args.seconds)
            h = f"{percentile(seen.health, 0.5) * 1e3:.1f}/{seen.health_p99 * 1e3:.1f}"
            d = f"{percentile(seen.detect, 0.5) * 1e3:.1f}/{seen.detect_p99 * 1e3:.1f}"
            rss = f"{seen.rss_before:.0f}->{seen.rss_peak:.0f}"
            failed = f"  {len(seen.failures)} probe calls failed" if seen.failures else ""
            print(f"{name:<48} {h:>18} {d:>18} {rss:>16}{failed}", flush=True)
    print(f"(decode budget {BUDGET_MB} MiB; each load runs alone, the probe in its own process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
