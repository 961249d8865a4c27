#!/usr/bin/env python3
"""Python's smtplib doing what `linkmail send --count N` does, for the send benchmark.

One connection: STARTTLS with the given CA, LOGIN (smtplib picks the mechanism), then N x
sendmail of a freshly built message (new Message-ID and Date each time), then QUIT.
Prints `sent N messages` like linkmail.

usage: send-smtplib.py --server HOST:PORT --ca FILE --user USER --password-file FILE
                       --from ADDR --to ADDR --subject TEXT --body-file FILE --count N
"""
import argparse
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in ("server", "ca", "user", "password-file", "from", "to", "subject", "body-file"):
        parser.add_argument("--" + name, required=True)
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args()
    host, port = args.server.rsplit(":", 1)
    with open(args.password_file, encoding="utf-8") as handle:
        password = handle.readline().rstrip("\n")
    with open(args.body_file, encoding="utf-8") as handle:
        body = handle.read()
    recipients = args.to.split(",")
    context = ssl.create_default_context(cafile=args.ca)
    domain = getattr(args, "from").rsplit("@", 1)[1]

    with smtplib.SMTP(host, int(port), timeout=30) as client:
        client.starttls(context=context)
        client.login(args.user, password)
        for _ in range(args.count):
            message = EmailMessage()
            message["Date"] = formatdate(localtime=True)
            message["From"] = getattr(args, "from")
            message["To"] = ", ".join(recipients)
            message["Subject"] = args.subject
            message["Message-ID"] = make_msgid(domain=domain)
            message.set_content(body)
            client.sendmail(getattr(args, "from"), recipients, message.as_bytes())
    print(f"sent {args.count} messages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
