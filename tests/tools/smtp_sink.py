#!/usr/bin/env python3
"""An SMTP server for the delivery tests: aiosmtpd (from PyPI; .ci/run installs it).

Prints `PORT <n>` once listening on 127.0.0.1, then appends one JSON line per message to
--out: the envelope's sender and recipients and the message's headers and text, decoded.
"""
import argparse
import asyncio
import email
import email.policy
import json

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]),
            "from": str(msg["From"]),
            "text": msg.get_content(),
        }
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        return "250 Message accepted for delivery"


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    args = p.parse_args()
    handler = Handler(args.out)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
