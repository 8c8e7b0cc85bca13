"""Entry point (`python -m benchmarks [--quick] [--repeats N]`): progress to stderr, the table to stdout."""

import argparse
import asyncio

from benchmarks.plan import Plan
from benchmarks.report import render
from benchmarks.stats import elapsed, progress
from benchmarks.suite import Results, run
from yabot_adapters.mongo.testing import nx_27017


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="YABOT's benchmarks: medians [min–max] over repeated runs. Measures; asserts no speed.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats and smaller runs: a smoke run in under a minute"
    )
    parser.add_argument(
        "--repeats", type=int, default=None, help="timed runs of every scenario (default 5, quick 2)"
    )
    arguments = parser.parse_args()
    if arguments.repeats is not None and arguments.repeats < 1:
        parser.error("--repeats must be at least 1")
    return arguments


def main() -> None:
    """Run every scenario and print the table."""
    arguments = _arguments()
    plan = Plan.quick() if arguments.quick else Plan.full()
    if arguments.repeats is not None:
        plan = Plan.quick(arguments.repeats) if arguments.quick else Plan.full(arguments.repeats)
    progress(f"{'quick' if arguments.quick else 'full'} run, {plan.repeats} repeats; starting nx-27017")
    with nx_27017() as mongo_url:
        progress(f"nx-27017 answers at {mongo_url.split('/?')[0]}")
        results: Results = asyncio.run(run(plan, mongo_url))
    seconds = elapsed()
    progress(f"done in {seconds:.0f} s")
    print(render(results, seconds=seconds, quick=arguments.quick))


if __name__ == "__main__":
    main()
