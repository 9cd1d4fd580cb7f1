"""The adapter kit: what every reader and writer of a foreign format is built from.

* :mod:`~cxkit.adapters.kit.input` — guarded JSON, CSV, text and zip input (limits, locations);
* :mod:`~cxkit.adapters.kit.values` — parsers of values apps store in common shapes (TOTP URIs,
  SSH keys, dates, card expiry, text normalisation);
* :mod:`~cxkit.adapters.kit.builder` — the item builder that records every source field;
* declarative readers: :mod:`~cxkit.adapters.kit.tabular` (CSV),
  :mod:`~cxkit.adapters.kit.records` (JSON record lists), :mod:`~cxkit.adapters.kit.xmlrecords`
  (XML), sharing the field-map vocabulary of :mod:`~cxkit.adapters.kit.targets`.

App adapters (``adapters/bitwarden/``, ``adapters/keepass/``, ...) import from the kit, never
from each other.
"""
