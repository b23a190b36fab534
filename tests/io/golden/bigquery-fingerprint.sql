SELECT
  COUNT(*) AS `rows`,
  COUNTIF(COALESCE(NOT (
    `t0`.`purchased` IS NULL
  ), FALSE)) AS `m0_present`,
  SUM(
    IF(
      CASE
        WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
        THEN 1.0
        WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
        THEN 0.0
        ELSE IF(
          COALESCE(
            REGEXP_CONTAINS(
              `t0`.`purchased`,
              '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
            ),
            FALSE
          ),
          CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
          CAST(NULL AS FLOAT64)
        )
      END IS NOT NULL,
      (
        (
          CAST(CAST(FLOOR(
            ABS(
              CASE
                WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
                THEN 1.0
                WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
                THEN 0.0
                ELSE IF(
                  COALESCE(
                    REGEXP_CONTAINS(
                      `t0`.`purchased`,
                      '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
                    ),
                    FALSE
                  ),
                  CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
                  CAST(NULL AS FLOAT64)
                )
              END
            )
          ) AS INT64) AS NUMERIC) * 1000000000000
        ) + CAST(CAST(FLOOR(
          (
            ABS(
              CASE
                WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
                THEN 1.0
                WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
                THEN 0.0
                ELSE IF(
                  COALESCE(
                    REGEXP_CONTAINS(
                      `t0`.`purchased`,
                      '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
                    ),
                    FALSE
                  ),
                  CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
                  CAST(NULL AS FLOAT64)
                )
              END
            ) - CAST(FLOOR(
              ABS(
                CASE
                  WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
                  THEN 1.0
                  WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
                  THEN 0.0
                  ELSE IF(
                    COALESCE(
                      REGEXP_CONTAINS(
                        `t0`.`purchased`,
                        '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
                      ),
                      FALSE
                    ),
                    CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
                    CAST(NULL AS FLOAT64)
                  )
                END
              )
            ) AS INT64)
          ) * 1000000000000
        ) AS INT64) + IF(
          (
            (
              (
                ABS(
                  CASE
                    WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
                    THEN 1.0
                    WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
                    THEN 0.0
                    ELSE IF(
                      COALESCE(
                        REGEXP_CONTAINS(
                          `t0`.`purchased`,
                          '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
                        ),
                        FALSE
                      ),
                      CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
                      CAST(NULL AS FLOAT64)
                    )
                  END
                ) - CAST(FLOOR(
                  ABS(
                    CASE
                      WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
                      THEN 1.0
                      WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
                      THEN 0.0
                      ELSE IF(
                        COALESCE(
                          REGEXP_CONTAINS(
                            `t0`.`purchased`,
                            '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
                          ),
                          FALSE
                        ),
                        CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
                        CAST(NULL AS FLOAT64)
                      )
                    END
                  )
                ) AS INT64)
              ) * 1000000000000
            ) - CAST(FLOOR(
              (
                ABS(
                  CASE
                    WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
                    THEN 1.0
                    WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
                    THEN 0.0
                    ELSE IF(
                      COALESCE(
                        REGEXP_CONTAINS(
                          `t0`.`purchased`,
                          '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
                        ),
                        FALSE
                      ),
                      CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
                      CAST(NULL AS FLOAT64)
                    )
                  END
                ) - CAST(FLOOR(
                  ABS(
                    CASE
                      WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
                      THEN 1.0
                      WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
                      THEN 0.0
                      ELSE IF(
                        COALESCE(
                          REGEXP_CONTAINS(
                            `t0`.`purchased`,
                            '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
                          ),
                          FALSE
                        ),
                        CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
                        CAST(NULL AS FLOAT64)
                      )
                    END
                  )
                ) AS INT64)
              ) * 1000000000000
            ) AS INT64)
          ) >= 0.5,
          1,
          0
        ) AS NUMERIC)
      ) * IF(
        CASE
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM(`t0`.`purchased`, ' \t\n\r\v\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IF(
            COALESCE(
              REGEXP_CONTAINS(
                `t0`.`purchased`,
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$'
              ),
              FALSE
            ),
            CAST(TRIM(`t0`.`purchased`, ' \t\n\r\v\f') AS FLOAT64),
            CAST(NULL AS FLOAT64)
          )
        END < 0,
        -1,
        1
      ),
      CAST(NULL AS NUMERIC)
    )
  ) AS `m0_sum`,
  COUNTIF(
    COALESCE(
      NOT (
        (
          `t0`.`revenue` IS NULL
        )
        AND NOT (
          COALESCE(IS_NAN(`t0`.`revenue`), FALSE)
        )
      ),
      FALSE
    )
  ) AS `m1_present`,
  SUM(
    IF(
      IF(
        COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
        `t0`.`revenue`,
        CAST(NULL AS FLOAT64)
      ) IS NOT NULL,
      (
        (
          CAST(CAST(FLOOR(
            ABS(
              IF(
                COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                `t0`.`revenue`,
                CAST(NULL AS FLOAT64)
              )
            )
          ) AS INT64) AS NUMERIC) * 1000000000000
        ) + CAST(CAST(FLOOR(
          (
            ABS(
              IF(
                COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                `t0`.`revenue`,
                CAST(NULL AS FLOAT64)
              )
            ) - CAST(FLOOR(
              ABS(
                IF(
                  COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                  `t0`.`revenue`,
                  CAST(NULL AS FLOAT64)
                )
              )
            ) AS INT64)
          ) * 1000000000000
        ) AS INT64) + IF(
          (
            (
              (
                ABS(
                  IF(
                    COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                    `t0`.`revenue`,
                    CAST(NULL AS FLOAT64)
                  )
                ) - CAST(FLOOR(
                  ABS(
                    IF(
                      COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                      `t0`.`revenue`,
                      CAST(NULL AS FLOAT64)
                    )
                  )
                ) AS INT64)
              ) * 1000000000000
            ) - CAST(FLOOR(
              (
                ABS(
                  IF(
                    COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                    `t0`.`revenue`,
                    CAST(NULL AS FLOAT64)
                  )
                ) - CAST(FLOOR(
                  ABS(
                    IF(
                      COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
                      `t0`.`revenue`,
                      CAST(NULL AS FLOAT64)
                    )
                  )
                ) AS INT64)
              ) * 1000000000000
            ) AS INT64)
          ) >= 0.5,
          1,
          0
        ) AS NUMERIC)
      ) * IF(
        IF(
          COALESCE(ABS(`t0`.`revenue`) <= 1.7976931348623157e+308, FALSE),
          `t0`.`revenue`,
          CAST(NULL AS FLOAT64)
        ) < 0,
        -1,
        1
      ),
      CAST(NULL AS NUMERIC)
    )
  ) AS `m1_sum`
FROM (
  SELECT
    *
  FROM analytics.sends
  WHERE
    campaign = 'w47'
) AS `t0`
