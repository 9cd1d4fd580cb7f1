"""Authenticator apps (issue #14): readers and writers of TOTP exports — Aegis, 2FAS, andOTP,
Google Authenticator, Ente, FreeOTP, Authy, Stratum, Steam and others
(``../shared/formats/totp-apps.md``).

Every reader maps its entries through :mod:`cxkit.adapters.otp.entry` (one authenticator entry →
one CXF item with a ``totp`` credential), so issuer, account, parameters and what CXF cannot hold
are treated alike for every app.
"""
