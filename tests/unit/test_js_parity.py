"""Runs the JavaScript tests (tests/js/: the PWA's rule evaluator and form logic against the shared vectors)
under Node, so that CI, which runs pytest, fails when the port and Python part ways."""
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")


def test_javascript_port_passes_the_shared_vectors():
    # A failure, not a skip, wherever it runs: a skip would let CI pass with the port never
    # checked, and `make test` (the one test command, CI's too) installs Debian's nodejs when node
    # is missing, so a run that follows the README always has it.
    assert NODE is not None, "node is not installed: run `make test`, which installs Debian's nodejs"
    # Files, not the folder: newer Node versions read --test arguments as glob patterns.
    files = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests" / "js").glob("*.test.mjs"))
    assert files, "no tests/js/*.test.mjs found"
    result = subprocess.run([NODE, "--test", *files], cwd=ROOT, capture_output=True, text=True, timeout=300)
    failures = [line for line in result.stdout.splitlines() if line.lstrip().startswith("not ok")]
    assert result.returncode == 0, (
        "node --test tests/js/ failed:\n" + "\n".join(failures[:40]) + "\n" + result.stdout[-4000:] + result.stderr[-2000:]
    )
