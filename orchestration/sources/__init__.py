"""Where raw data comes from, one package per source: plain Python, no Dagster.

simulated (the offline market), live (ccxt REST per venue), liquidations (the ccxt.pro stream
collector, its own process), reference (CFTC, ETF flows, rates, staking), importers (history
files). Each hands rows to ``orchestration.landing``; none imports resources or defs.
"""
