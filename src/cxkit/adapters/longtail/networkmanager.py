"""NetworkManager connection files (``formats/other-managers.md`` §6; ``exports/networkmanager/
pass-import/``; NetworkManager's ``nm-settings-keyfile`` format, one GLib key file per
connection as in ``/etc/NetworkManager/system-connections/``). One file is one item, titled by
``[connection] id``:

* Wi-Fi (``type=wifi``) → a CXF ``wifi`` credential: ``[wifi] ssid`` and ``hidden``;
  ``[wifi-security] key-mgmt`` → the security type (``none`` with WEP keys: ``wep``;
  ``wpa-psk``: ``wpa2-personal``, or ``wpa-personal`` when ``proto=wpa``; ``sae``:
  ``wpa3-personal``; no ``[wifi-security]`` or ``owe``: ``unsecured``); ``psk`` or the WEP key
  (``wep-key0``…``3``, ``wep-tx-keyidx``) → the passphrase. WPA-Enterprise (``wpa-eap``) has
  no CXF security type: ``key-mgmt`` is kept as a custom field.
* 802.1X (``[802-1x]``, Wi-Fi Enterprise and wired): ``identity``/``password`` → a
  ``basic-auth`` credential; the EAP method, certificate paths, anonymous identity and
  ``private-key-password`` (hidden) → custom fields.
* VPN (``[vpn]`` data and ``[vpn-secrets]``): custom fields (the secrets hidden).
* The rest (device, MAC addresses, IP, DNS, proxy settings) configures the machine, not the
  account: recorded not carried. A connection without any credential (a plain wired one) is
  skipped, and the report says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import ItemBuilder, Val, stable_id
from cxkit.adapters.kit.targets import MappedReader
from cxkit.adapters.longtail._keyfile import Entry, parse_keyfile
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.cxf import model as m
from cxkit.errors import AdapterError

__all__ = ["NetworkManagerAdapter"]

_Val = Callable[[str, str], Val | None]

_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_SETTINGS: Final = "a setting of the machine's network configuration, not of the account"
_8021X_CUSTOM: Final = frozenset({"eap", "phase2-auth", "phase2-autheap", "anonymous-identity",
                                  "ca-cert", "client-cert", "private-key", "domain-suffix-match",
                                  "phase2-ca-cert", "phase2-client-cert", "phase2-private-key",
                                  "pac-file", "altsubject-matches"})  # fmt: skip
_8021X_SECRET: Final = frozenset({"private-key-password", "phase2-private-key-password", "pin",
                                  "password-raw"})  # fmt: skip
_CUSTOM_GROUPS: Final = frozenset({"vpn", "vpn-secrets", "802-1x", "wifi-security"})
"""Groups whose values this reader may keep as custom fields."""
_WEP_KEYS: Final = ("wep-key0", "wep-key1", "wep-key2", "wep-key3")


class NetworkManagerAdapter(MappedReader):
    info = AdapterInfo(
        key="networkmanager",
        app="NetworkManager",
        format="connection file (keyfile)",
        versions="1.x",
        capabilities=Capability.READ,
        credential_types=frozenset({"wifi", "basic-auth", "custom-fields"}),
        how_to_export=(
            "Copy the connection file from /etc/NetworkManager/system-connections/ (root "
            "only: sudo cp …/NAME.nmconnection ~ && sudo chown $USER ~/NAME.nmconnection); one "
            "file per connection."
        ),
        extensions=(".nmconnection",),
    )
    rp_id = "networkmanager.dev"
    app = "NetworkManager"

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN for a key file starting with ``[connection]`` that has an ``id=`` and a
        ``type=`` line."""
        head = sample.data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"[connection]") and b"\nid=" in head and b"\ntype=" in head:
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        entries = parse_keyfile(sample.data, name=name)
        values = {(e.group, e.key): e for e in entries}
        if ("connection", "id") not in values:
            raise AdapterError("not a NetworkManager connection file ([connection] id missing)",
                               location=name or None)  # fmt: skip
        vault = self.vault(report, options.include_trashed)
        uuid = values.get(("connection", "uuid"))
        item_id = stable_id(self.info.key, uuid.value if uuid else name)
        b = vault.item(f"{name}:", item_id=item_id)
        used: set[tuple[str, str]] = set()

        def val(group: str, key: str) -> Val | None:
            e = values.get((group, key))
            if e is None or not e.value:
                return None
            used.add((group, key))
            return Val(e.value, _at(e))

        title = val("connection", "id")
        if title is not None:
            b.set_title(title)
        if uuid is not None and uuid.value:
            used.add(("connection", "uuid"))
            b.rec(_at(uuid), _MEMBER, "item.id", "the item id derives from it")
        kind = values.get(("connection", "type"))
        if kind is not None:
            used.add(("connection", "type"))
            b.rec(_at(kind), _MEMBER, "item credentials", "the kind of connection")
        if kind is not None and kind.value in ("wifi", "802-11-wireless"):
            self._wifi(b, values, val)
        self._8021x(b, entries, used, val)
        for e in entries:
            if e.group in ("vpn", "vpn-secrets") and e.value and (e.group, e.key) not in used:
                used.add((e.group, e.key))
                b.custom(f"vpn {e.key}", Val(e.value, _at(e)), hidden=e.group == "vpn-secrets")
        for e in entries:
            if e.value and (e.group, e.key) not in used:
                b.rec(_at(e), _NOT_CARRIED, "", _SETTINGS)
        if not b.credentials and not any(g in _CUSTOM_GROUPS for g, _ in used):
            b.fail("a connection without a password or secret (nothing to carry)",
                   note="no credential")  # fmt: skip
            return self.document(vault)
        vault.add(b)
        return self.document(vault)

    def _wifi(self, b: ItemBuilder, values: dict[tuple[str, str], Entry], val: _Val) -> None:
        fields: dict[str, m.EditableField] = {}
        ssid = val("wifi", "ssid") or val("802-11-wireless", "ssid")
        if ssid is not None:
            fields["ssid"] = m.EditableField(field_type="string", value=ssid.text)
            b.rec(ssid.at, _MEMBER, "wifi.ssid")
        hidden = val("wifi", "hidden")
        if hidden is not None:
            flag = "true" if hidden.text.strip().lower() in ("true", "1", "yes") else "false"
            fields["hidden"] = m.EditableField(field_type="boolean", value=flag)
            b.rec(hidden.at, _MEMBER, "wifi.hidden")
        security = "wifi-security" if any(g == "wifi-security" for g, _ in values) else ""
        mgmt = val(security, "key-mgmt") if security else None
        proto = values.get(("wifi-security", "proto"))
        passphrase = val("wifi-security", "psk")
        wep = [v for k in _WEP_KEYS if (v := val("wifi-security", k)) is not None]
        if wep:
            index = values.get(("wifi-security", "wep-tx-keyidx"))
            pick = int(index.value) if index and index.value.isdigit() else 0
            passphrase = wep[pick] if pick < len(wep) else wep[0]
            for other in wep:
                if other is not passphrase:
                    b.custom("other WEP key", other, hidden=True)
        kind = _security(mgmt.text if mgmt else None, proto.value if proto else "", bool(wep))
        if kind is not None:
            fields["network_security_type"] = m.EditableField(
                field_type="wifi-network-security-type", value=kind
            )
            if mgmt is not None:
                b.rec(mgmt.at, _MEMBER, "wifi.networkSecurityType")
        elif mgmt is not None:
            b.custom("key-mgmt", mgmt, note="WPA-Enterprise (802.1X) has no CXF security type")
        if passphrase is not None:
            fields["passphrase"] = m.EditableField(field_type="concealed-string",
                                                   value=passphrase.text)  # fmt: skip
            b.rec(passphrase.at, _MEMBER, "wifi.passphrase")
        leap = val("wifi-security", "leap-password")
        if leap is not None:
            b.custom("LEAP password", leap, hidden=True)
        b.add(m.Wifi(**fields))  # type: ignore[arg-type]

    def _8021x(self, b: ItemBuilder, entries: list[Entry], used: set[tuple[str, str]],
               val: _Val) -> None:  # fmt: skip
        b.login(val("802-1x", "identity"), val("802-1x", "password"))
        for e in entries:
            if e.group != "802-1x" or not e.value or (e.group, e.key) in used:
                continue
            if e.key in _8021X_CUSTOM or e.key in _8021X_SECRET:
                used.add((e.group, e.key))
                b.custom(f"802.1X {e.key}", Val(e.value, _at(e)), hidden=e.key in _8021X_SECRET)


def _at(e: Entry) -> str:
    return f"{e.line}:[{e.group}]{e.key}"


def _security(mgmt: str | None, proto: str, wep: bool) -> str | None:
    """The CXF Wi-Fi security type of NetworkManager's ``key-mgmt`` (None: none fits)."""
    if mgmt is None:
        return "wep" if wep else "unsecured"
    mgmt = mgmt.strip().lower()
    if mgmt == "none":
        return "wep" if wep else "unsecured"
    if mgmt == "owe":
        return "unsecured"
    if mgmt == "wpa-psk":
        return "wpa-personal" if proto.strip().lower().rstrip(";") == "wpa" else "wpa2-personal"
    if mgmt == "sae":
        return "wpa3-personal"
    return None
