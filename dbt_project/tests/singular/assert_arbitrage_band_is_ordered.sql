-- The arbitrage band is ordered: 0 <= low <= mid <= high wherever it is estimated.
with

band as (

    select * from {{ ref('fct_arbitrage_share') }}

),

errors as (

    select * from band
    where arb_share_low > arb_share_mid + 1e-12
        or arb_share_mid > arb_share_high + 1e-12
        or arb_share_low < 0

)

select * from errors
