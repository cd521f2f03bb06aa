#!/usr/bin/env python3
"""Cost of lib/calling_hours.allowed_timezones, which the claim of Next lead calls at every
Next lead: cold (first call of a process: pytz loads every zone), uncached (a new minute)
and cached (the same minute), as medians in microseconds. Not a test; needs pytz only.

    python3 bench/bench_calling_hours.py [--runs 200]
"""

import argparse
import importlib.util
import os
import statistics
import time
from datetime import datetime, timedelta

# The module by its path: importing the addon package would need Odoo.
PATH = os.path.join(os.path.dirname(__file__), "..", "lead_flow", "lib", "calling_hours.py")
SPEC = importlib.util.spec_from_file_location("calling_hours", PATH)
calling_hours = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(calling_hours)

RAW = calling_hours.dump(dict.fromkeys(range(5), (9.0, 20.0)))


def timed(func):
    start = time.perf_counter()
    func()
    return (time.perf_counter() - start) * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    start = datetime(2026, 3, 4, 12, 0)  # a Wednesday: about half the zones are open
    cold = timed(lambda: calling_hours.allowed_timezones(RAW, start))
    minutes = [start + timedelta(minutes=i + 1) for i in range(runs)]
    uncached = [timed(lambda m=m: calling_hours.allowed_timezones(RAW, m)) for m in minutes]
    last = minutes[-1]
    cached = [timed(lambda: calling_hours.allowed_timezones(RAW, last)) for _ in range(runs)]
    parse = [timed(lambda: calling_hours.parse(RAW)) for _ in range(runs)]
    zones = len(calling_hours.allowed_timezones(RAW, start))
    print(f"zones: {len(calling_hours.pytz.all_timezones)}, open at {start}Z: {zones}")
    print(f"cold (first call of the process): {cold:,.0f} us")
    print(f"uncached (new minute), median: {statistics.median(uncached):,.0f} us")
    print(f"cached (same minute), median: {statistics.median(cached):,.1f} us")
    print(f"parse (cached text), median: {statistics.median(parse):,.1f} us")


if __name__ == "__main__":
    main()
