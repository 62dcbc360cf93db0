"""Smaller promises the hostile test found broken, each kept now."""
from datetime import date

from sheetreturns import api
from sheetreturns.settings.config_file import Config

from .helpers import basic_row, write_workbook

AS_OF = date(2026, 11, 26)


def test_a_400_character_return_id_still_gets_its_outbox_email(tmp_path):
    long_id = "R-" + "7" * 398
    path = write_workbook(tmp_path / "returns.xlsx", [basic_row(**{"Return ID": long_id, "Received On": AS_OF})])
    config = Config(state_dir=tmp_path / "state")
    first = api.sync(path, as_of=AS_OF, config=config, outbox=tmp_path / "outbox")
    assert first.failures == [] and [e.result for e in first.emails] == ["outbox"]
    written = list((tmp_path / "outbox").iterdir())
    assert len(written) == 1 and len(written[0].name) < 120
    again = api.sync(path, as_of=AS_OF, config=config, outbox=tmp_path / "outbox")
    assert again.failures == [] and again.emails == []
