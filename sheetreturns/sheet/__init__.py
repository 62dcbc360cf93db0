"""The sheet between the engine and the adapters: the Workbook interface, write plans, generated tabs as data."""
