"""Figaro's Password Manager (FPM2) XML export (``formats/other-managers.md`` §6; ``exports/
figaro-pm/pass-import/fpm.xml``): ``<FPM>`` with ``<KeyInfo cipher="none"/>`` (a plain export;
FPM's own password file names a real cipher and holds encrypted values — refused),
``<LauncherList>`` (FPM's launcher programs, not carried) and ``<PasswordList>`` of
``<PasswordItem>`` ``title, user, url, password, notes, category`` (the category as a folder
path, levels separated by ``/``), ``launcher`` (the launcher to open it with), ``default``
(FPM's default-item flag).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar
from xml.etree.ElementTree import Element

from cxkit.adapters.base import AdapterInfo, Capability
from cxkit.adapters.kit.builder import VaultBuilder
from cxkit.adapters.kit.targets import (
    FOLDER,
    NOTE,
    PASSWORD,
    TITLE,
    URL,
    USERNAME,
    Column,
    Target,
)
from cxkit.adapters.kit.xmlrecords import XmlRecordReader
from cxkit.errors import AdapterError

__all__ = ["FigaroXmlAdapter"]


class FigaroXmlAdapter(XmlRecordReader):
    info = AdapterInfo(
        key="figaro-xml",
        app="Figaro's Password Manager 2",
        format="XML export",
        versions="0.7x",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
        how_to_export="FPM2: File → Export → XML (plain text passwords).",
        extensions=(".xml",),
        xml_root="FPM",
    )
    record_path = "FPM/PasswordList/PasswordItem"
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "title": TITLE,
        "user": USERNAME,
        "password": PASSWORD,
        "url": URL,
        "notes": NOTE,
        "category": FOLDER,
        "launcher": Column(Target.CUSTOM, label="launcher"),
        "default": Column(Target.IGNORE, why="FPM's default-item flag"),
    }
    rp_id = "fpm2.sourceforge.net"
    app = "Figaro's Password Manager"

    def begin(self, root: Element, vault: VaultBuilder) -> None:
        info = root.find("KeyInfo")
        cipher = info.get("cipher", "none") if info is not None else "none"
        if cipher.strip().lower() not in ("", "none"):
            raise AdapterError(
                "this is FPM's own encrypted password file, not a plain export",
                hint="in FPM2 use File → Export to write the plain XML export",
            )
