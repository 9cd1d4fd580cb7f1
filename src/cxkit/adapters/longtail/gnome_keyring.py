"""GNOME Keyring plain keyring file (``formats/other-managers.md`` §6; ``exports/gnome-keyring/
pass-import/gnome-keyring.keyring``): the unencrypted text keyring gnome-keyring writes for a
keyring with an empty password (``~/.local/share/keyrings/NAME.keyring``), a GLib key file:

* ``[keyring]`` — ``display-name`` (the keyring's name: the collection the items go to),
  ``ctime``/``mtime``, ``lock-on-idle``/``lock-after``/``lock-timeout`` (not carried);
* ``[N]`` per item — ``item-type`` (0 generic secret, 1 network password, 2 note …),
  ``display-name`` (the title), ``secret`` (the password; a secret of several lines is a
  note's text — Seahorse stores the passwords a user adds as "notes", ``item-type`` 2 and
  schema ``org.gnome.keyring.Note``, so the type does not tell them apart), ``binary-secret`` (a secret that is not text, kept
  as a hidden custom field), ``ctime``/``mtime``;
* ``[N:attributeM]`` — ``name``, ``type``, ``value``: ``xdg:schema`` names the kind; a network
  password's ``user`` is the user name and ``protocol``/``server``/``port``/``object`` make its
  URL; other attributes become custom fields;
* ``[N:aclM]`` — which applications may read the item (not carried).

The encrypted binary keyring (magic ``GnomeKeyring\\n\\r\\0\\n``, a keyring with a password) is
read by :class:`GnomeKeyringEncryptedAdapter`: decrypted with the keyring's password
(:mod:`~cxkit.adapters.longtail._keyring_binary`) into the same entries, mapped the same way.
"""

from __future__ import annotations

import re
from typing import Final

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    PasswordNeededError,
    ReadOptions,
    Sample,
)
from cxkit.adapters.kit.builder import ItemBuilder, Val, stable_id
from cxkit.adapters.kit.targets import MappedReader, skip_reason
from cxkit.adapters.longtail._keyfile import Entry, parse_keyfile
from cxkit.adapters.longtail._keyring_binary import MAGIC, keyring_entries
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import AdapterError, CxkitError, InputTooLargeError

__all__ = ["GnomeKeyringAdapter", "GnomeKeyringEncryptedAdapter"]

_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_ITEM: Final = re.compile(r"\d+\Z")
_ATTRIBUTE: Final = re.compile(r"(\d+):attribute\d+\Z")
_ACL: Final = re.compile(r"(\d+):acl\d+\Z")
_NETWORK_SCHEMA: Final = "org.gnome.keyring.NetworkPassword"


class GnomeKeyringAdapter(MappedReader):
    info = AdapterInfo(
        key="gnome-keyring",
        app="GNOME Keyring",
        format="plain keyring file (.keyring, no password)",
        versions="gnome-keyring 3.x",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
        how_to_export=(
            "A keyring without a password is stored as text: copy ~/.local/share/keyrings/"
            "NAME.keyring. A keyring with a password is encrypted and not read by cxkit."
        ),
        extensions=(".keyring",),
    )
    rp_id = "gnome.org"
    app = "GNOME Keyring"

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN for a key file starting with a ``[keyring]`` group."""
        head = sample.data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        return Confidence.CERTAIN if head.startswith(b"[keyring]") else Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        return self.read_entries(parse_keyfile(sample.data, name=sample.name), sample.name,
                                 options, report)  # fmt: skip

    def read_entries(
        self, entries: list[Entry], name: str, options: ReadOptions, report: MigrationReport
    ) -> cxf.Document:
        """The items of a keyring's entries (the plain file's, or the decrypted binary's)."""
        if not entries or entries[0].group != "keyring":
            raise AdapterError("not a GNOME keyring file (no [keyring] group first)",
                               location=name or None)  # fmt: skip
        vault = self.vault(report, options.include_trashed)
        keyring = ""
        items: dict[str, list[Entry]] = {}
        attributes: dict[str, dict[str, list[Entry]]] = {}
        for e in entries:
            at = f"{name}:{_at(e)}"
            if e.group == "keyring":
                if e.key == "display-name" and e.value:
                    keyring = e.value
                    report.add_field(at, "", _MEMBER, "collection", "the keyring's name")
                elif e.value:
                    report.add_field(at, "", _NOT_CARRIED, "", "a setting of the keyring")
            elif _ITEM.match(e.group):
                items.setdefault(e.group, []).append(e)
            elif found := _ATTRIBUTE.match(e.group):
                attributes.setdefault(found.group(1), {}).setdefault(e.group, []).append(e)
            elif _ACL.match(e.group):
                if e.value:
                    report.add_field(at, "", _NOT_CARRIED, "",
                                     "which applications may read the item")  # fmt: skip
            elif e.value:
                report.add_field(at, "", _NOT_CARRIED, "", "a group cxkit does not know")
        for number, fields in items.items():
            b = vault.item(f"{name}:", item_id=stable_id(self.info.key, name, keyring, number))
            try:
                self._item(b, fields, attributes.get(number, {}), keyring)
            except InputTooLargeError:
                raise
            except (CxkitError, ValueError) as exc:
                b.fail(f"item [{number}] cannot be read: {skip_reason(exc)}",
                       [Val(e.value, _at(e)) for e in fields])  # fmt: skip
                continue
            vault.add(b)
        for number in attributes.keys() - items.keys():
            for group in attributes[number].values():
                for e in group:
                    if e.value:
                        report.add_field(f"{name}:{_at(e)}", "", _NOT_CARRIED, "",
                                         "an attribute of an item that is not in the file")  # fmt: skip
        return self.document(vault)

    def _item(
        self, b: ItemBuilder, fields: list[Entry], attributes: dict[str, list[Entry]], keyring: str
    ) -> None:
        values = {e.key: e for e in fields}
        attrs: dict[str, tuple[str, list[Entry]]] = {}
        for group in attributes.values():
            named = {e.key: e for e in group}
            if "name" in named and "value" in named:
                attrs[named["name"].value] = (named["value"].value, group)
            else:
                for e in group:
                    if e.value:
                        b.rec(_at(e), _NOT_CARRIED, "", "an attribute without name or value")
        if "display-name" in values and values["display-name"].value:
            b.set_title(Val(values["display-name"].value, _at(values["display-name"])))
        schema = attrs.get("xdg:schema", ("", []))[0]
        kind = values["item-type"].value.strip() if "item-type" in values else ""
        secret = values.get("secret")
        user = url = None
        taken = {"xdg:schema"}
        if schema or kind:
            for e in attrs.get("xdg:schema", ("", []))[1]:
                b.rec(_at(e), _MEMBER, "item credentials", "the kind of item")
        if "item-type" in values:
            b.rec(_at(values["item-type"]), _MEMBER, "item credentials", "the kind of item")
        if kind == "1" or schema == _NETWORK_SCHEMA:
            user = attrs.get("user")
            server = attrs.get("server")
            if server and server[0]:
                protocol = attrs.get("protocol", ("", []))[0] or "https"
                port = attrs.get("port", ("", []))[0]
                path = attrs.get("object", ("", []))[0]
                url = f"{protocol}://{server[0]}" + (f":{port}" if port and port != "0" else "")
                url += f"/{path.lstrip('/')}" if path else ""
                taken |= {"server", "protocol", "port", "object"}
                for key in ("server", "protocol", "port", "object"):
                    for e in attrs.get(key, ("", []))[1]:
                        b.rec(_at(e), _MEMBER, "scope.urls")
            if user is not None:
                taken.add("user")
        if secret is not None and "\n" in secret.value.strip():
            b.note(Val(secret.value, _at(secret)))
            secret = None
        user_val = None
        if user is not None and user[0]:
            for e in user[1]:
                if e.key == "value":
                    user_val = Val(e.value, _at(e))
                else:
                    b.rec(_at(e), _MEMBER, "basic-auth.username")
        password = Val(secret.value, _at(secret)) if secret is not None else None
        b.login(user_val, password, [Val(url, _at(values.get("display-name") or fields[0]))]
                if url else [])  # fmt: skip
        for key, e in values.items():
            if key in ("display-name", "secret", "item-type") or not e.value:
                continue
            if key == "mtime":
                b.modified(Val(e.value, _at(e)))
            elif key == "ctime":
                b.created(Val(e.value, _at(e)))
            elif key == "binary-secret":
                b.custom("binary secret", Val(e.value, _at(e)), hidden=True,
                         note="a secret that is not text, as the file writes it")  # fmt: skip
            else:
                b.custom(key, Val(e.value, _at(e)))
        for attr, (value, group) in attrs.items():
            if attr in taken:
                continue
            for e in group:
                if e.key == "value" and e.value:
                    b.custom(attr, Val(value, _at(e)))
                elif e.value:
                    b.rec(_at(e), _MEMBER, f"custom-fields.{attr}", "the attribute's name/type")
        if keyring:
            b.collection((keyring,), None)


def _at(e: Entry) -> str:
    """``LINE:[group]key`` (the binary keyring has no lines: ``[group]key``)."""
    return f"{e.line}:[{e.group}]{e.key}" if e.line else f"[{e.group}]{e.key}"


class GnomeKeyringEncryptedAdapter(GnomeKeyringAdapter):
    info = AdapterInfo(
        key="gnome-keyring-encrypted",
        app="GNOME Keyring",
        format="encrypted keyring file (.keyring with a password)",
        versions="gnome-keyring 2.x–3.x (file format 0.0)",
        capabilities=Capability.READ | Capability.ENCRYPTED,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
        how_to_export=(
            "Copy ~/.local/share/keyrings/NAME.keyring (login.keyring is the login keyring); "
            "cxkit asks for the keyring's password (for the login keyring: your login "
            "password at the time it was made)."
        ),
        extensions=(".keyring",),
        magic=(MAGIC,),
    )

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN on the binary keyring's magic bytes."""
        return Confidence.CERTAIN if sample.data.startswith(MAGIC) else Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        if options.password is None:
            raise PasswordNeededError("this GNOME keyring is encrypted (it has a password)",
                                      location=name or None)  # fmt: skip
        entries = keyring_entries(sample.data, options.password("password of the GNOME keyring"),
                                  name=name)  # fmt: skip
        report.encrypted = True
        return self.read_entries(entries, name, options, report)
