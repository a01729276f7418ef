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


def test_a_page_is_gzipped_with_random_padding_and_a_weak_etag():
    import gzip

    def page(request):
        response = HttpResponse(BODY, content_type="text/html")
        response["ETag"] = '"v1"'
        return response

    middleware = TextGZipMiddleware(page)
    request = RequestFactory().get("/", headers={"Accept-Encoding": "gzip, br"})
    answers = [middleware(request) for _ in range(20)]
    for response in answers:
        assert gzip.decompress(response.content) == BODY
        assert response["Content-Length"] == str(len(response.content))
        assert response["ETag"] == 'W/"v1"' and response["Vary"] == "Accept-Encoding"
    assert len({len(response.content) for response in answers}) > 1  # padded by chance


def test_a_client_that_takes_no_gzip_gets_the_page_as_it_is():
    middleware = TextGZipMiddleware(lambda request: HttpResponse(BODY, content_type="text/html"))
    response = middleware(RequestFactory().get("/", headers={"Accept-Encoding": "identity"}))
    assert response.content == BODY and response["Vary"] == "Accept-Encoding"
