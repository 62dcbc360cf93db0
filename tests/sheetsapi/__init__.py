"""A local stand-in for the Google Sheets API v4, Drive v3 and the OAuth token endpoint (tests only).

The HTTP front end is tests/sheets_api_server.py; these modules hold the spreadsheet model and
one module per family of calls. Behaviour follows Google's recorded responses (gspread's cassettes).
"""
