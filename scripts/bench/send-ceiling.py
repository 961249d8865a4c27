#!/usr/bin/env python3
"""The send benchmark's ceiling: what the server allows on one connection.

One connection: STARTTLS with the given CA, AUTH PLAIN, then every transaction written at
once (MAIL FROM, RCPT TO and the message as `BDAT n LAST`, RFC 3030, or with --data as DATA
plus the dot-stuffed message, not waiting for the 354), reading the replies as they come
(one thread, non-blocking); then QUIT. The same message file N times. Exits 1 unless every reply was positive.
Prints `sent N messages` like linkmail.

usage: send-ceiling.py --server HOST:PORT --ca FILE --user USER --password-file FILE
                       --from ADDR --to ADDR --message-file FILE --count N [--data]
"""
import argparse
import base64
import select
import socket
import ssl
import sys


def read_reply(stream):
    """One reply (all its lines); returns its code."""
    while True:
        line = stream.readline()
        if not line:
            raise ConnectionError("the server closed the connection")
        if line[3:4] != b"-":
            return int(line[:3])


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in ("server", "ca", "user", "password-file", "from", "to", "message-file"):
        parser.add_argument("--" + name, required=True)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--data", action="store_true")
    args = parser.parse_args()
    host, port = args.server.rsplit(":", 1)
    with open(args.password_file, encoding="utf-8") as handle:
        password = handle.readline().rstrip("\n")
    with open(args.message_file, "rb") as handle:
        message = handle.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    sender = getattr(args, "from")

    raw = socket.create_connection((host, int(port)), timeout=60)
    stream = raw.makefile("rb")
    assert read_reply(stream) == 220
    raw.sendall(b"EHLO ceiling.test\r\n")
    assert read_reply(stream) == 250
    raw.sendall(b"STARTTLS\r\n")
    assert read_reply(stream) == 220
    context = ssl.create_default_context(cafile=args.ca)
    tls = context.wrap_socket(raw, server_hostname=host)
    stream = tls.makefile("rb")
    tls.sendall(b"EHLO ceiling.test\r\n")
    assert read_reply(stream) == 250
    token = base64.b64encode(b"\0" + args.user.encode() + b"\0" + password.encode())
    tls.sendall(b"AUTH PLAIN " + token + b"\r\n")
    assert read_reply(stream) == 235

    envelope = b"MAIL FROM:<%s>\r\n" % sender.encode()
    for recipient in args.to.split(","):
        envelope += b"RCPT TO:<%s>\r\n" % recipient.encode()
    replies_per_message = 1 + len(args.to.split(",")) + 1
    if args.data:
        body = b"\r\n".join(b"." + line if line.startswith(b".") else line for line in message.split(b"\r\n"))
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        transaction = envelope + b"DATA\r\n" + body + b".\r\n"
        replies_per_message += 1
    else:
        transaction = envelope + b"BDAT %d LAST\r\n" % len(message) + message

    # One thread, non-blocking: write whenever the socket takes more, read whenever replies
    # arrive (an SSL object must not be read and written from two threads at once).
    outgoing = memoryview(transaction * args.count)
    sent = 0
    expected = args.count * replies_per_message
    received = 0
    failures = []
    pending = b""
    tls.setblocking(False)
    while received < expected:
        wanted_write = [tls] if sent < len(outgoing) else []
        readable, writable, _ = select.select([tls], wanted_write, [], 60)
        if not readable and not writable and not tls.pending():
            raise TimeoutError("the server stopped answering")
        if writable:
            try:
                sent += tls.send(outgoing[sent:sent + 262144])
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
                pass
        while True:
            try:
                data = tls.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                break
            if not data:
                raise ConnectionError("the server closed the connection")
            pending += data
            *lines, pending = pending.split(b"\r\n")
            for line in lines:
                if line[3:4] != b"-":
                    received += 1
                    if int(line[:3]) >= 400:
                        failures.append(int(line[:3]))
            if not tls.pending():
                break
    tls.setblocking(True)
    stream = tls.makefile("rb")
    tls.sendall(b"QUIT\r\n")
    read_reply(stream)
    tls.close()
    if failures:
        print(f"{len(failures)} replies were failures: {sorted(set(failures))}", file=sys.stderr)
        return 1
    print(f"sent {args.count} messages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
