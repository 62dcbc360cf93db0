"""Settings: sheetreturns.toml found and parsed, and the policy layered from it and the Settings tab."""
