# Japanese: as residents write them, with a space and a two-digit minute (9時05分 → 9:05).
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
MONTH_DAY_FORMAT = "n月j日"
