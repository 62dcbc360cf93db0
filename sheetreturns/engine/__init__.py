"""The pure rules engine: rows of cell values -> typed lines -> an outcome per row and the emails now due.

Nothing in this package does I/O or reads the clock (the as-of date is an argument): no files, no
network, no terminal. The adapters (excel, google_sheets, emails, intake) and the orchestration
(api, loading) import from here, never the other way round.

columns.py recognises the header row; values.py reads cell values; typed_lines.py turns rows into
Lines; statuses.py holds the status rules; problems.py the problem rules; evaluate.py ties them into
an Evaluation; policy.py is the seller's return policy; reasons.py sorts reasons into categories.
"""
