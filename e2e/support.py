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


def wait_up(base):
    """Until the server at `base` answers /health; the demo's simulated history is written before it listens
    (several seconds for five weeks). Exits the test when it never does."""
    for _ in range(1200):
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            return
        except Exception:
            time.sleep(0.05)
    sys.exit("server did not start")
