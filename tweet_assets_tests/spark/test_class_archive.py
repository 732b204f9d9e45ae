"""The driver JVM's class archive (make install, tweet_assets/cli/class_archive.py): it fits the
driver a run starts, and a JVM given one that does not fit starts without it, saying nothing."""

import shlex
import subprocess
import sys
from pathlib import Path

from tweet_assets.spark import CLASS_ARCHIVE, driver_java_options

# A driver that must map the archive: with -Xshare:on a JVM that cannot refuses to start.
DRIVER = """
from tweet_assets.spark import default_conf, start_session
conf = default_conf("local[1]")
conf["spark.driver.extraJavaOptions"] += " -Xshare:on"
print(start_session(conf).range(3).count())
"""


def test_the_archive_make_install_made_fits_a_runs_driver() -> None:
    assert CLASS_ARCHIVE.is_file(), f"make install makes {CLASS_ARCHIVE}"

    result = subprocess.run(
        [sys.executable, "-c", DRIVER], capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1] == "3"
    assert "archive" not in result.stdout + result.stderr


def test_a_jvm_given_an_archive_it_cannot_use_starts_and_says_nothing(tmp_path: Path) -> None:
    stale = tmp_path / "driver.jsa"
    stale.write_bytes(b"not an archive of this JDK" * 1000)

    result = subprocess.run(
        ["java", *shlex.split(driver_java_options(f"-XX:SharedArchiveFile={stale}")), "-version"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0
    assert result.stdout == ""  # the JVM's warnings go to stdout
    assert "version" in result.stderr
    assert "archive" not in result.stderr
