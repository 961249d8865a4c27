#!/usr/bin/env python3
"""Smoke check of the running MailLink test bench: `scripts/testbed check`.

Talks to every server with Python's own clients (never MailLink's), one line per check:
submit through Postfix (STARTTLS and implicit TLS, SASL), fetch back over POP3 from Dovecot,
the STLS/plaintext rules, the three bad certificates, DNS records, autoconfig over HTTP(S),
LMTP delivery into a folder, the refused port and the black hole, and OAuth 2.0 (device flow, XOAUTH2 to the second Dovecot
and through Postfix, a revoked token refused). Exit status 0 only when every check passes.
Usage: testbed-check.py ENV_FILE
"""

import imaplib
import os
import poplib
import re
import smtplib
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ElementTree

FAILURES = []


def check(name):
    def decorator(function):
        started = time.monotonic()
        try:
            detail = function()
        except Exception as error:  # noqa: BLE001 - report every failure and go on
            FAILURES.append(name)
            print(f"FAIL {name}: {type(error).__name__}: {error}")
        else:
            elapsed = (time.monotonic() - started) * 1000
            print(f"PASS {name}{': ' + detail if detail else ''} ({elapsed:.0f} ms)")
        return function
    return decorator


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def load_env(path):
    values = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key] = value
    return values


ENV = load_env(sys.argv[1] if len(sys.argv) > 1 else "/tmp/maillink-testbed/env")
HOST = ENV["MAILLINK_HOST"]
CA = ENV["MAILLINK_CA_FILE"]
CONTEXT = ssl.create_default_context(cafile=CA)


def user(key):
    key = key.upper()
    return (ENV[f"MAILLINK_USER_{key}_ADDRESS"], ENV[f"MAILLINK_USER_{key}_PASSWORD"],
            ENV[f"MAILLINK_USER_{key}_MAILDIR"])


def port(name):
    return int(ENV[f"MAILLINK_{name}_PORT"])


def message(sender, recipient, subject, body="Hello from the test bench.\r\n"):
    return (f"From: {sender}\r\nTo: {recipient}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{uuid.uuid4()}@example.test>\r\n\r\n{body}").encode()


def pop3s(address, password):
    client = poplib.POP3_SSL("localhost", port("POP3S"), context=CONTEXT, timeout=5)
    client.user(address)
    client.pass_(password)
    return client


def wait_for_subject(address, password, subject, timeout=15):
    """Polls the mailbox over POP3S until a message with `subject` is there; deletes it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        client = pop3s(address, password)
        try:
            for line in client.uidl()[1]:
                number, uid = line.decode().split()
                lines = client.retr(int(number))[1]
                if f"Subject: {subject}".encode() in lines:
                    expect(re.fullmatch(r"[0-9A-Fa-f]{16}", uid), f"UIDL {uid} not %08Xu%08Xv")
                    client.dele(int(number))
                    return uid
        finally:
            client.quit()
        time.sleep(0.2)
    raise AssertionError(f"no message with subject {subject!r} in {address} after {timeout} s")


ALICE, ALICE_PASSWORD, _ = user("alice")
BOB, BOB_PASSWORD, _ = user("bob")
CAROL, CAROL_PASSWORD, CAROL_MAILDIR = user("carol")


@check("submission 587-style: STARTTLS, AUTH, send, fetch back over POP3S")
def submission_round_trip():
    subject = f"bench-starttls-{uuid.uuid4()}"
    with smtplib.SMTP(HOST, port("SUBMISSION"), timeout=10) as smtp:
        smtp.ehlo("client.example.test")
        expect(smtp.has_extn("starttls"), "no STARTTLS offered")
        expect(not smtp.has_extn("auth"), "AUTH offered before TLS")
        smtp.starttls(context=CONTEXT)
        smtp.ehlo("client.example.test")
        size = int(smtp.esmtp_features.get("size", "0"))
        expect(size >= 30 * 1024 * 1024, f"SIZE {size} below 30 MB")
        smtp.login(ALICE, ALICE_PASSWORD)
        smtp.sendmail(ALICE, [BOB], message(ALICE, BOB, subject))
    uid = wait_for_subject(BOB, BOB_PASSWORD, subject)
    return f"delivered to {BOB}, UIDL {uid}, SIZE {size}"


@check("submissions 465-style: implicit TLS, AUTH PLAIN, send, fetch back")
def smtps_round_trip():
    subject = f"bench-smtps-{uuid.uuid4()}"
    with smtplib.SMTP_SSL("localhost", port("SMTPS"), context=CONTEXT, timeout=10) as smtp:
        smtp.ehlo("client.example.test")
        mechanisms = smtp.esmtp_features.get("auth", "").split()
        expect("PLAIN" in mechanisms and "LOGIN" in mechanisms, f"AUTH {mechanisms}")
        smtp.user, smtp.password = BOB, BOB_PASSWORD
        smtp.auth("PLAIN", smtp.auth_plain)
        smtp.sendmail(BOB, [CAROL], message(BOB, CAROL, subject))
    wait_for_subject(CAROL, CAROL_PASSWORD, subject)
    return f"AUTH mechanisms {' '.join(mechanisms)}"


@check("submission refuses unauthenticated senders and unknown local users")
def submission_refusals():
    with smtplib.SMTP(HOST, port("SUBMISSION"), timeout=10) as smtp:
        smtp.starttls(context=CONTEXT)
        smtp.ehlo("client.example.test")
        smtp.mail(ALICE)
        code, _ = smtp.rcpt(BOB)
        expect(code >= 500, f"unauthenticated RCPT got {code}")
        smtp.rset()
        smtp.login(ALICE, ALICE_PASSWORD)
        smtp.mail(ALICE)
        code, _ = smtp.rcpt("nobody@example.test")
        expect(code >= 500, f"RCPT to an unknown user got {code}")
    with smtplib.SMTP(HOST, port("SUBMISSION"), timeout=10) as smtp:
        smtp.starttls(context=CONTEXT)
        try:
            smtp.login(ALICE, "wrong-password")
        except smtplib.SMTPAuthenticationError as error:
            return f"wrong password: {error.smtp_code}"
    raise AssertionError("wrong password accepted")


@check("POP3 plain port: CAPA, STLS, plaintext refused before STLS off-host, USER/PASS after")
def pop3_stls():
    strict = ENV["MAILLINK_POP3_STRICT_HOST"]
    client = poplib.POP3(strict, port("POP3"), timeout=5)
    capabilities = client.capa()
    for name in ("STLS", "UIDL", "PIPELINING", "TOP"):
        expect(name in capabilities, f"CAPA lacks {name}: {capabilities}")
    expect("USER" not in capabilities, "USER offered before STLS")
    expect("PLAIN" not in capabilities.get("SASL", []), "SASL PLAIN offered before STLS")
    try:
        client.user(ALICE)
        client.pass_(ALICE_PASSWORD)
        raise AssertionError("plaintext login accepted before STLS")
    except poplib.error_proto:
        pass
    client.quit()
    client = poplib.POP3(strict, port("POP3"), timeout=5)
    client.stls(context=ssl.create_default_context(cafile=CA))
    capabilities = client.capa()
    sasl = capabilities.get("SASL", [])
    expect("USER" in capabilities, "USER not offered after STLS")
    expect("PLAIN" in sasl and "LOGIN" in sasl, f"SASL after STLS: {sasl}")
    client.user(ALICE)
    client.pass_(ALICE_PASSWORD)
    count, size = client.stat()
    client.quit()
    return f"SASL after STLS: {' '.join(sasl)}; alice has {count} messages"


@check("POP3S: SASL PLAIN login, APOP greeting")
def pop3s_sasl():
    client = poplib.POP3_SSL("localhost", port("POP3S"), context=CONTEXT, timeout=5)
    expect(re.search(rb"<[^>]+>", client.getwelcome()), "no APOP timestamp in greeting")
    import base64
    token = base64.b64encode(f"\0{ALICE}\0{ALICE_PASSWORD}".encode()).decode()
    reply = client._shortcmd(f"AUTH PLAIN {token}")
    expect(reply.startswith(b"+OK"), f"AUTH PLAIN: {reply}")
    client.quit()
    client = poplib.POP3(HOST, port("POP3"), timeout=5)
    client.apop(ALICE, ALICE_PASSWORD)
    client.quit()
    return "AUTH PLAIN and APOP accepted"


@check("a message dropped into a Maildir by root is served over POP3")
def maildir_drop():
    subject = f"bench-drop-{uuid.uuid4()}"
    name = f"{int(time.time())}.bench{uuid.uuid4().hex}.testbed"
    temporary = os.path.join(CAROL_MAILDIR, "tmp", name)
    with open(temporary, "wb") as handle:
        handle.write(message(ALICE, CAROL, subject))
    os.chown(temporary, int(ENV["MAILLINK_VMAIL_UID"]), int(ENV["MAILLINK_VMAIL_GID"]))
    os.rename(temporary, os.path.join(CAROL_MAILDIR, "new", name))
    wait_for_subject(CAROL, CAROL_PASSWORD, subject, timeout=5)


@check("a 31 MB message goes through submission and comes back over POP3 intact")
def big_message():
    import base64
    import hashlib
    dave, dave_password, _ = user("dave")
    subject = f"bench-big-{uuid.uuid4()}"
    body = base64.encodebytes(os.urandom(23 * 1024 * 1024)).replace(b"\n", b"\r\n")
    data = message(ALICE, dave, subject, body.decode())
    expect(len(data) > 30 * 1024 * 1024, "message too small")
    started = time.monotonic()
    with smtplib.SMTP_SSL("localhost", port("SMTPS"), context=CONTEXT, timeout=60) as smtp:
        smtp.login(ALICE, ALICE_PASSWORD)
        smtp.sendmail(ALICE, [dave], data)
    sent = time.monotonic() - started
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        client = poplib.POP3_SSL("localhost", port("POP3S"), context=CONTEXT, timeout=60)
        client.user(dave)
        client.pass_(dave_password)
        try:
            for number in range(1, client.stat()[0] + 1):
                lines = client.retr(number)[1]
                if f"Subject: {subject}".encode() in lines:
                    received = b"\r\n".join(lines[lines.index(b"") + 1:]) + b"\r\n"
                    expect(hashlib.sha256(received).digest() == hashlib.sha256(body).digest(),
                           "body changed in transit")
                    client.dele(number)
                    return f"{len(data)} bytes, submitted in {sent:.1f} s"
        finally:
            client.quit()
        time.sleep(0.2)
    raise AssertionError("the big message did not arrive")


@check("POP3S over IPv6 (::1), when the host has IPv6")
def ipv6():
    if not ENV.get("MAILLINK_HOST_IPV6"):
        return "no IPv6 on this host: not served"
    client = poplib.POP3_SSL(ENV["MAILLINK_HOST_IPV6"], port("POP3S"), context=CONTEXT, timeout=5)
    client.user(ALICE)
    client.pass_(ALICE_PASSWORD)
    client.quit()
    return "login over [::1]"


@check("IMAPS login")
def imaps():
    client = imaplib.IMAP4_SSL("localhost", port("IMAPS"), ssl_context=CONTEXT, timeout=5)
    client.login(ALICE, ALICE_PASSWORD)
    status, _ = client.select("INBOX")
    client.logout()
    expect(status == "OK", status)


@check("LMTP: judy+Folder@ lands in judy's folder Folder, CRLF kept; an unknown user is refused")
def lmtp():
    if "MAILLINK_LMTP_PORT" not in ENV:
        return "skipped: no LMTP listener in this env file (an older bench)"
    judy, _, judy_maildir = user("judy")
    folder = judy_maildir + "/.BenchCheck"
    subject = f"lmtp {uuid.uuid4()}"
    client = smtplib.LMTP(HOST, port("LMTP"), timeout=10)
    try:
        client.sendmail("x@example.org", [judy.replace("@", "+BenchCheck@")], message("x@example.org", judy, subject))
        try:
            client.sendmail("x@example.org", ["nobody@example.test"], message("x@example.org", judy, subject))
            raise AssertionError("nobody@example.test was accepted")
        except smtplib.SMTPRecipientsRefused:
            pass
    finally:
        client.quit()
    found = [name for sub in ("new", "cur") for name in os.listdir(f"{folder}/{sub}")
             if f"Subject: {subject}\r\n".encode() in open(f"{folder}/{sub}/{name}", "rb").read()]
    expect(len(found) == 1, f"{len(found)} copies in {folder}")
    subprocess.run(["rm", "-rf", folder], check=True)
    return "judy+BenchCheck@ delivered, nobody@ refused"


def handshake_error(host, port_number, server_name, cafile=CA):
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection((host, port_number), timeout=5) as raw:
        try:
            with context.wrap_socket(raw, server_hostname=server_name):
                return None
        except ssl.SSLCertVerificationError as error:
            return error.verify_message


def s_client(host, port_number, server_name):
    result = subprocess.run(
        ["openssl", "s_client", "-connect", f"{host}:{port_number}", "-CAfile", CA,
         "-verify_hostname", server_name, "-verify_return_error", "-brief"],
        input=b"", capture_output=True, timeout=10)
    return result.returncode, (result.stdout + result.stderr).decode(errors="replace")


@check("server certificate: trusted through the CA, fingerprint matches the env file")
def good_certificate():
    expect(handshake_error("127.0.0.1", port("POP3S"), "localhost") is None, "localhost refused")
    expect(handshake_error("127.0.0.1", port("POP3S"), "mail.example.test") is None,
           "mail.example.test refused")
    der = ssl.get_server_certificate(("127.0.0.1", port("POP3S")))
    import hashlib
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(der)).hexdigest()
    expect(digest == ENV["MAILLINK_SERVER_CERT_SHA256"], f"fingerprint {digest}")
    code, output = s_client("127.0.0.1", port("POP3S"), "localhost")
    expect(code == 0, f"openssl s_client failed: {output[-300:]}")
    return digest[:16] + "…"


@check("wrong-host listener presents a certificate for another name")
def wrong_host():
    host, number = ENV["MAILLINK_WRONGHOST_HOST"], int(ENV["MAILLINK_WRONGHOST_PORT"])
    reason = handshake_error(host, number, "localhost")
    expect(reason and "mismatch" in reason.lower(), f"got {reason!r}")
    code, output = s_client(host, number, "localhost")
    expect(code != 0 and "hostname mismatch" in output, output[-300:])
    expect(handshake_error(host, number, ENV["MAILLINK_WRONGHOST_NAME"]) is None,
           "its own name is refused too (it should be only the name that is wrong)")
    return reason


@check("expired listener presents an expired certificate")
def expired():
    host, number = ENV["MAILLINK_EXPIRED_HOST"], int(ENV["MAILLINK_EXPIRED_PORT"])
    reason = handshake_error(host, number, "localhost")
    expect(reason and "expired" in reason.lower(), f"got {reason!r}")
    code, output = s_client(host, number, "localhost")
    expect(code != 0 and "certificate has expired" in output, output[-300:])
    return reason


@check("self-signed listener presents a certificate outside the CA")
def self_signed():
    host, number = ENV["MAILLINK_SELFSIGNED_HOST"], int(ENV["MAILLINK_SELFSIGNED_PORT"])
    reason = handshake_error(host, number, "localhost")
    expect(reason and "self" in reason.lower(), f"got {reason!r}")
    import hashlib
    pem = ssl.get_server_certificate((host, number))
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()
    expect(digest == ENV["MAILLINK_SELFSIGNED_SHA256"], "self-signed fingerprint differs")
    return reason


def dig(name, record_type, tcp=False):
    command = ["dig", "+short", "+time=2", "+tries=1", "-p", ENV["MAILLINK_DNS_PORT"],
               "@" + ENV["MAILLINK_DNS_HOST"], name, record_type]
    if tcp:
        command.insert(1, "+tcp")
    return subprocess.run(command, capture_output=True, text=True, timeout=10,
                          check=True).stdout.split("\n")


def dig_status(name, record_type):
    output = subprocess.run(["dig", "+time=2", "+tries=1", "-p", ENV["MAILLINK_DNS_PORT"],
                             "@" + ENV["MAILLINK_DNS_HOST"], name, record_type],
                            capture_output=True, text=True, timeout=10).stdout
    return re.search(r"status: (\w+)", output).group(1)


@check("DNS: A, AAAA, MX, SRV, CNAME, '.' target, NXDOMAIN, truncation over UDP")
def dns():
    expect("127.0.0.1" in dig("mail.example.test", "A"), "A")
    if ENV.get("MAILLINK_HOST_IPV6"):
        expect("::1" in dig("mail.example.test", "AAAA"), "AAAA")
    expect("10 mail.example.test." in dig("example.test", "MX"), "MX example.test")
    expect("10 mx.example.org." in dig("example.org", "MX", tcp=True), "MX example.org over tcp")
    srv = f"0 1 {port('POP3S')} mail.example.test."
    expect(srv in dig("_pop3s._tcp.example.test", "SRV"), "SRV _pop3s")
    expect(f"10 1 {port('POP3')} mail.example.test." in dig("_pop3._tcp.example.test", "SRV"), "_pop3")
    expect(f"0 1 {port('SMTPS')} mail.example.test." in dig("_submissions._tcp.example.test", "SRV"),
           "_submissions")
    expect(f"10 1 {port('SUBMISSION')} mail.example.test." in dig("_submission._tcp.example.test", "SRV"),
           "_submission")
    expect(f"0 1 {port('POP3S')} localhost." in dig("_pop3s._tcp.direct.test", "SRV"), "direct.test")
    nopop = [line for line in dig("_pop3._tcp.nopop.test", "SRV") if line]
    expect(len(nopop) == 1 and nopop[0].endswith(" ."), f"nopop.test SRV {nopop}")
    expect(len([line for line in dig("_pop3s._tcp.srvorder.test", "SRV") if line]) == 3, "srvorder")
    expect(dig_status("missing.example.test", "A") == "NXDOMAIN", "NXDOMAIN under .test")
    expect("mail.example.test." in dig("pop.alias.test", "A"), "CNAME pop.alias.test")
    udp = subprocess.run(["dig", "+noedns", "+ignore", "+time=2", "+tries=1", "-p",
                          ENV["MAILLINK_DNS_PORT"], "@" + ENV["MAILLINK_DNS_HOST"],
                          "_pop3s._tcp.big.test", "SRV"], capture_output=True, text=True,
                         timeout=10).stdout
    expect(re.search(r"flags:[^;]* tc", udp), "big.test over UDP is not truncated")
    records = [line for line in dig("_pop3s._tcp.big.test", "SRV", tcp=True) if line]
    expect(len(records) == 40, f"big.test over TCP has {len(records)} records")
    return f"_pop3s._tcp.example.test SRV {srv}; nopop.test {nopop[0]}"


def fetch(url):
    context = ssl.create_default_context(cafile=CA)
    with urllib.request.urlopen(url, timeout=5, context=context) as response:
        return response.headers.get("Content-Type"), response.read()


@check("HTTP(S) autoconfig files: text/xml, parseable, pointing at the bench ports")
def autoconfig():
    paths = ["/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml",
             "/v1.1/example.test", "/v1.1/example.org", "/v1.1/direct.test",
             "/direct.test/mail/config-v1.1.xml?emailaddress=alice%40direct.test"]
    for base in (ENV["MAILLINK_HTTP_BASE"], ENV["MAILLINK_HTTPS_BASE"]):
        for path in paths:
            content_type, body = fetch(base + path)
            expect(content_type.startswith("text/xml"), f"{path}: {content_type}")
            root = ElementTree.fromstring(body)
            ports = [int(element.text) for element in root.iter("port")]
            expect(ports[:2] == [port("POP3S"), port("POP3")], f"{path}: ports {ports}")
    _, body = fetch(ENV["MAILLINK_HTTP_BASE"] + "/v1.1/broken.test")
    try:
        ElementTree.fromstring(body)
        raise AssertionError("broken.test parses")
    except ElementTree.ParseError:
        pass
    try:
        fetch(ENV["MAILLINK_HTTP_BASE"] + "/v1.1/unknown.test")
        raise AssertionError("unknown domain answered")
    except urllib.error.HTTPError as error:
        expect(error.code == 404, f"unknown domain: {error.code}")
    return f"{len(paths)} paths on 2 bases"


@check("refused port refuses, black hole times out")
def refused_and_blackhole():
    try:
        socket.create_connection((ENV["MAILLINK_REFUSED_HOST"], int(ENV["MAILLINK_REFUSED_PORT"])),
                                 timeout=2).close()
        raise AssertionError("refused port accepted a connection")
    except ConnectionRefusedError:
        pass
    started = time.monotonic()
    try:
        socket.create_connection((ENV["MAILLINK_BLACKHOLE_HOST"],
                                  int(ENV["MAILLINK_BLACKHOLE_PORT"])), timeout=1).close()
        raise AssertionError("black hole accepted a connection")
    except socket.timeout:
        pass
    return f"black hole ({ENV['MAILLINK_BLACKHOLE_METHOD']}) timed out after {time.monotonic() - started:.1f} s"


@check("a device-flow token logs in to the OAuth Dovecot and Postfix; once revoked it is refused")
def oauth():
    import base64
    import json
    import urllib.parse
    issuer, client_id, address = ENV["MAILLINK_OAUTH_ISSUER"], ENV["MAILLINK_OAUTH_CLIENT_ID"], ENV["MAILLINK_OAUTH_USER"]

    def post(path, **fields):
        request = urllib.request.Request(issuer + path, data=urllib.parse.urlencode(fields).encode())
        try:
            return json.loads(urllib.request.urlopen(request, timeout=5).read())
        except urllib.error.HTTPError as error:
            return json.loads(error.read())

    device = post("/device", client_id=client_id, scope="mail")
    grant = "urn:ietf:params:oauth:grant-type:device_code"
    pending = post("/token", client_id=client_id, grant_type=grant, device_code=device["device_code"])
    expect(pending.get("error") == "authorization_pending", f"before approval: {pending}")
    post("/device/approve", user_code=device["user_code"], username=address)
    tokens = post("/token", client_id=client_id, grant_type=grant, device_code=device["device_code"])
    expect("access_token" in tokens, f"no token after approval: {sorted(tokens)}")
    message = base64.b64encode(f"user={address}\x01auth=Bearer {tokens['access_token']}\x01\x01".encode()).decode()
    client = poplib.POP3_SSL("localhost", port("OAUTH_POP3S"), context=CONTEXT, timeout=5)
    reply = client._shortcmd("AUTH XOAUTH2 " + message)
    expect(reply.startswith(b"+OK"), f"POP3 AUTH XOAUTH2: {reply}")
    client.quit()
    with smtplib.SMTP_SSL("localhost", port("OAUTH_SMTPS"), context=CONTEXT, timeout=5) as smtp:
        smtp.ehlo()
        code, text = smtp.docmd("AUTH", "XOAUTH2 " + message)
        expect(code == 235, f"SMTP AUTH XOAUTH2: {code} {text}")
    post("/revoke", token=tokens["access_token"])
    client = poplib.POP3_SSL("localhost", port("OAUTH_POP3S"), context=CONTEXT, timeout=5)
    reply = client._shortcmd("AUTH XOAUTH2 " + message)
    expect(reply.startswith(b"+ "), f"a revoked token got {reply}, not the error challenge")
    try:
        client._shortcmd("")
        raise AssertionError("a revoked token was accepted")
    except poplib.error_proto as error:
        refusal = str(error)
    client.close()
    return f"POP3 and SMTP XOAUTH2 accepted; revoked: {refusal}"


print("SUMMARY " + ("all checks passed" if not FAILURES else f"{len(FAILURES)} failed: {', '.join(FAILURES)}"))
sys.exit(1 if FAILURES else 0)
