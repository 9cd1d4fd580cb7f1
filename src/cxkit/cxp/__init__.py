"""Credential Exchange Protocol (CXP) support: WD message shapes (:mod:`cxkit.cxp.messages`)
and the project's crypto/archive profile P0 (:mod:`cxkit.cxp.p0`, ``docs/profile-p0.md``)."""
