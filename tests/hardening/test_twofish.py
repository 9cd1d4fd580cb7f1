"""Issue #17: Twofish KDBX databases open, through oxifish (RustCrypto's Twofish), which is
checked here against the known-answer vectors published with the cipher (Schneier et al.,
"Twofish: A 128-Bit Block Cipher", 1998, ``ecb_tbl.txt``: zero key and plaintext, then each
ciphertext chained as the next plaintext and key)."""

from __future__ import annotations

import pytest

from cxkit.kdbx._container import CIPHER_TWOFISH, _decrypt

VECTORS = [  # (key, plaintext, ciphertext)
    ("00" * 16, "00" * 16, "9F589F5CF6122C32B6BFEC2F2AE8C35A"),
    ("00" * 16, "9F589F5CF6122C32B6BFEC2F2AE8C35A", "D491DB16E7B1C39E86CB086B789F5419"),
    (
        "9F589F5CF6122C32B6BFEC2F2AE8C35A",
        "D491DB16E7B1C39E86CB086B789F5419",
        "019F9809DE1711858FAAC3A3BA20FBC3",
    ),
    ("00" * 32, "00" * 16, "57FF739D4DC92C1BD7FC01700CC8216F"),
]


@pytest.mark.parametrize(("key", "plain", "cipher"), VECTORS)
def test_published_known_answers(key: str, plain: str, cipher: str) -> None:
    from oxifish import Padding, TwofishKey

    k = TwofishKey(bytes.fromhex(key))
    assert (
        k.ecb_encryptor(padding=Padding.NONE).finalize(bytes.fromhex(plain)).hex().upper() == cipher
    )
    assert (
        k.ecb_decryptor(padding=Padding.NONE).finalize(bytes.fromhex(cipher)).hex().upper() == plain
    )


def test_cbc_is_the_chained_block_cipher() -> None:
    """KDBX's Twofish-CBC: each block decrypted, then XORed with the previous ciphertext (or IV)."""
    from oxifish import Padding, TwofishKey

    key, iv = bytes(range(32)), bytes(range(16, 32))
    blocks = [bytes([i]) * 16 for i in range(3)]
    ecb = TwofishKey(key)
    data, prev = b"", iv
    for block in blocks:
        enc = ecb.ecb_encryptor(padding=Padding.NONE).finalize(
            bytes(a ^ b for a, b in zip(block, prev, strict=True))
        )
        data, prev = data + enc, enc
    assert _decrypt(CIPHER_TWOFISH, key, iv, data) == b"".join(blocks)
