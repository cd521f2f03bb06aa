"""Percentiles and one-line latency summaries shared by the benchmark scripts."""


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
