"""Bitwarden exports ⇄ CXF (``formats/bitwarden.md``).

* :mod:`.mapping` — one Bitwarden JSON item ⇄ one CXF item (the mapping the other shapes share);
* :mod:`.json_export` — JSON exports, plain and password-protected (read and write);
* :mod:`.csv_export` — CSV exports, personal and organisation (read and write);
* :mod:`.zip_export` — ZIP exports with attachments (read).
"""
