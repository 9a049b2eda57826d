"""What every end-to-end test here needs."""
import socket
import sys
import time
import urllib.request


def free_port():
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(base, proc=None, seconds=120):
    """Until the server at `base` answers /health with 200; the demo's simulated history is written before it
    listens (several seconds for five weeks). Stops the test when it never does, or when `proc` (its process)
    exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            return
        except Exception:
            if proc is not None and proc.poll() is not None:
                sys.exit(f"the server at {base} exited with {proc.returncode} before it answered")
            time.sleep(0.05)
    sys.exit(f"the server at {base} did not start in {seconds} s")
