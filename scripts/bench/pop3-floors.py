#!/usr/bin/env python3
"""The two floors under a POP3 fetch into a Maildir: the network, and the store.

Used by the MailLink fetch benchmark (Benchmarks/MailLinkBenchmarks/FetchBenchmark.swift), which
prints linkmail's time against the larger of the two.

network: implicit TLS to the server (CA trusted, host name verified), USER/PASS, then every
    RETR 1..N written at once and the answers read in 1 MiB reads, counted by their terminating
    CRLF.CRLF (dot-stuffing keeps it unique, RFC 1939 section 3), the bytes dropped; the time
    from connecting to the last terminator. No client can fetch faster over this connection.
store: the messages of a Maildir (the server's own copy of the mailbox) read into memory first,
    then created again in a fresh Maildir the way linkmail makes a batch durable: per round of
    at most 128 messages, every file written into tmp/, all of them fsync'd at once from 8
    threads (so they share the file system's journal commits), renamed into new/, and new/
    fsync'd; the time of the writing only.

Usage: pop3-floors.py network --host H --port P --ca FILE --user U --password-file F --count N
       pop3-floors.py store --source MAILDIR --maildir DIR
Prints "seconds S bytes B messages N"; exit status 1 on any failure.
"""

import argparse
import concurrent.futures
import os
import socket
import ssl
import sys
import time


def network(arguments: argparse.Namespace) -> int:
    with open(arguments.password_file, encoding="utf-8") as handle:
        password = handle.readline().rstrip("\r\n")
    context = ssl.create_default_context(cafile=arguments.ca)
    start = time.perf_counter()
    raw = socket.create_connection((arguments.host, arguments.port), timeout=60)
    connection = context.wrap_socket(raw, server_hostname=arguments.host)
    reader = connection.makefile("rb", buffering=1 << 20)

    def status() -> bytes:
        line = reader.readline()
        if not line.startswith(b"+OK"):
            raise RuntimeError("server said %r" % line[:200])
        return line

    status()
    connection.sendall(b"USER %s\r\nPASS %s\r\n" % (arguments.user.encode(), password.encode()))
    status()
    status()
    connection.sendall(b"".join(b"RETR %d\r\n" % number for number in range(1, arguments.count + 1)))
    # What the reader buffered already, then raw reads; a terminator may straddle two reads.
    pending = reader.read1(1 << 20)
    total = 0
    found = 0
    tail = b""
    while found < arguments.count:
        if not pending:
            pending = connection.recv(1 << 20)
            if not pending:
                raise RuntimeError("connection closed after %d of %d messages" % (found, arguments.count))
        total += len(pending)
        window = tail + pending
        found += window.count(b"\r\n.\r\n")
        tail = window[-4:]
        pending = b""
    elapsed = time.perf_counter() - start
    connection.sendall(b"QUIT\r\n")
    connection.close()
    print("seconds %.4f bytes %d messages %d" % (elapsed, total, arguments.count))
    return 0


def store(arguments: argparse.Namespace) -> int:
    messages = []
    for sub in ("cur", "new"):
        folder = os.path.join(arguments.source, sub)
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), "rb") as handle:
                messages.append(handle.read())
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(arguments.maildir, sub), exist_ok=True)
    temporary = os.path.join(arguments.maildir, "tmp")
    fresh = os.path.join(arguments.maildir, "new")
    host = socket.gethostname().replace("/", "\\057").replace(":", "\\072")
    pid = os.getpid()
    start = time.perf_counter()
    directory = os.open(fresh, os.O_RDONLY | os.O_DIRECTORY)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        for first in range(0, len(messages), 128):
            written = []
            for number, data in enumerate(messages[first:first + 128], first + 1):
                name = "%d.P%dQ%d.%s" % (int(time.time()), pid, number, host)
                path = os.path.join(temporary, name)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                written.append((fd, path, name))
            list(pool.map(lambda entry: os.fsync(entry[0]), written))
            for fd, path, name in written:
                os.close(fd)
                os.rename(path, os.path.join(fresh, name))
            os.fsync(directory)
    os.close(directory)
    elapsed = time.perf_counter() - start
    print("seconds %.4f bytes %d messages %d" % (elapsed, sum(map(len, messages)), len(messages)))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    net = commands.add_parser("network")
    net.add_argument("--host", required=True)
    net.add_argument("--port", type=int, required=True)
    net.add_argument("--ca", required=True)
    net.add_argument("--user", required=True)
    net.add_argument("--password-file", required=True)
    net.add_argument("--count", type=int, required=True)
    disk = commands.add_parser("store")
    disk.add_argument("--source", required=True)
    disk.add_argument("--maildir", required=True)
    arguments = parser.parse_args()
    try:
        return network(arguments) if arguments.command == "network" else store(arguments)
    except (OSError, RuntimeError, ssl.SSLError) as error:
        print("pop3-floors: %s" % error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
