"""Warm kernels: one long-lived Jupyter kernel per worker thread, reused across notebooks.

Starting a kernel and importing pandas, seaborn and sdrapport costs seconds; the notebooks of a
gemeente take a fraction of that. A batch therefore keeps one kernel per worker thread and runs
every notebook through papermill in it. papermill stays the executor of record: the notebook is
parameterised, executed and written by `papermill.execute_notebook`; only the engine differs. The
engine `sdrapport-warm` (registered here) hands papermill's notebook client the running kernel and
its client instead of letting nbclient start and stop one per notebook; nbclient does not shut
down a kernel manager it did not create (`owns_km`).

Before each notebook the kernel is reset: the user namespace is cleared
(`InteractiveShell.reset`), all figures are closed, matplotlib's rcParams (and so any seaborn
theme) are restored to the snapshot taken at start, and the working folder is restored. Imported
modules stay loaded: that is the speed gain, and it is safe because the library keeps no
per-gemeente state at module level.

One kernel serves one thread (the kernels are keyed by process and thread). The kernel is started
in `notebooks/` and reset to it, so papermill is given no `cwd` for a warm run: its chdir is
process-wide (papermill#473) and would race between the worker threads of a local batch.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import remove_args

ENGINE = "sdrapport-warm"
# The kernel's own log goes to the terminal of whoever started it. Its messages are about the
# kernel machinery, never about a notebook (a failing cell is an error output; a dead kernel is
# reported by the runner): e.g. "KeyboardInterrupt caught in kernel", logged when jupyter_client
# interrupts the kernel before shutting it down. Only critical ones are let through.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
START_ATTEMPTS = 3  # kernel start can fail transiently (ZMQ 'Address already in use', papermill#511)

# Runs once in a fresh kernel: import what the notebooks import (so the first notebook is not
# slower than the rest) and remember the state to restore before every notebook. The snapshot
# lives in a module in sys.modules, out of reach of the namespace reset.
_INIT = """
import os as _os, sys as _sys, types as _types, warnings as _warnings
import matplotlib as _mpl
import matplotlib.pyplot as _plt
import sdrapport as _sdr, sdrapport.presentation.report, sdrapport.indicators.targets
import sdrapport.presentation.elements.components, sdrapport.presentation.elements.texts
_state = _types.ModuleType("_sdrapport_warm")
_state.rc = {k: dict.__getitem__(_mpl.rcParams, k) for k in dict.keys(_mpl.rcParams)}  # raw values, no validation
_state.cwd = _os.getcwd()
_state.path = list(_sys.path)
_state.env = dict(_os.environ)
_sys.modules["_sdrapport_warm"] = _state
del _os, _sys, _types, _warnings, _mpl, _plt, _sdr, _state
"""

# Runs before every notebook (silently, outside the notebook): a fresh namespace and a clean
# plotting and process state, so nothing of the previous gemeente is visible.
# InteractiveShell.reset ends with a full gc.collect(), 60 ms with pandas' heap: more than the
# whole papermill overhead of a notebook. The reset runs without it; a full collection runs every
# FULL_GC_EVERY notebooks (and Python's own generational collection keeps running in between).
FULL_GC_EVERY = 25
_RESET = """
import gc as _gc, sys as _sys
_state = _sys.modules["_sdrapport_warm"]
_state.runs = getattr(_state, "runs", 0) + 1
_state.collect, _gc.collect = _gc.collect, (lambda *a, **k: 0)
try:
    get_ipython().reset(new_session=False)
finally:  # the reset has just removed _gc and _state from the namespace
    __import__("gc").collect = __import__("sys").modules["_sdrapport_warm"].collect
import gc as _gc, os as _os, sys as _sys, warnings as _warnings
import matplotlib as _mpl, matplotlib.pyplot as _plt
_state = _sys.modules["_sdrapport_warm"]
_plt.close("all")
_gc.collect() if _state.runs % %(every)d == 0 else _gc.collect(1)
# Hand freed memory back to the system: pyarrow's pool (pandas' string columns) and glibc keep it
# otherwise, and two kernels each holding the high-water mark of their largest notebook add up.
if "pyarrow" in _sys.modules:
    _sys.modules["pyarrow"].default_memory_pool().release_unused()
try:
    import ctypes as _ctypes
    _ctypes.CDLL("libc.so.6").malloc_trim(0)
    del _ctypes
except (OSError, AttributeError):
    pass
with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")
    dict.update(_mpl.rcParams, _state.rc)  # raw restore: no validation, no deprecation noise
_os.chdir(_state.cwd)
_sys.path[:] = _state.path
for _k in set(_os.environ) - set(_state.env):
    del _os.environ[_k]
_os.environ.update(_state.env)
get_ipython().execution_count = 1
del _gc, _os, _sys, _warnings, _mpl, _plt, _state
""".replace("%(every)d", str(FULL_GC_EVERY))


class KernelStartError(RuntimeError):
    pass


class WarmKernel:
    """A started kernel (manager and client) that notebooks are executed in, one after another."""

    def __init__(self, cwd: Path, kernel_name: str = "python3", startup_timeout: int = 60):
        self.cwd = str(cwd)
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self._holder: NotebookClient | None = None
        self.notebooks = 0  # executed since the last start
        self.starts = 0
        self.tag = ""
        self._ipc: str | None = None

    @property
    def km(self):
        return self._holder.km

    @property
    def kc(self):
        return self._holder.kc

    def start(self) -> None:
        last: Exception | None = None
        for _ in range(START_ATTEMPTS):
            holder = NotebookClient(nbformat.v4.new_notebook(), kernel_name=self.kernel_name,
                                    startup_timeout=self.startup_timeout, timeout=120, extra_arguments=KERNEL_ARGUMENTS)
            try:
                holder.km = holder.create_kernel_manager()
                # Unix sockets in a private folder instead of TCP ports: no port collisions
                # between parallel kernels (papermill#511) and no plain-TCP warning per kernel.
                self._ipc = tempfile.mkdtemp(prefix="sdrapport-kernel-")
                holder.km.transport = "ipc"
                holder.km.ip = os.path.join(self._ipc, "k")
                holder.start_new_kernel(cwd=self.cwd)
                holder.start_new_kernel_client()
                self._holder = holder
                self._run(_INIT)
                self.starts += 1
                self.notebooks = 0
                return
            except Exception as exc:  # noqa: BLE001 - any start failure is retried, then reported
                last = exc
                self._holder = holder
                self.shutdown()
        raise KernelStartError(f"kernel start mislukt na {START_ATTEMPTS} pogingen: {last}")

    def _run(self, code: str) -> None:
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        reply = self._holder.wait_for_reply(msg_id)
        content = (reply or {}).get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"kernel reset mislukt: {content.get('ename')}: {content.get('evalue')}")

    def reset(self) -> None:
        self._run(_RESET)

    def alive(self) -> bool:
        if self._holder is None or self._holder.km is None:
            return False
        try:
            from jupyter_core.utils import run_sync

            return bool(run_sync(self._holder.km.is_alive)())
        except Exception:  # noqa: BLE001
            return False

    def restart(self) -> None:
        self.shutdown()
        self.start()

    def shutdown(self) -> None:
        if self._holder is not None and self._holder.km is not None:
            try:
                self._holder._cleanup_kernel()  # stops the client channels and the kernel process
            except Exception:  # noqa: BLE001 - a dead kernel may refuse a clean shutdown
                pass
        self._holder = None
        if self._ipc:
            shutil.rmtree(self._ipc, ignore_errors=True)
            self._ipc = None


class WarmEngine(NBClientEngine):
    """papermill engine: execute in an already running kernel (`warm=WarmKernel`)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, warm: WarmKernel | None = None,
                                 finish=None, **kwargs):
        if warm is None:
            return super().execute_managed_notebook(nb_man, kernel_name, log_output=log_output, stdout_file=stdout_file,
                                                    stderr_file=stderr_file, start_timeout=start_timeout,
                                                    execution_timeout=execution_timeout, **kwargs)
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        client = PapermillNotebookClient(
            nb_man, km=warm.km, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
            log=logger, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file, **kwargs,
        )
        client.kc = warm.kc  # reuse the running client: no new ZMQ sockets per notebook
        warm.reset()
        warm.notebooks += 1
        nb = client.execute()
        if finish is not None:  # post-process before papermill writes the notebook (one write, not two)
            finish(nb)
        return nb


papermill_engines.register(ENGINE, WarmEngine)

# One kernel per (process, thread): a Dask worker keeps it between tasks. The tag (the library
# hash) starts a new kernel when the library changed, so a long-lived remote worker never runs
# notebooks against stale imported modules.
_KERNELS: dict[tuple[int, int, str], WarmKernel] = {}
_LOCK = threading.Lock()


def warm_kernel(cwd: Path, kernel_name: str = "python3", tag: str = "") -> WarmKernel:
    key = (os.getpid(), threading.get_ident(), str(cwd))
    with _LOCK:
        kernel = _KERNELS.get(key)
    if kernel is not None and kernel.tag != tag:
        kernel.shutdown()
        kernel = None
    if kernel is None:
        kernel = WarmKernel(cwd, kernel_name)
        kernel.tag = tag
        with _LOCK:
            _KERNELS[key] = kernel
    if not kernel.alive():
        kernel.restart()
    return kernel


def shutdown_kernels() -> None:
    with _LOCK:
        kernels = list(_KERNELS.values())
        _KERNELS.clear()
    for kernel in kernels:
        kernel.shutdown()


atexit.register(shutdown_kernels)
