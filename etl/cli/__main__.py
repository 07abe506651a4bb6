"""`python -m etl.cli`: the same command line as `claimscope`."""

from etl.cli import app

app()
