"""gunicorn settings for NTM (`gunicorn -c gunicorn.conf.py ntm.wsgi`), read from the environment.

NTM_BIND      where to listen (default 127.0.0.1:8000; behind the TLS proxy, never on a public address)
NTM_WEB_WORKERS  processes (default 2 × cores + 1); each is stateless, so more machines just add more
"""

import multiprocessing
import os

bind = os.environ.get("NTM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("NTM_WEB_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
timeout = int(os.environ.get("NTM_WEB_TIMEOUT", "60"))  # an Excel import or a PDF may take seconds, not minutes
accesslog = os.environ.get("NTM_ACCESS_LOG", "-")
forwarded_allow_ips = os.environ.get("NTM_FORWARDED_ALLOW_IPS", "127.0.0.1")  # the proxy's address
