from django.test import RequestFactory

from madoguchi.core import ratelimit


def test_counts_per_key_and_hashes_the_address():
    assert ratelimit.count("k") == 0
    assert [ratelimit.increment("k", seconds=60) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.count("k") == 3
    assert ratelimit.count("other") == 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    key = ratelimit.client_key(request)
    assert "192.0.2.7" not in key and len(key) == 24
    assert key == ratelimit.client_key(RequestFactory().get("/x", REMOTE_ADDR="192.0.2.7"))
    assert key != ratelimit.client_key(RequestFactory().get("/", REMOTE_ADDR="192.0.2.8"))
