#!/usr/bin/env python3
"""Fetch every message of a POP3 mailbox over implicit TLS into a Maildir with Python's poplib.

The MailLink fetch benchmark's "Python poplib" peer (Benchmarks/MailLinkBenchmarks/FetchBenchmark.swift).
It does what a careful small script does, no more: POP3_SSL with the given CA trusted (the host
name is verified), USER/PASS, UIDL, then for each message RETR and a Maildir delivery the
standard way (write into tmp/, flush, fsync, rename into new/). Copies stay on the server
(no DELE) and no UIDL memory is kept between runs, so every run fetches everything.

Usage: poplib-fetch.py --host H --port P --ca FILE --user U --password-file F --maildir DIR
Prints "fetched N messages (B bytes)" on success; exit status 1 on any failure.
"""

import argparse
import os
import poplib
import socket
import ssl
import sys
import time

# poplib refuses lines longer than _MAXLINE (2048) by default; RFC 5322 allows 998 octets plus
# CRLF, so the default is enough for the benchmark's messages and it is left alone.


class MaildirWriter:
    """Delivers messages into DIR/new through DIR/tmp with unique names (maildir(5))."""

    def __init__(self, path: str) -> None:
        self.path = path
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(path, sub), exist_ok=True)
        self.host = socket.gethostname().replace("/", "\\057").replace(":", "\\072")
        self.pid = os.getpid()
        self.count = 0

    def deliver(self, data: bytes) -> None:
        self.count += 1
        name = "%d.P%dQ%d.%s" % (int(time.time()), self.pid, self.count, self.host)
        temporary = os.path.join(self.path, "tmp", name)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(temporary, os.path.join(self.path, "new", name))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password-file", required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    options = parser.parse_args()

    with open(options.password_file, encoding="utf-8") as file:
        password = file.read().rstrip("\r\n")
    context = ssl.create_default_context(cafile=options.ca)
    maildir = MaildirWriter(options.maildir)

    server = poplib.POP3_SSL(options.host, options.port, context=context, timeout=options.timeout)
    total = 0
    try:
        server.user(options.user)
        server.pass_(password)
        _, listing, _ = server.uidl()
        numbers = [int(entry.split()[0]) for entry in listing]
        for number in numbers:
            _, lines, _ = server.retr(number)
            # poplib strips the CRLF of each line and undoes dot-stuffing; a Maildir holds LF lines.
            data = b"\n".join(lines) + b"\n"
            maildir.deliver(data)
            total += len(data)
        server.quit()
    except Exception:
        server.close()
        raise
    print("fetched %d messages (%d bytes)" % (len(numbers), total))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, poplib.error_proto, ssl.SSLError) as error:
        print("poplib-fetch: %s" % error, file=sys.stderr)
        sys.exit(1)
