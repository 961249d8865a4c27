#!/usr/bin/env python3
"""Python's email.parser.BytesHeaderParser over the same message files as the Swift
header benchmark (Benchmarks/MailLinkBenchmarks/HeaderParsingBenchmark.swift).

For each policy it reads every file into memory first, then times parsing only; it also
times reading plus parsing. Comparable work to the Swift side: every field's name and
value are fetched as str. With policy=compat32 (the default) a value is the raw unfolded
string; with policy=email.policy.default a value is decoded (RFC 2047) and structured
fields such as From/To/Date are parsed, which is more work.

Usage: header_parse.py [--json] [--repeat N] DIRECTORY
"""
import argparse
import email.policy
import json
import os
import time
from email.parser import BytesHeaderParser


def parse_all(blobs, policy):
    parser = BytesHeaderParser(policy=policy)
    fields = 0
    chars = 0
    for blob in blobs:
        message = parser.parsebytes(blob)
        for name, value in message.items():
            text = str(value)
            fields += 1
            chars += len(name) + len(text)
    return fields, chars


def main():
    arguments = argparse.ArgumentParser()
    arguments.add_argument("directory")
    arguments.add_argument("--json", action="store_true")
    arguments.add_argument("--repeat", type=int, default=5, help="runs of compat32 (default policy runs once: it is slow)")
    options = arguments.parse_args()
    paths = sorted(os.path.join(options.directory, name) for name in os.listdir(options.directory))
    blobs = []
    for path in paths:
        with open(path, "rb") as handle:
            blobs.append(handle.read())
    results = {}
    for label, policy in (("compat32", email.policy.compat32), ("default", email.policy.default)):
        # Best of N by wall clock and by thread CPU time (the machine may be shared).
        best = cpu_best = None
        for _ in range(options.repeat if label == "compat32" else 1):
            start, cpu_start = time.perf_counter(), time.thread_time()
            fields, chars = parse_all(blobs, policy)
            elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
            best = elapsed if best is None else min(best, elapsed)
            cpu_best = cpu if cpu_best is None else min(cpu_best, cpu)
        start, cpu_start = time.perf_counter(), time.thread_time()
        read_blobs = []
        for path in paths:
            with open(path, "rb") as handle:
                read_blobs.append(handle.read())
        parse_all(read_blobs, policy)
        with_read, cpu_with_read = time.perf_counter() - start, time.thread_time() - cpu_start
        results[label] = {
            "messages": len(blobs),
            "fields": fields,
            "chars": chars,
            "seconds": best,
            "cpu_seconds": cpu_best,
            "cpu_seconds_with_read": cpu_with_read,
            "messages_per_second": len(blobs) / best,
            "seconds_with_read": with_read,
            "messages_per_second_with_read": len(blobs) / with_read,
        }
    if options.json:
        print(json.dumps(results))
    else:
        for label, result in results.items():
            print(
                f"python BytesHeaderParser policy={label}: {result['messages_per_second']:.0f} messages/s wall, "
                f"{result['messages'] / result['cpu_seconds']:.0f} messages/s CPU "
                f"({result['fields']} fields; with reading {result['messages_per_second_with_read']:.0f} messages/s)"
            )


if __name__ == "__main__":
    main()
