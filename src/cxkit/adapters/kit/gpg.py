"""Running the ``gpg`` program (GnuPG) safely, for the formats that are OpenPGP-encrypted: a
password store (``formats/other-managers.md`` §6: one OpenPGP file per entry) and Proton Pass's
PGP-encrypted export (``formats/protonpass.md`` §5).

cxkit never handles the user's private key or its passphrase: :func:`decrypt` runs
``gpg --batch --quiet --decrypt`` with the user's own GnuPG home (``GNUPGHOME``) and agent, which
asks for the key's passphrase itself if it needs one. An export passphrase (Proton Pass) is
handed to gpg on a pipe of its own (``--passphrase-fd``), in a private throw-away GnuPG home.

Plaintext only ever travels through pipes: the input on gpg's standard input, the output read
from its standard output with a size bound (a compressed OpenPGP message can expand a
thousand-fold). gpg's messages are not shown as they are: the machine-readable status lines
(``--status-fd``) are mapped to sentences that name key ids and files, never a value.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Final

from cxkit.errors import AdapterError, DecryptionError, InputTooLargeError

__all__ = [
    "GPG_TIMEOUT",
    "MAX_ARGON2_MEMORY_KIB",
    "GpgError",
    "ProgramMissingError",
    "check_passphrase_kdf",
    "decrypt",
    "encrypt",
    "gpg_program",
    "private_home",
]

#: Seconds one gpg run may take: long, because the agent may be waiting for the user to type
#: the passphrase of their key in its pinentry window.
GPG_TIMEOUT: Final = 600.0
_MAX_STDERR: Final = 64 << 10
_CHUNK: Final = 1 << 16
_PINENTRY: Final = (
    "if your key has a passphrase, gpg's agent must be able to ask for it: run in a terminal "
    "with GPG_TTY set (export GPG_TTY=$(tty)), or unlock the key first (e.g. pass show an entry)"
)
_INSTALL: Final = "install GnuPG — Debian/Ubuntu: apt install gnupg; macOS: brew install gnupg"


#: Bounds of a passphrase's key derivation read from a message (RFC 9580 §3.7.1.4, Argon2 S2K),
#: checked before gpg runs: memory, passes, lanes
MAX_ARGON2_MEMORY_KIB: Final = 1 << 20
MAX_ARGON2_PASSES: Final = 16
MAX_ARGON2_LANES: Final = 16


class ProgramMissingError(AdapterError):
    """A program cxkit runs is not installed."""


class GpgError(AdapterError):
    """gpg could not decrypt or encrypt (the message names key ids and files, never values)."""


def gpg_program() -> str:
    """The path of ``gpg`` (or ``gpg2``), or :class:`ProgramMissingError` saying how to install
    it and that nothing was written."""
    found = shutil.which("gpg") or shutil.which("gpg2")
    if found is None:
        raise ProgramMissingError(
            "the program 'gpg' (GnuPG) is not installed; nothing was read or written",
            hint=_INSTALL,
        )
    return found


@contextlib.contextmanager
def private_home() -> Iterator[Path]:
    """A throw-away GnuPG home (mode 0700) for work that must not touch the user's keys and
    agent (a symmetric export passphrase); its daemons are stopped and the folder removed after."""
    home = Path(tempfile.mkdtemp(prefix="cxkit-gnupg-"))
    try:
        home.chmod(0o700)
        yield home
    finally:
        gpgconf = shutil.which("gpgconf")
        if gpgconf is not None:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(  # noqa: S603 - a fixed program and arguments
                    [gpgconf, "--homedir", str(home), "--kill", "all"],  # agent, dirmngr
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=10,
                    check=False,
                )
        shutil.rmtree(home, ignore_errors=True)


def _feed(pipe: IO[bytes] | None, data: bytes) -> None:
    if pipe is None:
        return
    with contextlib.suppress(BrokenPipeError, OSError):
        pipe.write(data)
    with contextlib.suppress(BrokenPipeError, OSError):
        pipe.close()


def _drain(pipe: IO[bytes] | None, out: list[bytes], limit: int) -> None:
    """Read *pipe* to its end, keeping at most *limit* bytes (the rest is discarded)."""
    if pipe is None:
        return
    kept = 0
    while chunk := pipe.read(_CHUNK):
        if kept < limit:
            out.append(chunk[: limit - kept])
            kept += len(chunk)


def _run(
    arguments: Sequence[str],
    data: bytes,
    *,
    location: str | None,
    max_output: int,
    home: Path | None = None,
    passphrase: str | None = None,
) -> tuple[int, bytes, list[str]]:
    """Run gpg with *arguments*, *data* on its standard input (and *passphrase* on a pipe of its
    own): (exit status, standard output — at most *max_output* bytes, else
    :class:`InputTooLargeError` —, the status lines)."""
    program = gpg_program()
    env: Mapping[str, str] | None = None
    if home is not None:
        env = {**os.environ, "GNUPGHOME": str(home)}
    command = [program, "--batch", "--quiet", "--no-tty", "--status-fd", "2", *arguments]
    pass_fds: tuple[int, ...] = ()
    pw_read = pw_write = -1
    if passphrase is not None:
        pw_read, pw_write = os.pipe()
        pass_fds = (pw_read,)
        # a passphrase given on a pipe needs no agent (starting one takes seconds)
        command[1:1] = ["--no-autostart", "--pinentry-mode", "loopback", "--passphrase-fd",
                        str(pw_read)]  # fmt: skip
    try:
        process = subprocess.Popen(  # noqa: S603 - gpg, with arguments cxkit makes
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            pass_fds=pass_fds,
        )
    except OSError as exc:
        raise ProgramMissingError(
            f"cannot run gpg: {exc.strerror}; nothing was read or written", hint=_INSTALL
        ) from None
    finally:
        if pw_read >= 0:
            os.close(pw_read)
    if pw_write >= 0:
        assert passphrase is not None
        with contextlib.suppress(OSError):
            os.write(pw_write, passphrase.encode("utf-8") + b"\n")
        os.close(pw_write)
    out: list[bytes] = []
    err: list[bytes] = []
    threads = [
        threading.Thread(target=_feed, args=(process.stdin, data), daemon=True),
        threading.Thread(target=_drain, args=(process.stderr, err, _MAX_STDERR), daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        _drain(process.stdout, out, max_output + 1)
        status = process.wait(timeout=GPG_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise GpgError(
            f"gpg did not finish within {GPG_TIMEOUT:.0f} seconds", location=location
        ) from None
    finally:
        for thread in threads:
            thread.join(timeout=10)
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
    output = b"".join(out)
    if len(output) > max_output:
        raise InputTooLargeError(
            f"the decrypted data is larger than the limit of {max_output:,} bytes",
            location=location,
            hint="pass --max-size with a larger number of bytes if it is really this large",
        )
    lines = b"".join(err).decode("utf-8", "replace").splitlines()
    return status, output, [ln[9:] for ln in lines if ln.startswith("[GNUPG:] ")]


def _keys(status: list[str], word: str) -> list[str]:
    """The key ids of the status lines *word* (``NO_SECKEY 0123…``); ids are hexadecimal."""
    found: list[str] = []
    for line in status:
        parts = line.split()
        if parts[:1] == [word] and len(parts) > 1 and all(c in "0123456789ABCDEFabcdef"
                                                          for c in parts[-1]):  # fmt: skip
            found.append(parts[-1].upper())
    return found


def decrypt(
    data: bytes,
    *,
    location: str | None = None,
    max_output: int = 256 << 20,
    home: Path | None = None,
    passphrase: str | None = None,
) -> bytes:
    """The plaintext of the OpenPGP message *data*: decrypted with the user's GnuPG (their keys
    and agent), or with *passphrase* (a symmetrically encrypted message; give a
    :func:`private_home` as *home*). Wrong passphrase or no secret key: a clear error naming
    *location* and key ids, never a value."""
    status, output, lines = _run(
        ["--decrypt"], data, location=location, max_output=max_output, home=home,
        passphrase=passphrase,
    )  # fmt: skip
    words = {line.split()[0] for line in lines if line.split()}
    # DECRYPTION_OKAY comes after the integrity check; gpg may still exit non-zero for a
    # signature it cannot verify (a signer's key it lacks), which is no reason to refuse
    if "DECRYPTION_OKAY" in words and "DECRYPTION_FAILED" not in words:
        return output
    if "BAD_PASSPHRASE" in words or ("NEED_PASSPHRASE_SYM" in words and passphrase is not None):
        raise DecryptionError(
            "wrong passphrase: gpg could not decrypt it", location=location,
            hint="check the passphrase (the one chosen when exporting)",
        )  # fmt: skip
    missing = _keys(lines, "NO_SECKEY")
    if not missing and passphrase is None and "DECRYPTION_FAILED" in words:
        missing = _keys([line.rsplit(" ", 2)[0] for line in lines if line.startswith("ENC_TO ")],
                        "ENC_TO")  # fmt: skip
    if missing:
        raise GpgError(
            "no secret key to decrypt it: it is encrypted to " + ", ".join(missing),
            location=location,
            hint="import that key into your GnuPG (or set GNUPGHOME to the GnuPG home that "
            "holds it); 'gpg --list-secret-keys' lists the keys you have",
        )
    if "NODATA" in words or not words & {"ENC_TO", "BEGIN_DECRYPTION", "NEED_PASSPHRASE_SYM"}:
        raise GpgError("not an OpenPGP message gpg can read (damaged?)", location=location)
    if "NEED_PASSPHRASE_SYM" in words and passphrase is None:
        raise GpgError("encrypted with a passphrase, and none was given", location=location)
    raise GpgError(
        f"gpg could not decrypt it (exit status {status}; damaged or cancelled?)",
        location=location,
        hint=None if passphrase is not None else _PINENTRY,
    )


def encrypt(
    data: bytes,
    recipients: Sequence[str],
    *,
    location: str | None = None,
    home: Path | None = None,
) -> bytes:
    """*data* encrypted with gpg to *recipients* (key ids, fingerprints or e-mail addresses, as
    ``.gpg-id`` lists them), as ``pass`` does: binary, no compression, no default recipients."""
    if not recipients:
        raise GpgError("no recipient to encrypt to", location=location)
    arguments = ["--yes", "--compress-algo=none", "--no-encrypt-to", "--encrypt"]
    for recipient in recipients:
        arguments += ["--recipient", recipient]
    status, output, lines = _run(
        arguments, data, location=location, max_output=len(data) * 4 + (1 << 20), home=home
    )
    if status == 0 and output:
        return output
    invalid = [line.split(maxsplit=2)[-1] for line in lines if line.startswith("INV_RECP")]
    if invalid:
        raise GpgError(
            "gpg cannot encrypt to " + ", ".join(v[:80] for v in invalid)
            + ": no usable public key (missing, expired or not trusted)",
            location=location,
            hint="'gpg --list-keys' lists the public keys you have; nothing was written",
        )  # fmt: skip
    raise GpgError(
        f"gpg could not encrypt (exit status {status}); nothing was written", location=location
    )


# --------------------------------------------------------------------------- the S2K bound


def _dearmor(data: bytes) -> bytes:
    """The packets of an ASCII-armoured message (RFC 9580 §6.2), or *data* as it is."""
    import base64
    import binascii

    start = data.find(b"-----BEGIN PGP MESSAGE-----")
    if start < 0:
        return data
    lines = data[start:].splitlines()[1:]
    while lines and lines[0].strip() and b":" in lines[0]:  # armour headers
        lines.pop(0)
    body = []
    for line in lines:
        line = line.strip()
        if line.startswith((b"=", b"-----")):
            break
        body.append(line)
    try:
        return base64.b64decode(b"".join(body)[: 4 * 1024], validate=False)
    except (binascii.Error, ValueError):
        return b""


def _packets(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(tag, body) of the leading OpenPGP packets with a known length (RFC 9580 §4.2)."""
    at = 0
    while at < len(data):
        first = data[at]
        if not first & 0x80:
            return
        if first & 0x40:
            tag, octet = first & 0x3F, data[at + 1] if at + 1 < len(data) else 0
            if octet < 192:
                length, header = octet, 2
            elif octet < 224 and at + 2 < len(data):
                length, header = ((octet - 192) << 8) + data[at + 2] + 192, 3
            elif octet == 255:
                length, header = int.from_bytes(data[at + 2 : at + 6]), 6
            else:
                return  # a partial length: a data packet, past the key packets
        else:
            tag, size = (first >> 2) & 0x0F, (1, 2, 4, 0)[first & 3]
            if not size:
                return
            length, header = int.from_bytes(data[at + 1 : at + 1 + size]), 1 + size
        yield tag, data[at + header : at + header + length]
        at += header + length


def check_passphrase_kdf(data: bytes, *, location: str | None = None) -> None:
    """Refuse, before gpg runs, a message whose passphrase key derivation would take more than
    cxkit's bounds: Argon2 (S2K type 4) with more than :data:`MAX_ARGON2_MEMORY_KIB` KiB of
    memory, :data:`MAX_ARGON2_PASSES` passes or :data:`MAX_ARGON2_LANES` lanes. (Iterated and
    salted S2K is bounded by the format itself: at most 65,011,712 bytes hashed.)"""
    for tag, body in _packets(_dearmor(data[: 64 << 10])):
        if tag != 3 or len(body) < 4:  # symmetric-key encrypted session key packets only
            continue
        version = body[0]
        if version == 4:
            s2k = body[2:]
        elif version == 6 and len(body) > 5:
            s2k = body[5:]  # version, count, cipher, AEAD mode, S2K length
        else:
            continue
        if s2k[:1] != b"\x04" or len(s2k) < 20:
            continue
        passes, lanes, exponent = s2k[17], s2k[18], s2k[19]
        memory = 1 << min(exponent, 62)
        if memory > MAX_ARGON2_MEMORY_KIB or passes > MAX_ARGON2_PASSES or lanes > MAX_ARGON2_LANES:
            raise AdapterError(
                f"the passphrase's key derivation (Argon2: {memory:,} KiB, {passes} passes, "
                f"{lanes} lanes) is over cxkit's bound of {MAX_ARGON2_MEMORY_KIB:,} KiB, "
                f"{MAX_ARGON2_PASSES} passes and {MAX_ARGON2_LANES} lanes; nothing was decrypted",
                location=location,
                hint="decrypt it with gpg yourself if you trust it: "
                "gpg --decrypt FILE | cxkit convert - -o DEST",
            )
