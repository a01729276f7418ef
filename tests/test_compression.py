from django.http import HttpResponse
from django.test import RequestFactory

from openspace.middleware import TextGZipMiddleware

BODY = b"x" * 5000  # long enough for gzip to be worth it


def answer(content_type):
    middleware = TextGZipMiddleware(lambda request: HttpResponse(BODY, content_type=content_type))
    return middleware(RequestFactory().get("/", headers={"Accept-Encoding": "gzip"}))


def test_pages_and_json_are_compressed():
    for content_type in ["text/html; charset=utf-8", "application/json", "text/csv"]:
        assert answer(content_type).get("Content-Encoding") == "gzip", content_type


def test_pdfs_and_photos_are_sent_as_they_are():
    for content_type in ["application/pdf", "image/jpeg", "application/gzip"]:
        response = answer(content_type)
        assert "Content-Encoding" not in response, content_type
        assert response.content == BODY
