"""Google Sheets: the same job on a shared Google Sheet, through the real gspread client.

connect.py signs in (service account, stored user sign-in, or a local test endpoint); calls.py makes
every request with bounded retries; workbook.py reads; writer.py, matching.py and drawing.py write;
setup.py prepares an existing Google Sheet for tracking returns (`sheetreturns init --google`).
"""
