"""The fiscal year's reporting calendar (plan measure 1.1 step 1): /calendar, the messages of
the start of the year and of moved dates, and the printable one-page chart."""
