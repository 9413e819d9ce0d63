"""Crash points for the crash tests (tests/test_crash.py): `point(name)` kills the process with
SIGKILL when the environment variable NTM_FAULT names it — as a power cut or an OOM kill would, with
no chance to clean up. Does nothing otherwise (one dictionary lookup)."""

import os
import signal


def point(name: str) -> None:
    if os.environ.get("NTM_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
