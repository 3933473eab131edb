"""The Hoop REST API over real HTTP, on the session cluster's gateway."""

import json

from gateway_util import target


def test_status_and_homedir(gateway):
    st, h, body = gateway.get(target("/", user="alice", op="status"))
    assert st == 200, body
    obj = json.loads(body)
    assert obj["isDir"] is True and obj["path"] == gateway.url + "/"
    assert obj["permission"].startswith("d")
    st, h, body = gateway.get(target("/", user="alice"))
    assert st == 200
    assert json.loads(body) == {"homeDir": gateway.url + "/user/alice"}
