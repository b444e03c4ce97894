"""IVR flows (rendering, scripted conversations) and the ticket desk."""

from pathlib import Path

import pytest

import callroute
from callroute import errors

REPO = Path(__file__).resolve().parents[3]


def test_flows_render_and_their_conversations_pass() -> None:
    config = callroute.Config.from_path(REPO / "examples" / "center" / "center.toml")
    flows = config.flow_ids()
    assert flows
    diagram = config.render_flow(flows[0])
    assert "flowchart TD" in diagram
    assert config.render_flow(flows[0], "dot").startswith("digraph")
    reports = config.run_flow_tests()
    assert reports and all(not r["failures"] for r in reports)
    with pytest.raises(errors.InvalidInput):
        config.render_flow("no-such-flow")


DESK = """
roles = ["csr", "tech"]
[[users]]
id = "ana"
roles = ["csr"]
[[users]]
id = "rui"
roles = ["tech"]

[[categories]]
id = "repair"
permissions.create = ["csr"]
fields = [{ name = "serial", type = "text", required = true, pattern = "[A-Z0-9]{6,12}" }]
states = [
    { id = "intake", due = { hours = 4 }, assign = { role = "tech", strategy = "least_loaded" } },
    { id = "fixed", final = true },
]
transitions = [{ from = "intake", to = "fixed", roles = ["tech"] }]
"""


def test_ticket_desk_runs_a_workflow_with_permissions() -> None:
    desk = callroute.TicketDesk.from_toml(DESK, "desk.toml")
    now = 1_767_607_200_000  # 2026-01-05T10:00:00Z
    ticket = desk.next_ticket_id
    desk.handle(now, {"actor": "ana", "action": {"create": {"category": "repair", "fields": {"serial": "AB12345"}}}})
    assert desk.drain()
    assert desk.next_deadline == now + 3 * 3_600_000 + 12 * 60_000
    close = {"transition": {"ticket": ticket, "to": "fixed"}}
    with pytest.raises(errors.TicketError) as refused:
        desk.handle(now + 1, {"actor": "ana", "action": close})
    assert refused.value.code == 6010
    desk.handle(now + 2, {"actor": "rui", "action": close})
    assert desk.ticket(ticket)["closed"] is True
