#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""pty-run.py [--size ROWSxCOLS] STEP... -- COMMAND [ARG...]

Runs COMMAND on a new pseudo-terminal of the given size, as a user at a
terminal would, and plays the steps in order:
  expect:TEXT   wait (up to 10 s) until the output so far contains TEXT
  send:TEXT     type TEXT (Python escapes: \\n, \\x03 for ctrl-c...)
  resize:RxC    change the terminal's size (the command gets SIGWINCH)
  sleep:SECONDS
Prints everything the command wrote and exits with its exit status (an
expect that times out exits 124)."""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    args = sys.argv[1:]
    size = (24, 80)
    if args and args[0] == "--size":
        rows, cols = args[1].split("x")
        size = (int(rows), int(cols))
        args = args[2:]
    split = args.index("--")
    steps, command = args[:split], args[split + 1:]
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    set_size(master, *size)
    output = bytearray()

    def pump(timeout):
        ready, _, _ = select.select([master], [], [], timeout)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                return False
            if not data:
                return False
            output.extend(data)
        return True

    for step in steps:
        kind, _, value = step.partition(":")
        if kind == "expect":
            deadline = time.time() + 10
            want = value.encode().decode("unicode_escape").encode()
            while want not in output:
                if time.time() > deadline or not pump(0.1) and want not in output:
                    sys.stdout.buffer.write(bytes(output))
                    sys.stderr.write(f"pty-run: timed out waiting for {value!r}\n")
                    os.kill(pid, signal.SIGKILL)
                    sys.exit(124)
        elif kind == "send":
            os.write(master, value.encode().decode("unicode_escape").encode())
        elif kind == "resize":
            rows, cols = value.split("x")
            set_size(master, int(rows), int(cols))
            os.kill(pid, signal.SIGWINCH)
        elif kind == "sleep":
            end = time.time() + float(value)
            while time.time() < end:
                pump(max(0.0, end - time.time()))
        else:
            sys.exit(f"pty-run: unknown step {step!r}")
    while pump(10):
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(bytes(output))
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


main()
