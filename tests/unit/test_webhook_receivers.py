"""Webhook receivers: only public addresses, whatever way the URL spells a private one."""

from __future__ import annotations

import pytest

from nexo.platform.webhooks.receivers import ReceiverPolicy, ReceiverRefusedError, check_receiver

STRICT = ReceiverPolicy(allow_private=False, https_only=False)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hooks",
        "http://10.0.0.1/hooks",
        "http://192.168.1.20/hooks",
        "http://172.16.0.5/hooks",
        "http://100.64.0.1/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://[::ffff:a00:1]/hooks",
        "http://[fe80::1]/hooks",
        "http://[fc00::1]/hooks",
        "http://0.0.0.0/hooks",
        "http://224.0.0.1/hooks",
        "http://240.0.0.1/hooks",
        "http://localhost:8080/hooks",
        "http://2130706433/hooks",
        "http://0x7f.0.0.1/hooks",
        "http://no-such-host.invalid/hooks",
    ],
)
async def test_private_reserved_and_unresolvable_receivers_are_refused(url: str) -> None:
    with pytest.raises(ReceiverRefusedError) as refused:
        await check_receiver(url, STRICT)
    assert "127.0.0.1" not in str(refused.value) and "10.0.0.1" not in str(refused.value)  # no address echoed


async def test_a_public_address_is_connected_to_as_checked_with_the_original_host() -> None:
    target = await check_receiver("https://93.184.215.14:8443/hooks?x=1", ReceiverPolicy())
    assert target.connect_url == "https://93.184.215.14:8443/hooks?x=1" and target.https
    assert target.host_header == "93.184.215.14:8443"


async def test_https_only_unless_private_receivers_are_allowed() -> None:
    with pytest.raises(ReceiverRefusedError, match="https"):
        await check_receiver("http://93.184.215.14/hooks", ReceiverPolicy(https_only=True))
    with pytest.raises(ReceiverRefusedError):
        await check_receiver("https://user:pw@93.184.215.14/hooks", ReceiverPolicy())
    local = await check_receiver("http://localhost:9/hooks", ReceiverPolicy(allow_private=True))
    assert local.connect_url.endswith(":9/hooks") and local.host_header == "localhost:9"
