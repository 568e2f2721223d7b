"""recon on Apache Spark: the same mapping and rule SQL, transpiled, on a cluster (docs/scale-out.md).

`engine: spark` in recon.yaml (or `recon run --engine spark`) loads the sources with Spark's
readers and runs the rules in Spark SQL; the exceptions come back into the run's DuckDB, so
everything after the rules is the DuckDB engine's code. Only `transpile` works without pyspark.
"""
