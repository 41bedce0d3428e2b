from __future__ import annotations

from app import create_app
from app.embedded_redis import free_port
from tests.conftest import make_settings


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": {"status": "ok"}, "redis": {"status": "ok"}},
    }


def test_healthz_is_503_when_redis_is_down(tmp_path):
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(make_settings(tmp_path / "db.sqlite3", dead_redis))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["redis"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"


def test_healthz_is_503_when_the_database_is_down(tmp_path, redis_server):
    app = create_app(make_settings(tmp_path / "no" / "such" / "dir.sqlite3", redis_server.url))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["status"] == "down"
