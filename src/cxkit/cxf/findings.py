"""Findings: what the decoder tolerated and what the validator found (data, not exceptions).

Each finding has a severity, a stable dotted code, a JSONPath to the offending value and a
message. The codes, their default severity, meaning and spec section live in :data:`CODES`;
``docs/findings.md`` is generated from it (``python -m cxkit.cxf.findings``) and a test keeps
the two in step.

Severities:

* ``error`` — the value breaks a MUST of the spec; an importer ignores the structure (spec §2.1.1)
  or the value cannot be used;
* ``warning`` — a deviation cxkit tolerated (a producer quirk) or a SHOULD that is not met;
* ``info`` — worth knowing, nothing wrong (e.g. unknown members kept for the round trip).

Messages never contain secret values.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

__all__ = ["CODES", "SUMMARY_PER_CODE", "Finding", "Severity", "make_finding", "summarize"]

#: Findings of one code shown before the rest are summarised (``cxkit validate --all`` shows all).
SUMMARY_PER_CODE: Final = 20


def summarize(
    findings: Iterable[Finding], per_code: int = SUMMARY_PER_CODE
) -> tuple[list[Finding], dict[str, int]]:
    """The first ``per_code`` findings of each code, in order, and how many of each code were
    left out (a million empty credentials give one line per code, not 141 MB; issue #17)."""
    shown: list[Finding] = []
    seen: dict[str, int] = {}
    left: dict[str, int] = {}
    for finding in findings:
        n = seen.get(finding.code, 0)
        seen[finding.code] = n + 1
        if n < per_code:
            shown.append(finding)
        else:
            left[finding.code] = left.get(finding.code, 0) + 1
    return shown, left


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    code: str
    path: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {
            "severity": str(self.severity),
            "code": self.code,
            "path": self.path,
            "message": self.message,
        }

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message} [{self.code}]"


E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO  # N: notice (info)

#: code → (default severity, spec section (of the notes in ``shared/spec/cxf.md``), meaning)
CODES: Final[dict[str, tuple[Severity, str, str]]] = {
    # document level
    "document.account-root": (
        N,
        "§1.9",
        "The JSON root is an Account, not a Header (Apple and Bitwarden flows); accepted.",
    ),
    "document.android-payload": (
        W,
        "§1.9, cxp §1.9",
        "Android's legacy wrapper with a base64 `payload` holding the Header; unwrapped.",
    ),
    "version.newer-minor": (
        N,
        "§1.8",
        "A newer minor version of CXF 1: compatible by definition; unknown members are kept.",
    ),
    "header.missing-member": (
        E,
        "§2.1, §7.1.2",
        "A required Header member is missing or unusable; an empty value is assumed.",
    ),
    # JSON representation
    "json.bom": (
        W,
        "RFC 8259 §8.1",
        "The file starts with a UTF-8 byte order mark; ignored (written without it).",
    ),
    "json.duplicate-member": (
        E,
        "RFC 8259 §4, §1.7",
        "An object has two members of one name; readers disagree on which one counts (cxkit "
        "reads the last). A passkey with a repeated member is refused.",
    ),
    "json.null": (
        W,
        "§4.1, §7.6.26",
        "A member is `null`; CXF never uses null. Treated as absent.",
    ),
    "member.unknown": (
        N,
        "§1.7, §7.3.10",
        "A member this version of CXF does not define; ignored by importers, kept by cxkit for the round trip.",
    ),
    "member.missing": (
        E,
        "§2, §7.5.18",
        "A required member is missing; a default is assumed so that the rest of the structure is kept.",
    ),
    "member.too-many": (
        E,
        "§1.6 (a limit of cxkit)",
        "A damaged array longer than cxkit's limit (10,000 elements by default; --max-elements "
        "raises it): it is not read element by element.",
    ),
    "member.wrong-type": (
        W,
        "§2, §7.1.4",
        "A member has the wrong JSON type; its value is ignored (kept verbatim for the round trip).",
    ),
    "member.out-of-range": (
        W,
        "§7.1.4",
        "An integer is outside its CDDL range (uint .size 1/2/8); its value is ignored.",
    ),
    "member.invalid-element": (
        E,
        "§2",
        "An array element is not the structure it must be; it is skipped.",
    ),
    "array.missing": (E, "§1.6, §7.3.9", "A required array is missing; treated as empty."),
    "array.empty-optional": (
        W,
        "§1.6, §7.3.9",
        "An optional array is present but empty; it MUST be omitted.",
    ),
    "timestamp.negative": (
        W,
        "§1.3, §7.1.4",
        "A negative timestamp (Google Password Manager writes them); treated as absent.",
    ),
    "timestamp.fractional": (
        W,
        "§1.3",
        "A timestamp with a fraction of a second; truncated to whole seconds.",
    ),
    "timestamp.out-of-range": (
        W,
        "§1.3",
        "A timestamp beyond the uint64 range; treated as absent.",
    ),
    "timestamp.implausible": (
        W,
        "§1.3",
        "A timestamp after the year 3000: probably milliseconds or another epoch.",
    ),
    "b64.padded": (W, "§1.2, §7.2.5", "base64url with `=` padding; accepted, written unpadded."),
    "b64.standard-alphabet": (
        W,
        "§1.2, §7.2.5",
        "standard base64 alphabet (`+`, `/`) where base64url is required; accepted.",
    ),
    "b64.trailing-bits": (
        W,
        "§1.2",
        "non-canonical base64url (non-zero trailing bits); accepted, written canonically.",
    ),
    "b64.invalid": (E, "§1.2, §7.2.5", "not base64url at all; the value cannot be used."),
    "b64.empty": (W, "§1.2", "an empty base64url value where bytes are required."),
    # identifiers
    "id.empty": (
        W,
        "§1.4, §7.2.8",
        "An empty identifier (1Password writes them); treated as no identifier.",
    ),
    "id.too-long": (W, "§1.4, §7.2.6", "An identifier longer than 64 bytes."),
    "id.duplicate": (W, "§1.4, §7.2.7", "An identifier used more than once in one account."),
    # credentials
    "credential.unknown-type": (
        N,
        "§3.0, §7.4.11",
        "A credential type CXF 1.0 does not define; importers ignore it, cxkit keeps it.",
    ),
    "credential.legacy-ty": (
        W,
        "§3.0",
        "An unknown credential written with `ty` instead of `type` (Bitwarden crate before 0.4.0).",
    ),
    "credential.missing-type": (
        E,
        "§3.0",
        "A credential without a `type`; it is ignored (kept verbatim).",
    ),
    "credential.invalid": (
        E,
        "§7.5.18",
        "A credential whose required members are missing or unusable; importers ignore it (kept verbatim).",
    ),
    "item.no-credentials": (N, "§2.6", "An item with no credentials."),
    "item.passkey-scope": (
        N,
        "§5.2",
        "A passkey-only item with a `scope`: passkeys are bound by their rpId, not the scope.",
    ),
    "linked-item.missing-target": (
        N,
        "§2.5, §7.5.25",
        "A LinkedItem or item-reference names an item of this account that is not in the export.",
    ),
    "scope.url-not-uri": (
        N,
        "§2.7",
        "A scope URL without a scheme (Dashlane writes bare hosts); kept as is.",
    ),
    "android.unknown-hash-alg": (
        W,
        "§2.9, §7.4.13",
        "A certificate fingerprint with an unknown `hashAlg`; importers ignore the fingerprint.",
    ),
    "android.fingerprint-length": (
        W,
        "§2.9",
        "A certificate fingerprint whose length does not match its hash algorithm.",
    ),
    # fields
    "field.unknown-type": (
        W,
        "§4.3, §7.4.17",
        "An EditableField with an unknown `fieldType`; the value is kept as text.",
    ),
    "field.type-mismatch": (
        W,
        "§4.4",
        "An EditableField whose `fieldType` differs from the one the spec prescribes for this member.",
    ),
    "field.value-not-string": (
        W,
        "§4.1",
        "An EditableField `value` that is not a JSON string; converted to text.",
    ),
    "field.invalid-boolean": (
        W,
        "§4.2, §4.5",
        "A boolean field whose value is not exactly `true` or `false`.",
    ),
    "field.invalid-date": (W, "§4.2, §4.5", "A date field that is not a real `YYYY-MM-DD` date."),
    "field.invalid-year-month": (W, "§4.2, §4.5", "A year-month field that is not `YYYY-MM`."),
    "field.invalid-country-code": (
        W,
        "§4.2, §4.5",
        "A country-code field that is not ISO 3166-1 alpha-2.",
    ),
    "field.invalid-subdivision-code": (
        W,
        "§4.2, §4.5",
        "A subdivision-code field that is not ISO 3166-2 (`CC-XXX`).",
    ),
    "field.invalid-email": (N, "§4.2", "An email field that does not look like an e-mail address."),
    "field.invalid-number": (
        N,
        "§4.2, §11.10",
        "A number field that is not a plain decimal number.",
    ),
    "wifi.unknown-security-type": (
        W,
        "§3.18, §7.4.16",
        "A Wi-Fi security type that is not a WIFINetworkSecurityType value.",
    ),
    "passport.invalid-type": (
        W,
        "§3.14",
        "A passport type that is not an ICAO 9303 document code (`P`, `PP`, `PD`, ...).",
    ),
    # file
    "file.legacy-integration-hash": (
        W,
        "§3.8",
        "`integrationHash` (an old Bitwarden spelling) instead of `integrityHash`; accepted.",
    ),
    "file.integrity-hash-length": (
        E,
        "§3.8",
        "`integrityHash` is not 32 bytes, so it is not a SHA-256 digest.",
    ),
    "file.size-mismatch": (
        E,
        "§3.8, §7.5.22",
        "The attachment's size differs from `decryptedSize`.",
    ),
    "file.hash-mismatch": (
        E,
        "§3.8, §7.5.22",
        "The attachment's SHA-256 differs from `integrityHash`.",
    ),
    "file.missing-bytes": (W, "§3.8, §11.9", "No bytes were supplied for this file credential."),
    # passkey
    "passkey.key-not-pkcs8": (
        E,
        "§5.1, §7.5.19",
        "The passkey `key` is not a PKCS#8 DER private key.",
    ),
    "passkey.unsupported-algorithm": (
        E,
        "§5.2",
        "The passkey key's algorithm is not one WebAuthn relying parties use (ES256/384/512, EdDSA, RS256).",
    ),
    "passkey.credential-id-empty": (E, "§5.1, §7.5.19", "An empty `credentialId`."),
    "passkey.credential-id-too-long": (
        E,
        "§5.1",
        "A `credentialId` longer than 1023 bytes (WebAuthn limit).",
    ),
    "passkey.user-handle-empty": (
        W,
        "§5.1",
        "An empty `userHandle` (producers write it when unknown); usable only for non-discoverable sign-in.",
    ),
    "passkey.user-handle-too-long": (
        E,
        "§5.1",
        "A `userHandle` longer than 64 bytes (WebAuthn limit).",
    ),
    "passkey.rp-id-invalid": (
        E,
        "§5.1",
        "The `rpId` is not a valid relying-party identifier (a domain name).",
    ),
    "passkey.legacy-hmac-secret": (
        W,
        "§9.3",
        "`hmacSecret` from the PS Appendix A example instead of `hmacCredentials`; not a CXF member (kept).",
    ),
    "passkey.hmac-unknown-algorithm": (
        W,
        "§5.4, §7.4.14",
        "hmacCredentials with an unknown algorithm; importers ignore them (the passkey stays usable).",
    ),
    "passkey.hmac-seed-length": (W, "§5.4", "An hmac-secret seed that is not 32 bytes."),
    "passkey.cred-blob-large": (
        N,
        "§5.3",
        "A credBlob over 32 bytes; not every authenticator can hold it.",
    ),
    "passkey.large-blob-invalid": (W, "§5.5, §7.5.23", "largeBlob `data` is not raw DEFLATE."),
    "passkey.large-blob-size-mismatch": (
        W,
        "§5.5, §7.5.23",
        "largeBlob `data` does not inflate to `uncompressedSize` bytes.",
    ),
    "passkey.nonzero-counter": (
        W,
        "§5.2, §7.6.27",
        "A passkey with a non-zero signature counter; excluded from a CXF export (MUST).",
    ),
    # totp
    "totp.unknown-algorithm": (
        W,
        "§3.17, §7.4.12",
        "A TOTP with an unknown algorithm; importers MUST ignore it (cxkit keeps it).",
    ),
    "totp.algorithm-case": (
        W,
        "§3.17",
        "A TOTP algorithm in upper case; understood case-insensitively.",
    ),
    "totp.default-applied": (
        W,
        "§3.17, §11.6",
        "A required TOTP member is missing; the RFC 6238 default (30 s, 6 digits, sha1) is assumed.",
    ),
    "totp.secret-not-base32": (E, "§3.17, §7.5.20", "The TOTP secret is not Base32."),
    "totp.secret-not-canonical": (
        N,
        "§3.17, §7.5.20",
        "The TOTP secret has lower case, spaces, hyphens or padding; understood.",
    ),
    "totp.period-zero": (E, "§7.5.20", "A TOTP period of 0 seconds."),
    "totp.digits-out-of-range": (W, "§7.5.20", "A TOTP with a number of digits outside 4–10."),
    "totp.issuer-mismatch": (
        N,
        "§9.3",
        "The TOTP issuer does not appear in the item's title or URLs.",
    ),
    # ssh
    "ssh.key-not-pkcs8": (
        E,
        "§3.16, §7.5.21",
        "The SSH `privateKey` is not a PKCS#8 DER private key.",
    ),
    "ssh.key-type-mismatch": (
        W,
        "§3.16, §7.5.21",
        "The SSH `keyType` does not match the private key's algorithm.",
    ),
    # extensions
    "extension.invalid": (E, "§6.1", "An extension without a string `name`; it is skipped."),
    "shared.misplaced": (
        W,
        "§6.2",
        "The `shared` extension on something other than a Collection or an Item.",
    ),
    "shared.unknown-accessor-type": (
        W,
        "§6.2, §7.4.15",
        "A sharing accessor of unknown type; importers MUST ignore it.",
    ),
    "shared.unknown-permission": (
        W,
        "§6.2, §7.4.15",
        "An unknown sharing permission; importers MUST ignore it.",
    ),
    "shared.no-permissions": (
        W,
        "§6.2, §7.4.15",
        "A sharing accessor with no (known) permissions; importers MUST ignore it.",
    ),
}


def make_finding(
    code: str, path: str, message: str | None = None, severity: Severity | None = None
) -> Finding:
    """A finding with the registered default severity (and message) of ``code``."""
    default_severity, _, meaning = CODES[code]
    return Finding(severity or default_severity, code, path, message or meaning)


def findings_markdown() -> str:
    """``docs/findings.md``: every code with its severity, spec section and meaning."""
    lines = [
        "# Finding codes",
        "",
        "Generated from `cxkit.cxf.findings.CODES` by `python -m cxkit.cxf.findings`; do not edit.",
        "Sections refer to the CXF implementation notes (`shared/spec/cxf.md`), which follow the",
        "numbering of CXF 1.0 (PS 2025-08-14 + errata 2026-03-09) as described there in §0.2.",
        "",
        "| code | severity | section | meaning |",
        "|---|---|---|---|",
    ]
    for code, (severity, section, meaning) in CODES.items():
        lines.append(f"| `{code}` | {severity} | {section} | {meaning} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(findings_markdown(), end="")
