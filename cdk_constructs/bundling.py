"""Local, Docker-free bundling of function code and the shared dependency layer.

Function bundles hold one handler package plus the shared ``common`` package. The layer is
built once per requirements file with pip, for the Lambda platform, and reused from a cache.
Both are plain folders handed to ``Code.from_asset``, so asset hashes depend only on content.
"""

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_SRC = PROJECT_ROOT / "lambda_src"
BUILD_DIR = PROJECT_ROOT / ".build"
LAYER_REQUIREMENTS = LAMBDA_SRC / "requirements.txt"
# Wheels for the Lambda runtime: CPython 3.12 on x86_64 Linux (the local emulator runs the same
# platform, so one layer serves both).
LAYER_PIP_PLATFORM = ("--platform", "manylinux2014_x86_64", "--implementation", "cp", "--python-version", "3.12")
SHARED_PACKAGE = "common"
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache")


def _replace_dir(source_builder: Path, target: Path) -> None:
    # Rename is atomic, so a concurrent synth reads either the old folder or the new one.
    if target.exists():
        shutil.rmtree(target, ignore_errors=True)
    try:
        source_builder.rename(target)
    except OSError:
        # Another process won the race with identical content.
        shutil.rmtree(source_builder, ignore_errors=True)


def bundle_function(source: str) -> Path:
    """Copy ``lambda_src/<source>`` and the shared package into a bundle folder; return it."""
    source_dir = LAMBDA_SRC / source
    if not (source_dir / "handler.py").is_file():
        raise FileNotFoundError(f"function source {source_dir} has no handler.py")
    target = BUILD_DIR / "functions" / source
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{source}-", dir=target.parent))
    shutil.copytree(source_dir, staging / source, ignore=_IGNORED)
    shutil.copytree(LAMBDA_SRC / SHARED_PACKAGE, staging / SHARED_PACKAGE, ignore=_IGNORED)
    _replace_dir(staging, target)
    return target


def layer_hash() -> str:
    """Return the content hash of the layer: its requirements and target platform."""
    digest = hashlib.sha256(LAYER_REQUIREMENTS.read_bytes())
    digest.update(" ".join(LAYER_PIP_PLATFORM).encode())
    return digest.hexdigest()[:16]


def layer_dir() -> Path:
    """Return the folder of the built layer (it contains ``python/``), building it when missing."""
    target = BUILD_DIR / "layers" / layer_hash()
    if (target / "python").is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".layer-", dir=target.parent))
    print(f"Building the Lambda dependency layer from {LAYER_REQUIREMENTS.name} ...", file=sys.stderr)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--target", str(staging / "python"), *LAYER_PIP_PLATFORM,
        "--only-binary=:all:", "--no-compile", "--no-deps", "-r", str(LAYER_REQUIREMENTS),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise RuntimeError(f"building the Lambda layer failed (pip exit {result.returncode}):\n{result.stderr}")
    _replace_dir(staging, target)
    return target


if __name__ == "__main__":
    print(layer_dir())
