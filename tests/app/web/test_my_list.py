"""The public "my list" page: the services whose ids are in its address (saved on the device by
my_list.js), the ones no longer listed named, nothing stored on the server."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from directory.models import ServiceStatus

from ..factories import make_service


def test_the_list_shows_the_saved_services_in_their_order(client, db):
    walk = make_service(db, "Fenham Walkers")
    choir = make_service(db, "Fenham Choir")
    body = client.get(f"/my-list?id={choir.public_id}&id={walk.public_id}&id={choir.public_id}"
                      ).get_data(as_text=True)
    assert re.findall(r'id="result-([^"]+)"', body) == [choir.public_id, walk.public_id]
    share = re.search(r'id="share-email" href="([^"]+)"', body)[1].replace("&amp;", "&")
    link = parse_qs(urlsplit(share).query)["body"][0]
    assert parse_qs(urlsplit(link).query)["id"] == [choir.public_id, walk.public_id]


def test_services_no_longer_listed_are_named_not_shown(client, db):
    walk = make_service(db, "Fenham Walkers")
    paused = make_service(db, "Paused Group", status=ServiceStatus.PAUSED)
    body = client.get(f"/my-list?id={walk.public_id}&id={paused.public_id}&id=nonsense"
                      ).get_data(as_text=True)
    assert "Paused Group" not in body and "Fenham Walkers" in body
    assert "2 saved services are no longer listed" in body


def test_an_empty_list_says_how_to_fill_it(client):
    body = client.get("/my-list").get_data(as_text=True)
    assert 'id="empty-list"' in body and "Save to my list" in body


def test_a_very_long_list_is_cut_with_a_message(client, db):
    walk = make_service(db, "Fenham Walkers")
    ids = "&".join(f"id=x{i}" for i in range(60))
    response = client.get(f"/my-list?id={walk.public_id}&{ids}")
    assert response.status_code == 200
    assert "A list holds up to 50 services" in response.get_data(as_text=True)
