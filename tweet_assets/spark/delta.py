"""Delta Lake in every Spark session: its JARs, fetched once by `make install` (`jars/pom.xml`),
named with `spark.jars`, and its SQL extension and catalog.

A driver in the run's process (local or on a cluster's master) gets them from `delta_conf`,
and a cluster's executors get the JARs from the driver. A Spark Connect client cannot add JARs:
its server must have started with them (`server_conf`, what `make connect-server` uses).
"""

from pathlib import Path

# make install's Maven copies Delta's JARs here (git ignores it).
JARS_DIR = Path(__file__).resolve().parents[2] / "jars" / "lib"
EXTENSION_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
    # every run's write is a version naming the run, even one that changed no row
    "spark.databricks.delta.skipRecordingEmptyCommits": "false",
}


class DeltaJarsMissing(Exception):
    """make install has not fetched Delta's JARs into JARS_DIR."""


def jars() -> list[Path]:
    """Delta's JARs (none before make install has fetched them)."""
    return sorted(JARS_DIR.glob("*.jar"))


def check_jars() -> None:
    """`DeltaJarsMissing`, saying how to fetch them, when there are no JARs to start with."""
    if not jars():
        raise DeltaJarsMissing(
            f"Delta Lake's JARs are not in {JARS_DIR}: run `make install`, which fetches them "
            "from Maven Central with the machine's `mvn` (jars/pom.xml)."
        )


def delta_conf() -> dict[str, str]:
    """The settings that give a driver started by this process Delta Lake (`check_jars`
    before starting it): the JARs on the driver's own classpath, which every thread sees (the
    SQL server's JDBC sessions do not see `spark.jars`' loader), and in `spark.jars`, which
    ships them to a cluster's executors."""
    found = [str(jar) for jar in jars()]
    return {
        "spark.jars": ",".join(found),
        "spark.driver.extraClassPath": ":".join(found),
        **EXTENSION_CONF,
    }
