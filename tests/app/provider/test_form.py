"""The listing form: every bad value gets a message beside its field and nothing is saved; what
was typed comes back; sessions and venues; the preview; CSRF; and two people saving at once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from directory import moderation
from directory.models import ListingChange, Location, Role, Service

from ..factories import make_user
from .helpers import error_beside, fill, read_form, sign_in, summary_links


def _counts(db) -> tuple[int, int, int]:
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(ListingChange)),
            db.scalar(select(func.count()).select_from(Location)),
            db.scalar(select(func.count()).select_from(Service)))


def _open(client, service: Service):
    url = f"/provider/services/{service.public_id}/edit"
    return url, read_form(client.get(url).get_data(as_text=True))


BAD = [
    ({"name": "x" * 201}, "name", "Use 200 characters or fewer"),
    ({"name": "  "}, "name", "Enter the name"),
    ({"description": "<script>alert(1)</script>"}, "description", "Write plain text"),
    ({"first_visit": "<b>Bring shoes</b>"}, "first_visit", "Write plain text"),
    ({"min_age": "70", "max_age": "18"}, "max_age", "The oldest age must be the same as or more than the youngest"),
    ({"min_age": "ten"}, "min_age", "Enter an age in whole years"),
    ({"max_age": "130"}, "max_age", "Enter an age from 0 to 120"),
    ({"session-0-starts": "10:00", "session-0-ends": "09:30"}, "session-0-ends", "The end time must be after the start time"),
    ({"session-0-starts": ""}, "session-0-starts", "Enter a start time"),
    ({"session-0-day": ""}, "session-0-day", "Choose a day"),
    ({"session-0-day": "someday"}, "session-0-day", "Choose a day"),
    ({"phone": "call me"}, "phone", "Enter a phone number"),
    ({"email": "nope"}, "email", "Enter an email address"),
    ({"website": "javascript:alert(1)"}, "website", "Enter a web address starting https://"),
    ({"categories": []}, "categories", "Choose one, two or three kinds of service"),
    ({"categories": ["community", "not-a-category"]}, "categories", "Not a choice here: not-a-category"),
    ({"activities": ["walking-group", "dance", "gym", "swimming", "cycling", "crafts"]}, "activities", "Choose up to five"),
    ({"languages": ["xx"]}, "languages", "Not a language we list"),
    ({"coverage": "NE4"}, "coverage", "Districts are only for home visits"),
    ({"coverage": "ZZ99, NE4", "access": "home-visit"}, "coverage", "Not a postcode district: ZZ99"),
    ({"venue-name": "Church hall", "venue-postcode": "NE4 0ZZ"}, "venue-postcode", "NE4 0ZZ is not a known postcode"),
    ({"venue-name": "Church hall", "venue-postcode": "not a postcode"}, "venue-postcode", "is not a valid UK postcode"),
    ({"venue-postcode": "NE4 8XJ"}, "venue-name", "Enter the venue's name"),
    ({"venue-name": "Church hall", "venue-postcode": "NE4 8XJ", "venue-latitude": "51.5014",
      "venue-longitude": "-0.1419"}, "venue-latitude", "more than 20 km from NE4 8XJ"),
    ({"venue-name": "Church hall", "venue-postcode": "NE4 8XJ", "venue-latitude": "95",
      "venue-longitude": "-1.6"}, "venue-latitude", "Enter a latitude from -90 to 90"),
    ({"venue-name": "Church hall", "venue-postcode": "NE4 8XJ", "venue-latitude": "54.97"},
     "venue-longitude", "Enter the longitude too"),
]


@pytest.mark.parametrize(("values", "field", "message"), BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_a_bad_value_is_named_beside_its_field_and_nothing_is_saved(client, db, login_as, group, values, field, message):
    login_as(group.user)
    before = _counts(db)
    url, form = _open(client, group.service)
    response = client.post(url, data=fill(form, **values))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in error_beside(html, field)
    assert field in summary_links(html)
    kept = read_form(html)
    for name, value in values.items():
        if isinstance(value, str) and name != "venue-postcode" and not name.endswith("-day"):
            assert kept.get(name) == value  # what was typed comes back as typed
    assert _counts(db) == before
    assert db.get(Service, group.service.id).name == "Breathe Easy Fenham"


def test_a_session_venue_from_another_group_is_refused(client, db, login_as, group, other):
    login_as(group.user)
    url, form = _open(client, group.service)
    response = client.post(url, data=fill(form, **{"session-0-location": other.venue.public_id}))
    assert response.status_code == 400
    assert "Choose one of this listing's venues" in error_beside(response.get_data(as_text=True), "session-0-location")
    form = fill(form, **{"session-0-location": "", "locations": [group.venue.public_id, other.venue.public_id]})
    response = client.post(url, data=form)
    assert "Choose venues from your own list" in error_beside(response.get_data(as_text=True), "locations")
    assert _counts(db)[0] == 0


def test_text_is_kept_as_typed_and_shown_escaped(client, db, login_as, trusted):
    login_as(trusted.user)
    url, form = _open(client, trusted.service)
    response = client.post(url, data=fill(form, description="Tea & cake <3", cost="<3 pounds"))
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Service, trusted.service.id).description == "Tea & cake <3"
    for page in (f"/services/{trusted.service.public_id}", f"/provider/services/{trusted.service.public_id}"):
        html = client.get(page).get_data(as_text=True)
        assert "Tea &amp; cake &lt;3" in html and "Tea & cake <3" not in html
    assert read_form(client.get(url).get_data(as_text=True))["description"] == "Tea & cake <3"


def test_sessions_are_added_and_removed_without_saving(client, db, login_as, group):
    login_as(group.user)
    url, form = _open(client, group.service)
    fill(form, name="Typed but not saved")
    html = client.post(url, data=fill(form, action="add-session")).get_data(as_text=True)
    form = read_form(html)
    assert form["name"] == "Typed but not saved" and form["session-1-day"] == "" and form["session-0-day"] == "tue"
    fill(form, **{"session-1-day": "fri", "session-1-starts": "18:00", "session-1-ends": "19:00"})
    form.pop("action", None)
    form["session-0-remove"] = "1"
    form = read_form(client.post(url, data=form).get_data(as_text=True))
    assert form["session-0-day"] == "fri" and "session-1-day" not in form
    assert _counts(db)[0] == 0
    assert client.post(url, data=form).status_code == 303
    change = db.scalar(select(ListingChange))
    assert change.proposed["sessions"] == [{"day": "fri", "starts": "18:00", "ends": "19:00", "location": None}]


def test_a_new_venue_is_found_by_postcode_shown_and_may_be_corrected(client, db, login_as, group):
    login_as(group.user)
    url, form = _open(client, group.service)
    venues_before = _counts(db)[1]
    fill(form, **{"venue-name": "St James Church Hall", "venue-address": "Benwell Lane",
                  "venue-town": "Benwell", "venue-postcode": "ne4 8xj", "session-0-location": "new"})
    response = client.post(url, data=fill(form, action="find-venue"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "We place NE4 8XJ at 54.97" in html
    form = read_form(html)
    assert form["venue-postcode"] == "NE4 8XJ" and form["venue-latitude"].startswith("54.97")
    assert _counts(db)[1] == venues_before  # nothing saved yet
    form.pop("action", None)
    response = client.post(url, data=fill(form, **{"venue-latitude": "54.9760", "venue-longitude": "-1.6600"}))
    assert response.status_code == 303
    venue = db.scalar(select(Location).where(Location.name == "St James Church Hall"))
    assert (venue.latitude, venue.longitude, venue.postcode) == (54.976, -1.66, "NE4 8XJ")
    assert venue.organization_id == group.org.id
    change = db.scalar(select(ListingChange))
    assert venue.public_id in change.proposed["locations"]
    assert change.proposed["sessions"][0]["location"] == venue.public_id
    # The group's own venues are offered on its next form.
    assert f'value="{venue.public_id}"' in client.get(url).get_data(as_text=True)


def test_the_preview_shows_the_public_page_and_saves_nothing(client, db, login_as, group):
    login_as(group.user)
    url, form = _open(client, group.service)
    fill(form, name="Breathe Easier Benwell", cost="£1 <3", access=["drop-in"], action="preview")
    response = client.post(url, data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    preview = html.split('id="preview"', 1)[1]
    assert "Breathe Easier Benwell" in preview and "£1 &lt;3" in preview
    assert "Drop in: you do not need to book" in preview and "Tuesdays, 10am to 11:30am" in preview
    assert read_form(html)["name"] == "Breathe Easier Benwell"
    assert _counts(db)[0] == 0


def test_the_editor_suggests_tags_from_what_the_listing_now_says(client, db, login_as, group):
    login_as(group.user)
    url, form = _open(client, group.service)
    fill(form, description="A gentle walking group round the park, then tea.",
         activities=[], action="preview")
    html = client.post(url, data=form).get_data(as_text=True)
    assert "this listing may also be: " in html
    box = html.split('id="activities-walking-group"', 1)[1].split("</div>", 1)[0]
    assert "Suggested" in box
    assert 'Because of &#34;walking group&#34; in its description' in box
    assert _counts(db)[0] == 0  # a suggestion is never saved by itself
    # Once ticked, it is no longer suggested; nor is anything else the words do not say.
    fill(form, activities=["walking-group"])
    html = client.post(url, data=form).get_data(as_text=True)
    assert "Suggested" not in html.split('id="activities-walking-group"', 1)[1].split("</div>")[0]
    assert 'id="activities-choir-singing"' in html
    assert "Suggested" not in html.split('id="activities-choir-singing"', 1)[1].split("</div>")[0]
    # A weak word alone is not offered: "park" does not make it a venue with parking.
    assert "Suggested" not in html.split('id="access-parking"', 1)[1].split("</div>")[0]


def test_a_form_without_its_csrf_token_is_refused_and_nothing_saved(make_app, db, group):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    sign_in(client, group.user.email)
    url, form = _open(client, group.service)
    fill(form, name="Forged name")
    token = form.pop("csrf_token")
    response = client.post(url, data=form)
    assert response.status_code == 400
    assert _counts(db)[0] == 0
    for path, data in ((f"/provider/services/{group.service.public_id}/status", {"action": "pause", "stamp": form["stamp"]}),
                       (f"/provider/services/{group.service.public_id}/confirm", {}),
                       ("/provider/services/new", {**form, "organization": group.org.public_id})):
        assert client.post(path, data=data).status_code == 400
    db.expire_all()
    assert db.get(Service, group.service.id).status.value == "active"
    assert _counts(db)[0] == 0
    form["csrf_token"] = token
    assert client.post(url, data=form).status_code == 303  # the same form with its token is fine


def test_the_second_of_two_saves_is_refused_and_keeps_what_was_typed(app, client, db, login_as, group):
    colleague = make_user(db, "colleague@example.org", Role.PROVIDER, organizations=(group.org,))
    login_as(group.user)
    second = app.test_client()
    sign_in(second, colleague.email)
    url, first_form = _open(client, group.service)
    _, second_form = _open(second, group.service)

    assert client.post(url, data=fill(first_form, name="First person's name")).status_code == 303
    response = second.post(url, data=fill(second_form, name="Second person's name", cost="£3"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "This listing changed since you opened it" in html
    kept = read_form(html)
    assert kept["name"] == "Second person's name" and kept["cost"] == "£3"
    assert "First person&#39;s name" in html.split('id="conflict"', 1)[1].split("</table>")[0]
    change = db.scalar(select(ListingChange))
    assert change.proposed["name"] == "First person's name"
    # Having seen the listing as it is now, saving again is their choice, and it works.
    assert second.post(url, data=kept).status_code == 303
    db.expire_all()
    assert db.scalar(select(ListingChange)).proposed["name"] == "Second person's name"


def test_a_published_edit_also_refuses_a_stale_form(app, client, db, login_as, trusted):
    colleague = make_user(db, "colleague@example.org", Role.PROVIDER, organizations=(trusted.org,))
    login_as(trusted.user)
    second = app.test_client()
    sign_in(second, colleague.email)
    url, first_form = _open(client, trusted.service)
    _, second_form = _open(second, trusted.service)
    assert client.post(url, data=fill(first_form, name="Published first")).status_code == 303
    response = second.post(url, data=fill(second_form, name="Published second"))
    assert response.status_code == 409
    db.expire_all()
    assert db.get(Service, trusted.service.id).name == "Published first"
    assert "Published first" in second.get(f"/services/{trusted.service.public_id}").get_data(as_text=True)


def test_saving_an_unchanged_form_sends_nothing(client, db, login_as, group):
    login_as(group.user)
    url, form = _open(client, group.service)
    body = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "You did not change anything" in body
    assert _counts(db)[0] == 0
    assert moderation.pending_change(db, group.service) is None
