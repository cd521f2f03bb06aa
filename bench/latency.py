"""Percentiles, one-line latency summaries and a start-together runner shared by the
benchmark scripts."""

import threading
import time


def pct(values, q):
    """The q-th percentile (nearest rank) of ``values``; NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(name, ms, width=28):
    """``name  n=…  p50=… ms  p95=… ms  p99=… ms`` for latencies in milliseconds."""
    return (
        f"{name:<{width}} n={len(ms):>6}  p50={pct(ms, 50):7.2f} ms  p95={pct(ms, 95):7.2f} ms"
        f"  p99={pct(ms, 99):7.2f} ms"
    )


def run_together(calls):
    """Run every call in a thread of its own, all released at once; return the seconds
    from the first start to the last end."""
    barrier = threading.Barrier(len(calls))

    def target(call):
        barrier.wait()
        call()

    threads = [threading.Thread(target=target, args=(call,)) for call in calls]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start
