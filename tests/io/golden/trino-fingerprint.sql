SELECT
  COUNT(*) AS "rows",
  COUNT(*) FILTER(WHERE
    COALESCE(NOT (
      "t0"."purchased" IS NULL
    ), FALSE)) AS "m0_present",
  SUM(
    IF(
      CASE
        WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
        THEN CAST(1.0 AS DOUBLE)
        WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
        THEN CAST(0.0 AS DOUBLE)
        ELSE IF(
          COALESCE(
            REGEXP_LIKE(
              "t0"."purchased",
              '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
            ),
            FALSE
          ),
          CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
          CAST(NULL AS DOUBLE)
        )
      END IS NOT NULL,
      (
        (
          CAST(CAST(FLOOR(
            ABS(
              CASE
                WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
                THEN CAST(1.0 AS DOUBLE)
                WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
                THEN CAST(0.0 AS DOUBLE)
                ELSE IF(
                  COALESCE(
                    REGEXP_LIKE(
                      "t0"."purchased",
                      '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
                    ),
                    FALSE
                  ),
                  CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
                  CAST(NULL AS DOUBLE)
                )
              END
            )
          ) AS BIGINT) AS DECIMAL(38, 0)) * 1000000000000
        ) + CAST(CAST(FLOOR(
          (
            ABS(
              CASE
                WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
                THEN CAST(1.0 AS DOUBLE)
                WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
                THEN CAST(0.0 AS DOUBLE)
                ELSE IF(
                  COALESCE(
                    REGEXP_LIKE(
                      "t0"."purchased",
                      '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
                    ),
                    FALSE
                  ),
                  CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
                  CAST(NULL AS DOUBLE)
                )
              END
            ) - CAST(FLOOR(
              ABS(
                CASE
                  WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
                  THEN CAST(1.0 AS DOUBLE)
                  WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
                  THEN CAST(0.0 AS DOUBLE)
                  ELSE IF(
                    COALESCE(
                      REGEXP_LIKE(
                        "t0"."purchased",
                        '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
                      ),
                      FALSE
                    ),
                    CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
                    CAST(NULL AS DOUBLE)
                  )
                END
              )
            ) AS BIGINT)
          ) * 1000000000000
        ) AS BIGINT) + IF(
          (
            (
              (
                ABS(
                  CASE
                    WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
                    THEN CAST(1.0 AS DOUBLE)
                    WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
                    THEN CAST(0.0 AS DOUBLE)
                    ELSE IF(
                      COALESCE(
                        REGEXP_LIKE(
                          "t0"."purchased",
                          '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
                        ),
                        FALSE
                      ),
                      CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
                      CAST(NULL AS DOUBLE)
                    )
                  END
                ) - CAST(FLOOR(
                  ABS(
                    CASE
                      WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
                      THEN CAST(1.0 AS DOUBLE)
                      WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
                      THEN CAST(0.0 AS DOUBLE)
                      ELSE IF(
                        COALESCE(
                          REGEXP_LIKE(
                            "t0"."purchased",
                            '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
                          ),
                          FALSE
                        ),
                        CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
                        CAST(NULL AS DOUBLE)
                      )
                    END
                  )
                ) AS BIGINT)
              ) * 1000000000000
            ) - CAST(FLOOR(
              (
                ABS(
                  CASE
                    WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
                    THEN CAST(1.0 AS DOUBLE)
                    WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
                    THEN CAST(0.0 AS DOUBLE)
                    ELSE IF(
                      COALESCE(
                        REGEXP_LIKE(
                          "t0"."purchased",
                          '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
                        ),
                        FALSE
                      ),
                      CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
                      CAST(NULL AS DOUBLE)
                    )
                  END
                ) - CAST(FLOOR(
                  ABS(
                    CASE
                      WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
                      THEN CAST(1.0 AS DOUBLE)
                      WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
                      THEN CAST(0.0 AS DOUBLE)
                      ELSE IF(
                        COALESCE(
                          REGEXP_LIKE(
                            "t0"."purchased",
                            '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
                          ),
                          FALSE
                        ),
                        CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
                        CAST(NULL AS DOUBLE)
                      )
                    END
                  )
                ) AS BIGINT)
              ) * 1000000000000
            ) AS BIGINT)
          ) >= CAST(0.5 AS DOUBLE),
          1,
          0
        ) AS DECIMAL(38, 0))
      ) * IF(
        CASE
          WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('true', 't')
          THEN CAST(1.0 AS DOUBLE)
          WHEN LOWER(TRIM(' 	
' FROM "t0"."purchased")) IN ('false', 'f')
          THEN CAST(0.0 AS DOUBLE)
          ELSE IF(
            COALESCE(
              REGEXP_LIKE(
                "t0"."purchased",
                '^[ 	
]*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ 	
]*$'
              ),
              FALSE
            ),
            CAST(TRIM(' 	
' FROM "t0"."purchased") AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END < 0,
        -1,
        1
      ),
      CAST(NULL AS DECIMAL(38, 0))
    )
  ) AS "m0_sum",
  COUNT(*) FILTER(WHERE
    COALESCE(
      NOT (
        (
          "t0"."revenue" IS NULL
        )
        AND NOT (
          COALESCE(IS_NAN("t0"."revenue"), FALSE)
        )
      ),
      FALSE
    )) AS "m1_present",
  SUM(
    IF(
      IF(
        COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
        "t0"."revenue",
        CAST(NULL AS DOUBLE)
      ) IS NOT NULL,
      (
        (
          CAST(CAST(FLOOR(
            ABS(
              IF(
                COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
                "t0"."revenue",
                CAST(NULL AS DOUBLE)
              )
            )
          ) AS BIGINT) AS DECIMAL(38, 0)) * 1000000000000
        ) + CAST(CAST(FLOOR(
          (
            ABS(
              IF(
                COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
                "t0"."revenue",
                CAST(NULL AS DOUBLE)
              )
            ) - CAST(FLOOR(
              ABS(
                IF(
                  COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
                  "t0"."revenue",
                  CAST(NULL AS DOUBLE)
                )
              )
            ) AS BIGINT)
          ) * 1000000000000
        ) AS BIGINT) + IF(
          (
            (
              (
                ABS(
                  IF(
                    COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
                    "t0"."revenue",
                    CAST(NULL AS DOUBLE)
                  )
                ) - CAST(FLOOR(
                  ABS(
                    IF(
                      COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
                      "t0"."revenue",
                      CAST(NULL AS DOUBLE)
                    )
                  )
                ) AS BIGINT)
              ) * 1000000000000
            ) - CAST(FLOOR(
              (
                ABS(
                  IF(
                    COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
                    "t0"."revenue",
                    CAST(NULL AS DOUBLE)
                  )
                ) - CAST(FLOOR(
                  ABS(
                    IF(
                      COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
                      "t0"."revenue",
                      CAST(NULL AS DOUBLE)
                    )
                  )
                ) AS BIGINT)
              ) * 1000000000000
            ) AS BIGINT)
          ) >= CAST(0.5 AS DOUBLE),
          1,
          0
        ) AS DECIMAL(38, 0))
      ) * IF(
        IF(
          COALESCE(ABS("t0"."revenue") <= CAST(1.7976931348623157e+308 AS DOUBLE), FALSE),
          "t0"."revenue",
          CAST(NULL AS DOUBLE)
        ) < 0,
        -1,
        1
      ),
      CAST(NULL AS DECIMAL(38, 0))
    )
  ) AS "m1_sum"
FROM (
  SELECT
    *
  FROM analytics.sends
  WHERE
    campaign = 'w47'
) AS "t0"
