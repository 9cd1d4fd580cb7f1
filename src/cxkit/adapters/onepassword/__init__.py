"""1Password: 1PUX export, 1PIF (legacy) export, CSV (1Password 4, 6 and 8; written in the
1Password 8 layout) and the encrypted OPVault folder (``../shared/formats/onepassword.md``).

One item mapping (:mod:`.mapping`) serves the three JSON shapes — 1PUX ``details``, 1PIF
``secureContents`` and OPVault ``d`` hold the same fields, sections and notes.
"""
