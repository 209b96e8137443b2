"""Runs llama-cpp-python's server for the app, and ends it when the app is gone.

Started by local_server.py with the llama venv's Python: `llama_child.py APP_PID <server args>`.
A thread watches the app's process; when the app ends in any way (Ctrl+C, SIGTERM,
SIGKILL, a crash), the server ends within a second, so no model server is left
holding memory and a port. Stands alone: it runs in the other venv and imports nothing of the app.
"""

import os
import runpy
import sys
import threading
import time


def _watch(app_pid: int) -> None:
    while True:
        try:
            os.kill(app_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass  # exists, owned by someone else: pid reuse is not worth guarding here
        if os.getppid() != app_pid:
            os._exit(0)  # re-parented: the app has gone
        time.sleep(0.5)


if __name__ == "__main__":
    # This file's folder (the app's assistant/llm) must not shadow the llama venv's modules.
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        sys.path.pop(0)
    app_pid = int(sys.argv[1])
    threading.Thread(target=_watch, args=(app_pid,), daemon=True).start()
    sys.argv = ["llama_cpp.server", *sys.argv[2:]]
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
