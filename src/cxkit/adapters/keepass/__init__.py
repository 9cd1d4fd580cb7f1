"""KeePass, KeePassXC and KeePassX ⇄ CXF (``formats/keepass.md``).

* :mod:`.database` — KDBX databases (read and write) and the entry ⇄ item mapping the other
  shapes share;
* :mod:`.xml_export` — KeePass 2 XML and KeePassX XML exports (read);
* :mod:`.csv_export` — KeePassXC, KeePassX 2 and KeePass 1 CSV exports;
* :mod:`.passkey_file` — KeePassXC ``.passkey`` files.
"""
