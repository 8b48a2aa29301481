"""What the screens needed from the API (issue 15), through the gateway: each policy key with
its rule (the manager's form), leave turned down with a reason, swaps listed, and a call's SMS
deadline as the server computes it (the desk's countdown)."""
from datetime import datetime, timedelta


def test_the_policy_form_reads_each_keys_value_rule_and_meaning(project):
    for service in ("attendance", "reception", "clients", "materials"):
        r = project.api("GET", f"/v1/projects/{{p}}/policy/{service}/keys", as_="manager")
        assert r.status_code == 200, r.text
        keys = {k["key"]: k for k in r.json()}
        values = project.api("GET", f"/v1/projects/{{p}}/policy/{service}", as_="manager").json()
        assert {k: v["value"] for k, v in keys.items()} == values
        assert all(k["rule"][:3] in ("ATT", "REC", "CLI", "MAT", "SYS") and k["doc"]
                   for k in keys.values()), keys
    r = project.api("PATCH", "/v1/projects/{p}/policy/reception", as_="manager",
                    json={"changes": {"sms_deadline_minutes": 7}, "reason": "test"})
    assert r.status_code == 200, r.text
    keys = {k["key"]: k for k in project.api(
        "GET", "/v1/projects/{p}/policy/reception/keys", as_="c1").json()}
    assert keys["sms_deadline_minutes"] == {"key": "sms_deadline_minutes", "value": 7,
                                            "default": 5, "rule": "REC-12",
                                            "doc": keys["sms_deadline_minutes"]["doc"]}
    r = project.stack.api("GET", f"/v1/projects/{project.id}/policy/reception/keys",
                          user="manager")                   # another project's manager
    assert r.status_code == 403


def test_a_manager_turns_leave_down_and_the_applicant_sees_why(project):
    day = (datetime.now() + timedelta(days=10)).date().isoformat()
    r = project.api("POST", "/v1/projects/{p}/leave", as_="c1",
                    json={"leave_type": "annual", "start_day": day, "handover_note": "交接 x"})
    assert r.status_code == 201, r.text
    leave = r.json()["id"]
    r = project.api("POST", f"/v1/projects/{{p}}/leave/{leave}/reject", as_="c1",
                    json={"reason": "mine"})
    assert r.status_code == 403 and r.json()["error"]["rule"] == "ATT-07"
    r = project.api("POST", f"/v1/projects/{{p}}/leave/{leave}/reject", as_="manager", json={})
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = project.api("POST", f"/v1/projects/{{p}}/leave/{leave}/reject", as_="manager",
                    json={"reason": "开盘周 launch week"})
    assert r.status_code == 200 and r.json()["status"] == "rejected", r.text
    mine = project.api("GET", "/v1/projects/{p}/leave", as_="c1").json()
    assert mine[-1]["status"] == "rejected" and "launch week" in mine[-1]["reason"]
    r = project.api("POST", f"/v1/projects/{{p}}/leave/{leave}/approve", as_="manager")
    assert r.status_code == 409 and r.json()["error"]["rule"] == "ATT-07"


def test_swaps_are_listed_to_the_people_in_them(project):
    ids = project.ids
    day = (datetime.now() + timedelta(days=30)).date().isoformat()
    r = project.api("POST", "/v1/projects/{p}/swaps", as_="manager",
                    json={"a_id": ids["c1"], "b_id": ids["c2"], "days": [day]})
    assert r.status_code in (200, 201), r.text
    listed = project.api("GET", "/v1/projects/{p}/swaps", as_="c2").json()
    assert [s["days"] for s in listed] \
        == [[day]]
    assert project.api("GET", "/v1/projects/{p}/swaps", as_="c3").json() == []
    assert len(project.api("GET", "/v1/projects/{p}/swaps", as_="supervisor").json()) == 1


def test_a_calls_sms_deadline_is_the_servers(project):
    r = project.api("POST", "/v1/projects/{p}/calls", as_="receptionist",
                    json={"caller": "赵", "phone": "13800001111", "need": "两房",
                          "how_heard": "朋友", "answered_by": project.ids["c1"]})
    assert r.status_code == 201, r.text
    call = project.api("GET", "/v1/projects/{p}/calls", as_="receptionist").json()[-1]
    ended = datetime.fromisoformat(call["ended_at"])
    assert datetime.fromisoformat(call["sms"]["deadline"]) == ended + timedelta(minutes=5)
    assert call["sms"]["status"] == "pending"
