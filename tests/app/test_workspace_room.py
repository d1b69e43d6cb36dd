"""The workspace as used with a person in the room: the right joining facts on the plan, goals
in the person's order, acting on "close, but ruled out", adding by name, and sending the plan."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from directory import plans
from directory.models import AuditEvent, Role, SavedPlan, Taxonomy
from directory.web import workspace

from .factories import make_location, make_service, make_user, term


@pytest.fixture
def link_worker(db, login_as):
    user = make_user(db, "lw@example.org", Role.LINK_WORKER)
    login_as(user)
    return user


def with_access(db, service, *codes):
    service.terms.extend(term(db, Taxonomy.ACCESS, c) for c in codes)
    db.commit()
    return service


@pytest.fixture
def hall(db):
    return make_location(db, "Benwell Hall", address_1="12 Adelaide Terrace", town="Benwell",
                         postcode="NE4 8BE", latitude=54.9707, longitude=-1.6550)


def post(client, url, fields):
    return client.post(url, data=MultiDict(fields))


PERSON = [("goals", "meet-people"), ("goals", "get-more-active"), ("place", "NE4 8XJ"),
          ("distance", "3"), ("readiness", "not-yet"), ("languages", "en")]


# --- the joining facts ---------------------------------------------------------------------------


def test_codes_takes_the_taxonomy_by_value_as_templates_pass_it(db, hall):
    service = with_access(db, make_service(db, "Drop-in Walk", locations=(hall,)),
                          "drop-in", "accompanied-first-visit")
    # The old Service.codes compared the enum by identity: "sp-access" matched nothing.
    assert sorted(service.codes("sp-access")) == ["accompanied-first-visit", "drop-in"]
    assert service.codes(Taxonomy.ACCESS) == service.codes("sp-access")
    with pytest.raises(ValueError):
        service.codes("sp-acess")


def test_the_plan_says_how_to_join_a_drop_in_not_get_in_touch(client, db, link_worker, hall):
    drop_in = with_access(db, make_service(db, "Drop-in Walk", locations=(hall,)),
                          "drop-in", "accompanied-first-visit")
    booked = with_access(db, make_service(db, "Booked Class", locations=(hall,)),
                         "booking-required", "professional-referral")
    text = post(client, "/workspace/plan", PERSON + [("shortlist", drop_in.public_id),
                                                     ("shortlist", booked.public_id)]).get_data(as_text=True)
    first, second = text.split('id="svc-2">2. Booked Class')  # the heading, not the map's label
    assert "Drop in: you do not need to book" in first
    assert "Someone can come with you the first time" in first
    assert "Book before you go" in second and "You need a referral from a professional" in second
    assert "ask how to join" not in text


# --- goals in order, cards, and changes that bring a service in --------------------------------


def test_goals_go_to_the_matcher_in_the_order_they_were_ticked(app):
    form = MultiDict([("goals", "get-more-active"), ("goals", "meet-people"), ("goals", "be-creative"),
                      ("goal_order", "meet-people,get-more-active,lose-weight")])
    assert workspace.ordered_goals(form) == ["meet-people", "get-more-active", "be-creative"]
    with app.test_request_context():
        payload, errors = workspace.to_payload(form)
    assert payload["goals"] == ["meet-people", "get-more-active", "be-creative"] and not errors


def test_a_suggestion_card_says_when_where_cost_and_how_to_join(client, db, link_worker, hall):
    with_access(db, hall and make_service(db, "Benwell Walkers", activities=("walking-group",),
                                          categories=("physical-activity",), locations=(hall,),
                                          cost="Free", is_free=True), "drop-in")
    hall.access_terms.append(term(db, Taxonomy.ACCESS, "step-free"))
    db.commit()
    body = post(client, "/workspace/", PERSON + [("find", "1")]).get_data(as_text=True)
    card = body[body.index('class="suggestion"'):]
    card = card[:card.index("</li>")]
    for fact in ("Next: ", "Tuesdays, 10am to 11:30am", "12 Adelaide Terrace", "(step-free)",
                 "Free", "Drop in: you do not need to book", "Why it may suit them"):
        assert fact in card, fact


def test_too_far_offers_the_distance_that_brings_it_in_and_the_button_rematches(client, db, link_worker):
    far = make_location(db, "Walbottle Hall", postcode="NE15 8HY", latitude=54.9850, longitude=-1.7300)
    walk = make_service(db, "Walbottle Wander", activities=("walking-group",),
                        categories=("physical-activity",), locations=(far,))
    body = post(client, "/workspace/", PERSON + [("find", "1")]).get_data(as_text=True)
    ruled_out = body[body.index("Close, but ruled out"):]
    button = re.search(r'name="change" value="(distance:[\d.]+)"[^>]*>(Allow [\d.]+ km)', ruled_out)
    assert button, "a too-far service offers a distance"
    assert f'href="/services/{walk.public_id}"' in ruled_out
    change, label = button[1], button[2]
    assert label == f"Allow {change.split(':')[1]} km"

    again = post(client, "/workspace/", PERSON + [("matched", "1"), ("change", change)])
    body = again.get_data(as_text=True)
    assert again.status_code == 200
    assert f"Distance changed to {change.split(':')[1]} km" in body
    assert f'value="{change.split(":")[1]}"' in body  # the profile shows the new distance
    suggestions = body[body.index('id="results-title"'):body.index("Close, but ruled out") if "Close, but ruled out" in body else None]
    assert "Walbottle Wander" in suggestions


def test_not_free_offers_allow_low_cost(client, db, link_worker, hall):
    with_access(db, make_service(db, "Breathers Thursday", activities=("social-group",),
                                 categories=("community",), locations=(hall,), cost="£1 a week"),
                "low-cost")
    body = post(client, "/workspace/", PERSON + [("needs", "free"), ("find", "1")]).get_data(as_text=True)
    assert 'name="change" value="need:free&gt;low-cost"' in body
    assert "Allow low cost" in body
    body = post(client, "/workspace/", PERSON + [("needs", "free"), ("matched", "1"),
                                                 ("change", "need:free>low-cost")]).get_data(as_text=True)
    assert "changed to ‘Low cost" in body
    assert 'id="needs-low-cost" value="low-cost" checked' in body
    assert 'id="needs-free" value="free" checked' not in body


def test_add_anyway_marks_it_outside_what_was_asked(client, db, link_worker):
    far = make_location(db, "Walbottle Hall", postcode="NE15 8HY", latitude=54.9850, longitude=-1.7300)
    walk = make_service(db, "Walbottle Wander", activities=("walking-group",),
                        categories=("physical-activity",), locations=(far,))
    body = post(client, "/workspace/", PERSON + [("matched", "1"), ("add_anyway", walk.public_id)]).get_data(as_text=True)
    shortlist = body[body.index('id="shortlist"'):body.index('id="lookup"')]
    assert "Walbottle Wander" in shortlist and "Outside what was asked" in shortlist
    assert f'name="outside" value="{walk.public_id}"' in body


def test_add_a_service_by_name_from_the_public_search(client, db, link_worker, hall):
    make_service(db, "Knit and Natter", activities=("crafts",), categories=("arts",), locations=(hall,))
    body = post(client, "/workspace/", [("lookup_q", "knit natter"), ("lookup", "1")]).get_data(as_text=True)
    found = body[body.index('id="lookup-results"'):]
    assert "Knit and Natter" in found and 'name="add"' in found
    assert "There is a problem" not in body  # no profile needed to look a service up


def test_an_empty_name_search_says_what_to_enter(client, link_worker):
    response = post(client, "/workspace/", [("lookup_q", " "), ("lookup", "1")])
    assert response.status_code == 400
    assert "Enter the name of a service to add" in response.get_data(as_text=True)


def test_every_error_names_its_field_and_the_summary_links_to_it(client, link_worker):
    response = post(client, "/workspace/", PERSON[:2] + [("distance", "far"), ("age", "old"),
                                                         ("place", "NE4 8XJ")])
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#distance-field">Enter how far they can travel' in body
    assert '<a href="#age-field">Enter their age in whole years' in body
    assert 'id="distance-field"' in body and 'id="age-field"' in body


def test_not_ready_for_groups_never_shows_as_matched_words(client, db, link_worker, hall):
    make_service(db, "Friendship Group", activities=("social-group",), categories=("community",),
                 locations=(hall,), description="A friendly group for people who are ready to meet others.")
    body = post(client, "/workspace/", PERSON + [
        ("text", "not ready for groups yet, wants someone to go with her the first time"),
        ("find", "1")]).get_data(as_text=True)
    said = re.findall(r"Matches what you said: ([^<]+)", body)
    assert not any(w in s for s in said for w in ("ready", "groups")), said


# --- the plan's link, and sending it -------------------------------------------------------------


def test_a_plan_code_avoids_look_alike_characters_and_opens_however_it_is_typed(db, hall):
    service = make_service(db, "Chair Fit", locations=(hall,))
    code = plans.save_plan(db, {"goals": ["meet-people"]}, [service.public_id], days=90,
                           district="NE4", user=None)
    db.commit()
    assert re.fullmatch(r"[34679ACEFGHJKMNPRTWXY]{3}(-[34679ACEFGHJKMNPRTWXY]{3}){3}", code)
    assert not set("0O1IL5S2Z8B") & set(code)
    typed = code.replace("-", " ").lower()
    assert plans.find_plan(db, typed) is not None


def save(client, service):
    page = post(client, "/workspace/plan", PERSON + [("shortlist", service.public_id), ("save", "1")])
    body = page.get_data(as_text=True)
    code = re.search(r'name="token" value="([^"]+)"', body)[1]
    return body, code


def test_a_saved_plan_shows_a_qr_code_the_code_and_the_expiry_as_a_date(client, db, link_worker, hall, app):
    app.config["TODAY"] = "2026-12-02"
    body, code = save(client, make_service(db, "Chair Fit", locations=(hall,)))
    assert 'class="plan-phone__qr" src="data:image/svg+xml' in body
    assert f"Plan code: <strong class=\"plan-phone__code\">{code}</strong>" in body
    assert "It works until 2 March 2027" in body
    assert "Made on Wednesday 2 December 2026 with your Link Worker (lw@example.org)" in body


def test_sending_by_text_goes_to_the_outbox_and_the_number_is_kept_nowhere(client, db, link_worker, hall, app):
    _body, code = save(client, make_service(db, "Chair Fit", locations=(hall,)))
    sent = post(client, "/workspace/plan/send", [("token", code), ("kind", "sms"),
                                                 ("to_sms", "07700 900123"), ("text", "likes fishing")])
    body = sent.get_data(as_text=True)
    assert sent.status_code == 200
    assert "Sent by text message to the mobile ending 123" in body
    files = list(Path(app.config["OUTBOX_DIR"]).glob("*-plan.sms"))
    assert len(files) == 1
    message = files[0].read_text()
    assert code in message and f"/workspace/plan/{code}" in message
    event = db.scalar(select(AuditEvent).where(AuditEvent.entity == "plan"))
    assert event.action == "send" and event.note == "sent by text message"
    stored = [message, repr(event.changes), event.note, event.label,
              repr(db.scalar(select(SavedPlan)).profile)]
    for where in stored:
        assert "900123" not in where and "07700" not in where
    assert "07700 900123" not in body


@pytest.mark.parametrize(("kind", "field", "value", "message"), [
    ("sms", "to_sms", "", "Enter a mobile phone number"),
    ("sms", "to_sms", "0191 498 0101", "Enter a UK mobile phone number"),
    ("email", "to_email", "not an address", "Enter an email address in the right format"),
    ("carrier pigeon", "to_sms", "07700 900123", "Choose text message or email"),
])
def test_a_bad_number_or_address_is_refused_naming_the_field(client, db, link_worker, hall, app,
                                                               kind, field, value, message):
    _body, code = save(client, make_service(db, "Chair Fit", locations=(hall,)))
    response = post(client, "/workspace/plan/send", [("token", code), ("kind", kind), (field, value)])
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert not list(Path(app.config["OUTBOX_DIR"]).glob("*-plan.*"))
    assert db.scalar(select(AuditEvent).where(AuditEvent.entity == "plan")) is None


def test_with_a_notify_key_the_plan_goes_through_notify(client, db, link_worker, hall, app, monkeypatch):
    from notifications_python_client import notifications

    calls = []
    monkeypatch.setattr(notifications.NotificationsAPIClient, "send_email_notification",
                        lambda self, to, template, personalisation: calls.append((to, template, personalisation)))
    app.config.update(NOTIFY_API_KEY="test-" + "a" * 36 + "-" + "b" * 36,
                      NOTIFY_EMAIL_TEMPLATE_ID="email-template")
    _body, code = save(client, make_service(db, "Chair Fit", locations=(hall,)))
    response = post(client, "/workspace/plan/send", [("token", code), ("kind", "email"),
                                                     ("to_email", "pat@example.org")])
    assert response.status_code == 200
    assert calls == [("pat@example.org", "email-template",
                      {"link": f"http://localhost/workspace/plan/{code}", "code": code,
                       "expires": calls[0][2]["expires"]})]
    assert not list(Path(app.config["OUTBOX_DIR"]).glob("*-plan.*"))


def test_outside_their_times_offers_the_part_of_the_day_it_meets(client, db, link_worker, hall):
    make_service(db, "Thursday Evening Walk", activities=("walking-group",),
                 categories=("physical-activity",), locations=(hall,),
                 sessions=(("thu", "18:00", "19:30"),))
    form = PERSON + [("times", "mon-morning")]
    body = post(client, "/workspace/", form + [("find", "1")]).get_data(as_text=True)
    assert 'name="change" value="time:thu-evening"' in body and "Include Thursday evenings" in body
    body = post(client, "/workspace/", form + [("matched", "1"), ("change", "time:thu-evening")]).get_data(as_text=True)
    assert 'id="times-thu-evening" value="thu-evening" checked' in body
    assert "Added Thursday evenings to the times they can go" in body
    suggestions = body[body.index('id="results-title"'):]
    suggestions = suggestions.split("Close, but ruled out")[0]
    assert "Thursday Evening Walk" in suggestions
