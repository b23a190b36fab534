SELECT
  PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY
    IFF(
      COALESCE(
        IFF(
          COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) > 0,
        FALSE
      ),
      LN(
        IFF(
          COALESCE(
            IFF(
              COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
              "t0"."revenue",
              CAST(NULL AS DOUBLE)
            ) > 0,
            FALSE
          ),
          IFF(
            COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
            "t0"."revenue",
            CAST(NULL AS DOUBLE)
          ),
          1.0
        )
      ),
      NULL
    )) AS "m0_low",
  PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY
    IFF(
      COALESCE(
        IFF(
          COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) > 0,
        FALSE
      ),
      LN(
        IFF(
          COALESCE(
            IFF(
              COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
              "t0"."revenue",
              CAST(NULL AS DOUBLE)
            ) > 0,
            FALSE
          ),
          IFF(
            COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
            "t0"."revenue",
            CAST(NULL AS DOUBLE)
          ),
          1.0
        )
      ),
      NULL
    )) AS "m0_middle",
  PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY
    IFF(
      COALESCE(
        IFF(
          COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) > 0,
        FALSE
      ),
      LN(
        IFF(
          COALESCE(
            IFF(
              COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
              "t0"."revenue",
              CAST(NULL AS DOUBLE)
            ) > 0,
            FALSE
          ),
          IFF(
            COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
            "t0"."revenue",
            CAST(NULL AS DOUBLE)
          ),
          1.0
        )
      ),
      NULL
    )) AS "m0_high",
  MAX(
    IFF(
      COALESCE(
        IFF(
          COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) > 0,
        FALSE
      ),
      IFF(
        COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
        "t0"."revenue",
        CAST(NULL AS DOUBLE)
      ),
      NULL
    )
  ) AS "m0_largest",
  COUNT_IF(
    COALESCE(
      COALESCE(
        IFF(
          COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) > 0,
        FALSE
      ),
      FALSE
    )
  ) AS "m0_buyers"
FROM (
  SELECT
    *
  FROM analytics.sends
  WHERE
    campaign = 'w47'
) AS "t0"
