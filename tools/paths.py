"""Well-known locations in the repository."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VAR = REPO / "var"
LOGS = VAR / "logs"
VENVS = REPO / ".venvs"
MODELS = REPO / "models"
TESTS = REPO / "tests"


def rel(path: Path) -> str:
    """Path relative to the repo when inside it (for short messages)."""
    for candidate in (Path(path).absolute(), Path(path).resolve()):
        try:
            return str(candidate.relative_to(REPO))
        except ValueError:
            continue
    return str(path)
