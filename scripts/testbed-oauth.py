#!/usr/bin/env python3
"""OAuth 2.0 authorization server of the MailLink test bench (started by scripts/testbed).

Tiny on purpose: enough for the second Dovecot instance's `oauth2` passdb to validate tokens
by introspection (RFC 7662), and for interop tests to obtain tokens with the device flow
(RFC 8628) and refresh them with rotation (RFC 6749 section 6). State is in memory only.

  GET  /.well-known/oauth-authorization-server   metadata (RFC 8414)
  POST /device          device authorization: device_code, user_code, interval 1 s
  POST /device/approve  the "user" approves: user_code=...&username=ADDRESS (tests call it)
  POST /token           grant_type device_code | refresh_token (rotating)
  POST /introspect      token=... -> {"active": true, "username": ...} or {"active": false}
  POST /revoke          token=... (RFC 7009): the access or refresh token stops working
  POST /expire          token=... (tests only): the access token's lifetime ends now, as if an hour
                        had passed; introspection then answers inactive, refresh still works

Only client_id "maillink-bench" is known; no secret. Listens on 127.0.0.1 only.
"""

import argparse
import http.server
import json
import secrets
import threading
import time
import urllib.parse

CLIENT_ID = "maillink-bench"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
LOCK = threading.Lock()
DEVICES = {}   # device_code -> {"user_code", "scope", "user" (None until approved), "expires"}
ACCESS = {}    # access token -> {"user", "scope", "expires", "active"}
REFRESH = {}   # refresh token -> {"user", "scope", "active"}
ISSUER = ""
LIFETIME = 3600


def issue(user, scope):
    access, refresh = "bat-" + secrets.token_urlsafe(24), "brt-" + secrets.token_urlsafe(24)
    ACCESS[access] = {"user": user, "scope": scope, "expires": time.time() + LIFETIME, "active": True}
    REFRESH[refresh] = {"user": user, "scope": scope, "active": True}
    return 200, {"access_token": access, "token_type": "Bearer", "expires_in": LIFETIME,
                 "refresh_token": refresh, "scope": scope}


def error(code, status=400):
    return status, {"error": code}


def token(form):
    if form.get("client_id") != CLIENT_ID:
        return error("invalid_client", 401)
    grant = form.get("grant_type")
    if grant == DEVICE_GRANT:
        device = DEVICES.get(form.get("device_code", ""))
        if device is None:
            return error("invalid_grant")
        if time.time() > device["expires"]:
            return error("expired_token")
        if device["user"] is None:
            return error("authorization_pending")
        del DEVICES[form["device_code"]]
        return issue(device["user"], device["scope"])
    if grant == "refresh_token":
        old = REFRESH.get(form.get("refresh_token", ""))
        if old is None or not old["active"]:
            return error("invalid_grant")
        old["active"] = False  # rotation: the old refresh token is spent
        return issue(old["user"], old["scope"])
    return error("unsupported_grant_type")


def handle(path, form):
    with LOCK:
        if path == "/device":
            if form.get("client_id") != CLIENT_ID:
                return error("invalid_client", 401)
            code = secrets.token_urlsafe(24)
            user_code = "%04X-%04X" % (secrets.randbelow(65536), secrets.randbelow(65536))
            DEVICES[code] = {"user_code": user_code, "scope": form.get("scope", ""), "user": None,
                             "expires": time.time() + 600}
            return 200, {"device_code": code, "user_code": user_code, "expires_in": 600, "interval": 1,
                         "verification_uri": ISSUER + "/device"}
        if path == "/device/approve":
            for device in DEVICES.values():
                if device["user_code"] == form.get("user_code") and device["user"] is None:
                    device["user"] = form.get("username", "")
                    return 200, {"approved": True}
            return 404, {"approved": False}
        if path == "/token":
            return token(form)
        if path == "/introspect":
            grant = ACCESS.get(form.get("token", ""))
            if grant is None or not grant["active"] or time.time() > grant["expires"]:
                return 200, {"active": False}
            return 200, {"active": True, "username": grant["user"], "scope": grant["scope"],
                         "client_id": CLIENT_ID, "token_type": "Bearer", "exp": int(grant["expires"])}
        if path == "/expire":
            grant = ACCESS.get(form.get("token", ""))
            if grant is None:
                return 404, {"expired": False}
            grant["expires"] = time.time() - 1
            return 200, {"expired": True}
        if path == "/revoke":
            for table in (ACCESS, REFRESH):
                if form.get("token", "") in table:
                    table[form["token"]]["active"] = False
            return 200, {}
    return 404, {"error": "not_found"}


class Handler(http.server.BaseHTTPRequestHandler):
    timeout = 10
    log_file = None

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.split("?")[0] == "/.well-known/oauth-authorization-server":
            self.answer(200, {"issuer": ISSUER, "token_endpoint": ISSUER + "/token",
                              "device_authorization_endpoint": ISSUER + "/device",
                              "introspection_endpoint": ISSUER + "/introspect",
                              "revocation_endpoint": ISSUER + "/revoke",
                              "grant_types_supported": [DEVICE_GRANT, "refresh_token"]})
        else:
            self.answer(404, {"error": "not_found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > 65536:
            self.answer(413, {"error": "invalid_request"})
            return
        text = self.rfile.read(length).decode("utf-8", "replace")
        form = dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
        self.answer(*handle(self.path.split("?")[0], form))

    def log_message(self, format, *args):  # no tokens in the log: paths and statuses only
        if self.log_file is not None:
            self.log_file.write("%s %s\n" % (self.address_string(), format % args))
            self.log_file.flush()


def main():
    global ISSUER
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log")
    arguments = parser.parse_args()
    ISSUER = "http://127.0.0.1:%d" % arguments.port
    if arguments.log:
        Handler.log_file = open(arguments.log, "a")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
