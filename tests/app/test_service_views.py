"""One reader of services for display: the public pages and the plan read the same plain
copies (browse.service_views), the plan's with the statuses it shows."""

from __future__ import annotations

from directory import browse, plans
from directory.models import Service, ServiceStatus

from .factories import make_service


def test_the_public_pages_read_active_services_only(db):
    active = make_service(db, name="Benwell Walkers")
    paused = make_service(db, name="Fenham Choir", status=ServiceStatus.PAUSED)
    ids = [active.public_id, paused.public_id]
    assert list(browse.active_service_views(db, ids)) == [active.public_id]
    both = browse.service_views(db, ids, statuses=(ServiceStatus.ACTIVE, ServiceStatus.PAUSED))
    assert set(both) == set(ids)
    assert both[paused.public_id].status is ServiceStatus.PAUSED


def test_a_plan_reads_its_published_services_as_plain_copies_in_the_order_chosen(db):
    active = make_service(db, name="Benwell Walkers")
    closed = make_service(db, name="Elswick Allotments", status=ServiceStatus.CLOSED)
    paused = make_service(db, name="Fenham Choir", status=ServiceStatus.PAUSED,
                          sessions=(("wed", "14:00", "15:00"),))
    draft = make_service(db, name="Not Yet Knitting", status=ServiceStatus.DRAFT)
    chosen = [paused.public_id, draft.public_id, active.public_id, closed.public_id,
              paused.public_id]
    shown = plans.plan_services(db, chosen)
    assert [s.public_id for s in shown] == [paused.public_id, active.public_id, closed.public_id]
    assert not any(isinstance(s, Service) for s in shown)  # no ORM rows, no lazy loads
    choir = shown[0]
    assert choir.name == "Fenham Choir" and choir.organization.name
    assert [(s.day.value, s.starts_at.strftime("%H:%M")) for s in choir.sessions] == [
        ("wed", "14:00")]
    assert choir.codes("sp-activity") == ["breathing-support"]
