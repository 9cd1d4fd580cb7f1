"""The long tail of small password managers (issue #15, part 1; ``formats/other-managers.md``
§6): one small module per app or per shared shape, each a reader declared on the kit
(:mod:`cxkit.adapters.kit`). Registered in :data:`cxkit.adapters.registry.BUILTINS`.
"""
