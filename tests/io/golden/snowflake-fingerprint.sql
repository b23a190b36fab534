SELECT
  COUNT(*) AS "rows",
  COUNT_IF(COALESCE(NOT (
    "t0"."purchased" IS NULL
  ), FALSE)) AS "m0_present",
  SUM(
    IFF(
      CASE
        WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
        THEN 1.0
        WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
        THEN 0.0
        ELSE IFF(
          COALESCE(
            REGEXP_LIKE(
              "t0"."purchased",
              CONCAT(
                '.*',
                '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                '.*'
              ),
              'cs'
            ),
            FALSE
          ),
          CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
          CAST(NULL AS DOUBLE)
        )
      END IS NOT NULL,
      (
        (
          CAST(CAST(FLOOR(
            ABS(
              CASE
                WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
                THEN 1.0
                WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
                THEN 0.0
                ELSE IFF(
                  COALESCE(
                    REGEXP_LIKE(
                      "t0"."purchased",
                      CONCAT(
                        '.*',
                        '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                        '.*'
                      ),
                      'cs'
                    ),
                    FALSE
                  ),
                  CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
                  CAST(NULL AS DOUBLE)
                )
              END
            )
          ) AS BIGINT) AS DECIMAL(38, 0)) * 1000000000000
        ) + CAST(CAST(FLOOR(
          (
            ABS(
              CASE
                WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
                THEN 1.0
                WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
                THEN 0.0
                ELSE IFF(
                  COALESCE(
                    REGEXP_LIKE(
                      "t0"."purchased",
                      CONCAT(
                        '.*',
                        '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                        '.*'
                      ),
                      'cs'
                    ),
                    FALSE
                  ),
                  CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
                  CAST(NULL AS DOUBLE)
                )
              END
            ) - CAST(FLOOR(
              ABS(
                CASE
                  WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
                  THEN 1.0
                  WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
                  THEN 0.0
                  ELSE IFF(
                    COALESCE(
                      REGEXP_LIKE(
                        "t0"."purchased",
                        CONCAT(
                          '.*',
                          '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                          '.*'
                        ),
                        'cs'
                      ),
                      FALSE
                    ),
                    CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
                    CAST(NULL AS DOUBLE)
                  )
                END
              )
            ) AS BIGINT)
          ) * 1000000000000
        ) AS BIGINT) + IFF(
          (
            (
              (
                ABS(
                  CASE
                    WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
                    THEN 1.0
                    WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
                    THEN 0.0
                    ELSE IFF(
                      COALESCE(
                        REGEXP_LIKE(
                          "t0"."purchased",
                          CONCAT(
                            '.*',
                            '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                            '.*'
                          ),
                          'cs'
                        ),
                        FALSE
                      ),
                      CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
                      CAST(NULL AS DOUBLE)
                    )
                  END
                ) - CAST(FLOOR(
                  ABS(
                    CASE
                      WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
                      THEN 1.0
                      WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
                      THEN 0.0
                      ELSE IFF(
                        COALESCE(
                          REGEXP_LIKE(
                            "t0"."purchased",
                            CONCAT(
                              '.*',
                              '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                              '.*'
                            ),
                            'cs'
                          ),
                          FALSE
                        ),
                        CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
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
                    WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
                    THEN 1.0
                    WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
                    THEN 0.0
                    ELSE IFF(
                      COALESCE(
                        REGEXP_LIKE(
                          "t0"."purchased",
                          CONCAT(
                            '.*',
                            '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                            '.*'
                          ),
                          'cs'
                        ),
                        FALSE
                      ),
                      CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
                      CAST(NULL AS DOUBLE)
                    )
                  END
                ) - CAST(FLOOR(
                  ABS(
                    CASE
                      WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
                      THEN 1.0
                      WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
                      THEN 0.0
                      ELSE IFF(
                        COALESCE(
                          REGEXP_LIKE(
                            "t0"."purchased",
                            CONCAT(
                              '.*',
                              '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                              '.*'
                            ),
                            'cs'
                          ),
                          FALSE
                        ),
                        CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
                        CAST(NULL AS DOUBLE)
                      )
                    END
                  )
                ) AS BIGINT)
              ) * 1000000000000
            ) AS BIGINT)
          ) >= 0.5,
          1,
          0
        ) AS DECIMAL(38, 0))
      ) * IFF(
        CASE
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('true', 't')
          THEN 1.0
          WHEN LOWER(TRIM("t0"."purchased", ' \t\n\r\x0b\f')) IN ('false', 'f')
          THEN 0.0
          ELSE IFF(
            COALESCE(
              REGEXP_LIKE(
                "t0"."purchased",
                CONCAT(
                  '.*',
                  '^[ \t\r\n]*[-+]?(?:[0-9]{1,30}(?:\\.[0-9]{0,30})?|\\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,2})?[ \t\r\n]*$',
                  '.*'
                ),
                'cs'
              ),
              FALSE
            ),
            CAST(TRIM("t0"."purchased", ' \t\n\r\x0b\f') AS DOUBLE),
            CAST(NULL AS DOUBLE)
          )
        END < 0,
        -1,
        1
      ),
      CAST(NULL AS DECIMAL(38, 0))
    )
  ) AS "m0_sum",
  COUNT_IF(
    COALESCE(
      NOT (
        (
          "t0"."revenue" IS NULL
        )
        AND NOT (
          COALESCE("t0"."revenue" = CAST('NaN' AS DOUBLE), FALSE)
        )
      ),
      FALSE
    )
  ) AS "m1_present",
  SUM(
    IFF(
      IFF(
        COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
        "t0"."revenue",
        CAST(NULL AS DOUBLE)
      ) IS NOT NULL,
      (
        (
          CAST(CAST(FLOOR(
            ABS(
              IFF(
                COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
                "t0"."revenue",
                CAST(NULL AS DOUBLE)
              )
            )
          ) AS BIGINT) AS DECIMAL(38, 0)) * 1000000000000
        ) + CAST(CAST(FLOOR(
          (
            ABS(
              IFF(
                COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
                "t0"."revenue",
                CAST(NULL AS DOUBLE)
              )
            ) - CAST(FLOOR(
              ABS(
                IFF(
                  COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
                  "t0"."revenue",
                  CAST(NULL AS DOUBLE)
                )
              )
            ) AS BIGINT)
          ) * 1000000000000
        ) AS BIGINT) + IFF(
          (
            (
              (
                ABS(
                  IFF(
                    COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
                    "t0"."revenue",
                    CAST(NULL AS DOUBLE)
                  )
                ) - CAST(FLOOR(
                  ABS(
                    IFF(
                      COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
                      "t0"."revenue",
                      CAST(NULL AS DOUBLE)
                    )
                  )
                ) AS BIGINT)
              ) * 1000000000000
            ) - CAST(FLOOR(
              (
                ABS(
                  IFF(
                    COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
                    "t0"."revenue",
                    CAST(NULL AS DOUBLE)
                  )
                ) - CAST(FLOOR(
                  ABS(
                    IFF(
                      COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
                      "t0"."revenue",
                      CAST(NULL AS DOUBLE)
                    )
                  )
                ) AS BIGINT)
              ) * 1000000000000
            ) AS BIGINT)
          ) >= 0.5,
          1,
          0
        ) AS DECIMAL(38, 0))
      ) * IFF(
        IFF(
          COALESCE(ABS("t0"."revenue") <= 1.7976931348623157e+308, FALSE),
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
