"""Local tooling: emulator, deploy, demo and inspection commands."""

import sys
from pathlib import Path

# The tooling derives execution names exactly as the functions do, from lambda_src/common.
_LAMBDA_SRC = str(Path(__file__).resolve().parent.parent / "lambda_src")
if _LAMBDA_SRC not in sys.path:
    sys.path.append(_LAMBDA_SRC)
