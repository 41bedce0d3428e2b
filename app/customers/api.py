"""The customers JSON API and the agent's screen-pop. Thin: parse, call a service, render."""

from __future__ import annotations

from flask import g, jsonify, request
from sqlalchemy.exc import IntegrityError

from app.auth import require_api_auth
from app.customers import bp, payloads, services
from app.customers.access import check_may_see_call
from app.customers.context import call_context
from app.customers.errors import InvalidField
from app.customers.serializers import customer_to_dict, interactions_to_dicts
from app.errors import Conflict
from app.extensions import db
from config import app_settings

# Agents (and supervisors, and the operator) read and edit the callers they serve.
API_ROLES: tuple[str, ...] = ("agent",)  # agents see and edit the callers they serve
HISTORY_DEFAULT, HISTORY_MAX = 10, 100


def _region() -> str:
    return app_settings().DEFAULT_REGION


def _int_arg(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidField(name, f"'{name}' is a whole number from 1 to {maximum}.")
    return min(int(raw), maximum)


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError as err:
        # Another request took the same account number or phone since we checked.
        db.session.rollback()
        raise Conflict("Another change to these customers happened at the same time; "
                       "reload and try again.") from err


def _detail(customer) -> dict:
    limit = _int_arg("interactions", HISTORY_DEFAULT, HISTORY_MAX)
    data = customer_to_dict(customer)
    data["interactions"] = interactions_to_dicts(services.recent_interactions(customer.id, limit))
    return data


@bp.get("/api/customers")
@require_api_auth(*API_ROLES)
def search():
    args = request.args
    phone = payloads.phone(args["phone"], _region()) if "phone" in args else None
    account = args.get("account_number", "").strip() or None
    if "account_number" in args and account is None:
        raise InvalidField("account_number", "'account_number' is empty.")
    q = args.get("q", "").strip() or None
    if "q" in args and (q is None or len(q) < 2):
        raise InvalidField("q", "Search for at least 2 characters of a name.")
    customers = services.search_customers(phone=phone, account_number=account, name_contains=q,
                                          limit=_int_arg("limit", 50, services.SEARCH_LIMIT_MAX))
    return jsonify({"customers": [customer_to_dict(c) for c in customers]})


@bp.post("/api/customers")
@require_api_auth(*API_ROLES)
def create():
    body = payloads.json_object(request.get_json(silent=True))
    values = payloads.new_customer(body, _region(), app_settings().DEFAULT_LANGUAGE)
    customer = services.create_customer(**values)
    _commit()
    return jsonify(_detail(customer)), 201


@bp.get("/api/customers/<int:customer_id>")
@require_api_auth(*API_ROLES)
def show(customer_id: int):
    return jsonify(_detail(services.get_customer(customer_id)))


@bp.patch("/api/customers/<int:customer_id>")
@require_api_auth(*API_ROLES)
def edit(customer_id: int):
    customer = services.get_customer(customer_id)
    changes = payloads.customer_changes(payloads.json_object(request.get_json(silent=True)))
    services.update_customer(customer, changes)
    _commit()
    return jsonify(_detail(customer))


@bp.post("/api/customers/<int:customer_id>/phones")
@require_api_auth(*API_ROLES)
def add_phone(customer_id: int):
    customer = services.get_customer(customer_id)
    body = payloads.json_object(request.get_json(silent=True))
    number = payloads.phone(body.get("number"), _region(), "number")
    _, created = services.add_phone(customer, number, source="api")
    _commit()
    return jsonify(customer_to_dict(customer)), 201 if created else 200


@bp.delete("/api/customers/<int:customer_id>/phones/<path:number>")
@require_api_auth(*API_ROLES)
def remove_phone(customer_id: int, number: str):
    customer = services.get_customer(customer_id)
    services.remove_phone(customer, payloads.phone(number, _region(), "number"))
    _commit()
    return jsonify(customer_to_dict(customer))


@bp.get("/api/calls/<call_sid>/context")
@require_api_auth(*API_ROLES)
def screen_pop(call_sid: str):
    check_may_see_call(g.principal, call_sid)
    return jsonify(call_context(call_sid, _region()))
