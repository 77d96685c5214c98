#!/usr/bin/env python3
"""A group bots' webhook receiver for the delivery tests (the standard library only).

Prints `PORT <n>` once listening on 127.0.0.1, then `GOT <ids>` for each message, and appends one JSON line per POST to --out:
the path, the X-Zhaoyin-Delivery header, the JSON body, and whether its signature verifies
(DingTalk: `timestamp` and `sign` in the query; Feishu: `timestamp` and `sign` in the body),
computed here with Python's hmac from --secret, independently of the platform's code.
--fail-first N answers the first N posts to a path containing `fail` with HTTP 500;
--delay-ms makes each answer wait (a slow receiver, for the kill test).
"""
import argparse
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
lock = threading.Lock()
failures = {"n": 0}


def dingtalk_ok(query, secret):
    q = urllib.parse.parse_qs(query)
    if "timestamp" not in q or "sign" not in q:
        return None
    ts = q["timestamp"][0]
    mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    fresh = abs(int(ts) - int(time.time() * 1000)) < 3600 * 1000
    return fresh and hmac.compare_digest(base64.b64encode(mac).decode(), q["sign"][0])


def feishu_ok(body, secret):
    if not isinstance(body, dict) or "sign" not in body:
        return None
    ts = body.get("timestamp", "")
    mac = hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(mac).decode(), body["sign"])


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        path, _, query = self.path.partition("?")
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if args.delay_ms:
            time.sleep(args.delay_ms / 1000)
        with lock:
            if "fail" in path and failures["n"] < args.fail_first:
                failures["n"] += 1
                self.answer(500, {"error": "failing on purpose"})
                return
            sign = dingtalk_ok(query, args.secret)
            if sign is None:
                sign = feishu_ok(body, args.secret)
            record = {
                "path": path,
                "delivery": self.headers.get("X-Zhaoyin-Delivery"),
                "body": body,
                "sign_ok": sign,
            }
            with open(args.out, "a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
            # One line per message taken, for a test to wait on.
            print(f"GOT {record['delivery']}", flush=True)
        self.answer(200, {"code": 0} if "feishu" in path else {"errcode": 0, "errmsg": "ok"})

    def answer(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--secret", default="")
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--delay-ms", type=int, default=0)
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
