"""Failpoints: named places where a test can make the process die or fail on purpose.

`MHSIP_FAILPOINT=<name>[:<n>]` makes the n-th (default first) pass through `failpoint(name)`
act: `MHSIP_FAILPOINT_ACTION=kill` (default) sends SIGKILL to this process, as a crash or an
OOM kill would (from a compute worker process, to the run's process first: the run dies, as a
crash of the machine would kill it; the n-th pass is then counted per process); `raise` raises
`InjectedFault`. With the variable unset this is one dict lookup.
Used by the crash-safety and fault-injection tests; never set in production.
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

NAMES = (
    "collected_before_ack",  # a collected file is archived and landed, the source not yet told
    "after_archive",  # the file is in the raw archive, nothing else written
    "after_lake_write",  # the lake partition is replaced, the warehouse not yet
    "inside_warehouse_transaction",  # old facts deleted and new ones inserted, not committed
    "after_commit_before_marts",  # partitions committed, marts not refreshed
)
_passes: Counter[str] = Counter()
_lock = threading.Lock()


class InjectedFault(RuntimeError):  # noqa: N818 - reads as what it is
    """Raised by a failpoint in `raise` mode."""


def failpoint(name: str) -> None:
    spec = os.environ.get("MHSIP_FAILPOINT")
    if not spec:
        return
    target, _, nth = spec.partition(":")
    if target != name:
        return
    with _lock:
        _passes[name] += 1
        hit = _passes[name] == int(nth or 1)
    if not hit:
        return
    if os.environ.get("MHSIP_FAILPOINT_ACTION", "kill") == "raise":
        raise InjectedFault(f"injected fault at {name}")
    run_pid = os.environ.get("MHSIP_RUN_PID")  # in a compute worker: the run dies, as a whole
    if run_pid and int(run_pid) != os.getpid():
        os.kill(int(run_pid), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
