"""JWE tokens for a fixed key and IV are byte-for-byte those of the first implementation.

The digests were taken from the piecewise encoder before the cache-sized rewrite (issue #20);
any change to how the token is assembled (piece size, buffer reuse, base64url path) must keep
them. Sizes straddle the old 786,432-byte piece and the base64url padding cases.
"""

from __future__ import annotations

import hashlib
import random

import pytest

from cxkit.crypto import jwe

_IV = bytes(range(100, 112))

GOLDEN = [
    (0, 16, 81, "913a21a3d427cdf944320a2dac94c4feeb260c6cfb21f591b6371654ba1bd3e8"),
    (0, 32, 81, "0071134600598cd62ae0e2f0de9109a186af998fff1d16ad526d897acb8fe202"),
    (1, 32, 83, "b3dd5045eb4716adccef4d684c444e3d125a81ee3a1d5c11bc630e999a542092"),
    (2, 16, 84, "14f2049fd4cb132838820443adc32a8be323031aaad558fe789e95162cb3a330"),
    (3, 32, 85, "708bc620446da4596dbc98e3c191efd491267ce2d9fddbad2af64b553825a0a2"),
    (47, 16, 144, "054218dcde9708b05c9cfc11d3cc3274bc7b328caeda70c343ee4ead00f931e2"),
    (786431, 16, 1048656, "158ba053490f5fb1f064b265df7fa9617a5a642b61fab49518293d93c462b741"),
    (786432, 32, 1048657, "b16b9d909397edee28531495ffd97c6d40e0f9e292587917bcfb91ae85d5aa47"),
    (786433, 32, 1048659, "3dafe5765b3d8dc1f3ec56b74b72380c808cef13a7b4a3c35140128ab873c938"),
    (2500001, 16, 3333416, "ac93459322ad78adbeb2fd3ee725ad4bf85754a7b419064f5699899b1928dc25"),
    (2500001, 32, 3333416, "eb7d37ae13a28105dea40084aae648f46844d7088b021484fe3cfacea5b344e6"),
]


@pytest.mark.parametrize(("size", "key_len", "length", "digest"), GOLDEN)
def test_token_bytes_unchanged(size: int, key_len: int, length: int, digest: str) -> None:
    plaintext = random.Random(size).randbytes(size)
    key = bytes(range(key_len))
    token = jwe.encrypt_compact(plaintext, key, _iv=_IV)
    assert len(token) == length
    assert hashlib.sha256(token).hexdigest() == digest
    assert (
        hashlib.sha256(b"".join(jwe.encrypt_compact_parts(plaintext, key, _iv=_IV))).hexdigest()
        == digest
    )
    assert jwe.decrypt_compact(token, key) == plaintext
