"""``views.*`` methods of the fake: modals (open, push, update) and the Home tab (publish).

Triggers are single-use and live 3 s on the fake's clock, which is what makes "do slow work
before ``views.open``" bugs show up in tests instead of in production.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.slack_blocks import check_view, decode_json_field, view_too_large
from tests.fakes.slack_state import SlackApiFailure, View, Workspace

__all__ = ["MAX_VIEW_STACK", "views_open", "views_publish", "views_push", "views_update"]

MAX_VIEW_STACK = 3


def _invalid(*messages: str) -> SlackApiFailure:
    return SlackApiFailure("invalid_arguments", response_metadata={"messages": list(messages)})


def _checked_view(ws: Workspace, args: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    if args.get("view") is None:
        raise _invalid("[ERROR] missing required field: view")
    view, ok = decode_json_field(args["view"])
    if not ok:
        raise _invalid("[ERROR] failed to parse json [json-pointer:/view]")
    if view_too_large(view):
        raise SlackApiFailure("view_too_large")
    errors = check_view(view, allowed_types=allowed)
    if errors:
        raise _invalid(*errors)
    return view  # type: ignore[no-any-return]


def _check_external_id(ws: Workspace, view: dict[str, Any], own_id: str | None = None) -> None:
    external_id = view.get("external_id")
    if not external_id:
        return
    for existing in ws.views.values():
        if existing.id != own_id and existing.data.get("external_id") == external_id:
            raise SlackApiFailure("duplicate_external_id")


def render_view(ws: Workspace, view: View) -> dict[str, Any]:
    """The view object Slack returns: the submitted view plus ids, hash and empty state."""
    return {
        "id": view.id,
        "team_id": ws.team_id,
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "clear_on_close": False,
        "notify_on_close": False,
        "submit": None,
        "close": None,
        **view.data,
        "state": {"values": {}},
        "hash": view.hash,
        "root_view_id": view.root_view_id,
        "previous_view_id": view.previous_view_id,
        "app_id": ws.app_id,
        "bot_id": ws.bot_id,
    }


def _new_view(
    ws: Workspace, data: dict[str, Any], root: str | None = None, previous: str | None = None
) -> View:
    view_id = ws.next_id("V")
    view = View(view_id, data, ws.new_hash(), root or view_id, previous_view_id=previous)
    ws.views[view_id] = view
    return view


def views_open(ws: Workspace, args: dict[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
    data = _checked_view(ws, args, ("modal",))
    _check_external_id(ws, data)
    ws.exchange_trigger(args.get("trigger_id") or args.get("interactivity_pointer"))
    return {"ok": True, "view": render_view(ws, _new_view(ws, data))}


def views_push(ws: Workspace, args: dict[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
    data = _checked_view(ws, args, ("modal",))
    _check_external_id(ws, data)
    origin_id = ws.exchange_trigger(args.get("trigger_id") or args.get("interactivity_pointer"))
    origin = ws.views.get(origin_id) if origin_id else None
    if origin_id and origin is None:
        raise SlackApiFailure("not_found")
    if origin is None:
        return {"ok": True, "view": render_view(ws, _new_view(ws, data))}
    stack = [v for v in ws.views.values() if v.root_view_id == origin.root_view_id]
    if len(stack) >= MAX_VIEW_STACK:
        raise SlackApiFailure("push_limit_reached")
    view = _new_view(ws, data, root=origin.root_view_id, previous=origin.id)
    return {"ok": True, "view": render_view(ws, view)}


def _find_view(ws: Workspace, args: dict[str, Any]) -> View:
    view_id, external_id = args.get("view_id"), args.get("external_id")
    if not view_id and not external_id:
        raise _invalid("[ERROR] either view_id or external_id is required")
    for view in ws.views.values():
        if view.user_id is not None:
            continue  # Home tabs are changed with views.publish
        if view.id == view_id or (external_id and view.data.get("external_id") == external_id):
            return view
    raise SlackApiFailure("not_found")


def views_update(ws: Workspace, args: dict[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
    view = _find_view(ws, args)
    data = _checked_view(ws, args, ("modal",))
    _check_external_id(ws, data, own_id=view.id)
    if args.get("hash") and args["hash"] != view.hash:
        raise SlackApiFailure("hash_conflict")
    view.data, view.hash = data, ws.new_hash()
    return {"ok": True, "view": render_view(ws, view)}


def views_publish(ws: Workspace, args: dict[str, Any], scopes: frozenset[str]) -> dict[str, Any]:
    user_id = args.get("user_id")
    if not isinstance(user_id, str) or user_id not in ws.users:
        raise _invalid("invalid `user_id`")
    data = _checked_view(ws, args, ("home",))
    current = ws.views.get(ws.home_views.get(user_id, ""))
    if current is not None and args.get("hash") and args["hash"] != current.hash:
        raise SlackApiFailure("hash_conflict")
    if current is None:
        current = _new_view(ws, data)
        current.user_id = user_id
        ws.home_views[user_id] = current.id
    else:
        current.data, current.hash = data, ws.new_hash()
    return {"ok": True, "view": render_view(ws, current)}
