"""Measurement helpers shared by the benchmark peers (bench/peer/*.py), as bench/model/measure.ts on our side."""


def peak_rss_mib():
    """The process's peak resident set (VmHWM of /proc/self/status), MiB; NaN where there is no /proc."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")
