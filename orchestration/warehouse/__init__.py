"""The warehouse side: the dbt project object, the incremental rebuild window and the writer
lock that serialises every DuckDB writer (runs, imports, the CLI).
"""
