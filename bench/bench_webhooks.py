"""P6: outgoing webhook delivery.

    .venv/bin/python bench/bench_webhooks.py --events 4000 --chunks 40

Throughput: N events already in the outbox, delivered by one relay (`webhooks_relay`, in
this process) to a receiver in its own process on loopback (a threading HTTP server that
answers 200), with 1 and with 4 endpoints: deliveries per second, each signed.
Delay: a real Celery worker serves the `webhooks` queue while restores commit chunks of
100 contacts (one `contact.restored` each); the delay from each chunk's commit to its
arrival at the receiver, p50 and p95 (target ≤ 2 s while idle). Both in the same run.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from common import ROOT, Timer, setup_django

os.environ.setdefault("WEBHOOK_HTTPS_ONLY", "false")
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true")  # the receiver is on this machine

RECEIVER = r"""
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
log = open(sys.argv[1], "w", buffering=1)
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        log.write(f"{self.headers['webhook-id']} {time.time()}\n")
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_port, flush=True)
s.serve_forever()
"""


def start_receiver(log_path: str):
    proc = subprocess.Popen([sys.executable, "-c", RECEIVER, log_path], stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    return proc, f"http://127.0.0.1:{port}/hooks"


def arrivals(log_path: str) -> dict[str, float]:
    with open(log_path) as fh:
        return {msg: float(at) for msg, at in (line.split() for line in fh if line.strip())}


def throughput(ws, url: str, *, endpoints: int, events: int) -> float:
    from django.db import transaction

    from contacts_app.services.webhook_delivery import webhooks_relay
    from contacts_app.services.webhooks import webhook_emit
    from contacts_app.webhook_models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.all().delete()
    WebhookEndpoint.objects.bulk_create([WebhookEndpoint(workspace=ws, url=url) for _ in range(endpoints)])
    with transaction.atomic():
        for i in range(events // endpoints):
            webhook_emit(workspace_id=ws.id, type="contact.archived", data={"contacts": [i]})
    total = WebhookDelivery.objects.filter(status="pending").count()
    with Timer() as t:
        webhooks_relay(budget_seconds=600)
    done = WebhookDelivery.objects.filter(status="succeeded").count()
    assert done == total, (done, total)
    WebhookDelivery.objects.all().delete()
    return total / t.seconds


def delay(ws, url: str, *, chunks: int, log_path: str) -> list[float]:
    import redis
    from django.conf import settings
    from django.db import transaction

    from contacts_app.models import Contact
    from contacts_app.services.archive import contacts_archive
    from contacts_app.webhook_models import WebhookEndpoint, WebhookEvent
    from restore.services.restoring import contacts_restore

    WebhookEndpoint.objects.all().delete()
    people = Contact.objects.bulk_create(
        [Contact(workspace=ws, email=f"d{i}@bench.example") for i in range(chunks * 100)], batch_size=2000
    )
    ids = [c.id for c in people]
    contacts_archive(workspace=ws, contact_ids=ids)
    WebhookEndpoint.objects.create(workspace=ws, url=url, event_types=["contact.restored"])
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    log = open(ROOT / "var" / "bench-webhooks-worker.log", "w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1", "--loglevel=WARNING"]
        + ["--without-gossip", "--without-mingle", "-Q", "webhooks"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    committed: dict[str, float] = {}
    try:
        time.sleep(5)  # worker start-up is not part of the delay
        for n in range(chunks):
            with transaction.atomic():
                contacts_restore(workspace=ws, contact_ids=ids[n * 100 : (n + 1) * 100], respect_freeze=False)
                latest = WebhookEvent.objects.order_by("-id").values_list("message_id", flat=True).first()
            committed[latest] = time.time()
            time.sleep(0.25)  # idle between chunks, as a job's chunks are spaced by their own work
        deadline = time.time() + 60
        while len(set(committed) & set(arrivals(log_path))) < len(committed) and time.time() < deadline:
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    got = arrivals(log_path)
    return sorted(got[m] - at for m, at in committed.items() if m in got)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--chunks", type=int, default=40)
    args = parser.parse_args()
    setup_django()
    from contacts_app.models import Workspace

    ws = Workspace.objects.create(name="Bench", slug="bench", contact_limit=10**7)
    log_path = tempfile.mktemp(suffix=".log")
    receiver, url = start_receiver(log_path)
    try:
        print(f"P6 outgoing webhooks, receiver {url} (its own process)")
        for endpoints in (1, 4):
            rate = throughput(ws, url, endpoints=endpoints, events=args.events)
            print(f"  {args.events:,} deliveries to {endpoints} endpoint(s), one relay: {rate:,.0f} deliveries/s")
        delays = delay(ws, url, chunks=args.chunks, log_path=log_path)
        if delays:
            p50 = statistics.median(delays)
            p95 = delays[min(len(delays) - 1, int(len(delays) * 0.95))]
            print(
                f"  commit → delivery, {len(delays)}/{args.chunks} restore chunks, a worker on the webhooks queue: "
                f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (target p95 ≤ 2,000 ms)"
            )
        else:
            print("  commit → delivery: nothing arrived (see var/bench-webhooks-worker.log)")
    finally:
        receiver.terminate()


if __name__ == "__main__":
    main()
