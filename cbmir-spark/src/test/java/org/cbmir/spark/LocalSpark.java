package org.cbmir.spark;

import org.apache.spark.sql.SparkSession;

/** A quiet local Spark session for tests and benchmarks: no UI, loopback only. */
final class LocalSpark {
  private LocalSpark() {}

  static SparkSession start(int threads) {
    return SparkSession.builder()
        .master("local[" + threads + "]")
        .appName("cbmir-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
  }
}
