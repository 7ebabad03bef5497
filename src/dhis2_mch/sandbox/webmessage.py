"""DHIS2's WebMessage envelope and the ``responseType`` quirks, as pure functions.

A WebMessage is ``{httpStatus, httpStatusCode, status, message?, errorCode?, response?}`` (Jackson
NON_NULL, so absent fields are left out). The HTTP status of the answer is ``httpStatusCode``
(WebMessageControllerAdvice). Helpers here return plain dicts in DHIS2's key order.
"""

from __future__ import annotations

from dhis2_mch.sandbox.versions import Version

REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def web_message(
    code: int, status: str, message: str | None = None, *, error_code: str | None = None, response=None
) -> dict:
    body: dict = {"httpStatus": REASONS.get(code, str(code)), "httpStatusCode": code, "status": status}
    if message is not None:
        body["message"] = message
    if error_code is not None:
        body["errorCode"] = error_code
    if response is not None:
        body["response"] = response
    return body


def typed_response(version: Version, response_type: str, body: dict, *, suffix_bug: bool = True) -> dict:
    """Put ``responseType`` where ``version`` puts it: first key up to 2.41, last in 2.42.

    2.42.0–2.42.4 print the wrapper's Java class name (``ImportReportWebMessageResponse``); the
    ImportSummary is its own class and keeps its name (``suffix_bug=False``).
    """
    name = response_type
    if suffix_bug and version.response_type_suffix_bug:
        name += "WebMessageResponse"
    body = {k: v for k, v in body.items() if k != "responseType"}
    if version.response_type_last:
        return {**body, "responseType": name}
    return {"responseType": name, **body}


def error(code: int, message: str, *, error_code: str | None = None) -> dict:
    return web_message(code, "ERROR", message, error_code=error_code)


def unauthorized(message: str = "Unauthorized") -> dict:
    return error(401, message)


def forbidden(version: Version, message: str | None = None) -> dict:
    return error(403, message or version.access_denied)


def not_found(message: str, error_code: str | None = None) -> dict:
    return error(404, message, error_code=error_code)


def conflict(message: str, error_code: str | None = None) -> dict:
    return error(409, message, error_code=error_code)
