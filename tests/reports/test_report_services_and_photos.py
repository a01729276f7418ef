import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reports import services
from reports.photos import PhotoError, process_photo
from reports.templatetags.report_text import report_text
from tests.factories import ParticipantFactory, TopicFactory

pytestmark = pytest.mark.django_db


def jpeg_with_gps(size=(800, 600), orientation=6) -> bytes:
    image = Image.new("RGB", size, "red")
    exif = Image.Exif()
    exif[0x0112] = orientation  # rotate 90° when shown
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (59.0, 36.0, 0.0), 3: "E", 4: (16.0, 33.0, 0.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def upload(data: bytes, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_gps_and_all_metadata_are_stripped_and_orientation_applied():
    original = jpeg_with_gps()
    assert b"PhoneMaker" in original
    processed = process_photo(upload(original))
    data = processed.display.read()
    assert b"PhoneMaker" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.getexif() == {} or 0x8825 not in image.getexif()
        assert image.size == (600, 800)  # turned upright by the EXIF orientation
        assert not image.info.get("icc_profile")


def test_large_photos_are_scaled_to_display_size_and_thumbnail():
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "white").save(buffer, "JPEG")
    processed = process_photo(upload(buffer.getvalue()))
    assert (processed.width, processed.height) == (2560, 1920)
    with Image.open(processed.thumbnail) as thumb:
        assert max(thumb.size) == 480


def test_a_text_file_renamed_jpg_is_refused():
    with pytest.raises(PhotoError, match="not a photo"):
        process_photo(upload(b"just some text, not an image\n" * 10))


def test_a_truncated_jpeg_is_refused():
    with pytest.raises(PhotoError):
        process_photo(upload(jpeg_with_gps()[:400]))


def test_a_jpeg_cut_off_halfway_is_refused_after_a_pdf_was_made():
    """Importing WeasyPrint turned on Pillow's LOAD_TRUNCATED_IMAGES for the process: on
    the server, once a PDF had been rendered, half a photo was taken (the rest grey)."""
    from openspace.pdf import render_pdf

    render_pdf("<p>Hej</p>")
    photo = jpeg_with_gps()
    with pytest.raises(PhotoError, match="damaged or incomplete"):
        process_photo(upload(photo[: len(photo) // 2]))


def test_a_60_megapixel_png_is_refused_without_decoding():
    buffer = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, "PNG")
    with pytest.raises(PhotoError, match="too large"):
        process_photo(SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png"))


def test_an_svg_with_a_script_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(PhotoError):
        process_photo(SimpleUploadedFile("x.svg", svg, content_type="image/svg+xml"))


def test_an_over_20_mb_file_is_refused_before_decoding():
    class Huge:
        size = 100 * 1024 * 1024

    with pytest.raises(PhotoError, match="20 MB"):
        process_photo(Huge())


def test_png_with_transparency_becomes_jpeg_on_white():
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(buffer, "PNG")
    processed = process_photo(SimpleUploadedFile("a.png", buffer.getvalue()))
    with Image.open(processed.display) as image:
        assert image.format == "JPEG" and image.getpixel((10, 10)) == (255, 255, 255)


def test_a_16_bit_grey_png_keeps_its_greys():
    """Not white: values up to 65,535 are scaled to 8 bits, not clipped at 255."""
    buffer = io.BytesIO()
    Image.new("I;16", (50, 50), 40_000).save(buffer, "PNG")
    processed = process_photo(SimpleUploadedFile("scan.png", buffer.getvalue()))
    with Image.open(processed.display) as image:
        assert image.format == "JPEG"
        assert all(150 <= channel <= 162 for channel in image.getpixel((10, 10)))


def test_heic_is_accepted():
    pillow_heif = pytest.importorskip("pillow_heif")
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(buffer, "HEIF")
    assert pillow_heif
    processed = process_photo(SimpleUploadedFile("IMG_0001.HEIC", buffer.getvalue()))
    assert processed.width == 64


def test_two_simultaneous_saves_conflict_and_both_texts_are_kept(event):
    report = services.report_for(TopicFactory(event=event))
    base = report.version
    services.save_report(report=report, base_version=base, fields={"discussion": "Annas text"})
    with pytest.raises(services.ReportConflict) as conflict:
        services.save_report(report=report, base_version=base, fields={"discussion": "Bos text"})
    assert conflict.value.current.discussion == "Annas text"
    report.refresh_from_db()
    assert report.discussion == "Annas text"
    services.save_report(
        report=report,
        base_version=conflict.value.current.version,
        fields={"discussion": "Annas text\n\nBos text"},
    )
    report.refresh_from_db()
    assert report.discussion == "Annas text\n\nBos text"


def test_a_retried_identical_save_is_not_a_conflict(event):
    report = services.report_for(TopicFactory(event=event))
    base = report.version
    services.save_report(report=report, base_version=base, fields={"discussion": "Samma"})
    services.save_report(report=report, base_version=base, fields={"discussion": "Samma"})


def test_publishing_bumps_the_event_version(event):
    report = services.report_for(TopicFactory(event=event))
    before = event.version
    services.save_report(report=report, base_version=report.version, fields={}, publish=True)
    event.refresh_from_db()
    assert report.is_published and event.version > before


def test_the_same_comment_sent_again_by_the_same_person_is_kept_once(event):
    """Back to the report, the text still in the box, "Add comment" again."""
    report = services.report_for(TopicFactory(event=event))
    services.save_report(report=report, base_version=report.version, fields={}, publish=True)
    report.refresh_from_db()
    anna, bo = ParticipantFactory(event=event), ParticipantFactory(event=event)
    first = services.add_comment(report=report, participant=anna, text="Bra jobbat!")
    again = services.add_comment(report=report, participant=anna, text="Bra jobbat!")
    assert again.pk == first.pk
    services.add_comment(report=report, participant=bo, text="Bra jobbat!")
    services.add_comment(report=report, participant=anna, text="Och en sak till")
    services.add_comment(report=report, participant=anna, text="Bra jobbat!")  # said again later
    assert report.comments.count() == 4


def test_report_text_makes_paragraphs_and_lists_and_escapes_html():
    html = report_text(
        "Första stycket\nrad två\n\n- punkt <b>ett</b>\n- punkt två\n\n<script>x</script>"
    )
    assert "<p>Första stycket<br>rad två</p>" in html
    assert "<ul><li>punkt &lt;b&gt;ett&lt;/b&gt;</li><li>punkt två</li></ul>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
