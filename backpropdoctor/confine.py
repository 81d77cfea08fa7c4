"""Operating-system confinement for the process that runs a user's code.

Homework is untrusted: it may loop, allocate without end, fork, read the CI
job's secrets or write over another student's files. `sandbox.py` calls
these functions in the child before the user's file is loaded. Each one
says what it actually achieved, since what the kernel allows differs
between machines (a laptop, a CI runner, a container), and the report
states it rather than promising isolation it did not get.

- resource limits: address space, CPU seconds, file size, open files, no core files;
- a fresh network namespace (no interface but a downed loopback);
- Landlock: reads limited to Python's own files and the submission's
  copy, writes limited to that copy, TCP and signals to outside denied.
"""

from __future__ import annotations

import ctypes
import os
import resource
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Limits:
    """Per-child resource ceilings; `cpu_seconds` is a backstop behind the wall-clock timeout."""

    memory_mb: int = 4096
    cpu_seconds: int = 70
    file_size_mb: int = 256
    open_files: int = 256


def set_limits(limits: Limits) -> dict[str, int]:
    """Apply the rlimits to this process; returns the ones in force."""
    applied: dict[str, int] = {}
    wanted = {
        "RLIMIT_AS": limits.memory_mb * 1024 * 1024 if limits.memory_mb else None,
        "RLIMIT_CPU": limits.cpu_seconds or None,
        "RLIMIT_FSIZE": limits.file_size_mb * 1024 * 1024 if limits.file_size_mb else None,
        "RLIMIT_NOFILE": limits.open_files or None,
        "RLIMIT_CORE": 0,
    }
    for name, value in wanted.items():
        if value is None or not hasattr(resource, name):
            continue
        which = getattr(resource, name)
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        soft_hard = (value, value + 5) if name == "RLIMIT_CPU" and hard == resource.RLIM_INFINITY else (value, value)
        try:
            resource.setrlimit(which, soft_hard)
            applied[name] = value
        except (ValueError, OSError):
            pass
    return applied


_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def isolate_network() -> str:
    """Move this process into a new network namespace; must run before any thread starts."""
    if not sys.platform.startswith("linux"):
        return "not isolated (network namespaces need Linux)"
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWNET) == 0:
        return "isolated (new network namespace)"
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return f"not isolated (the kernel refused a network namespace: {os.strerror(ctypes.get_errno())})"
    try:  # keep our own uid inside the new user namespace, so files are still created as us
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError as exc:
        return f"isolated (new network namespace), but the uid map failed: {exc.strerror}"
    return "isolated (new user and network namespace)"


# Landlock (linux/landlock.h); the syscall numbers are the same on every architecture.
_SYS_CREATE, _SYS_ADD_RULE, _SYS_RESTRICT = 444, 445, 446
_RULE_PATH_BENEATH, _CREATE_VERSION = 1, 1
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_WRITE_DIR_RIGHTS = sum(1 << bit for bit in range(4, 13))  # remove, make char/dir/reg/sock/fifo/block/sym
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1
_PR_SET_NO_NEW_PRIVS = 38


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def system_read_paths() -> list[str]:
    """What Python, numpy and the usual libraries read: the interpreter, its libraries, system files."""
    paths = {"/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/dev", "/sys/devices/system/cpu",
             "/proc/self", "/proc/thread-self", "/proc/cpuinfo", "/proc/meminfo", "/proc/stat",
             sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(sys.executable).resolve().parent.parent), str(Path(__file__).resolve().parent)}
    for entry in sys.path:
        path = Path(entry or ".").resolve()
        if path.suffix == ".zip" or any(part in ("site-packages", "dist-packages") for part in path.parts) \
                or path.name.startswith("python3") or path.name == "lib-dynload":
            paths.add(str(path))
    return sorted(p for p in paths if os.path.exists(p))


def confine_filesystem(writable: list[str], readable: list[str]) -> str:
    """Landlock this process: read only `readable` (+ `writable`), write only in `writable`."""
    if not sys.platform.startswith("linux"):
        return "not confined (Landlock needs Linux)"
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(_SYS_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_VERSION))
    if abi < 1:
        return f"not confined (Landlock unavailable: {os.strerror(ctypes.get_errno())})"
    read = _EXECUTE | _READ_FILE | _READ_DIR
    write = _WRITE_FILE | _WRITE_DIR_RIGHTS | (_REFER if abi >= 2 else 0) | (_TRUNCATE if abi >= 3 else 0)
    ioctl = _IOCTL_DEV if abi >= 5 else 0
    attr = _RulesetAttr(handled_access_fs=read | write | ioctl,
                        handled_access_net=(_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0,
                        scoped=(_SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL) if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = libc.syscall(_SYS_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return f"not confined (Landlock refused the ruleset: {os.strerror(ctypes.get_errno())})"
    try:
        rules = [(p, read | ioctl) for p in readable] + [(p, read | write | ioctl) for p in writable]
        rules.append(("/dev/null", _READ_FILE | _WRITE_FILE | (_TRUNCATE if abi >= 3 else 0)))
        for path, access in rules:
            _allow(libc, ruleset, path, access)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or libc.syscall(_SYS_RESTRICT, ruleset, 0) != 0:
            return f"not confined (Landlock restrict failed: {os.strerror(ctypes.get_errno())})"
    finally:
        os.close(ruleset)
    extras = ["TCP denied" if abi >= 4 else "", "no signals outside" if abi >= 6 else ""]
    return "confined by Landlock: writes only in the submission's temporary copy, reads only Python's files" + \
        "".join(f"; {e}" for e in extras if e)


def _allow(libc: ctypes.CDLL, ruleset: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):  # files take only file rights
            access &= _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV
        rule = _PathBeneath(allowed_access=access, parent_fd=fd)
        libc.syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0)
    finally:
        os.close(fd)


PASSED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "LD_LIBRARY_PATH", "PYTHONHOME", "SYSTEMROOT")


def scrubbed_env(home: str, pythonpath: list[str], passed: tuple[str, ...] = ()) -> dict[str, str]:
    """Only what Python needs: CI tokens and every other variable stay with the parent."""
    env = {name: os.environ[name] for name in (*PASSED_ENV, *passed) if name in os.environ}
    env.setdefault("PATH", os.defpath)
    env.update({
        "HOME": home, "TMPDIR": home, "MPLCONFIGDIR": home, "MPLBACKEND": "Agg",
        "PYTHONPATH": os.pathsep.join(pythonpath), "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1", "LANG": env.get("LANG", "C.UTF-8"),
    })
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS"):
        env[var] = "1"
    return env
