"""The Spark session claimscope runs in: local cores here, a cluster's master URL under spark-submit."""

from __future__ import annotations

import os
import sys

from pyspark.sql import SparkSession

# Settings every claimscope job needs, whatever the cluster:
#   UTC, so a DATE never shifts with the driver's zone;
#   ANSI mode, so an overflowing DECIMAL or a bad cast fails instead of turning NULL (DuckDB fails too);
#   few shuffle partitions by default: the marts are small beside the raw rows, and 200 empty tasks cost seconds.
SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def spark_session(master: str | None = None, app_name: str = "claimscope") -> SparkSession:
    """The active session, or a new one on `master` (default `local[2]`; spark-submit's --master wins when set)."""
    # workers run this interpreter, so they import the same etl package and pinned libraries as the driver
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master or not os.environ.get("SPARK_ENV_LOADED"):
        builder = builder.master(master or "local[2]")
    for key, value in SETTINGS.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
