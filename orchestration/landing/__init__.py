"""The landing contract: raw schemas, validation, quarantine and atomic Parquet writes, and
what the configuration expects to land (the coverage plan, freshness rules).

Sources hand rows here; the warehouse reads what lands. Plain Python, no Dagster.
"""
