"""Write the small synthetic county of the README's first run into demo/ (places.csv, households.csv).

    .venv/bin/python scripts/demo_files.py

Run it after changing demo/*.py (a test fails while demo/ differs from what this writes).
"""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from demo.first_run import first_run_files  # noqa: E402


def main() -> int:
    for name, content in first_run_files().items():
        (REPO / "demo" / name).write_bytes(content)
        print(f"demo/{name}: {len(content)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
