"""The connection: auth headers, timeouts, retries (only when safe), TLS/http guards, version, error mapping."""

from __future__ import annotations

import base64
import socket

import pytest
import requests
import responses
from dhis2_fakes import API, PASSWORD, TOKEN, URL, USERNAME, add_me, assert_no_secret, recording
from urllib3.exceptions import MaxRetryError, NewConnectionError

from dhis2_mch.cli import exit_code, explain
from dhis2_mch.dhis2.connection import Connection, RequestRejected, RetryPolicy, is_loopback
from dhis2_mch.dhis2.profiles import Timeouts
from dhis2_mch.dhis2.version import Version, parse_version
from dhis2_mch.errors import (
    AuthError,
    ConnectError,
    InputError,
    ReadTimeout,
    ServerUnavailable,
    TLSError,
    TransportError,
)

INFO = f"{API}/system/info"


def refused() -> requests.exceptions.ConnectionError:
    """What requests raises when nothing listens: the request provably never left this machine."""
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/api/metadata", reason))


# ---------------------------------------------------------------------------------------------- version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.40.4.1", Version(2, 40, 4)),
        ("2.42.0", Version(2, 42, 0)),
        ("2.41-SNAPSHOT", Version(2, 41, 0)),
        ("40.2.2", Version(2, 40, 2)),
        ("41.0.1-EMBARGOED", Version(2, 41, 0)),
        ("2.39", Version(2, 39, 0)),
        ("v42.1", Version(2, 42, 1)),
    ],
)
def test_version_strings(text, expected):
    assert parse_version(text) == expected
    assert parse_version(text) >= (2, 39)


@pytest.mark.parametrize("text", ["", "unknown", "1.4", "abc.def"])
def test_bad_version_strings(text):
    with pytest.raises(ValueError):
        parse_version(text)


@pytest.mark.parametrize(
    ("name", "base", "expected"),
    [
        ("openhexa-toolbox_2.37_authenticate.yaml", "https://play.dhis2.org/2.37.9.1", Version(2, 37, 9)),
        ("openhexa-toolbox_2.38_authenticate.yaml", "https://play.dhis2.org/2.38.4.3", Version(2, 38, 4)),
        ("openhexa-toolbox_2.39_authenticate.yaml", "https://play.dhis2.org/2.39.2.1", Version(2, 39, 2)),
        ("openhexa-toolbox_2.40_authenticate.yaml", "https://play.dhis2.org/40.0.1", Version(2, 40, 0)),
    ],
)
def test_version_detected_from_real_system_info(rsps, sleeps, name, base, expected):
    rsps._add_from_file(file_path=recording(name))
    conn = Connection(base, username="admin", password="district", sleep=sleeps)
    assert conn.version == expected
    assert conn.version.short == expected[:2]
    assert conn.system_info().revision
    assert len([c for c in rsps.calls if c.request.url.endswith("/system/info")]) == 1  # cached


# ---------------------------------------------------------------------------------------------- auth, timeouts


def test_basic_auth_header(rsps, conn):
    rsps.get(INFO, json={"version": "2.40.4"})
    conn.system_info()
    expected = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    assert rsps.calls[0].request.headers["Authorization"] == expected


def test_personal_access_token_header_and_no_basic(rsps, token_conn):
    rsps.get(INFO, json={"version": "2.40.4"})
    token_conn.system_info()
    assert rsps.calls[0].request.headers["Authorization"] == f"ApiToken {TOKEN}"
    assert token_conn.session.auth is None


def test_timeout_is_sent_on_post_and_get(rsps, sleeps):
    conn = Connection(URL, username=USERNAME, password=PASSWORD, timeouts=Timeouts(connect=4, read=55), sleep=sleeps)
    rsps.post(f"{API}/dataValueSets", json={"responseType": "ImportSummary", "status": "SUCCESS"})
    rsps.get(INFO, json={"version": "2.40.4"})
    conn.post("dataValueSets", b"{}", idempotent=True)
    conn.get("system/info")
    assert [c.request.req_kwargs["timeout"] for c in rsps.calls] == [(4.0, 55.0), (4.0, 55.0)]
    assert rsps.calls[0].request.body == b"{}"
    assert rsps.calls[0].request.headers["Content-Type"] == "application/json"


def test_environment_is_not_trusted_and_proxies_are_explicit(sleeps):
    conn = Connection(URL, token=TOKEN, proxies={"https": "http://proxy.test:3128"}, sleep=sleeps)
    assert conn.session.trust_env is False
    assert conn.session.proxies["https"] == "http://proxy.test:3128"


def test_tls_verification_on_by_default_and_ca_bundle(sleeps, tmp_path):
    assert Connection(URL, token=TOKEN, sleep=sleeps).session.verify is True
    bundle = tmp_path / "moh-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert Connection(URL, token=TOKEN, ca_bundle=str(bundle), sleep=sleeps).session.verify == str(bundle)
    with pytest.raises(InputError, match=r"CA bundle .* does not exist"):
        Connection(URL, token=TOKEN, ca_bundle=str(tmp_path / "missing.pem"), sleep=sleeps)
    with pytest.raises(InputError, match="only be switched off together with --insecure"):
        Connection(URL, token=TOKEN, verify=False, sleep=sleeps)
    assert Connection(URL, token=TOKEN, verify=False, insecure=True, sleep=sleeps).session.verify is False


@pytest.mark.parametrize("url", ["http://dhis2.example.org", "http://10.0.0.5:8080", "dhis2.example.org:80"])
def test_plain_http_to_another_host_refused_without_insecure(url, sleeps):
    if "://" not in url:
        url = "http://" + url
    with pytest.raises(InputError) as info:
        Connection(url, username=USERNAME, password=PASSWORD, sleep=sleeps)
    assert exit_code(info.value) == 2
    assert "plain http" in str(info.value) and "--insecure" in str(info.value)
    assert_no_secret(info.value)
    assert Connection(url, username=USERNAME, password=PASSWORD, insecure=True, sleep=sleeps).base_url.startswith(
        "http:"
    )


@pytest.mark.parametrize(
    "url", ["http://localhost:8080", "http://127.0.0.1:8080", "http://127.5.4.3", "http://[::1]:8080"]
)
def test_plain_http_to_loopback_allowed(url, sleeps):
    assert Connection(url, token=TOKEN, sleep=sleeps).base_url == url


def test_loopback_detection():
    assert is_loopback("localhost") and is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("[::1]")
    assert not is_loopback("localhost.example.org") and not is_loopback("10.0.0.1") and not is_loopback(None)


def test_credentials_in_the_url_refused_without_echoing_them(sleeps):
    with pytest.raises(InputError) as info:
        Connection(f"https://{USERNAME}:{PASSWORD}@dhis2.test", username=USERNAME, password=PASSWORD, sleep=sleeps)
    assert "https://dhis2.test" in str(info.value)
    assert_no_secret(info.value)


@pytest.mark.parametrize("url", [f"{URL}/api", f"{URL}/api/", f"{URL}/dhis/api/29"])
def test_url_with_api_suffix_refused(sleeps, url):
    with pytest.raises(InputError, match="base URL"):
        Connection(url, token=TOKEN, sleep=sleeps)


def test_host_names_starting_with_api_work(rsps, sleeps):
    conn = Connection("https://api.dhis2.example.org/hmis", token=TOKEN, sleep=sleeps)
    assert conn.api_url == "https://api.dhis2.example.org/hmis/api"
    rsps.get("https://api.dhis2.example.org/hmis/api/system/info", json={"version": "2.42.1"})
    assert conn.version == (2, 42, 1)


# ---------------------------------------------------------------------------------------------- retries


def test_503_with_retry_after_is_retried_for_a_get(rsps, conn, sleeps):
    rsps.get(INFO, status=503, headers={"Retry-After": "7"})
    rsps.get(INFO, json={"version": "2.41.1"})
    assert conn.version == (2, 41, 1)
    assert sleeps == [7.0]
    assert len(rsps.calls) == 2


def test_retry_after_as_http_date(rsps, conn, sleeps):
    rsps.get(INFO, status=429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})  # in the past
    rsps.get(INFO, json={"version": "2.41.1"})
    conn.system_info()
    assert sleeps == [0.0]


@pytest.mark.parametrize("status", [502, 503, 504, 429])
def test_backoff_is_exponential_with_jitter_and_bounded(rsps, sleeps, status):
    conn = Connection(URL, token=TOKEN, sleep=sleeps, retry=RetryPolicy(attempts=4, base_delay=1.0))
    rsps.get(INFO, status=status)
    with pytest.raises(ServerUnavailable) as info:
        conn.get("system/info")
    assert len(rsps.calls) == 4 and len(sleeps) == 3
    for i, delay in enumerate(sleeps):
        assert 0.5 * 2**i <= delay <= 2**i
    assert f"HTTP {status}" in str(info.value) and "after 4 attempts" in str(info.value)
    assert exit_code(info.value) == 3


def test_total_retry_time_is_bounded(rsps, sleeps):
    conn = Connection(URL, token=TOKEN, sleep=sleeps, retry=RetryPolicy(attempts=50, base_delay=1.0, max_total=10))
    rsps.get(INFO, status=503)
    with pytest.raises(ServerUnavailable):
        conn.get("system/info")
    assert sum(sleeps) <= 10 and len(rsps.calls) < 10


def test_retry_after_longer_than_the_budget_gives_up_at_once(rsps, conn, sleeps):
    rsps.get(INFO, status=503, headers={"Retry-After": "3600"})
    with pytest.raises(ServerUnavailable) as info:
        conn.get("system/info")
    assert sleeps == [] and len(rsps.calls) == 1
    assert "asked to retry after 3600 s" in str(info.value)


def test_connection_errors_are_retried_for_a_get(rsps, conn, sleeps):
    rsps.get(INFO, body=requests.exceptions.ConnectionError("Connection reset by peer"))
    rsps.get(INFO, json={"version": "2.39.1"})
    assert conn.version == (2, 39, 1)
    assert len(sleeps) == 1


def test_unsafe_post_is_not_retried_on_503(rsps, conn, sleeps):
    rsps.post(f"{API}/metadata", status=503)
    with pytest.raises(ServerUnavailable):
        conn.post("metadata", b"{}", params={"async": "true"}, idempotent=False)
    assert len(rsps.calls) == 1 and sleeps == []


def test_idempotent_post_is_retried_on_503(rsps, conn, sleeps):
    rsps.post(f"{API}/dataValueSets", status=503, headers={"Retry-After": "2"})
    rsps.post(f"{API}/dataValueSets", json={"responseType": "ImportSummary", "status": "SUCCESS"})
    reply = conn.post("dataValueSets", b'{"dataValues": []}', idempotent=True)
    assert reply.status == 200 and sleeps == [2.0]
    assert [c.request.body for c in rsps.calls] == [b'{"dataValues": []}'] * 2


def test_unsafe_post_read_timeout_not_retried_and_says_it_may_have_been_applied(rsps, conn, sleeps):
    rsps.post(f"{API}/tracker", body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(ReadTimeout) as info:
        conn.post("tracker", b"{}", idempotent=False)
    assert len(rsps.calls) == 1 and sleeps == []
    assert info.value.may_have_applied and (info.value.method, info.value.path) == ("POST", "/api/tracker")
    message = explain(info.value)
    assert "read timeout" in message and "may already have been applied" in message and URL in message


def test_unsafe_post_broken_connection_not_retried(rsps, conn, sleeps):
    rsps.post(f"{API}/tracker", body=requests.exceptions.ConnectionError("Connection aborted."))
    with pytest.raises(TransportError) as info:
        conn.post("tracker", b"{}", idempotent=False)
    assert len(rsps.calls) == 1 and info.value.may_have_applied


def test_unsafe_post_is_retried_when_it_provably_never_left(rsps, conn, sleeps):
    rsps.post(f"{API}/tracker", body=refused())
    rsps.post(f"{API}/tracker", json={"status": "OK", "stats": {"created": 1}})
    assert conn.post("tracker", b"{}", idempotent=False).status == 200
    assert len(sleeps) == 1


# ---------------------------------------------------------------------------------------------- failures


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_down_for_real(sleeps):
    url = f"http://127.0.0.1:{_free_port()}"
    conn = Connection(url, username=USERNAME, password=PASSWORD, sleep=sleeps, retry=RetryPolicy(attempts=3))
    with pytest.raises(ConnectError) as info:
        conn.system_info()
    message = str(info.value)
    assert exit_code(info.value) == 3 and not info.value.may_have_applied
    assert url in message and "could not connect" in message and "Gave up after 3 attempts" in message
    assert "object at 0x" not in message and "Traceback" not in message
    assert len(sleeps) == 2
    assert_no_secret(message, repr(info.value))


def test_dns_failure(rsps, conn):
    from urllib3.exceptions import NameResolutionError

    reason = NameResolutionError("dhis2.test", None, socket.gaierror(-2, "Name or service not known"))
    rsps.get(INFO, body=requests.exceptions.ConnectionError(MaxRetryError(None, "/api/system/info", reason)))
    with pytest.raises(ServerUnavailable, match=r"dhis2\.test could not be resolved \(DNS\)"):
        conn.system_info()


def test_connect_timeout(rsps, conn):
    rsps.get(INFO, body=requests.exceptions.ConnectTimeout("timed out"))
    with pytest.raises(ServerUnavailable, match=r"no connection within 10 s.*VPN, firewall"):
        conn.system_info()


def test_tls_failure_explains_ca_bundle(rsps, conn, sleeps):
    rsps.get(INFO, body=requests.exceptions.SSLError("certificate verify failed: unable to get local issuer"))
    with pytest.raises(TLSError) as info:
        conn.system_info()
    assert sleeps == []  # a certificate does not fix itself
    assert "certificate verify failed" in str(info.value) and not info.value.may_have_applied
    assert "ca_bundle" in explain(info.value) and "REQUESTS_CA_BUNDLE" in explain(info.value)


def test_500_is_server_unavailable_with_dhis2_message_and_no_retry(rsps, conn, sleeps):
    rsps.get(INFO, status=500, json={"httpStatus": "Internal Server Error", "status": "ERROR",
                                     "message": "could not execute statement"})  # fmt: skip
    with pytest.raises(ServerUnavailable) as info:
        conn.system_info()
    assert "HTTP 500" in str(info.value) and "could not execute statement" in str(info.value)
    assert len(rsps.calls) == 1 and sleeps == []


def test_401_is_auth_error_naming_the_user_not_the_password(rsps, conn):
    rsps.get(INFO, status=401, json={"httpStatus": "Unauthorized", "status": "ERROR", "message": "Unauthorized"})
    with pytest.raises(AuthError) as info:
        conn.system_info()
    assert exit_code(info.value) == 3
    assert "HTTP 401" in str(info.value) and repr(USERNAME) in str(info.value)
    assert_no_secret(info.value)


def test_401_with_a_bad_token(rsps, token_conn):
    rsps.get(INFO, status=401, json={"status": "ERROR", "message": "The API token does not exists."})
    with pytest.raises(AuthError, match=r"personal access token .*The API token does not exists") as info:
        token_conn.system_info()
    assert_no_secret(info.value)


def test_403_names_the_authority(rsps, conn):
    rsps.post(f"{API}/dataValueSets", status=403, json={"status": "ERROR", "message": "Access is denied"})
    with pytest.raises(AuthError, match="needs the authority F_DATAVALUE_ADD"):
        conn.post("dataValueSets", b"{}", idempotent=True, authority="F_DATAVALUE_ADD")


def test_html_login_page_instead_of_json(rsps, conn):
    page = "<!DOCTYPE html><html><head><title>DHIS2 Login</title></head><body>...</body></html>"
    rsps.get(INFO, body=page, content_type="text/html")
    with pytest.raises(ServerUnavailable) as info:
        conn.system_info()
    message = str(info.value)
    assert "HTML page" in message and '"DHIS2 Login"' in message and "JSON was expected" in message
    assert exit_code(info.value) == 3


def test_proxy_error_page_on_502(rsps, conn):
    page = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"
    rsps.get(INFO, body=page, status=502, content_type="text/html")
    with pytest.raises(ServerUnavailable, match=r"HTTP 502.*502 Bad Gateway"):
        conn.system_info()


def test_garbage_instead_of_json(rsps, conn):
    rsps.get(INFO, body="OK maintenance", content_type="text/plain")
    with pytest.raises(ServerUnavailable, match="not JSON"):
        conn.system_info()


def test_redirect_to_login_page_is_an_auth_error(rsps, conn):
    rsps.get(INFO, status=302, headers={"Location": f"{URL}/dhis-web-commons/security/login.action"})
    with pytest.raises(AuthError, match="redirected to the login page"):
        conn.system_info()


def test_other_redirect_is_not_followed(rsps, sleeps):
    conn = Connection("http://localhost:8080", token=TOKEN, sleep=sleeps)
    rsps.get("http://localhost:8080/api/system/info", status=301, headers={"Location": "https://localhost/api/x"})
    with pytest.raises(ServerUnavailable, match=r"redirect .*https://localhost/api/x"):
        conn.system_info()
    assert len(rsps.calls) == 1


def test_system_info_404_points_at_the_context_path(rsps, conn):
    rsps.get(INFO, status=404, body="")
    with pytest.raises(ServerUnavailable, match="context path"):
        conn.system_info()


def test_400_and_unexpected_409_are_rejections(rsps, conn):
    body = {"status": "ERROR", "message": "At least one data set must be specified", "errorCode": "E2001"}
    rsps.get(f"{API}/dataValueSets", status=409, json=body)
    with pytest.raises(RequestRejected) as info:
        conn.get("dataValueSets")
    assert exit_code(info.value) == 3 and info.value.error_code == "E2001" and "E2001" in str(info.value)


def test_409_is_a_result_when_accepted(rsps, conn):
    rsps.post(f"{API}/metadata", status=409, json={"status": "WARNING", "response": {"status": "ERROR"}})
    reply = conn.post("metadata", b"{}", idempotent=True, accept=(409,))
    assert reply.status == 409 and reply.data["response"]["status"] == "ERROR"


def test_empty_200_body_is_none(rsps, conn):
    rsps.get(f"{API}/system/taskSummaries/METADATA_IMPORT/abc", body="")
    assert conn.get("system/taskSummaries/METADATA_IMPORT/abc").data is None


# ---------------------------------------------------------------------------------------------- me / authorities


def test_me_and_require_authorities(rsps, conn):
    add_me(rsps, authorities=["F_DATAVALUE_ADD", "M_dhis-web-dataentry"])
    assert conn.me().username == USERNAME
    conn.require_authorities("F_DATAVALUE_ADD", purpose="push data")
    conn.require_authorities(("F_DATASET_PUBLIC_ADD", "F_DATAVALUE_ADD"), purpose="x")
    with pytest.raises(AuthError) as info:
        conn.require_authorities("F_DATAVALUE_ADD", ("F_DATAELEMENT_PUBLIC_ADD", "F_DATAELEMENT_PRIVATE_ADD"),
                                 purpose="deploy")  # fmt: skip
    message = str(info.value)
    assert "F_DATAELEMENT_PUBLIC_ADD or F_DATAELEMENT_PRIVATE_ADD" in message and "F_DATAVALUE_ADD;" not in message
    assert repr(USERNAME) in message and exit_code(info.value) == 3
    assert len([c for c in rsps.calls if c.request.url.startswith(f"{API}/me")]) == 1  # cached


def test_all_satisfies_every_authority(rsps, conn):
    add_me(rsps, authorities=["ALL"])
    conn.require_authorities("F_ANYTHING", ("F_X", "F_Y"), purpose="do anything")


def test_me_falls_back_to_me_authorization(rsps, conn):
    rsps.get(f"{API}/me", json={"id": "xE7jOejl9FI", "userCredentials": {"username": "old_style"}})
    rsps.get(f"{API}/me/authorization", json=["F_DATAVALUE_ADD"])
    me = conn.me()
    assert me.username == "old_style" and me.authorities == ["F_DATAVALUE_ADD"]


def test_repr_shows_no_secret(conn, token_conn):
    assert_no_secret(repr(conn), repr(token_conn), str(conn.__dict__), str(vars(token_conn.api)))
    assert "hmis_admin" in repr(conn)


def test_responses_fixture_blocks_unregistered_urls(rsps, conn):
    # guard for this test module: nothing reaches a real network
    with pytest.raises(ServerUnavailable):
        conn.get("nothing/registered")
    assert isinstance(rsps, responses.RequestsMock)


def test_a_read_timeout_is_retried_once_only(rsps, conn, sleeps):
    # each try costs the whole read timeout (300 s by default): four of them held a command 20 minutes
    for _ in range(4):
        rsps.get(INFO, body=requests.exceptions.ReadTimeout("Read timed out. (read timeout=300)"))
    with pytest.raises(ReadTimeout, match="Gave up after 2 attempts") as info:
        conn.system_info()
    assert len(rsps.calls) == 2 and len(sleeps) == 1 and not info.value.may_have_applied
