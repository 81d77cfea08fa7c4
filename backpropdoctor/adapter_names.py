"""The adapters' names, in the order they are tried (kept apart so the CLI can check --adapter without numpy)."""

ADAPTER_NAMES = ("functional", "model-object", "deeplearning-ai", "nielsen", "layer-objects", "function-pairs")
