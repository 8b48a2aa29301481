"""make bench: latency figures on this machine, each also as a ratio to a baseline measured in
the same run (never asserted: figures are for reading and comparing between commits).

Baselines: a bare nameko RPC round trip (standalone proxy → attendance.health) and the gateway
HTTP→RPC ping. Later work adds its figures to ``BENCHES`` in tests/bench/cases.py.
"""
import eventlet

eventlet.monkey_patch()

import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

os.environ.setdefault("JWT_SECRET", "anchang-test-secret-0123456789abcdef")
os.environ.setdefault("PYTHONWARNINGS", "ignore")

from tests.bench import cases  # noqa: E402
from tests.stack import Stack  # noqa: E402

COUNT = int(os.environ.get("BENCH_COUNT", "300"))
ONLY = os.environ.get("BENCH_ONLY", "")   # e.g. BENCH_ONLY=owner_of: those and their baselines


def selected(benches, only=ONLY):
    if not only:
        return benches
    wanted = {name for name, _, _ in benches if only in name}
    baselines = dict((name, base) for name, base, _ in benches)
    for name in list(wanted):
        while baselines.get(name):
            name = baselines[name]
            wanted.add(name)
    return [b for b in benches if b[0] in wanted]


def measure(fn, count=COUNT, warmup=20):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"median": statistics.median(samples),
            "p99": samples[min(len(samples) - 1, int(len(samples) * 0.99))], "n": count}


def main():
    print(f"starting the stack (count {COUNT} per figure)…", flush=True)
    stack = Stack().start()
    results = {}
    try:
        for name, baseline, setup in selected(cases.BENCHES):
            print(f"  measuring {name}…", flush=True)
            fn, teardown = setup(stack)
            try:
                results[name] = (measure(fn), baseline)
            finally:
                teardown()
    finally:
        stack.stop()
    print(f"\n{'benchmark':<44} {'median ms':>10} {'p99 ms':>10}  ratio (median) to baseline")
    for name, (figures, baseline) in results.items():
        ratio = ""
        if baseline and baseline in results:
            ratio = f"{figures['median'] / results[baseline][0]['median']:.2f}x {baseline}"
        print(f"{name:<44} {figures['median']:>10.2f} {figures['p99']:>10.2f}  {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
