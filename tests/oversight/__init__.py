"""/status, /history, the digest with its chart, and the evidence workbook."""
