SELECT
  APPROX_PERCENTILE(
    LN(
      IF(
        COALESCE("t1"."__relevance_number_0" > 0, FALSE),
        "t1"."__relevance_number_0",
        CAST(1.0 AS DOUBLE)
      )
    ),
    CAST(0.25 AS DOUBLE)
  ) FILTER(WHERE
    COALESCE("t1"."__relevance_number_0" > 0, FALSE)) AS "m0_low",
  APPROX_PERCENTILE(
    LN(
      IF(
        COALESCE("t1"."__relevance_number_0" > 0, FALSE),
        "t1"."__relevance_number_0",
        CAST(1.0 AS DOUBLE)
      )
    ),
    CAST(0.5 AS DOUBLE)
  ) FILTER(WHERE
    COALESCE("t1"."__relevance_number_0" > 0, FALSE)) AS "m0_middle",
  APPROX_PERCENTILE(
    LN(
      IF(
        COALESCE("t1"."__relevance_number_0" > 0, FALSE),
        "t1"."__relevance_number_0",
        CAST(1.0 AS DOUBLE)
      )
    ),
    CAST(0.75 AS DOUBLE)
  ) FILTER(WHERE
    COALESCE("t1"."__relevance_number_0" > 0, FALSE)) AS "m0_high",
  MAX("t1"."__relevance_number_0") FILTER(WHERE
    COALESCE("t1"."__relevance_number_0" > 0, FALSE)) AS "m0_largest",
  COUNT(*) FILTER(WHERE
    COALESCE(COALESCE("t1"."__relevance_number_0" > 0, FALSE), FALSE)) AS "m0_buyers"
FROM (
  SELECT
    "t0"."customer_id",
    "t0"."arm",
    "t0"."customer's lifecycle stage",
    "t0"."emails_prior_7d",
    "t0"."sent",
    "t0"."purchased",
    "t0"."revenue",
    IF(
      COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
      "t0"."revenue",
      CAST(NULL AS DOUBLE)
    ) AS "__relevance_number_0"
  FROM (
    SELECT
      *
    FROM analytics.sends
    WHERE
      campaign = 'w47'
  ) AS "t0"
) AS "t1"
