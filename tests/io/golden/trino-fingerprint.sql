SELECT
  COUNT(*) AS "rows",
  COUNT(*) FILTER(WHERE
    COALESCE(NOT (
      "t1"."purchased" IS NULL
    ), FALSE)) AS "m0_present",
  SUM(
    IF(
      "t1"."__relevance_number_0" IS NOT NULL,
      (
        (
          CAST(CAST(FLOOR(ABS("t1"."__relevance_number_0")) AS BIGINT) AS DECIMAL(38, 0)) * 1000000000000
        ) + CAST(CAST(FLOOR(
          (
            ABS("t1"."__relevance_number_0") - CAST(FLOOR(ABS("t1"."__relevance_number_0")) AS BIGINT)
          ) * 1000000000000
        ) AS BIGINT) + IF(
          (
            (
              (
                ABS("t1"."__relevance_number_0") - CAST(FLOOR(ABS("t1"."__relevance_number_0")) AS BIGINT)
              ) * 1000000000000
            ) - CAST(FLOOR(
              (
                ABS("t1"."__relevance_number_0") - CAST(FLOOR(ABS("t1"."__relevance_number_0")) AS BIGINT)
              ) * 1000000000000
            ) AS BIGINT)
          ) >= CAST(0.5 AS DOUBLE),
          1,
          0
        ) AS DECIMAL(38, 0))
      ) * IF("t1"."__relevance_number_0" < 0, -1, 1),
      CAST(NULL AS DECIMAL(38, 0))
    )
  ) AS "m0_sum",
  COUNT(*) FILTER(WHERE
    COALESCE(
      NOT (
        (
          "t1"."revenue" IS NULL
        )
        AND NOT (
          COALESCE(IS_NAN("t1"."revenue"), FALSE)
        )
      ),
      FALSE
    )) AS "m1_present",
  SUM(
    IF(
      "t1"."__relevance_number_1" IS NOT NULL,
      (
        (
          CAST(CAST(FLOOR(ABS("t1"."__relevance_number_1")) AS BIGINT) AS DECIMAL(38, 0)) * 1000000000000
        ) + CAST(CAST(FLOOR(
          (
            ABS("t1"."__relevance_number_1") - CAST(FLOOR(ABS("t1"."__relevance_number_1")) AS BIGINT)
          ) * 1000000000000
        ) AS BIGINT) + IF(
          (
            (
              (
                ABS("t1"."__relevance_number_1") - CAST(FLOOR(ABS("t1"."__relevance_number_1")) AS BIGINT)
              ) * 1000000000000
            ) - CAST(FLOOR(
              (
                ABS("t1"."__relevance_number_1") - CAST(FLOOR(ABS("t1"."__relevance_number_1")) AS BIGINT)
              ) * 1000000000000
            ) AS BIGINT)
          ) >= CAST(0.5 AS DOUBLE),
          1,
          0
        ) AS DECIMAL(38, 0))
      ) * IF("t1"."__relevance_number_1" < 0, -1, 1),
      CAST(NULL AS DECIMAL(38, 0))
    )
  ) AS "m1_sum"
FROM (
  SELECT
    "t0"."customer_id",
    "t0"."arm",
    "t0"."customer's lifecycle stage",
    "t0"."emails_prior_7d",
    "t0"."sent",
    "t0"."purchased",
    "t0"."revenue",
    CASE
      WHEN COALESCE(
        REGEXP_LIKE(
          "t0"."purchased",
          '^[ 	
]*(?:[Tt][Rr][Uu][Ee]|[Tt])[ 	
]*$'
        ),
        FALSE
      )
      THEN CAST(1.0 AS DOUBLE)
      WHEN COALESCE(
        REGEXP_LIKE(
          "t0"."purchased",
          '^[ 	
]*(?:[Ff][Aa][Ll][Ss][Ee]|[Ff])[ 	
]*$'
        ),
        FALSE
      )
      THEN CAST(0.0 AS DOUBLE)
      ELSE CASE
        WHEN COALESCE(
          (
            LENGTH("t0"."purchased") <= 64
          )
          AND REGEXP_LIKE(
            "t0"."purchased",
            '^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,2})?$'
          ),
          FALSE
        )
        THEN CAST("t0"."purchased" AS DOUBLE)
        WHEN COALESCE(
          (
            LENGTH("t0"."purchased") <= 64
          )
          AND REGEXP_LIKE(
            "t0"."purchased",
            '^[ 	
]*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
          ),
          FALSE
        )
        THEN CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE)
        ELSE CAST(NULL AS DOUBLE)
      END
    END AS "__relevance_number_0",
    IF(
      COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
      "t0"."revenue",
      CAST(NULL AS DOUBLE)
    ) AS "__relevance_number_1"
  FROM (
    SELECT
      *
    FROM analytics.sends
    WHERE
      campaign = 'w47'
  ) AS "t0"
) AS "t1"
