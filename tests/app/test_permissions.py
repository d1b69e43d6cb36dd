"""Who may do what, over every route of the app (web and API) and every role.

Each case names a route, how it is asked (method, address, form), and the exact status each
role gets: anonymous, a provider of the organisation that owns the listing, a provider of
another organisation, a Link Worker and an admin. The objects asked about belong to the
first organisation ("ours"). A test fails when a route exists that no case covers, so a new
route cannot arrive without saying who may use it.

Sign-in is put straight into the session (Flask-Login's keys) rather than through the form:
the form is tested in test_auth.py, and argon2 on every one of these cases would take minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from directory import listings, moderation, plans, referrals, tokens
from directory.auth import VERSION_KEY
from directory.auth import login_manager as directory_login_manager
from directory.auth.passwords import hash_password
from directory.models import (
    AuditEvent,
    JoinRequest,
    ListingChange,
    Location,
    Organization,
    Referral,
    Report,
    Role,
    Service,
    ServiceLanguage,
    ServiceStatus,
    Taxonomy,
    User,
    WeeklySession,
)

from .factories import term

ROLES = ("anonymous", "own_provider", "other_provider", "link_worker", "admin", "commissioner")
TODAY = date(2026, 11, 25)
PASSWORD_HASH = hash_password("correct horse battery")  # once, for every case


@dataclass
class World:
    ours: Organization
    theirs: Organization
    service: Service  # ours, published, with a pending edit
    draft: Service  # ours, new and waiting for approval
    their_service: Service
    change: ListingChange  # the pending edit of `service`
    report: Report
    join: JoinRequest
    users: dict[str, User]
    plan_token: str
    confirm_token: str
    stamps: dict[str, str] = field(default_factory=dict)
    referral: str = ""  # sent by our Link Worker to our listing
    other_referral: str = ""  # sent to our listing by another Link Worker


def build_world(app: Flask) -> World:
    """Everything the cases ask about, written in one transaction (one commit, one index write:
    this runs once per case)."""
    with app.extensions["db"].sessions() as db, app.test_request_context():
        ours, theirs = Organization(name="Benwell Breathers"), Organization(name="Elswick Walkers")
        users = {
            "own_provider": User(email="ours@example.org", role=Role.PROVIDER, organizations=[ours]),
            "other_provider": User(email="theirs@example.org", role=Role.PROVIDER, organizations=[theirs]),
            "link_worker": User(email="lw@example.org", role=Role.LINK_WORKER),
            "admin": User(email="admin@example.org", role=Role.ADMIN),
            "commissioner": User(email="funder@example.org", role=Role.COMMISSIONER),
        }
        for user in users.values():
            user.password_hash = PASSWORD_HASH
        db.add_all([ours, theirs, *users.values()])
        db.flush()
        service = _listing(db, "Breathe Easy Benwell", ours, "Benwell Hall")
        their_service = _listing(db, "Elswick Strollers", theirs, "Elswick Pavilion")
        draft = moderation.create(db, ours, {**listings.snapshot(service), "name": "Chair Yoga Benwell"},
                                  users["own_provider"], TODAY)
        change = moderation.submit(db, service, {**listings.snapshot(service), "cost": "£2"},
                                   users["own_provider"], moderation.stamp(db, service), TODAY)
        report = Report(service=service, problem="They meet on Thursdays now")
        join = JoinRequest(organization_name="Scotswood Singers", contact_name="Ann",
                           contact_email="ann@example.org", description="A choir")
        db.add_all([report, join])
        plan_token = plans.save_plan(db, {"goals": ["get-more-active"], "readiness": "ready"},
                                     [service.public_id], days=90, district="NE4", user=None)
        db.commit()
        world = World(ours, theirs, service, draft, their_service, change, report, join, users,
                      plan_token, tokens.make("confirm", {"s": service.public_id}))
        # Before the stamps: taking referrals is a change of the listing (its version moves on).
        world.referral, world.other_referral = _referrals(db, service, users["link_worker"])
        world.stamps = {s.public_id: str(moderation.stamp(db, s)) for s in (service, draft, their_service)}
        return world


def _referrals(db: Any, service: Service, worker: User) -> tuple[str, str]:
    """Two referrals to our listing: one from the roles' Link Worker, one from another."""
    service.accepts_referrals = True
    other = User(email="lw2@example.org", role=Role.LINK_WORKER, password_hash=PASSWORD_HASH)
    db.add(other)
    db.flush()
    form = {"person_name": "Zed", "contact_method": "link_worker", "consent": "y"}
    ours = referrals.send(db, worker, service, referrals.load_form(form))
    theirs = referrals.send(db, other, service, referrals.load_form(form))
    db.commit()
    return ours.public_id, theirs.public_id


def _listing(db: Any, name: str, org: Organization, venue: str) -> Service:
    place = Location(name=venue, postcode="NE4 8XJ", latitude=54.97, longitude=-1.65,
                     organization_id=org.id)
    service = Service(name=name, organization=org, status=ServiceStatus.ACTIVE, locations=[place],
                      description=f"{name}: a friendly weekly group.", last_verified=TODAY,
                      terms=[term(db, Taxonomy.CATEGORY, "ltc-management"),
                             term(db, Taxonomy.ACTIVITY, "breathing-support")],
                      language_rows=[ServiceLanguage(code="en")],
                      sessions=[WeeklySession(day="tue", starts_at=time(10), ends_at=time(11, 30))])
    db.add(service)
    db.flush()
    return service


def sign_in(app: Flask, client: FlaskClient, user: User | None) -> None:
    if user is None:
        return
    with client.session_transaction() as session, app.test_request_context(environ_base=client.environ_base):
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        # What "strong" protection checks, and the account's session version (issue #15).
        session["_id"] = directory_login_manager._session_identifier_generator()
        session[VERSION_KEY] = user.session_version


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    path: Callable[[World], str]
    expect: dict[str, int]
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    name: str = ""

    @property
    def id(self) -> str:
        return self.name or f"{self.endpoint}-{self.method}"


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(anonymous: int, own: int, other: int, link_worker: int, admin: int,
              commissioner: int | None = None) -> dict[str, int]:
    """By default a commissioner, who only reads insights, is refused wherever sign-in is needed."""
    if commissioner is None:
        commissioner = 403 if anonymous == 302 else anonymous
    return dict(zip(ROLES, (anonymous, own, other, link_worker, admin, commissioner), strict=True))


WORKSPACE = signed_in(302, 403, 403, 200, 200)
ADMIN_GET = signed_in(302, 403, 403, 403, 200)
ADMIN_POST = signed_in(302, 403, 403, 403, 302)
INSIGHTS_GET = signed_in(302, 403, 403, 403, 200, commissioner=200)
# A provider of another organisation gets 404, not 403: ids of other groups' listings leak nothing.
OWNER_GET = signed_in(302, 200, 404, 403, 200)
OWNER_POST = signed_in(302, 303, 404, 403, 303)  # 303: see the listing after the change
REFERRAL_GET = signed_in(302, 200, 404, 200, 200)
REFERRAL_POST = signed_in(302, 303, 404, 303, 303)

S = lambda w: w.service.public_id  # noqa: E731
THEIRS = lambda w: w.their_service.public_id  # noqa: E731
PROFILE = {"goals": ["get-more-active"], "location": {"postcode": "NE4 8XJ"}, "max_distance_km": 5}


def listing_form(w: World, **changes: Any) -> dict[str, Any]:
    """The edit form as a browser sends it, for our published listing."""
    snap = {**w.change.proposed, **changes}
    form: dict[str, Any] = {k: v for k, v in snap.items()
                            if k not in ("sessions", "coverage", "is_free", "by_appointment",
                                         "accepts_referrals")
                            and v not in (None, [], "")}
    form["coverage"] = ", ".join(snap["coverage"])
    for i, row in enumerate(snap["sessions"]):
        form |= {f"session-{i}-day": row["day"], f"session-{i}-starts": row["starts"],
                 f"session-{i}-ends": row["ends"], f"session-{i}-location": row["location"] or ""}
    form["stamp"] = w.stamps[w.service.public_id]
    return form


CASES = [
    # --- public pages: the same for everyone ---------------------------------------------------
    Case("public.home", "GET", lambda w: "/", everyone(200)),
    Case("public.about", "GET", lambda w: "/about", everyone(200)),
    Case("public.my_list", "GET", lambda w: f"/my-list?id={S(w)}", everyone(200)),
    Case("public.accessibility", "GET", lambda w: "/accessibility", everyone(200)),
    Case("public.search_results", "GET", lambda w: "/search?q=breathe", everyone(200)),
    Case("public.category", "GET", lambda w: "/categories/ltc-management", everyone(200)),
    Case("public.service_detail", "GET", lambda w: f"/services/{S(w)}", everyone(200)),
    Case("public.service_detail", "GET", lambda w: f"/services/{w.draft.public_id}", everyone(404),
         name="a draft is never public, even to its owner"),
    Case("public.service_calendar", "GET", lambda w: f"/services/{S(w)}.ics", everyone(200)),
    Case("community.report_problem", "GET", lambda w: f"/services/{S(w)}/report", everyone(200)),
    Case("community.report_problem", "POST", lambda w: f"/services/{S(w)}/report", everyone(200),
         data=lambda w: {"problem": "The phone number is wrong"}),
    Case("community.report_problem", "GET", lambda w: f"/services/{w.draft.public_id}/report",
         everyone(404), name="no reports on drafts"),
    Case("community.join", "GET", lambda w: "/join", everyone(200)),
    Case("community.join", "POST", lambda w: "/join", everyone(200),
         data=lambda w: {"organization_name": "Walker Knitters", "contact_name": "Bea",
                         "contact_email": "bea@example.org", "description": "Knitting"}),
    Case("community.confirm_listing", "GET", lambda w: f"/confirm/{w.confirm_token}", everyone(200)),
    Case("community.confirm_listing", "POST", lambda w: f"/confirm/{w.confirm_token}", everyone(200)),
    Case("community.confirm_listing", "GET", lambda w: f"/confirm/{w.confirm_token}x", everyone(400),
         name="a tampered confirm link"),
    Case("community.set_password", "GET", lambda w: "/auth/set-password/not-a-token", everyone(400)),
    Case("community.set_password", "POST", lambda w: "/auth/set-password/not-a-token", everyone(400),
         data=lambda w: {"password": "a long new password", "confirm": "a long new password"}),
    Case("community.reset_password", "GET", lambda w: "/auth/reset-password/not-a-token", everyone(400)),
    Case("community.reset_password", "POST", lambda w: "/auth/reset-password/not-a-token", everyone(400),
         data=lambda w: {"password": "a long new password", "confirm": "a long new password"}),
    Case("community.forgot_password", "GET", lambda w: "/auth/forgot-password", everyone(200)),
    Case("community.forgot_password", "POST", lambda w: "/auth/forgot-password", everyone(200),
         data=lambda w: {"email": "nobody@example.org"}),
    Case("auth.login", "GET", lambda w: "/auth/login", everyone(200)),
    Case("auth.login", "POST", lambda w: "/auth/login", everyone(400),
         data=lambda w: {"email": "nobody@example.org", "password": "wrong password"}),
    Case("auth.logout", "POST", lambda w: "/auth/logout", everyone(302)),
    # --- the API: open, the same for everyone --------------------------------------------------
    Case("api.api_details", "GET", lambda w: "/api/v1/", everyone(200)),
    Case("api.docs", "GET", lambda w: "/api/v1/docs", everyone(200)),
    Case("api.openapi", "GET", lambda w: "/api/v1/openapi.json", everyone(200)),
    Case("api.match", "POST", lambda w: "/api/v1/match", everyone(200), data=lambda w: PROFILE),
    Case("api.list_services", "GET", lambda w: "/api/v1/services", everyone(200)),
    Case("api.get_service", "GET", lambda w: f"/api/v1/services/{S(w)}", everyone(200)),
    Case("api.get_service", "GET", lambda w: f"/api/v1/services/{w.draft.public_id}", everyone(404),
         name="the API never shows a draft"),
    Case("api.list_organizations", "GET", lambda w: "/api/v1/organizations", everyone(200)),
    Case("api.get_organization", "GET", lambda w: f"/api/v1/organizations/{w.ours.public_id}", everyone(200)),
    Case("api.list_service_at_locations", "GET", lambda w: "/api/v1/service_at_locations", everyone(200)),
    Case("api.get_service_at_location", "GET", lambda w: "/api/v1/service_at_locations/nope", everyone(404)),
    Case("api.list_taxonomies", "GET", lambda w: "/api/v1/taxonomies", everyone(200)),
    Case("api.get_taxonomy", "GET", lambda w: "/api/v1/taxonomies/nope", everyone(404)),
    Case("api.list_taxonomy_terms", "GET", lambda w: "/api/v1/taxonomy_terms", everyone(200)),
    Case("api.get_taxonomy_term", "GET", lambda w: "/api/v1/taxonomy_terms/nope", everyone(404)),
    # --- the Link Worker workspace --------------------------------------------------------------
    Case("workspace.match_form", "GET", lambda w: "/workspace/", WORKSPACE),
    Case("workspace.match_form", "POST", lambda w: "/workspace/", WORKSPACE,
         data=lambda w: {"goals": "get-more-active", "place": "NE4 8XJ", "distance": "5"}),
    Case("workspace.plan", "POST", lambda w: "/workspace/plan", WORKSPACE,
         data=lambda w: {"goals": "get-more-active", "shortlist": S(w)}),
    Case("workspace.send_plan", "POST", lambda w: "/workspace/plan/send", WORKSPACE,
         data=lambda w: {"token": w.plan_token, "kind": "sms", "to_sms": "07700 900123"}),
    Case("workspace.shared_plan", "GET", lambda w: f"/workspace/plan/{w.plan_token}", everyone(200)),
    # --- the provider area ----------------------------------------------------------------------
    Case("provider.home", "GET", lambda w: "/provider/", signed_in(302, 200, 200, 403, 200)),
    Case("provider.new_service", "GET", lambda w: "/provider/services/new", signed_in(302, 200, 200, 403, 200)),
    Case("provider.new_service", "POST", lambda w: "/provider/services/new",
         signed_in(302, 400, 400, 403, 400), data=lambda w: {"name": ""},
         name="an empty new listing is refused with messages"),
    Case("provider.view_service", "GET", lambda w: f"/provider/services/{S(w)}", OWNER_GET),
    Case("provider.view_service", "GET", lambda w: f"/provider/services/{w.draft.public_id}", OWNER_GET,
         name="a draft is visible to its own group only"),
    Case("provider.edit_service", "GET", lambda w: f"/provider/services/{S(w)}/edit", OWNER_GET),
    Case("provider.edit_service", "POST", lambda w: f"/provider/services/{S(w)}/edit", OWNER_POST,
         data=lambda w: listing_form(w, cost="£3")),
    Case("provider.change_status", "POST", lambda w: f"/provider/services/{S(w)}/status", OWNER_POST,
         data=lambda w: {"action": "pause", "stamp": w.stamps[S(w)]}),
    Case("provider.confirm_service", "POST", lambda w: f"/provider/services/{S(w)}/confirm", OWNER_POST,
         data=lambda w: {"stamp": w.stamps[S(w)]}),
    Case("provider.service_history", "GET", lambda w: f"/provider/services/{S(w)}/history", OWNER_GET),
    # --- referrals: the sending Link Worker, the receiving group and admins; nobody else ------
    Case("referrals.new", "GET", lambda w: f"/referrals/new/{S(w)}", WORKSPACE),
    Case("referrals.new", "POST", lambda w: f"/referrals/new/{S(w)}",
         signed_in(302, 403, 403, 303, 303),
         data=lambda w: {"person_name": "Al", "contact_method": "link_worker", "consent": "y",
                         "send": "y"}),
    Case("referrals.new", "GET", lambda w: f"/referrals/new/{THEIRS(w)}",
         signed_in(302, 403, 403, 404, 404), name="a listing that takes no referrals"),
    Case("referrals.mine", "GET", lambda w: "/referrals/", WORKSPACE),
    Case("group_referrals.received", "GET", lambda w: "/provider/referrals/",
         signed_in(302, 200, 200, 403, 200)),
    Case("referrals.detail", "GET", lambda w: f"/referrals/{w.referral}", REFERRAL_GET),
    Case("referrals.detail", "GET", lambda w: f"/referrals/{w.other_referral}",
         signed_in(302, 200, 404, 404, 200), name="another Link Worker's referral"),
    Case("referrals.detail", "GET", lambda w: "/referrals/no-such-referral",
         signed_in(302, 404, 404, 404, 404), name="a referral that does not exist"),
    Case("referrals.answer", "POST", lambda w: f"/referrals/{w.referral}/answer",
         signed_in(302, 303, 404, 403, 303), data=lambda w: {"action": "accept"},
         name="the group accepts"),
    Case("referrals.answer", "POST", lambda w: f"/referrals/{w.referral}/answer",
         signed_in(302, 403, 404, 303, 303), data=lambda w: {"action": "withdraw"},
         name="the Link Worker withdraws"),
    Case("referrals.answer", "POST", lambda w: f"/referrals/{w.other_referral}/answer",
         signed_in(302, 403, 404, 404, 303), data=lambda w: {"action": "withdraw"},
         name="another Link Worker withdraws"),
    Case("referrals.message", "POST", lambda w: f"/referrals/{w.referral}/messages",
         REFERRAL_POST, data=lambda w: {"body": "See you on Tuesday"}),
    Case("referrals.message", "POST", lambda w: f"/referrals/{w.other_referral}/messages",
         signed_in(302, 303, 404, 404, 303), data=lambda w: {"body": "Hello"},
         name="a message on another Link Worker's referral"),
    # --- the admin area -------------------------------------------------------------------------
    Case("admin.dashboard", "GET", lambda w: "/admin/", ADMIN_GET),
    Case("admin.change_detail", "GET", lambda w: f"/admin/changes/{w.change.id}", ADMIN_GET),
    Case("admin.approve_change", "POST", lambda w: f"/admin/changes/{w.change.id}/approve", ADMIN_POST),
    Case("admin.reject_change", "POST", lambda w: f"/admin/changes/{w.change.id}/reject", ADMIN_POST,
         data=lambda w: {"reason": "Please give the full address"}),
    Case("admin.join_detail", "GET", lambda w: f"/admin/joins/{w.join.id}", ADMIN_GET),
    Case("admin.approve_join", "POST", lambda w: f"/admin/joins/{w.join.id}/approve", ADMIN_POST),
    Case("admin.decline_join", "POST", lambda w: f"/admin/joins/{w.join.id}/decline", ADMIN_POST,
         data=lambda w: {"reason": "Not in our area"}),
    Case("admin.organizations", "GET", lambda w: "/admin/organizations", ADMIN_GET),
    Case("admin.organization_detail", "GET", lambda w: f"/admin/organizations/{w.ours.id}", ADMIN_GET),
    Case("admin.trust_organization", "POST", lambda w: f"/admin/organizations/{w.ours.id}/trust",
         ADMIN_POST, data=lambda w: {"trusted": "1"}),
    Case("admin.add_organization_user", "POST", lambda w: f"/admin/organizations/{w.ours.id}/users",
         ADMIN_POST, data=lambda w: {"email": "helper@example.org"}),
    Case("admin.resolve_report", "POST", lambda w: f"/admin/reports/{w.report.id}/resolve", ADMIN_POST),
    Case("admin.service_history", "GET", lambda w: f"/admin/services/{S(w)}/history", ADMIN_GET),
    Case("admin.users", "GET", lambda w: "/admin/users", ADMIN_GET),
    # --- suggested tags: admins review them ------------------------------------------------------
    Case("suggestions.review", "GET", lambda w: "/admin/suggestions/", ADMIN_GET),
    Case("suggestions.decide_one", "POST", lambda w: "/admin/suggestions/999999",
         signed_in(302, 403, 403, 403, 404), data=lambda w: {"decision": "accept"}),
    Case("suggestions.decide_service", "POST", lambda w: f"/admin/suggestions/service/{w.service.id}",
         ADMIN_POST, data=lambda w: {"decision": "reject"}),
    Case("suggestions.decide_rule", "POST", lambda w: "/admin/suggestions/rule",
         ADMIN_POST, data=lambda w: {"decision": "reject", "rule": "activity:none"}),
    Case("suggestions.mark_import_checked", "POST", lambda w: "/admin/suggestions/imports/checked",
         signed_in(302, 403, 403, 403, 404), data=lambda w: {"source": "no-such-feed.json"}),
    # --- insights: admins and commissioners read them -------------------------------------------
    Case("insights.overview", "GET", lambda w: "/insights/?months=6", INSIGHTS_GET),
    Case("insights.export", "GET", lambda w: "/insights/gaps.csv", INSIGHTS_GET),
    Case("insights.export", "GET", lambda w: "/insights/people.csv", signed_in(302, 403, 403, 403, 404, 404),
         name="an export that does not exist"),
    Case("admin.set_user_active", "POST", lambda w: f"/admin/users/{w.users['other_provider'].id}/active",
         ADMIN_POST, data=lambda w: {"active": "0"}),
]

# Tampering: another organisation's ids, an organisation injected into a form, another method.
TAMPERING = [
    Case("provider.edit_service", "GET", lambda w: f"/provider/services/{THEIRS(w)}/edit",
         signed_in(302, 404, 200, 403, 200), name="our provider opens their listing's editor"),
    Case("provider.change_status", "POST", lambda w: f"/provider/services/{THEIRS(w)}/status",
         signed_in(302, 404, 303, 403, 303), data=lambda w: {"action": "close", "stamp": w.stamps[THEIRS(w)]},
         name="our provider closes their listing"),
    Case("provider.service_history", "GET", lambda w: f"/provider/services/{THEIRS(w)}/history",
         signed_in(302, 404, 200, 403, 200), name="our provider reads their audit"),
    Case("provider.view_service", "GET", lambda w: f"/provider/services/{THEIRS(w)}",
         signed_in(302, 404, 200, 403, 200), name="our provider reads their draft"),
    Case("provider.change_status", "GET", lambda w: f"/provider/services/{S(w)}/status", everyone(405),
         name="status change by GET"),
    Case("provider.edit_service", "PUT", lambda w: f"/provider/services/{S(w)}/edit", everyone(405),
         name="edit by PUT"),
    Case("provider.edit_service", "DELETE", lambda w: f"/provider/services/{S(w)}/edit", everyone(405),
         name="edit by DELETE"),
    Case("admin.approve_change", "GET", lambda w: f"/admin/changes/{w.change.id}/approve", everyone(405),
         name="approval by GET"),
    Case("insights.overview", "POST", lambda w: "/insights/", everyone(405), name="insights by POST"),
]


def _state(app: Flask) -> tuple[Any, ...]:
    """What a refused request must leave as it was."""
    with app.extensions["db"].sessions() as db:
        listings_now = db.execute(sa.select(Service.id, Service.status, Service.cost, Service.version,
                                            Service.last_verified, Service.organization_id)
                                  .order_by(Service.id)).all()
        changes = db.execute(sa.select(ListingChange.id, ListingChange.state).order_by(ListingChange.id)).all()
        trusted = db.scalars(sa.select(Organization.trusted).order_by(Organization.id)).all()
        sent = db.execute(sa.select(Referral.id, Referral.status, Referral.erased_at)
                          .order_by(Referral.id)).all()
    return (tuple(_counts(app).items()), tuple(listings_now), tuple(changes), tuple(trusted),
            tuple(sent))


SIGNED_IN_AREAS = ("workspace", "provider", "admin", "insights", "referrals", "group_referrals")


def _refused(case: Case, role: str) -> bool:
    status = case.expect[role]
    return status in (403, 404, 405) or (status == 302 and role == "anonymous"
                                         and case.endpoint.split(".")[0] in SIGNED_IN_AREAS)


def _ask(app: Flask, world: World, case: Case, role: str) -> None:
    before = _state(app) if _refused(case, role) else None
    client = app.test_client()
    sign_in(app, client, world.users.get(role))
    data = case.data(world)
    if case.endpoint.startswith("api.") and case.method == "POST":
        response = client.open(case.path(world), method=case.method, json=data)
    else:
        response = client.open(case.path(world), method=case.method, data=data)
    assert response.status_code == case.expect[role], (
        f"{case.method} {case.path(world)} as {role}: {response.status_code}, "
        f"expected {case.expect[role]}\n{response.get_data(as_text=True)[:600]}"
    )
    if response.status_code == 302 and role == "anonymous" \
            and case.endpoint.split(".")[0] in SIGNED_IN_AREAS:
        assert "/auth/login" in response.headers["Location"]
    if before is not None:
        assert _state(app) == before, f"{case.id} as {role} was refused but changed something"


def _changes_nothing(case: Case) -> bool:
    return case.method == "GET" or set(case.expect.values()) == {405}


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


# Asking changes nothing, so every role asks in one world.
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES + TAMPERING if _changes_nothing(c)])
def test_each_role_reading(app: Flask, world: World, case: Case) -> None:
    for role in ROLES:
        _ask(app, world, case, role)


# Posting may change things, so each role posts in a world of its own.
@pytest.mark.parametrize("case, role", [
    pytest.param(c, role, id=f"{c.id}[{role}]")
    for c in CASES + TAMPERING if not _changes_nothing(c) for role in ROLES
])
def test_each_role_posting(app: Flask, world: World, case: Case, role: str) -> None:
    _ask(app, world, case, role)


def test_every_route_has_a_case(app: Flask) -> None:
    covered = {(c.endpoint, c.method) for c in CASES}
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"} if rule.endpoint != "static"}
    assert routes - covered == set()


def _counts(app: Flask) -> dict[str, int]:
    with app.extensions["db"].sessions() as db:
        return {model.__name__: db.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (AuditEvent, ListingChange, Report, JoinRequest, User, Service, Organization,
                              Referral)}


def test_another_organisation_injected_into_a_form_is_ignored_or_refused(app: Flask, world: World) -> None:
    client = app.test_client()
    sign_in(app, client, world.users["own_provider"])
    # An edit of our listing that claims to move it to the other organisation.
    form = listing_form(world, cost="£4") | {"organization": str(world.theirs.id),
                                             "organization_id": str(world.theirs.id)}
    client.post(f"/provider/services/{S(world)}/edit", data=form)
    # A new listing made "for" the other organisation.
    before = _counts(app)
    new = listing_form(world, name="Sneaky Listing") | {"organization": str(world.theirs.id)}
    new.pop("stamp")
    response = client.post("/provider/services/new", data=new)
    assert response.status_code in (200, 400, 404)
    with app.extensions["db"].sessions() as db:
        assert db.get(Service, world.service.id).organization_id == world.ours.id
        theirs = db.scalars(sa.select(Service).where(Service.organization_id == world.theirs.id)).all()
        assert [s.name for s in theirs] == ["Elswick Strollers"]
    assert _counts(app)["Service"] == before["Service"]


def _post_cases() -> list[Any]:
    """Every form post, asked by someone allowed to make it (the API takes JSON from other
    software, with no session cookie to ride on, so it has no CSRF token)."""
    return [
        pytest.param(case, "admin" if case.endpoint.startswith(("provider.", "admin.", "workspace.",
                                                                "referrals."))
                     else "anonymous", id=case.id)
        for case in CASES if case.method == "POST" and not case.endpoint.startswith("api.")
    ]


@pytest.mark.parametrize("case, role", _post_cases())
def test_every_form_refuses_a_missing_or_wrong_csrf_token(make_app: Callable[..., Flask], case: Case,
                                                           role: str) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    world = build_world(app)
    client = app.test_client()
    sign_in(app, client, world.users.get(role))
    before = _counts(app)
    for token in (None, "not-the-token"):
        data = case.data(world) | ({"csrf_token": token} if token else {})
        response = client.post(case.path(world), data=data)
        assert response.status_code == 400, f"{case.id} with token {token!r}: {response.status_code}"
    assert _counts(app) == before
    with app.extensions["db"].sessions() as db:
        service = db.get(Service, world.service.id)
        assert service.status is ServiceStatus.ACTIVE and service.cost == ""
