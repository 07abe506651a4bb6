"""claimscope on Apache Spark: parse and validate files into a Parquet lake, and build the ledger and marts over it.

Needs the `spark` extra (`pip install 'claimscope[spark]'`) and Java 17; the single-machine loader never imports it."""
