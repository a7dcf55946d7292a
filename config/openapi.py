"""OpenAPI 3 description of /api/v1/, served at /api/v1/schema."""
from django.http import JsonResponse

_ERR = {"$ref": "#/components/schemas/Error"}
_ID_LIST = {"type": "array", "items": {"type": "integer"}}
_FILTER = {
    "type": "object",
    "properties": {
        k: {"type": "string"}
        for k in ("status", "email_status", "q", "archived_after", "archived_before", "restorable", "list", "tag", "account")
    },
}
_SELECTION = {
    "type": "object",
    "properties": {"contact_ids": _ID_LIST, "filter": _FILTER, "confirm_overage": {"type": "boolean"}},
}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _resp(code, description, schema=None):
    return {str(code): {"description": description, **(_json(schema) if schema else {})}}


def _errors(*codes):
    out = {}
    for c in codes:
        out.update(_resp(c, "Error", _ERR))
    return out


SCHEMA = {
    "openapi": "3.0.3",
    "info": {"title": "CRM contact archive & restore API", "version": "1.0.0"},
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error", "detail"], "properties": {"error": {"type": "string"}, "detail": {"type": "string"}}},
            "Contact": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"}, "email": {"type": "string"}, "first_name": {"type": "string"},
                    "last_name": {"type": "string"}, "status": {"type": "string", "enum": ["active", "archived", "merged"]},
                    "email_status": {"type": "string", "enum": ["ok", "cleaned"]}, "created_at": {"type": "string", "format": "date-time"},
                    "archived_at": {"type": "string", "format": "date-time", "nullable": True},
                    "restorable_from": {"type": "string", "format": "date-time", "nullable": True},
                    "restorable_until": {"type": "string", "format": "date-time", "nullable": True},
                    "merged_into": {"type": "integer", "nullable": True},
                },
            },
            "RestoreJob": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"}, "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"]},
                    "requested": {"type": "integer"}, "restored": {"type": "integer"},
                    "skipped": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "progress": {"type": "number"}, "created_at": {"type": "string"}, "started_at": {"type": "string", "nullable": True},
                    "finished_at": {"type": "string", "nullable": True}, "error": {"type": "string", "nullable": True},
                },
            },
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        "/workspace": {"get": {"summary": "The token's workspace and its billable count", "responses": {**_resp(200, "Workspace"), **_errors(401)}}},
        "/contacts": {
            "get": {
                "summary": "List and filter contacts",
                "parameters": [{"name": k, "in": "query", "schema": {"type": "string"}} for k in (*_FILTER["properties"], "page")],
                "responses": {**_resp(200, "A page of contacts"), **_errors(400, 401)},
            },
            "post": {
                "summary": "Create a contact (fires automations like any new contact)",
                "requestBody": _json({"type": "object", "required": ["email"], "properties": {
                    "email": {"type": "string"}, "first_name": {"type": "string"}, "last_name": {"type": "string"},
                    "lists": _ID_LIST, "tags": _ID_LIST, "consent": {"type": "boolean"}}}),
                "responses": {**_resp(201, "Created", {"$ref": "#/components/schemas/Contact"}), **_errors(400, 401, 404, 409)},
            },
        },
        "/contacts/{id}": {
            "get": {"summary": "One contact", "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {**_resp(200, "Contact", {"$ref": "#/components/schemas/Contact"}), **_errors(401, 404)}},
            "patch": {"summary": "Edit a contact (409 contact_cleaned for a cleaned address, C2)",
                      "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                      "requestBody": _json({"type": "object", "properties": {k: {"type": "string"} for k in ("email", "first_name", "last_name", "phone")}}),
                      "responses": {**_resp(200, "Contact", {"$ref": "#/components/schemas/Contact"}), **_errors(400, 401, 404, 409)}},
        },
        "/contacts/archive": {"post": {"summary": "Archive contacts", "requestBody": _json({"type": "object", "properties": {"contact_ids": _ID_LIST}}),
                                       "responses": {**_resp(200, "Archived count"), **_errors(400, 401, 403)}}},
        "/restore-jobs/preview": {"post": {"summary": "What a restore would do", "requestBody": _json(_SELECTION),
                                           "responses": {**_resp(200, "Preview"), **_errors(400, 401, 403)}}},
        "/restore-jobs": {"post": {"summary": "Start a background restore", "requestBody": _json(_SELECTION),
                                   "responses": {**_resp(202, "Queued", {"$ref": "#/components/schemas/RestoreJob"}), **_errors(400, 401, 403, 409)}}},
        "/restore-jobs/{id}": {"get": {"summary": "A restore job", "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                                       "responses": {**_resp(200, "Job", {"$ref": "#/components/schemas/RestoreJob"}), **_errors(401, 404)}}},
        "/forms/{id}/submissions": {"post": {"summary": "Public form submission (restores an archived contact, R9)", "security": [],
                                             "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                                             "requestBody": _json({"type": "object", "required": ["email"], "properties": {
                                                 "email": {"type": "string"}, "first_name": {"type": "string"}, "last_name": {"type": "string"}}}),
                                             "responses": {**_resp(201, "Contact created"), **_resp(200, "Existing contact"), **_errors(400, 404)}}},
    },
}


def schema(request):
    return JsonResponse(SCHEMA)
