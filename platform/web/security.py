"""Security headers on every response, with a CSP that allows no inline script."""

from __future__ import annotations

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
