"""Cryptographic building blocks ("hazmat") for cxkit's CXP support.

These modules are low level: they do exactly what they say, with strict input checks, and leave
policy (which suite, which key, what to do with the plaintext) to the caller. Prefer the recipes
in :mod:`cxkit.cxp.p0`.

* :mod:`cxkit.crypto.hpke` — RFC 9180 HPKE (base and psk modes, exporter interface)
* :mod:`cxkit.crypto.jwk` — strict JWK <-> HPKE public key conversion
* :mod:`cxkit.crypto.jwe` — JWE compact serialization, ``alg: dir`` + AES-GCM
* :mod:`cxkit.crypto.passphrase` — Argon2id passphrase envelope and recovery codes
* :mod:`cxkit.crypto.safezip` — guarded zip reader and deterministic zip writer

Every failure is raised as a :class:`cxkit.errors.CxkitError` subclass; decryption failures are
always the one opaque :class:`cxkit.errors.DecryptionError`. No message ever contains key
material, passphrases or plaintext.
"""
