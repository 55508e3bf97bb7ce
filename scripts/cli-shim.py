"""Runs the reference CLI (Samueli924/chaoxing), unmodified, against the local simulator.

Usage: python3 cli-shim.py <simulator base URL> <CLI directory> [CLI arguments...]

The CLI has its Chaoxing hosts written in (https://passport2.chaoxing.com, mooc1, mooc2-ans, ...). Nothing
of its files is changed: at run time this sends every request for a *.chaoxing.com URL to the simulator
instead, naming the host it was for in `X-Cx-Host`, and hands the CLI back a response that still says the
original URL, so its cookie jar keeps the `.chaoxing.com` cookies as it would against the real hosts.

Two stand-ins for what this machine lacks, neither in the CLI's own code:
- `queue.ShutDown` and `Queue.shutdown()` (Python 3.13) on an older Python: the CLI's worker threads end
  on them once a course's chapters are done;
- an empty `openai` module where the package is absent: the CLI imports it at start for its AI question
  bank, which this run never uses.
"""

import os
import queue
import runpy
import sys
import types
import urllib.parse

SIM = sys.argv[1].rstrip("/")
CLI = os.path.abspath(sys.argv[2])
ARGS = sys.argv[3:]

if not hasattr(queue, "ShutDown"):

    class ShutDown(Exception):
        """Raised by put()/get() on a queue that was shut down (Python 3.13)."""

    queue.ShutDown = ShutDown
    _get = queue.Queue.get
    _put = queue.Queue.put

    def shutdown(self, immediate=False):
        with self.mutex:
            self._is_shutdown = True
            if immediate:
                while self._qsize():
                    self._get()
                    if self.unfinished_tasks > 0:
                        self.unfinished_tasks -= 1
                self.all_tasks_done.notify_all()
            self.not_empty.notify_all()
            self.not_full.notify_all()

    def get(self, block=True, timeout=None):
        with self.not_empty:
            while True:
                if self._qsize():
                    item = self._get()
                    self.not_full.notify()
                    return item
                if getattr(self, "_is_shutdown", False):
                    raise ShutDown
                if not block:
                    raise queue.Empty
                self.not_empty.wait(timeout)
                if timeout is not None and not self._qsize() and not getattr(self, "_is_shutdown", False):
                    raise queue.Empty

    def put(self, item, block=True, timeout=None):
        if getattr(self, "_is_shutdown", False):
            raise ShutDown
        return _put(self, item, block, timeout)

    queue.Queue.shutdown = shutdown
    queue.Queue.get = get
    queue.Queue.put = put

try:
    import openai  # noqa: F401
except ImportError:
    stub = types.ModuleType("openai")

    class OpenAI:  # the AI question bank's client; never constructed in this run
        def __init__(self, *a, **k):
            raise RuntimeError("openai is not installed")

    stub.OpenAI = OpenAI
    sys.modules["openai"] = stub

import requests  # noqa: E402  (after the stand-ins above)
from requests.adapters import HTTPAdapter  # noqa: E402

_send = HTTPAdapter.send


def send(self, request, **kwargs):
    url = urllib.parse.urlsplit(request.url)
    if not (url.hostname or "").endswith("chaoxing.com"):
        return _send(self, request, **kwargs)
    local = request.copy()
    local.url = f"{SIM}{url.path}" + (f"?{url.query}" if url.query else "")
    local.headers["X-Cx-Host"] = url.hostname
    response = _send(self, local, **kwargs)
    # The CLI sees the host it asked for: its jar stores the cookies for that domain, redirects resolve there.
    response.url = request.url
    response.request = request
    return response


HTTPAdapter.send = send

sys.path.insert(0, CLI)
sys.argv = [os.path.join(CLI, "main.py"), *ARGS]
runpy.run_path(os.path.join(CLI, "main.py"), run_name="__main__")
