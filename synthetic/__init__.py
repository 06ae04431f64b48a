"""Synthetic monthly extracts for the collaborative's trusts, with planted faults (no real data)."""

from synthetic.generate import generate
from synthetic.manifest import FaultRecord, FileRecord, GenerationManifest, load_manifest

__all__ = ["FaultRecord", "FileRecord", "GenerationManifest", "generate", "load_manifest"]
