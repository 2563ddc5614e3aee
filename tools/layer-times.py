#!/usr/bin/env python3
"""Per-layer forward and backward time of a training run, read from its trace.

    tools/layer-times.py OUT_DIR [GPU]

OUT_DIR is a `roshni run ... -o OUT_DIR` of a training scenario with the trace on (the
default). For one GPU (default gpu0) it takes the start times of its "fwd" compute steps,
and of its "bwd" steps, and prints the median spacing between consecutive starts: with one
layer per step (`layers_per_step` 1) and no pipeline, that is one layer's forward (backward)
pass with the TP communication that follows it on the critical path. docs/validation.md
compares these with Korthikanti et al. 2022, Table 4.
"""
import json
import statistics
import sys


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out, gpu = sys.argv[1], (sys.argv[2] if len(sys.argv) == 3 else "gpu0")
    try:
        with open(f"{out}/trace.json", encoding="utf-8") as f:
            trace = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{out}/trace.json: cannot be read as a trace ({e}); run with the trace on", file=sys.stderr)
        return 1
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    times = {}
    for kind in ("fwd", "bwd"):
        starts = sorted(e["ts"] for e in events
                        if e.get("name") == kind and e.get("args", {}).get("node") == gpu)
        if len(starts) < 2:
            print(f"{out}/trace.json: fewer than two '{kind}' steps on {gpu}", file=sys.stderr)
            return 1
        times[kind] = statistics.median(b - a for a, b in zip(starts, starts[1:])) / 1000.0
    print(f"{gpu}: forward {times['fwd']:.3f} ms, backward {times['bwd']:.3f} ms, "
          f"both {times['fwd'] + times['bwd']:.3f} ms per layer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
