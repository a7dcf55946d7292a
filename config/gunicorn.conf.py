"""gunicorn settings for production (and the bin/run demo). Every value can be set from
the environment: PORT / BIND, WEB_CONCURRENCY, WEB_THREADS, WEB_TIMEOUT."""

import multiprocessing
import os

bind = os.getenv("BIND", f"0.0.0.0:{os.getenv('PORT', '8000')}")
workers = int(os.getenv("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.getenv("WEB_THREADS", "2"))
timeout = int(os.getenv("WEB_TIMEOUT", "30"))  # a request that takes longer is a bug: long work runs in Celery
graceful_timeout = 30
accesslog = "-"  # requests to stdout, errors to stderr: the platform collects them
errorlog = "-"
# Trust X-Forwarded-* only from the proxy in front (set FORWARDED_ALLOW_IPS to its address).
forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1")

# A long search or filter fits (gunicorn's default line limit is 4,094 bytes; past it the
# answer is gunicorn's bare "URI Too Long", not a page of the app).
limit_request_line = 8190
