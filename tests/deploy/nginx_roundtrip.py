"""Run deploy/nginx/nginx.conf for real, alone in new network and mount namespaces, and report
what its upstreams received (used by test_compose_nginx.py):

    unshare -mn python nginx_roundtrip.py NGINX CONF

Inside: loopback up, a private /tmp, /etc/hosts naming `api` 127.0.0.1 and `rasa` 127.0.0.1 and
127.0.0.2 (compose's DNS gives every replica), small HTTP servers that record each request on
127.0.0.1:8000 (case service) and 127.0.0.1:5005, 127.0.0.2:5005 (two Rasa replicas), nginx on
:8080. Requests go through nginx, also after one Rasa replica stopped; one JSON object is
printed.
Nothing here can reach or disturb another process's ports: the network namespace is new.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RECEIVED: list[dict] = []


def upstream(name: str, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            RECEIVED.append(
                {
                    "upstream": name,
                    "method": self.command,
                    "path": self.path,
                    "forwarded_for": self.headers.get("X-Forwarded-For"),
                    "body": body.decode(),
                }
            )
            payload = json.dumps({"from": name}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def request(method: str, path: str, body: bytes | None = None) -> tuple[int, str]:
    req = urllib.request.Request(f"http://127.0.0.1:8080{path}", data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def wait_for_port(port: int, proc: subprocess.Popen, errors: list[str], seconds: float = 60.0):
    """Until ``port`` accepts; fails at once, with nginx's own error output, when it exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() is not None:
            proc.wait()
            raise SystemExit(
                f"nginx exited with code {proc.returncode} before listening on {port}: "
                + "".join(errors).strip()
            )
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port} after {seconds:.0f}s: " + "".join(errors).strip())


def drain(stream, into: list[str]) -> threading.Thread:
    """Keep reading nginx's stderr (it must never block on a full pipe; failures quote it)."""

    def read() -> None:
        for line in iter(stream.readline, b""):
            into.append(line.decode(errors="replace"))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def main(nginx: str, conf: str) -> int:
    # Read before /tmp is replaced: a checkout under /tmp (a CI's fresh clone) is hidden by the
    # private /tmp below, and nginx then exited at once with "nothing listens on 8080".
    conf_text = Path(conf).read_text(encoding="utf-8")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/tmp"], check=True)
    hosts = Path("/tmp/hosts")
    hosts.write_text("127.0.0.1 localhost api rasa\n127.0.0.2 rasa\n")
    subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)
    upstream("api", 8000)
    upstream("rasa-1", 5005)
    second = upstream("rasa-2", 5005, "127.0.0.2")
    prefix = Path("/tmp/nginx")
    prefix.mkdir()
    private_conf = prefix / "nginx.conf"
    private_conf.write_text(conf_text, encoding="utf-8")
    proc = subprocess.Popen(
        [
            nginx,
            "-c",
            str(private_conf),
            "-p",
            f"{prefix}/",
            "-e",
            "/dev/stderr",
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    errors: list[str] = []
    drain(proc.stderr, errors)
    try:
        wait_for_port(8080, proc, errors)
        results = {
            "health": request("GET", "/nginx-health"),
            "chat": request("GET", "/chat?lang=da"),
            "rest": request("POST", "/bot/webhooks/rest/webhook", b'{"message": "hej"}'),
            "kk": request("POST", "/bot/webhooks/kk/webhook?x=1", b"{}"),
            "sms": request("POST", "/bot/webhooks/sms/webhook", b"{}"),
            "preview": request("POST", "/bot/webhooks/catalogue_preview/rank", b"{}"),
            "rasa_root": request("GET", "/bot/"),
            "spread": [request("POST", "/bot/webhooks/rest/webhook", b"{}") for _ in range(6)],
        }
        second.shutdown()
        second.server_close()
        results["one_replica_down"] = [
            request("POST", "/bot/webhooks/rest/webhook", b'{"n": %d}' % n) for n in range(4)
        ]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(json.dumps({"results": results, "received": RECEIVED}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
