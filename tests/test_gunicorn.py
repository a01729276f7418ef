"""The production server starts with openspace/gunicorn.conf.py and answers."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

from django.conf import settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_with_the_config_and_leaves_no_control_socket(tmp_path):
    port, home = free_port(), tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),  # where gunicorn would put its control socket
        "DEBUG": "false",
        "SECRET_KEY": "gunicorn-test-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(  # noqa: S603 -- our own interpreter and config
        [
            sys.executable,
            "-m",
            "gunicorn",
            "openspace.wsgi",
            "--config",
            "openspace/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline, answer = time.monotonic() + 30, None
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=2) as r:  # noqa: S310
                    answer = (r.status, r.read())
            except OSError:
                time.sleep(0.2)
        assert answer == (200, b"ok"), server.stderr.read1().decode() if server.poll() else ""
        assert list(home.iterdir()) == [], "gunicorn wrote into HOME"
    finally:
        server.terminate()
        server.wait(20)
