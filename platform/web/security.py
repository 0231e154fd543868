"""Security headers on every response, with a CSP that allows no inline script."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(extra_script_src: tuple[str, ...] = (), extra_frame_src: tuple[str, ...] = ()) -> str:
    script_src = " ".join(("'self'", *extra_script_src))
    frame_src = " ".join(("'self'", *extra_frame_src))
    return (
        "default-src 'self'; "
        f"script-src {script_src}; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' "
        + " ".join(extra_script_src)
        + f"; frame-src {frame_src}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )


CSP_STATE_KEY = "nexo_csp"
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, or ``None`` when it cannot be written safely into a CSP."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    return origin if _ORIGIN.match(origin) else None


def allow_form_action(csp: str, origin: str) -> str:
    """The same policy, except that a form submission may also end on ``origin``.

    Browsers apply ``form-action`` to the redirects that follow a form's submission, so a page whose form is
    answered with a redirect elsewhere (the OAuth consent page, answered with the partner's callback) needs that
    destination in its own policy. Everything else of the policy stays as strict as on every other page.
    """
    return csp.replace("form-action 'self'", f"form-action 'self' {origin}")


class SecurityHeadersMiddleware(ASGIMiddleware):
    def __init__(self, csp: str, hsts: bool) -> None:
        self.headers = {
            "content-security-policy": csp,
            "x-content-type-options": "nosniff",
            "x-frame-options": "DENY",
            "referrer-policy": "strict-origin-when-cross-origin",
            "permissions-policy": "camera=(), microphone=(), geolocation=()",
            "cross-origin-opener-policy": "same-origin",
        }
        if hsts:
            self.headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for key, value in self.headers.items():
                    if key not in headers:
                        headers[key] = value
            await send(message)

        await next_app(scope, receive, send_with_headers)
