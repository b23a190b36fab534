SELECT
  APPROX_PERCENTILE(
    LN(
      IF(
        COALESCE(
          IF(
            COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
            "t0"."revenue",
            CAST(NULL AS DOUBLE)
          ) > 0,
          FALSE
        ),
        IF(
          COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ),
        CAST(1.0 AS DOUBLE)
      )
    ),
    CAST(0.25 AS DOUBLE)
  ) FILTER(WHERE
    COALESCE(
      IF(
        COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
        "t0"."revenue",
        CAST(NULL AS DOUBLE)
      ) > 0,
      FALSE
    )) AS "m0_low",
  APPROX_PERCENTILE(
    LN(
      IF(
        COALESCE(
          IF(
            COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
            "t0"."revenue",
            CAST(NULL AS DOUBLE)
          ) > 0,
          FALSE
        ),
        IF(
          COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ),
        CAST(1.0 AS DOUBLE)
      )
    ),
    CAST(0.5 AS DOUBLE)
  ) FILTER(WHERE
    COALESCE(
      IF(
        COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
        "t0"."revenue",
        CAST(NULL AS DOUBLE)
      ) > 0,
      FALSE
    )) AS "m0_middle",
  APPROX_PERCENTILE(
    LN(
      IF(
        COALESCE(
          IF(
            COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
            "t0"."revenue",
            CAST(NULL AS DOUBLE)
          ) > 0,
          FALSE
        ),
        IF(
          COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ),
        CAST(1.0 AS DOUBLE)
      )
    ),
    CAST(0.75 AS DOUBLE)
  ) FILTER(WHERE
    COALESCE(
      IF(
        COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
        "t0"."revenue",
        CAST(NULL AS DOUBLE)
      ) > 0,
      FALSE
    )) AS "m0_high",
  MAX(
    IF(
      COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
      "t0"."revenue",
      CAST(NULL AS DOUBLE)
    )
  ) FILTER(WHERE
    COALESCE(
      IF(
        COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
        "t0"."revenue",
        CAST(NULL AS DOUBLE)
      ) > 0,
      FALSE
    )) AS "m0_largest",
  COUNT(*) FILTER(WHERE
    COALESCE(
      COALESCE(
        IF(
          COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) > 0,
        FALSE
      ),
      FALSE
    )) AS "m0_buyers"
FROM (
  SELECT
    *
  FROM analytics.sends
  WHERE
    campaign = 'w47'
) AS "t0"
