"""Landlock through ctypes: restrict the calling process to a list of paths (no dependency, no root).

Landlock is the kernel's unprivileged sandbox (Linux >= 5.13). A process builds a ruleset that
names the kinds of access it wants handled, adds "allow" rules for path hierarchies (and, from
ABI 4, TCP ports), then restricts itself: from then on, it and every process it forks can only
do the handled accesses that a rule allows. It cannot be undone.

ABI versions used here: 1 (filesystem), 2 (REFER), 3 (TRUNCATE), 4 (TCP bind/connect),
5 (IOCTL_DEV), 6 (scoping of abstract unix sockets and signals to the domain), 7 (audit flags,
no new rights). Only x86-64 and aarch64 syscall numbers are known here (both use the generic ones).

This module is imported by the sandbox child before any submission code runs; it holds no grading data.
"""
from __future__ import annotations

import ctypes
import errno
import os
import platform
import stat
from dataclasses import dataclass, field

# syscall numbers (the same on x86-64 and on the generic table used by aarch64/riscv64)
_SYS_CREATE_RULESET = 444
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446

_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_RULE_NET_PORT = 2
_PR_SET_NO_NEW_PRIVS = 38

# filesystem access rights
FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5

NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1  # ABI 4

SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

# rights that make sense on a regular file (a rule on a file may only hold these)
_FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV

READ = FS_READ_FILE | FS_READ_DIR
READ_EXEC = READ | FS_EXECUTE


def fs_rights(abi: int) -> int:
    """Every filesystem right that the kernel's ABI knows."""
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = None


def _syscall():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
        _libc.prctl.restype = ctypes.c_int
    return _libc


class LandlockError(OSError):
    pass


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is unavailable (old kernel, disabled, other arch)."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "aarch64", "riscv64"):
        return 0
    libc = _syscall()
    r = libc.syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return int(r) if r > 0 else 0


@dataclass
class Ruleset:
    """Collects rules, then :meth:`restrict` applies them to this process (and its future children)."""

    abi: int
    deny_tcp: bool = True
    scope: bool = True
    rules: list[tuple[str, int]] = field(default_factory=list)

    def allow(self, path: str, rights: int) -> None:
        self.rules.append((path, rights))

    def restrict(self) -> dict:
        """Apply the ruleset; returns what was enforced: {"abi", "fs", "tcp", "scoped", "rules", "skipped"}.

        Missing paths are skipped (listed in "skipped"); any other failure raises LandlockError.
        """
        if self.abi < 1:
            raise LandlockError(errno.ENOSYS, "Landlock is not available")
        libc = _syscall()
        handled_fs = fs_rights(self.abi)
        attr = _RulesetAttr(handled_fs, 0, 0)
        if self.abi >= 4 and self.deny_tcp:
            attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        if self.abi >= 6 and self.scope:
            attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 8 if self.abi < 4 else 16 if self.abi < 6 else 24  # the struct as this ABI knows it
        fd = libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
        if fd < 0:
            e = ctypes.get_errno()
            raise LandlockError(e, f"landlock_create_ruleset: {os.strerror(e)}")
        skipped: list[str] = []
        added = 0
        try:
            for path, rights in self.rules:
                try:
                    pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    skipped.append(path)
                    continue
                try:
                    if not stat.S_ISDIR(os.fstat(pfd).st_mode):
                        rights &= _FILE_RIGHTS
                    rights &= handled_fs
                    rule = _PathBeneathAttr(rights, pfd)
                    r = libc.syscall(_SYS_ADD_RULE, ctypes.c_int(fd), ctypes.c_int(_RULE_PATH_BENEATH),
                                     ctypes.byref(rule), ctypes.c_uint32(0))
                    if r < 0:
                        e = ctypes.get_errno()
                        raise LandlockError(e, f"landlock_add_rule({path}): {os.strerror(e)}")
                    added += 1
                finally:
                    os.close(pfd)
            if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
                e = ctypes.get_errno()
                raise LandlockError(e, f"prctl(NO_NEW_PRIVS): {os.strerror(e)}")
            if libc.syscall(_SYS_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0)) != 0:
                e = ctypes.get_errno()
                raise LandlockError(e, f"landlock_restrict_self: {os.strerror(e)}")
        finally:
            os.close(fd)
        return {"abi": self.abi, "fs": True, "tcp": bool(attr.handled_access_net), "scoped": bool(attr.scoped),
                "rules": added, "skipped": skipped}
