"""/docs in a real browser with no way out: headless Chromium, every host name
but the test server's unresolvable, must render the API's operations.

Skipped where no Chromium is installed (Debian: `apt-get install
chromium-headless-shell`); test_rest.py checks the same page's URLs without one.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from aurum_ml.testing import ServerProcess

_BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")
BROWSER = next((path for name in _BROWSERS if (path := shutil.which(name))), None)


@pytest.mark.skipif(BROWSER is None, reason="no headless Chromium installed")
def test_docs_render_offline(server: ServerProcess):
    assert BROWSER is not None
    proc = subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",  # the tests may run as root
            "--disable-gpu",
            # Nothing but the test server (127.0.0.1) resolves: a CDN would fail.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--virtual-time-budget=20000",
            "--dump-dom",
            f"{server.rest_url}/docs",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    # Swagger UI ran: it fetched /openapi.json and drew one row per operation.
    assert "aurum-ml REST gateway" in dom
    for path in ("/api/detect-face", "/api/extract-embedding", "/api/calculate-similarity"):
        assert f'data-path="{path}"' in dom, path
    assert dom.count("opblock-summary-path") >= 6
