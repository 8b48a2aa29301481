"""RPC payloads in and out of attendance; the gateway's OpenAPI document is built from these."""
from marshmallow import fields, validate

from services.common.identity import ROLES
from services.common.schemas import Schema

role_field = fields.String(validate=validate.OneOf(ROLES))


class LoginIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class LoginOut(Schema):
    token = fields.String()
    expires_at = fields.String()
    person = fields.Dict()


class ProjectIn(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,40}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    timezone = fields.String(load_default="Asia/Shanghai")


class ProjectOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    timezone = fields.String()


class StaffIn(Schema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{2,80}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    password = fields.String(required=True, validate=validate.Length(min=8, max=200))
    roles = fields.List(role_field, required=True, validate=validate.Length(min=1))


class RolesIn(Schema):
    roles = fields.List(role_field, required=True, validate=validate.Length(min=1))


class StaffOut(Schema):
    id = fields.Integer()
    project_id = fields.Integer(allow_none=True)
    username = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    active = fields.Boolean()
