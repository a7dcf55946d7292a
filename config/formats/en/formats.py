# The dates the pages show, in English: "Nov 23, 2026" and "Nov 23, 2026 14:05".
DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y H:i"
