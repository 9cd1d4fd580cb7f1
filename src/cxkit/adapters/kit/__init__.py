"""The adapter kit: what every reader and writer of a foreign format is built from.

* :mod:`~cxkit.adapters.kit.input` — guarded JSON, CSV, text and zip input (limits, locations);
* :mod:`~cxkit.adapters.kit.values` — parsers of values apps store in common shapes (TOTP URIs,
  SSH keys, dates).

App adapters (``adapters/bitwarden/``, ``adapters/keepass/``, ...) import from the kit, never
from each other.
"""
