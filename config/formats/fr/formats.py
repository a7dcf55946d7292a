# Les dates des pages, en français : « 23 nov. 2026 » et « 23 nov. 2026 14:05 ».
DATE_FORMAT = "j N Y"
DATETIME_FORMAT = "j N Y H:i"
