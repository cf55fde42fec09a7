"""X-Forwarded-For and X-Forwarded-Proto, believed only from the proxies we run.

The front door (nginx) tells the app the client's address and whether it spoke https. Anyone
else could send the same headers to claim https (and so be allowed Basic passwords) or another
address (and so escape the limit on wrong passwords), so the headers count only when the peer
is in TRUSTED_PROXIES, and are dropped otherwise. Werkzeug's ProxyFix does the reading.
"""
import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix

_FORWARDED = ("HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
              "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX")

Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def parse_networks(value: str) -> Networks:
    """'127.0.0.1, ::1, 10.0.0.0/8' -> networks; raises ValueError naming a bad entry."""
    networks = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {part!r} is not an IP address or network") from None
    return tuple(networks)


class TrustedProxies:
    """WSGI middleware: apply one proxy's X-Forwarded-For/-Proto if the peer is trusted, else drop them.

    `config` is the app's config, read on each request (key TRUSTED_PROXIES, a Networks tuple), so a
    test can change it without building another app.
    """

    def __init__(self, wsgi_app, config):
        self._plain = wsgi_app
        self._fixed = ProxyFix(wsgi_app, x_for=1, x_proto=1)
        self._config = config

    def __call__(self, environ, start_response):
        if _trusted(environ.get("REMOTE_ADDR", ""), self._config["TRUSTED_PROXIES"]):
            return self._fixed(environ, start_response)
        for name in _FORWARDED:
            environ.pop(name, None)
        return self._plain(environ, start_response)


def _trusted(address: str, networks: Networks | str) -> bool:
    if isinstance(networks, str):      # as a test or an override may set it
        networks = parse_networks(networks)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False          # a unix socket peer has no address; nginx there sets REMOTE_ADDR itself
    return any(ip in network for network in networks)
