"""Detection verdicts: every file of ``../shared/exports/manifest.json`` gets the verdict written
below — the reader that takes it, or the kind of refusal — and the unit cases behind the rules
(evidence, not guesses: ``src/cxkit/adapters/detection.py``, ``known.py``).

Verdicts: an adapter key; ``known:<app>`` (a format cxkit names but does not read yet);
``openpgp`` (an encrypted message), ``openpgp-keys``; ``image``; ``not-an-export`` (key files, app
internals, GnuPG files); ``headerless-csv``; ``unknown``.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import zipfile
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters
from cxkit.adapters import known, registry
from cxkit.adapters.base import first_entries
from cxkit.adapters.bitwarden.json_export import BitwardenJsonAdapter
from cxkit.adapters.detection import InputRefusedError, accepts_by_hints, describe, make_sample
from cxkit.errors import AdapterError, CxkitError
from shared_evidence import shared_path

# fmt: off
#: Notes on a few rows: GNOME Authenticator writes andOTP's layout (andotp); the Bitwarden
#: Authenticator exports really are Bitwarden JSON/CSV; ``password`` files, the pass-import YAML
#: references, ``lpass ls`` output, GnuPG's config and the detection negatives are "unknown";
#: Dashlane's legacy CSV has no header and a one-cell first row, so it reads as plain text.
VERDICTS: dict[str, str] = {
    "2fas/aegis/2fas_authenticator.json": "2fas",
    "2fas/aegis/2fas_authenticator_encrypted.2fas": "2fas-encrypted",
    "2fas/aegis/2fas_authenticator_encrypted_v3.2fas": "2fas-encrypted",
    "2fas/aegis/2fas_authenticator_plain.2fas": "2fas",
    "2fas/aegis/2fas_authenticator_plain_v3.2fas": "2fas",
    "2fas/aegis/2fas_authenticator_plain_v4.2fas": "2fas",
    "2fas/proton/decrypted.2fas": "2fas",
    "2fas/proton/decrypted_ios.2fas": "2fas",
    "2fas/proton/decrypted_with_hotp.2fas": "2fas",
    "2fas/proton/decrypted_with_hotp_and_unsupported_algorithms.2fas": "2fas",
    "2fas/proton/decrypted_with_hotp_missing_period.2fas": "2fas",
    "2fas/proton/decrypted_with_manual_entries.2fas": "2fas",
    "2fas/proton/decrypted_with_missing_fields.2fas": "2fas",
    "2fas/proton/encrypted.2fas": "2fas-encrypted",
    "2fas/proton/password": "unknown",
    "aegis/aegis/aegis_encrypted.json": "aegis-encrypted-json",
    "aegis/aegis/aegis_plain.json": "aegis-json",
    "aegis/pass-import/aegis.json": "aegis-json",
    "aegis/pass-import/aegiscipher.json": "aegis-encrypted-json",
    "aegis/proton/aegis-json-encrypted-test.json": "aegis-encrypted-json",
    "aegis/proton/aegis-json-unencrypted-hotp.json": "aegis-json",
    "aegis/proton/aegis-json-unencrypted-with-bad-period-digits.json": "aegis-json",
    "aegis/proton/aegis-json-unencrypted-with-missing-fields.json": "aegis-json",
    "aegis/proton/aegis-json-unencrypted.json": "aegis-json",
    "aegis/proton/aegis-txt.txt": "otpauth-uris",
    "aegis/proton/password": "unknown",
    "andotp/aegis/andotp_encrypted_old.bin": "unknown",
    "andotp/aegis/andotp_plain.json": "andotp",
    "andotp/pass-import/andotp.gpg": "openpgp",
    "andotp/pass-import/andotp.json": "andotp",
    "andotp/pass-import/andotp.json.aes": "andotp",
    "apple/pass-import/apple-keychain-note.txt": "apple-keychain",
    "apple/pass-import/apple-keychain.txt": "apple-keychain",
    "authenticator-plus/aegis/authenticator_plus.zip": "authenticator-plus",
    "authy/aegis/authy_encrypted.xml": "authy",
    "authy/aegis/authy_plain.xml": "authy",
    "battle-net/aegis/battle_net_authenticator.xml": "battle-net",
    "bitwarden-authenticator/aegis/bitwarden.csv": "bitwarden-csv",
    "bitwarden-authenticator/aegis/bitwarden.json": "bitwarden-json",
    "bitwarden-authenticator/proton/bitwarden.csv": "bitwarden-csv",
    "bitwarden-authenticator/proton/bitwarden.json": "bitwarden-json",
    "bitwarden-authenticator/proton/bitwarden_app.json": "bitwarden-json",
    "bitwarden-authenticator/proton/bitwarden_sample.csv": "bitwarden-csv",
    "bitwarden/bitwarden-sdk/json_export.json": "bitwarden-json",
    "bitwarden/keepassxc/bitwarden_encrypted_export.json": "bitwarden-encrypted-json",
    "bitwarden/keepassxc/bitwarden_export.json": "bitwarden-json",
    "bitwarden/keepassxc/bitwarden_export_ssh.json": "bitwarden-json",
    "bitwarden/keepassxc/bitwarden_nested_export.json": "bitwarden-json",
    "bitwarden/keepassxc/bitwarden_passkey_export.json": "bitwarden-json",
    "bitwarden/keepassxc/bitwarden_timestamps_export.json": "bitwarden-json",
    "bitwarden/pass-import/bitwarden-org.csv": "bitwarden-csv",
    "bitwarden/pass-import/bitwarden-org.json": "bitwarden-json",
    "bitwarden/pass-import/bitwarden-other.csv": "bitwarden-csv",
    "bitwarden/pass-import/bitwarden-other.json": "bitwarden-json",
    "bitwarden/pass-import/bitwarden.csv": "bitwarden-csv",
    "bitwarden/pass-import/bitwarden.json": "bitwarden-json",
    "blur/pass-import/blur.csv": "blur-csv",
    "blur/pass-import/blur.json": "blur-json",
    "buttercup/pass-import/buttercup.csv": "buttercup-csv",
    "chrome/pass-import/chrome.csv": "chrome-csv",
    "chrome/pass-import/chromesqlite.csv": "chrome-sqlite-csv",
    "clipperz/pass-import/clipperz.html": "clipperz-html",
    "dashlane/pass-import/dashlane.csv": "headerless-csv",
    "dashlane/pass-import/dashlane.json": "dashlane-json",
    "detection-negatives/pass-import/dummy.1pif": "unknown",
    # rows of quoted cells after a one-cell first row (as Dashlane's legacy CSV): no reader's
    # evidence, told a CSV without a header row (the hint names the readers of such files)
    "detection-negatives/pass-import/dummy.csv": "headerless-csv",
    "detection-negatives/pass-import/dummy.html": "unknown",
    "detection-negatives/pass-import/dummy.json": "unknown",
    "detection-negatives/pass-import/dummy.txt": "unknown",
    "detection-negatives/pass-import/dummy.xml": "unknown",
    "detection-negatives/pass-import/dummy.yml": "unknown",
    "duo/aegis/duo.json": "duo",
    "encryptr/pass-import/encryptr-card.csv": "encryptr-csv",
    "encryptr/pass-import/encryptr.csv": "encryptr-csv",
    "enpass/pass-import/enpass.csv": "enpass-csv",
    "ente/aegis/ente_auth.txt": "otpauth-uris",
    "ente/proton/encrypted.lowcomplexity.txt": "ente",
    "ente/proton/encrypted_decrypted.txt": "otpauth-uris",
    "ente/proton/password": "unknown",
    "ente/proton/plain.txt": "otpauth-uris",
    "ente/proton/plain_20_entries.txt": "otpauth-uris",
    "ente/proton/plain_with_hotp.txt": "otpauth-uris",
    "ente/proton/plain_with_missing_fields.txt": "otpauth-uris",
    "ente/proton/plain_with_steam_and_hotp.txt": "otpauth-uris",
    "figaro-pm/pass-import/fpm.xml": "figaro-xml",
    "firefox/pass-import/ff-password-exporter.csv": "firefox-password-exporter-csv",
    "firefox/pass-import/firefox.csv": "firefox-csv",
    "freeotp/aegis/freeotp.xml": "freeotp",
    "freeotp/aegis/freeotp_plus.json": "freeotp-plus",
    "freeotp/aegis/freeotp_plus_internal.xml": "freeotp",
    "freeotp/aegis/freeotp_v2_api23.xml": "freeotp",
    "freeotp/aegis/freeotp_v2_api25.xml": "freeotp",
    "freeotp/aegis/freeotp_v2_api27.xml": "freeotp",
    "freeotp/aegis/freeotp_v2_api34.xml": "freeotp",
    "freeotp/aegis/freeotp_v2_null_algo.xml": "freeotp",
    "freeotp/pass-import/freeotp.json": "freeotp-plus",
    "gnome-authenticator/pass-import/gnomeauthenticator.json": "andotp",
    "gnome-keyring/pass-import/gnome-keyring.keyring": "gnome-keyring",
    "google-authenticator/aegis/google_authenticator.sqlite": "google-authenticator",
    "google-authenticator/migration-uris.expected.json": "unknown",
    "google-authenticator/migration-uris.txt": "google-authenticator",
    "google-authenticator/proton/GoogleAuthenticatorExport_1.png": "google-authenticator",
    "google-authenticator/proton/GoogleAuthenticatorExport_2.png": "google-authenticator",
    "google-authenticator/proton/GoogleAuthenticatorExport_3.png": "google-authenticator",
    "keepass/pass-import/keepass-other.xml": "keepass-xml",
    "keepass/pass-import/keepass.csv": "keepass-csv",
    "keepass/pass-import/keepass.kdbx": "keepass-kdbx",
    "keepass/pass-import/keepass.xml": "keepass-xml",
    "keepass/pykeepass/change.key": "not-an-export",
    "keepass/pykeepass/extra_content.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test3.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test3.key": "not-an-export",
    "keepass/pykeepass/test3_transformed.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test4.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test4.key": "unknown",
    "keepass/pykeepass/test4_aes.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test4_aes_uncompressed.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test4_aeskdf.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test4_argon2id.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test4_blankpass.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test4_chacha20_uncompressed.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test4_hex.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test4_hex.key": "unknown",
    "keepass/pykeepass/test4_keyx.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test4_keyx.keyx": "not-an-export",
    "keepass/pykeepass/test4_transformed.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test4_twofish.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test4_twofish_uncompressed.kdbx": "keepass-kdbx",
    "keepass/pykeepass/test_invalidversion.key": "not-an-export",
    "keepassx/pass-import/keepassx-other.xml": "keepassx-xml",
    "keepassx/pass-import/keepassx.xml": "keepassx-xml",
    "keepassxc/pass-import/keepassx2.csv": "keepassxc-csv",
    "keeper/pass-import/keeper.csv": "headerless-csv",
    "lastpass-authenticator/proton/lastpass.json": "lastpass-authenticator",
    "lastpass-authenticator/proton/lastpass_ios_export.json": "lastpass-authenticator",
    "lastpass-authenticator/proton/lastpass_missing_fields.json": "lastpass-authenticator",
    "lastpass/pass-import/lastpass.csv": "lastpass-csv",
    "lastpass/pass-import/lastpass.csv.gpg": "openpgp",
    "lastpass/pass-import/lpass-cli/list": "unknown",
    "lastpass/pass-import/lpass-cli/show-2484914384825433708": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-2484914384825433708.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-2708675046823528822": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-2708675046823528822.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-3243291093373152461": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-3243291093373152461.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-3765864825443255811": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-3765864825443255811.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-3905446787942154016": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-3905446787942154016.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-4061988620109635891": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-4061988620109635891.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-4286509791900574846": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-4286509791900574846.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-5243770479038533622": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-5243770479038533622.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-5256086908408307038": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-5256086908408307038.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-6051084001543180250": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-6051084001543180250.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-6082506157297743545": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-6082506157297743545.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-8273029964772952977": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-8273029964772952977.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-8309982398435317891": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-8309982398435317891.json": "lastpass-cli-json",
    "lastpass/pass-import/lpass-cli/show-8440852123732500555": "lastpass-cli-text",
    "lastpass/pass-import/lpass-cli/show-8440852123732500555.json": "lastpass-cli-json",
    "microsoft-authenticator/aegis/microsoft_authenticator.sqlite": "microsoft-authenticator",
    "myki/pass-import/myki.csv": "myki-csv",
    "networkmanager/pass-import/Box-A5O9": "networkmanager",
    "networkmanager/pass-import/Open Wireless": "networkmanager",
    "networkmanager/pass-import/VPN": "networkmanager",
    "networkmanager/pass-import/Wired connection": "networkmanager",
    "networkmanager/pass-import/android": "networkmanager",
    "networkmanager/pass-import/eduroam": "networkmanager",
    "nordpass/pass-import/nordpass.csv": "nordpass-csv",
    "onepassword/keepassxc/keepassxc.opvault/default/30B6513EE64B4DFE9C47EC2F257CE296_34034F6E478A4D4F91CDBE0A077E2128.attachment": "not-an-export",
    "onepassword/keepassxc/keepassxc.opvault/default/band_1.js": "not-an-export",
    "onepassword/keepassxc/keepassxc.opvault/default/band_3.js": "not-an-export",
    "onepassword/keepassxc/keepassxc.opvault/default/band_4.js": "not-an-export",
    "onepassword/keepassxc/keepassxc.opvault/default/band_5.js": "not-an-export",
    "onepassword/keepassxc/keepassxc.opvault/default/band_A.js": "not-an-export",
    "onepassword/keepassxc/keepassxc.opvault/default/band_C.js": "not-an-export",
    "onepassword/keepassxc/keepassxc.opvault/default/folders.js": "not-an-export",
    "onepassword/keepassxc/keepassxc.opvault/default/profile.js": "not-an-export",
    "onepassword/pass-import/1password.csv": "1password6-csv",
    "onepassword/pass-import/1password4.csv": "1password4-csv",
    "onepassword/pass-import/1password8.csv": "1password-csv",
    "otpauth-uris/aegis/plain.txt": "otpauth-uris",
    "padlock/pass-import/padlock.csv": "padlock-csv",
    "padlock/pass-import/padlock.json": "padlock-json",
    "pass-import-gnupg/.gpg-v21-migrated": "unknown",
    "pass-import-gnupg/gpg.conf": "unknown",
    "pass-import-gnupg/openpgp-revocs.d/56CEB1E101161259C24A302A62B9F5CDBF6BE4CF.rev": "openpgp-keys",
    "pass-import-gnupg/private-keys-v1.d/0606FE40527B8F47BFD30238709F895642EEF303.key": "not-an-export",
    "pass-import-gnupg/private-keys-v1.d/06278846A35FE4416E8701DDCF6B60E93F8BCB63.key": "not-an-export",
    "pass-import-gnupg/private-keys-v1.d/615FC2A5B2CBFD58B7FFA0A140D43B74AB9748B0.key": "not-an-export",
    "pass-import-gnupg/private-keys-v1.d/63D607EC5C89163B473708E7B3E5115301CF06E4.key": "not-an-export",
    "pass-import-gnupg/private-keys-v1.d/9ED76565D0536560EA97452C2476C35B30105271.key": "not-an-export",
    "pass-import-gnupg/private-keys-v1.d/A5CEE9554AA7090ADD97D97E0DA902764E6C2111.key": "not-an-export",
    "pass-import-gnupg/private-keys-v1.d/AD20D0B45D263DD5AE866FDB98E04A0D20070F68.key": "not-an-export",
    "pass-import-gnupg/private-keys-v1.d/C93858C40FA9E117DA4E7F336580B8B12354EB83.key": "not-an-export",
    "pass-import-gnupg/private-keys-v1.d/C93F70CA322D4F42E7FC7D54F6367E65C23E5CA3.key": "not-an-export",
    "pass-import-gnupg/private-keys-v1.d/CDA6EE91E62A15AB9F6A3041FE01CC123B7E9D23.key": "not-an-export",
    "pass-import-gnupg/private-keys-v1.d/F567FF7BCA7EBE37C8EBF8BF8FE685EC5EBD2740.key": "not-an-export",
    "pass-import-gnupg/private-keys-v1.d/FFED3C5A6A52B200BCCE3F41593EA51D6054649F.key": "not-an-export",
    "pass-import-gnupg/pubring.gpg": "openpgp-keys",
    "pass-import-gnupg/secring.gpg": "openpgp-keys",
    "pass-import-gnupg/trustdb.gpg": "not-an-export",
    "pass-import-misc/pass-import/audit.yml": "passpie-yaml",
    "pass-import-references/applekeychain-note.yml": "unknown",
    "pass-import-references/audit.yml": "unknown",
    "pass-import-references/bitwarden-other.yml": "unknown",
    "pass-import-references/encryptr-card.yml": "unknown",
    "pass-import-references/keepass-kdbx.yml": "unknown",
    "pass-import-references/keepass-other.yml": "unknown",
    "pass-import-references/main.yml": "unknown",
    "pass-import-references/networkmanager-wifi.yml": "unknown",
    "pass-import-references/otp.yml": "unknown",
    "pass-import-references/revelation-other.yml": "unknown",
    "pass-import-references/tests.yml": "unknown",
    "passman/pass-import/passman.csv": "passman-csv",
    "passman/pass-import/passman.json": "passman-json",
    "passpack/pass-import/passpack.csv": "passpack-csv",
    "passpie/pass-import/passpie.yml": "passpie-yaml",
    "password-gorilla/pass-import/gorilla.csv": "gorilla-csv",
    "password-store/pass-import/pass/.gpg-id": "unknown",
    "password-store/pass-import/pass/Bank/aib.gpg": "openpgp",
    "password-store/pass-import/pass/CornerCases/empty entry.gpg": "openpgp",
    "password-store/pass-import/pass/CornerCases/empty password.gpg": "openpgp",
    "password-store/pass-import/pass/CornerCases/note.gpg": "openpgp",
    "password-store/pass-import/pass/CornerCases/space title.gpg": "openpgp",
    "password-store/pass-import/pass/Emails/WS/dpbx@fner.ws.gpg": "openpgp",
    "password-store/pass-import/pass/Emails/WS/dpbx@mnyfymt.ws.gpg": "openpgp",
    "password-store/pass-import/pass/Emails/dpbx@afoqwdr.tx.gpg": "openpgp",
    "password-store/pass-import/pass/Emails/dpbx@klivak.xb.gpg": "openpgp",
    "password-store/pass-import/pass/Servers/ovh.com/bynbyjhqjz.gpg": "openpgp",
    "password-store/pass-import/pass/Servers/ovh.com/jsdkyvbwjn.gpg": "openpgp",
    "password-store/pass-import/pass/Social/mastodon.social.gpg": "openpgp",
    "password-store/pass-import/pass/Social/news.ycombinator.com.gpg": "openpgp",
    "password-store/pass-import/pass/Social/twitter.com.gpg": "openpgp",
    "proton-authenticator/aegis/proton_authenticator.json": "proton-authenticator",
    "protonpass/keepassxc/protonpass_export.json": "protonpass",
    "pwsafe/pass-import/pwsafe.xml": "pwsafe-xml",
    "revelation/pass-import/revelation-other.xml": "revelation-xml",
    "revelation/pass-import/revelation.xml": "revelation-xml",
    "roboform/pass-import/roboform.csv": "roboform-csv",
    "safeincloud/pass-import/safeincloud.csv": "safeincloud-csv",
    "saferpass/pass-import/saferpass.csv": "saferpass-csv",
    "steam/aegis/steam.json": "steam",
    "steam/aegis/steam_old.json": "steam",
    "stratum/aegis/stratum_encrypted.bin": "stratum",
    "stratum/aegis/stratum_encrypted_legacy.bin": "stratum",
    "stratum/aegis/stratum_internal.db": "stratum",
    "stratum/aegis/stratum_plain.json": "stratum",
    "synology/pass-import/synology.csv": "synology-csv",
    "totp-authenticator/aegis/totp_authenticator.bin": "totp-authenticator",
    "totp-authenticator/aegis/totp_authenticator_internal.xml": "totp-authenticator",
    "upm/pass-import/upm.csv": "headerless-csv",
    "zoho/pass-import/zoho.csv": "zoho-csv",
    "zoho/pass-import/zoho.vault.csv": "zoho-vault-csv",
}
# fmt: on


def _verdict(data: bytes, name: str) -> str:
    try:
        return str(adapters.detect(make_sample(data, name)).adapter.info.key)
    except InputRefusedError as exc:
        return exc.verdict


def test_every_shared_sample_has_its_verdict() -> None:
    root = shared_path("exports")
    manifest = json.loads((root / "manifest.json").read_bytes())
    assert sorted(e["path"] for e in manifest) == sorted(VERDICTS), "the table covers the manifest"
    wrong = {}
    for entry in manifest:
        got = _verdict((root / entry["path"]).read_bytes(), entry["path"].rsplit("/", 1)[-1])
        if got != VERDICTS[entry["path"]]:
            wrong[entry["path"]] = got
    assert wrong == {}


def test_refusals_name_no_value_of_the_file() -> None:
    """Every refusal message of the shared samples holds no 6+ character token of the file that
    is not also a column or member name (the files hold real-looking passwords)."""
    root = shared_path("exports")
    for path, verdict in VERDICTS.items():
        if ":" not in verdict and verdict not in ("unknown", "headerless-csv"):
            continue
        data = (root / path).read_bytes()
        try:
            adapters.detect(make_sample(data, "f"))
        except CxkitError as exc:
            text = exc.diagnostics()
        else:
            continue
        for secret in (b"ws5T@;_UB", b"SoNEwvU,kJ", b"D<INNeT?#", b"4SJHB4GSD43F", b"2cUqe}e9}"):
            if secret in data:
                assert secret.decode() not in text, path


# --------------------------------------------------------------------------- JSON evidence


def _bitwarden_item(**extra: Any) -> dict[str, Any]:
    return {"id": "5a8e7f3c-0000-4000-8000-000000000001", "type": 1, "name": "x",
            "login": {"username": "u", "password": "p"}, **extra}  # fmt: skip


def test_enpass_like_json_is_not_bitwarden() -> None:
    enpass = {"folders": [], "items": [{"title": "Mail", "fields": [{"label": "Password",
              "type": "password", "value": "hunter2-secret"}], "category": "login"}]}  # fmt: skip
    sample = make_sample(json.dumps(enpass).encode(), "export.json")
    assert BitwardenJsonAdapter().accepts(sample) == adapters.Confidence.NO
    assert adapters.detect(sample).adapter.info.key == "enpass-json"
    # forced: every entry is foreign, so the reader refuses the file instead of carrying junk
    with pytest.raises(AdapterError, match="not Bitwarden items"):
        adapters.read(json.dumps(enpass).encode(), "e.json", source_format="bitwarden-json")


def test_items_and_folders_alone_are_no_evidence() -> None:
    other = {"folders": [], "items": [{"uuid": "a", "label": "b"}, {"uuid": "c"}]}
    with pytest.raises(InputRefusedError) as info:
        adapters.detect(make_sample(json.dumps(other).encode(), "x.json"))
    assert info.value.verdict == "unknown"
    assert "items" in str(info.value) and "folders" in str(info.value)


def test_bitwarden_needs_its_item_types() -> None:
    good = {"encrypted": False, "folders": [], "items": [_bitwarden_item()]}
    sample = make_sample(json.dumps(good).encode(), "bw.json")
    assert adapters.detect(sample).confidence == adapters.Confidence.CERTAIN
    for bad_type in (0, 6, "1", True, None):
        doc = {"folders": [], "items": [_bitwarden_item(type=bad_type)]}
        verdict = _verdict(json.dumps(doc).encode(), "x.json")
        assert verdict != "bitwarden-json", bad_type


def test_account_rooted_cxf_is_cxf_and_nothing_else() -> None:
    account = {"id": "AAAAAAAAAAAAAAAAAAAAAA", "username": "u", "email": "u@example.com",
               "collections": [], "items": []}  # fmt: skip
    result = adapters.detect(make_sample(json.dumps(account).encode(), "vault.json"))
    assert (result.adapter.info.key, result.confidence) == ("cxf-json", adapters.Confidence.CERTAIN)
    assert dict(result.tried)["bitwarden-json"] == adapters.Confidence.NO
    header = {"version": {"major": 1, "minor": 0}, "exporterRpId": "example.com",
              "exporterDisplayName": "E", "timestamp": 1, "accounts": [account]}  # fmt: skip
    result = adapters.detect(make_sample(json.dumps(header).encode(), "vault.json"))
    assert (result.adapter.info.key, result.confidence) == ("cxf-json", adapters.Confidence.CERTAIN)


def test_json_is_peeked_then_decoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxkit.adapters.kit import input as kit_input

    calls = []
    real = kit_input.parse_json
    monkeypatch.setattr(kit_input, "parse_json", lambda *a, **k: calls.append(1) or real(*a, **k))
    data = json.dumps({"encrypted": False, "items": [_bitwarden_item()] * 50}).encode()
    sample = make_sample(data, "bw.json")
    assert sample.json_ok and sample.json_keys == {"encrypted", "items"}
    assert adapters.detect(sample).adapter.info.key == "bitwarden-json"
    assert calls == []  # detection looked at Raw slices only
    doc, _ = adapters.read(data, "bw.json")
    assert len(list(doc.items())) == 50 and len(calls) == 1


_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=8)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_JSON, max_size=8), st.integers(min_value=1, max_value=9), st.booleans())
def test_first_entries_agrees_with_a_full_decode(
    value: list[Any], limit: int, pretty: bool
) -> None:
    """The array scanner behind ``Sample.json_entries`` (new parser: property-tested)."""
    text = json.dumps(value, indent=2 if pretty else None, ensure_ascii=pretty).encode()
    assert first_entries(memoryview(text), limit) == value[:limit]
    assert first_entries(memoryview(b'{"a": 1}'), limit) is None


# --------------------------------------------------------------------------- OpenPGP, images, zip


def _pgp_packet(tag: int, body: bytes) -> bytes:
    return bytes([0xC0 | tag, len(body)]) + body  # new-format header, one-octet length


@pytest.mark.parametrize(
    "data",
    [
        b"-----BEGIN PGP MESSAGE-----\n\nhQEMA...\n-----END PGP MESSAGE-----\n",
        bytes([0x85, 0x01, 0x0C, 0x03]) + bytes(300),  # old format PKESK, version 3
        _pgp_packet(1, b"\x03" + bytes(60)) + _pgp_packet(18, b"\x01" + bytes(100)),
        _pgp_packet(3, b"\x04\x09\x03" + bytes(20)) + _pgp_packet(18, b"\x01" + bytes(50)),
    ],
)
def test_openpgp_messages_are_named_not_claimed(data: bytes) -> None:
    with pytest.raises(InputRefusedError) as info:
        adapters.detect(make_sample(data, "entry.gpg"))
    assert info.value.verdict == "openpgp"
    assert "OpenPGP-encrypted file: decrypt it with gpg first" in str(info.value)
    assert "gpg --decrypt" in (info.value.hint or "")


def test_openpgp_keys_and_look_alikes() -> None:
    ring = bytes([0x99, 0x01, 0x0D, 0x04]) + bytes(269)  # old format public key, version 4
    assert _verdict(ring, "pubring.gpg") == "openpgp-keys"
    armoured = b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQEN\n-----END PGP PUBLIC KEY BLOCK-----"
    assert _verdict(armoured, "key.asc") == "openpgp-keys"
    # high bit set but no plausible packet (tag 0, wrong version, length past the end)
    for data in (b"\x81+\xde)" + bytes(50), bytes([0x85, 0x01, 0x0C, 0x09]) + bytes(300),
                 bytes([0x85, 0xFF, 0xFF, 0x03]) + bytes(30)):  # fmt: skip
        assert _verdict(data, "x.bin") == "unknown"


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=64))
def test_sniffers_never_raise(data: bytes) -> None:
    sample = make_sample(data, "x")
    assert isinstance(describe(sample), str)
    with contextlib.suppress(CxkitError):
        adapters.detect(sample)


def test_images_and_databases() -> None:
    assert _verdict(b"\x89PNG\r\n\x1a\n" + bytes(40), "qr.png") == "image"
    with pytest.raises(InputRefusedError, match="QR codes"):
        adapters.detect(make_sample(b"\x89PNG\r\n\x1a\n" + bytes(40), "qr.png"))
    assert _verdict(b"SQLite format 3\x00" + bytes(100), "app.db") == "not-an-export"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_zip_is_described_by_its_members() -> None:
    data = _zip({"export.json": b"{}", "attachments/a.txt": b"a", "attachments/b.txt": b"b",
                 "attachments/c.txt": b"c"})  # fmt: skip
    with pytest.raises(InputRefusedError) as info:
        adapters.detect(make_sample(data, "backup.zip"))
    assert info.value.verdict == "unknown"
    assert "(a zip holding export.json and 3 files in attachments/)" in str(info.value)
    one = describe(make_sample(_zip({"data.txt": b"x"}), "x.zip"))
    assert one == "a zip holding data.txt"
    pux = _zip({"export.attributes": b"{}", "export.data": b"{}"})
    assert _verdict(pux, "vault.1pux") == "1password-1pux"


def test_xml_is_described_by_its_root() -> None:
    data = b"<?xml version='1.0'?>\n<!-- c -->\n<!DOCTYPE x>\n<vault><e>secret-value</e></vault>"
    with pytest.raises(InputRefusedError) as info:
        adapters.detect(make_sample(data, "v.xml"))
    assert "XML with root element <vault>" in str(info.value)
    assert "secret-value" not in info.value.diagnostics()


# --------------------------------------------------------------------------- CSV


def test_headerless_csv_never_shows_its_first_row() -> None:
    secret = "Zq9%kL2;pW!x7[Rt"
    data = f'Bank,aib,someone@example.org,"{secret}",https://bank.example/,\n'.encode() * 3
    with pytest.raises(InputRefusedError) as info:
        adapters.detect(make_sample(data, "keeper.csv"))
    assert info.value.verdict == "headerless-csv"
    text = info.value.diagnostics()
    assert "CSV without a header row (6 columns)" in text
    for cell in (secret, "someone@example.org", "aib", "bank.example"):
        assert cell not in text


def test_no_reader_forced_on_a_headerless_csv_shows_its_first_row() -> None:
    secret = "Zq9%kL2;pW!x7[Rt"
    data = f'Bank,aib,someone@example.org,"{secret}",https://bank.example/,\n'.encode() * 3
    for key, adapter in adapters.adapters().items():
        if not hasattr(adapter, "read"):
            continue
        try:
            adapters.read(data, "x.csv", source_format=key)
        except CxkitError as exc:
            assert secret not in exc.diagnostics(), key
            assert "someone@example.org" not in exc.diagnostics(), key


@pytest.mark.parametrize(
    "row",
    [
        ("foo", "hunter2SECRET", "bar"),  # a password that holds a column word
        ("mail.example.com", "bob", "passw0rd"),  # host and password with column words
        ("Work", "bob@example.org", "Sunshine"),
        ("notes", "alice", "mypassword"),  # letters only, but most cells are no column word
    ],
)
def test_a_data_row_that_contains_column_words_is_not_shown(row: tuple[str, ...]) -> None:
    """Found in review: a first row counted as a header when one cell held a column word
    (``pass`` in ``passw0rd``), and was printed. Every cell must now look like a name."""
    data = (",".join(row) + "\n").encode() * 3
    with pytest.raises(CxkitError) as info:
        adapters.detect(make_sample(data, "vault.csv"))
    text = info.value.diagnostics()
    for cell in row[1:]:
        assert cell not in text


_PUNCT = "%;[]@$^&*{}<>?=+~`|\\'\""


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet="abcXYZ019", min_size=1, max_size=8), min_size=1, max_size=6),
    st.text(alphabet="abcdefXYZ0123456789" + _PUNCT, min_size=6, max_size=20),
    st.integers(min_value=0, max_value=6),
)
def test_a_first_row_with_a_secret_is_never_printed(cells: list[str], secret: str, at: int) -> None:
    if not any(c in _PUNCT for c in secret):
        secret += "%"
    row = list(cells)
    row.insert(min(at, len(row)), secret)
    line = ",".join('"' + c.replace('"', '""') + '"' for c in row)
    data = (line + "\n" + line + "\n").encode()
    try:
        adapters.detect(make_sample(data, "x.csv"))
    except CxkitError as exc:
        assert secret not in exc.diagnostics()


def test_known_csv_exports_are_named() -> None:
    lastpass = b"profilename,profilelanguage,firstname,ccnum\np,en-US,A,4111\n"
    with pytest.raises(InputRefusedError) as info:
        adapters.detect(make_sample(lastpass, "lp.csv"))
    assert info.value.verdict == "known:lastpass"
    assert str(info.value).endswith(
        "this looks like a LastPass form-fill CSV export; cxkit does not read it yet"
    )
    assert (
        _verdict(b"Title,URL,Username,Password,Notes,OTPAuth\n", "a.csv") == "apple-passwords-csv"
    )
    unknown = b"site,user name,secret phrase\nexample.com,me,x\n"
    with pytest.raises(InputRefusedError, match="CSV with columns site, user name, secret phrase"):
        adapters.detect(make_sample(unknown, "x.csv"))


# --------------------------------------------------------------------------- hints and catalogue


def test_adapters_without_accepts_are_detected_by_their_hints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Hinted:
        info = adapters.AdapterInfo(
            key="hinted-csv", app="Hinted", format="CSV", versions="1",
            capabilities=adapters.Capability.READ, credential_types=frozenset(), how_to_export="",
            csv_header=frozenset({"alpha", "beta"}), json_keys=frozenset({"hintedVault"}),
        )  # fmt: skip

        def read(self, *a: Any) -> Any:
            raise AssertionError

    class EP:
        name = "hinted"

        def load(self) -> Any:
            return Hinted

    registry._reset_for_tests()
    monkeypatch.setattr(registry, "_entry_points", lambda: [EP()])
    try:
        assert "hinted-csv" in adapters.adapters()
        found = adapters.detect(make_sample(b"beta,alpha\n1,2\n", "h.csv"))
        assert (found.adapter.info.key, found.confidence) == (
            "hinted-csv",
            adapters.Confidence.CERTAIN,
        )
        found = adapters.detect(make_sample(b'{"hintedVault": [], "x": 1}', "h.json"))
        assert (found.adapter.info.key, found.confidence) == (
            "hinted-csv",
            adapters.Confidence.LIKELY,
        )
        assert accepts_by_hints(Hinted.info, make_sample(b"alpha,gamma\n", "x")) == 0
    finally:
        registry._reset_for_tests()


def test_the_catalogue_entries_carry_evidence() -> None:
    for sig in known.KNOWN:
        evidence = (sig.csv_header, sig.json_members, sig.json_entries, sig.xml_root,
                    sig.zip_members, sig.magic, sig.text_prefix, sig.marker)  # fmt: skip
        assert any(evidence), sig
        assert sig.verdict.startswith("known:") == sig.export


def test_the_catalogue_names_no_csv_a_reader_reads() -> None:
    """A header variant a reader does not accept (other case, a trailing empty column) is
    never told "cxkit does not read it yet" when a reader reads that app's CSV."""
    for reader in registry.readers():
        for header in (reader.info.csv_header, *reader.info.csv_headers):
            if not header:
                continue
            for cells in (sorted(header), [c.upper() for c in sorted(header)], [*header, ""]):
                sig = known.match(make_sample((",".join(cells) + "\r\n").encode(), "x.csv"))
                assert sig is None, (reader.info.key, cells, sig.app)


# --------------------------------------------------------------------------- Bitwarden items


def test_foreign_items_are_skipped_not_carried_as_custom_fields() -> None:
    items = [_bitwarden_item(name=f"ok {i}") for i in range(3)]
    items.append({"title": "Enpass-like", "fields": [{"value": "pw-in-foreign-item"}]})
    items.append(_bitwarden_item(name="bad login", login="not-an-object"))
    data = json.dumps({"encrypted": False, "items": items}).encode()
    doc, report = adapters.read(data, "bw.json")
    assert [i.title for _, i in doc.items()] == ["ok 0", "ok 1", "ok 2"]
    reasons = dict(report.items_skipped)
    assert reasons["#3"] == "no 'type': not a Bitwarden item"
    assert reasons["bad login"] == "'login' is not an object: not a Bitwarden item"
    assert "pw-in-foreign-item" not in json.dumps(report.to_json())
    assert all(
        r.disposition == adapters.Disposition.NOT_CARRIED
        for r in report.fields if r.path.startswith(("$.items[3]", "$.items[4]"))
    )  # fmt: skip


def test_mostly_foreign_items_refuse_the_file() -> None:
    items = [_bitwarden_item(), {"type": 9, "name": "a"}, {"type": 9, "name": "b"}]
    with pytest.raises(AdapterError, match="2 of 3 entries") as info:
        adapters.read(
            json.dumps({"items": items}).encode(), "x.json", source_format="bitwarden-json"
        )
    assert info.value.location == "x.json: $.items"


def test_trashed_items_are_skipped_unless_asked_for() -> None:
    items = [
        _bitwarden_item(name="live"),
        _bitwarden_item(name="binned", deletedDate="2024-01-02T03:04:05.000Z"),
    ]
    data = json.dumps({"encrypted": False, "items": items}).encode()
    doc, report = adapters.read(data, "bw.json")
    assert [i.title for _, i in doc.items()] == ["live"]
    assert report.items_skipped == [("binned", "in the trash (--include-trashed reads it)")]
    doc, report = adapters.read(data, "bw.json", options=adapters.ReadOptions(include_trashed=True))
    assert [i.title for _, i in doc.items()] == ["live", "binned"]
    assert not report.items_skipped


def test_random_item_mutations_only_raise_cxkit_errors() -> None:
    rng = random.Random(12)
    values: list[Any] = [None, 0, 3, 9, "x", [], {}, True, 1.5]
    for _ in range(300):
        item = _bitwarden_item()
        item[rng.choice(["type", "name", "login", "notes", "fields", "card", "id"])] = rng.choice(
            values
        )
        data = json.dumps({"items": [item, _bitwarden_item()]}).encode()
        with contextlib.suppress(CxkitError):
            adapters.read(data, "x.json", source_format="bitwarden-json")
