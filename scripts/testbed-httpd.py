#!/usr/bin/env python3
"""Static file server of the MailLink test bench (started by scripts/testbed).

One process serves the autoconfig docroot over HTTP and HTTPS (the bench certificate).
Every file is sent as ``text/xml; charset=utf-8``, because Thunderbird-style clients only
parse autoconfig answers whose Content-Type is XML, and the ISPDB layout (/v1.1/<domain>)
has no file extension to guess from. Query strings (?emailaddress=...) are ignored.

With --blackhole PORT it instead keeps a listener on 127.0.0.1:PORT whose accept queue is
full, so the kernel drops further SYNs and connects time out (the fallback when nft is not
usable).
"""

import argparse
import functools
import http.server
import socket
import ssl
import sys
import threading
import time


class AutoconfigHandler(http.server.SimpleHTTPRequestHandler):
    log_file = None
    timeout = 10

    def guess_type(self, path):
        return "text/xml; charset=utf-8"

    def list_directory(self, path):
        self.send_error(404, "Not Found")
        return None

    def log_message(self, format, *args):
        if self.log_file is not None:
            self.log_file.write("%s %s\n" % (self.address_string(), format % args))
            self.log_file.flush()


def serve(server):
    server.serve_forever()


def blackhole(port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(0)
    fillers = []
    # With backlog 0 the accept queue holds one connection; fill it (and a spare) and never
    # accept, so every later SYN is dropped.
    for _ in range(2):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    while True:
        time.sleep(3600)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root")
    parser.add_argument("--http", type=int)
    parser.add_argument("--https", type=int)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--log")
    parser.add_argument("--blackhole", type=int)
    args = parser.parse_args()
    if args.blackhole:
        blackhole(args.blackhole)
        return
    if args.log:
        AutoconfigHandler.log_file = open(args.log, "a", buffering=1)
    handler = functools.partial(AutoconfigHandler, directory=args.root)
    http.server.ThreadingHTTPServer.allow_reuse_address = True
    plain = http.server.ThreadingHTTPServer(("127.0.0.1", args.http), handler)
    secure = http.server.ThreadingHTTPServer(("127.0.0.1", args.https), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    # The handshake then runs in the request thread, so a silent client blocks nobody else.
    secure.socket = context.wrap_socket(secure.socket, server_side=True,
                                        do_handshake_on_connect=False)
    threading.Thread(target=serve, args=(secure,), daemon=True).start()
    serve(plain)


if __name__ == "__main__":
    sys.exit(main())
