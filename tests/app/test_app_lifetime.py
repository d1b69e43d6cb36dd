"""An app that nobody holds any more is freed: nothing global keeps it (or its engine, index
readers and caches) alive. The suite builds thousands of apps; each one kept made pytest's
final garbage collection take over a minute."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from directory import create_app

from .conftest import Databases, app_config


def test_an_app_no_longer_referenced_is_freed(tmp_path: Path, template_db: Databases) -> None:
    app = create_app(app_config(tmp_path, template_db))
    with app.extensions["db"].sessions() as session:
        session.commit()  # the session listeners have run at least once
    app.extensions["db"].engine.dispose()
    ref = weakref.ref(app)
    del app
    gc.collect()
    try:
        assert ref() is None, "something global still holds the app"
    finally:
        template_db.release(tmp_path)
