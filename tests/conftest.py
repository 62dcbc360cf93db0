"""Every test gets its own user state folder, so no test reads or locks another's (or the user's) state."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_user_state(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("user-state")
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    monkeypatch.delenv("SHEETRETURNS_STATE_DIR", raising=False)
    return folder
