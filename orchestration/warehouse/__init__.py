"""The warehouse side: the dbt project object, the incremental rebuild window, the writer
lock that serialises every DuckDB writer (runs, imports, the CLI), and the texts and profiles
the Dagster UI shows for dbt tests and marts.
"""
