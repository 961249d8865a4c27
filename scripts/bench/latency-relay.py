#!/usr/bin/env python3
"""A loopback TCP relay that adds a fixed one-way delay in each direction (this kernel has no netem).

Used by the MailLink fetch benchmark (Benchmarks/MailLinkBenchmarks/FetchBenchmark.swift) to run
POP3 over TLS through a link with a round-trip time of 2 x DELAY. TLS passes through untouched, end
to end: the relay only moves bytes.

Each direction of each connection has a queue of (due time, chunk): a reader task stamps every chunk
it receives with "now + delay" and queues it at once; a writer task waits until the head's due
time and writes it. Order is preserved and bandwidth is not throttled (many chunks can be in flight
during one delay), as on a long link: only latency is added, never a sleep per chunk in series.
End of stream travels the same way (it arrives after the delay too), then the write side is shut.

Usage: latency-relay.py --target-host H --target-port P [--listen-host 127.0.0.1]
                        [--listen-port 0] [--delay-ms 25]
Prints "listening HOST PORT" on stdout (flushed) once it accepts connections; runs until SIGTERM or
SIGINT. --self-test checks the delay and the ordering against a local echo server and exits.
"""

import argparse
import asyncio
import signal
import sys
import time

CHUNK = 65536
_END = None  # queued after the last chunk: the end of the stream


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Copies reader to writer, each chunk delivered `delay` seconds after it was received."""
    queue: asyncio.Queue = asyncio.Queue()
    loop = asyncio.get_running_loop()

    async def receive() -> None:
        try:
            while True:
                data = await reader.read(CHUNK)
                queue.put_nowait((loop.time() + delay, data or _END))
                if not data:
                    return
        except (ConnectionError, OSError):
            queue.put_nowait((loop.time() + delay, _END))

    async def deliver() -> None:
        try:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if data is _END:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            return

    receiving = asyncio.ensure_future(receive())
    try:
        await deliver()
    finally:
        receiving.cancel()


async def _handle(client_reader, client_writer, target_host: str, target_port: int, delay: float) -> None:
    try:
        server_reader, server_writer = await asyncio.open_connection(target_host, target_port)
    except OSError as error:
        print("latency-relay: cannot reach %s:%d: %s" % (target_host, target_port, error), file=sys.stderr)
        client_writer.close()
        return
    try:
        await asyncio.gather(
            _pump(client_reader, server_writer, delay),
            _pump(server_reader, client_writer, delay),
        )
    finally:
        for writer in (client_writer, server_writer):
            try:
                writer.close()
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass


async def serve(listen_host: str, listen_port: int, target_host: str, target_port: int, delay: float) -> None:
    server = await asyncio.start_server(
        lambda r, w: _handle(r, w, target_host, target_port, delay), listen_host, listen_port
    )
    port = server.sockets[0].getsockname()[1]
    print("listening %s %d" % (listen_host, port), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # A parent may have spawned us with these blocked (a child inherits the spawning thread's
    # mask; Swift's threads block most signals): unblock them or SIGTERM would never arrive.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    async with server:
        await stop.wait()


async def self_test(delay: float) -> int:
    """Round trip through the relay to an echo server: about 2 x delay, bytes in order, no throttling."""

    async def echo(reader, writer):
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
        writer.close()

    echo_server = await asyncio.start_server(echo, "127.0.0.1", 0)
    echo_port = echo_server.sockets[0].getsockname()[1]
    relay = await asyncio.start_server(
        lambda r, w: _handle(r, w, "127.0.0.1", echo_port, delay), "127.0.0.1", 0
    )
    relay_port = relay.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", relay_port)
    failures = 0
    # One small round trip: 2 x delay (the second one: the first also waits for the relay's connect).
    for _ in range(2):
        start = time.monotonic()
        writer.write(b"ping\r\n")
        await writer.drain()
        line = await reader.readexactly(6)
        rtt = time.monotonic() - start
    # The upper bound is loose: the machine may be busy (the relay is Python).
    ok = line == b"ping\r\n" and 2 * delay <= rtt < 2 * delay + 0.15
    failures += not ok
    print("%s round trip %.1f ms (expected %.0f ms)" % ("PASS" if ok else "FAIL", rtt * 1000, 2000 * delay))
    # 100 writes 1 ms apart, then 8 MB at once: in order and in about one round trip plus transfer.
    start = time.monotonic()
    expected = bytearray()
    for index in range(100):
        chunk = b"%05d;" % index
        expected += chunk
        writer.write(chunk)
        await writer.drain()
        await asyncio.sleep(0.001)
    bulk = bytes(range(256)) * (8 * 4096)
    expected += bulk
    writer.write(bulk)
    await writer.drain()
    received = await reader.readexactly(len(expected))
    elapsed = time.monotonic() - start
    ok = received == bytes(expected)
    failures += not ok
    print("%s %d bytes came back in order" % ("PASS" if ok else "FAIL", len(expected)))
    # In series (a sleep per chunk) 100 chunks would take >= 100 x 2 x delay; pipelined, about
    # the 100 ms of writing plus one round trip (plus the copying, slow on a busy machine).
    ok = elapsed < 100 * 2 * delay / 2
    failures += not ok
    print("%s pipelined in %.0f ms (in series would be >= %.0f ms)" % ("PASS" if ok else "FAIL", elapsed * 1000, 200000 * delay))
    # End of stream travels through the relay and back: the echo server closes, then the relay.
    writer.write_eof()
    ok = await reader.read() == b""
    failures += not ok
    print("%s end of stream relayed both ways" % ("PASS" if ok else "FAIL"))
    writer.close()
    await asyncio.sleep(2 * delay + 0.1)  # let the relay's handler finish closing its side
    for server in (relay, echo_server):
        server.close()
        await server.wait_closed()
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-host", default="127.0.0.1")
    parser.add_argument("--target-port", type=int)
    parser.add_argument("--listen-host", default="127.0.0.1")
    parser.add_argument("--listen-port", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=25.0)
    parser.add_argument("--self-test", action="store_true")
    options = parser.parse_args()
    delay = options.delay_ms / 1000
    if options.self_test:
        return asyncio.run(self_test(delay))
    if options.target_port is None:
        parser.error("--target-port is required")
    if not options.listen_host.startswith("127.") and options.listen_host not in ("::1", "localhost"):
        parser.error("the relay listens on loopback only")
    asyncio.run(serve(options.listen_host, options.listen_port, options.target_host, options.target_port, delay))
    return 0


if __name__ == "__main__":
    sys.exit(main())
