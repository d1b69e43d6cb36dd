"""Write every published service as fully nested HSDS JSON (`directory export-hsds`)."""

from __future__ import annotations

import json
from typing import TextIO

from flask import Flask
from sqlalchemy.orm import Session

from .places import county_finder
from .queries import external_terms, published_batches
from .serialise import service_full


def write_export(session: Session, app: Flask, out: TextIO) -> int:
    """Stream a JSON list of services, in HSDS id order, to out. Returns how many."""
    vocab = app.extensions["vocabulary"]
    county = county_finder(app.config["GAZETTEER_FILE"])
    count = 0
    out.write("[")
    for batch in published_batches(session):
        terms = external_terms(session, [s.id for s in batch])
        for service in batch:
            item = service_full(service, vocab, terms.get(service.id, []), county)
            out.write(",\n" if count else "\n")
            # Indent on "\n" only: textwrap.indent also breaks lines at U+2028, U+2029 and
            # U+0085 inside strings, which grew the text on every round trip.
            text = json.dumps(item, indent=2, ensure_ascii=False)
            out.write("  " + text.replace("\n", "\n  "))
            count += 1
        session.expunge_all()
    out.write("\n]\n")
    return count
