"""The page script's pure modules (decoding, filtering, search scoring, the URL-hash codec), unit-tested in Node.

The tests themselves are in tests/js/*.test.js (node:test); this runs them as one pytest test so that one
command runs every test. Without Node they skip, unless BORDERMAP_REQUIRE_BROWSER is set (CI sets it).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

NODE = shutil.which("node") or shutil.which("nodejs")
JS_TESTS = Path(__file__).parent / "js"


@pytest.mark.skipif(NODE is None and not os.environ.get("BORDERMAP_REQUIRE_BROWSER"), reason="Node.js is not installed")
def test_page_script_unit_tests_pass():
    assert NODE, "Node.js is required (apt-get install nodejs)"
    files = sorted(str(p) for p in JS_TESTS.glob("*.test.js"))
    assert files
    proc = subprocess.run([NODE, "--test", *files], capture_output=True, text=True, timeout=120)
    passed = re.search(r"^# pass (\d+)$", proc.stdout, re.M)
    failed = re.search(r"^# fail (\d+)$", proc.stdout, re.M)
    assert proc.returncode == 0 and failed and failed.group(1) == "0", proc.stdout[-4000:] + proc.stderr[-2000:]
    assert passed and int(passed.group(1)) >= len(files)
