"""Entry point of the Rasa image (deploy/docker/rasa.Dockerfile): `rasa run` as `./kk run`
starts it (tools/run_system.py), on every interface of the container.

    python /app/deploy/docker/rasa_entrypoint.py [EXTRA RASA RUN ARGUMENTS ...]

- ``KK_CORS_ORIGINS`` (space or comma separated) becomes the arguments of ``--cors``, as in
  ``./kk run``; ``*`` is refused.
- Every ``${VAR}`` of the endpoints file must be set: said here by name, before Rasa loads for a
  minute and then fails on it.

Standard library only; runs on the image's Python 3.10.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

RASA_PORT = 5005
APP = Path("/app")
MODEL = APP / "models" / "kk.tar.gz"
ENDPOINTS = APP / "deploy" / "rasa" / "endpoints.yml"
CREDENTIALS = APP / "bot" / "credentials.yml"


class SettingsError(ValueError):
    """A setting Rasa cannot start with; the message names the variable."""


def cors_origins(environ: Mapping[str, str]) -> list[str]:
    origins = (environ.get("KK_CORS_ORIGINS") or "").replace(",", " ").split()
    if "*" in origins:
        raise SettingsError("KK_CORS_ORIGINS must list origins (https://...), never '*'")
    return origins


def endpoint_variables(text: str) -> list[str]:
    """The ``${VAR}`` names an endpoints file needs, in order (comments left out)."""
    values = "\n".join(re.sub(r"(^|\s)#.*$", "", line) for line in text.splitlines())
    return list(dict.fromkeys(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", values)))


# Rasa's command line without jax (bot/rasa_launcher.py: ~65 MB less per replica).
RASA = ["python", "-m", "bot.rasa_launcher"]


def rasa_command(
    environ: Mapping[str, str], extra: list[str], endpoints: Path = ENDPOINTS
) -> list[str]:
    missing = [
        name
        for name in endpoint_variables(endpoints.read_text())
        if not (environ.get(name) or "").strip()
    ]
    if missing:
        raise SettingsError(
            f"{', '.join(missing)} must be set for {endpoints.name} (docs/deployment.md)"
        )
    return [
        *RASA,
        "run",
        "--model",
        str(MODEL),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(CREDENTIALS),
        "--interface",
        "0.0.0.0",
        "--port",
        environ.get("KK_RASA_PORT") or str(RASA_PORT),
        *extra,
        "--cors",
        *cors_origins(environ),
    ]


def main(argv: list[str]) -> int:
    try:
        cmd = rasa_command(os.environ, argv)
    except SettingsError as error:
        print(f"rasa_entrypoint: {error}", file=sys.stderr)
        return 2
    os.execvp(cmd[0], cmd)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
