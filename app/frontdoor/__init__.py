"""The front door: nginx in front of gunicorn, as `scripts/serve.sh` runs it.

nginx reads every request whole before gunicorn sees it and holds slow clients itself, so a slow
or idle connection never occupies one of gunicorn's few threads (case reliability/30); it refuses
bodies over the advertised OpenRosa limit and malformed requests in the protocol's own format; it
terminates TLS when a certificate is configured; its logs never hold a device token
(reliability/24).

- settings.py: what the front door is configured with, read from the environment;
- render.py and nginx.conf.j2: the one nginx configuration, rendered from those settings;
- supervise.py: runs nginx in the foreground and writes its error log with tokens masked;
- __main__.py: `python -m app.frontdoor render|check|run`.
"""
