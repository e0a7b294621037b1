{#- Liquidation facts used by several models (docs/methodology.md, "Liquidations"). -#}

{#- Venues with a liquidation feed (stream or REST): the daily mart has a row per day for each. -#}
{% macro liquidation_venues() -%}
    ('binance', 'bybit', 'okx', 'deribit')
{%- endmacro %}

{#- Venues whose stream pushes at most one liquidation per symbol per second: their totals are a
    lower bound in a burst (Binance forceOrder). -#}
{% macro liquidation_sampled_venues() -%}
    ('binance')
{%- endmacro %}
