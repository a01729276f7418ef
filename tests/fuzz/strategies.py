"""Hypothesis strategies for hostile input: text, numbers, files and request bodies.

Each strategy mixes values a form would accept (so the fuzzer gets past validation
into the services and the database) with values meant to break something.
"""

from __future__ import annotations

import io
import struct
import zlib

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st
from PIL import Image

# A value left out of the POST altogether.
MISSING = object()

HOSTILE_TEXT = [
    "",
    " ",
    "\t \r\n \u00a0\u2003\u3000",  # white space only, of several kinds
    "\x00",
    "före\x00efter",
    "\x01\x02\x07\x08\x0b\x0c\x1b\x7f",  # control characters
    "\u202eevil.exe\u202c",  # right-to-left override
    "\u200f\u200e\u2066\u2069\u061c",  # direction marks and isolates
    "\ufeffBOM",
    "\u2028\u2029",  # line and paragraph separators
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(document.cookie)>',
    "javascript:alert(1)",
    "{{ request.user }}{% debug %}",
    "'; DROP TABLE events_event; --",
    "' OR '1'='1",
    "Robert'); DELETE FROM agenda_topic WHERE ('1'='1",
    "%00%27%22%3C",
    '=HYPERLINK("http://evil.example")',
    "+46 8 123 45",
    "-2+3",
    "@SUM(A1)",
    "\\N",
    "../../../../etc/passwd",
    "C:\\Windows\\win.ini",
    "🧑‍🤝‍🧑🏳️‍🌈👩🏽‍💻",
    "Z\u0336\u0337\u0338a\u0301\u0302\u0303",  # stacked combining marks
    "\U0001f600" * 300,
    "Å" * 5000,
    "x" * 100_001,
    "a\r\nb\rc\nd",
    "NaN",
    "Infinity",
    "-0",
    "1e309",
    str(2**31),
    str(2**63),
    str(-(2**63) - 1),
    "9" * 5000,  # past Python's int-from-text digit limit
    "٣",  # Arabic-Indic three: int() accepts it
    "１２",  # full-width digits
    "0x1F",
    "1_000",
    " 7 ",
    "null",
    "true",
    "[]",
    "{}",
]

# No lone surrogates: a browser cannot send them (UTF-8 cannot carry them); the raw
# request bodies below send their byte forms instead.
ANY_CHAR = st.characters(exclude_categories=["Cs"])
TEXT = st.text(ANY_CHAR, max_size=120)
PLAIN = st.text(st.characters(categories=["L", "N", "Zs", "P"]), min_size=1, max_size=40)


def hostile_text() -> st.SearchStrategy[str]:
    """Hostile text, alone or glued to ordinary text."""
    sample = st.sampled_from(HOSTILE_TEXT)
    return st.one_of(
        sample,
        sample,
        TEXT,
        st.builds(lambda a, b, c: a + b + c, PLAIN, sample, TEXT),
        # NUL often: PostgreSQL refuses it, so whatever lets one through is a 500 there.
        st.builds(lambda a, b: a + "\x00" + b, PLAIN, TEXT),
    )


# -- files ------------------------------------------------------------------------------------


def _image_bytes(mode: str, fmt: str, size=(16, 12), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, fmt, **save)
    return buffer.getvalue()


def _jpeg_with_orientation(value: int) -> bytes:
    image = Image.new("RGB", (16, 12), "red")
    exif = Image.Exif()
    exif[0x0112] = value
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header(width: int, height: int, tail: bytes = b"") -> bytes:
    """A PNG whose header (with a correct checksum) claims any size; the pixels are junk."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + tail


def _heif_bytes() -> bytes | None:
    try:
        return _image_bytes("RGB", "HEIF")
    except (KeyError, OSError, ValueError):  # pillow-heif without an encoder
        return None


VALID_IMAGES = [
    _image_bytes("RGB", "JPEG"),
    _image_bytes("CMYK", "JPEG"),
    _image_bytes("L", "JPEG"),
    _image_bytes("RGBA", "PNG"),
    _image_bytes("P", "PNG", transparency=0),
    _image_bytes("1", "PNG"),
    _image_bytes("LA", "PNG"),
    _image_bytes("I;16", "PNG"),
    _image_bytes("RGB", "WEBP"),
    _image_bytes("RGBA", "WEBP"),
    *([heif] if (heif := _heif_bytes()) else []),
]
FOREIGN_IMAGES = [  # real images, in formats the app does not take
    _image_bytes("RGB", "GIF"),
    _image_bytes("RGB", "BMP"),
    _image_bytes("RGB", "TIFF"),
    _image_bytes("RGB", "ICO"),
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
]
MAGIC = [
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    b"\xff\xd8\xff\xe1\xff\xffExif\x00\x00MM\x00*",
    b"\x89PNG\r\n\x1a\n",
    b"RIFF\xff\xff\xff\xffWEBPVP8 ",
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1",
    b"GIF89a",
    b"II*\x00",
    b"%PDF-1.7\n",
    b"PK\x03\x04",
    b"\x1f\x8b\x08",
]

image_bytes = st.one_of(
    st.sampled_from(VALID_IMAGES),
    st.sampled_from(FOREIGN_IMAGES),
    st.binary(max_size=3000),
    st.builds(lambda head, tail: head + tail, st.sampled_from(MAGIC), st.binary(max_size=3000)),
    # A real photo cut off anywhere.
    st.builds(lambda data, cut: data[:cut], st.sampled_from(VALID_IMAGES), st.integers(0, 400)),
    # A real photo with bytes flipped.
    st.builds(
        lambda data, at, byte: data[:at] + bytes([byte]) + data[at + 1 :],
        st.sampled_from(VALID_IMAGES),
        st.integers(0, 300),
        st.integers(0, 255),
    ),
    st.integers(0, 65535).map(_jpeg_with_orientation),
    st.builds(
        _png_header,
        st.integers(0, 2**32 - 1),
        st.integers(0, 2**32 - 1),
        st.binary(max_size=64),
    ),
)

FILE_NAMES = [
    "photo.jpg",
    "IMG_0001.HEIC",
    "bild.png",
    "bild.webp",
    "export.json",
    "../../../etc/passwd.jpg",
    "ö ä å.jpeg",
    "a\x00b.jpg",
    "x" * 300 + ".jpg",
    "<script>.png",
    "noextension",
]
CONTENT_TYPES = ["image/jpeg", "image/png", "image/heic", "application/json", "text/html", ""]


def uploads(content: st.SearchStrategy[bytes] = image_bytes) -> st.SearchStrategy:
    return st.builds(
        SimpleUploadedFile,
        name=st.sampled_from(FILE_NAMES),
        content=content,
        content_type=st.sampled_from(CONTENT_TYPES),
    )


# -- form fields ------------------------------------------------------------------------------


def _choices(field) -> list[str]:
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an optgroup
            values += [str(v) for v, _ in label]
        else:
            values.append(str(getattr(value, "value", value)))
    return values


def plausible(field: forms.Field) -> st.SearchStrategy:
    """Values of the kind this field takes, the edges included."""
    if isinstance(field, forms.FileField):
        return uploads()
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "true", "1", "", "false", "0", "off"])
    if isinstance(field, forms.MultipleChoiceField):
        return st.lists(st.sampled_from(_choices(field) or ["x"]), max_size=4)
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return st.sampled_from(_choices(field) or [""])
    if isinstance(field, forms.IntegerField):
        return st.one_of(
            st.integers(-10, 6000).map(str),
            st.integers(-(2**70), 2**70).map(str),
        )
    if isinstance(field, forms.DateField):
        return st.dates().map(lambda d: d.isoformat())  # years 1 to 9999
    if isinstance(field, forms.TimeField):
        return st.one_of(
            st.times().map(lambda t: t.strftime("%H:%M")),
            st.times().map(lambda t: t.strftime("%H.%M")),
            st.sampled_from(["24:00", "23:59", "00:00", "25:61", "13:45:59.999999"]),
        )
    if isinstance(field, forms.SlugField):
        return st.from_regex(r"[a-z0-9][a-z0-9_-]{0,70}", fullmatch=True)
    return st.one_of(PLAIN, TEXT)


def value_for(field: forms.Field | None) -> st.SearchStrategy:
    """One POST value: plausible, hostile, duplicated (a list), a file where text is expected."""
    single = hostile_text() if field is None else st.one_of(plausible(field), hostile_text())
    return st.one_of(
        single,
        single,
        single,
        st.lists(single, min_size=2, max_size=3),  # the same field twice or three times
        uploads(),
    )


def payloads(fields: dict[str, forms.Field | None], extras: dict[str, list[str]]):
    """A POST body: each known field maybe missing; extra keys; a junk key now and then."""
    parts = {name: st.one_of(st.just(MISSING), value_for(field)) for name, field in fields.items()}
    for name, values in extras.items():
        parts[name] = st.one_of(st.just(MISSING), st.sampled_from(values), value_for(None))
    junk = st.dictionaries(
        st.one_of(st.sampled_from(["csrfmiddlewaretoken", "id", "pk", "event"]), TEXT),
        hostile_text(),
        max_size=2,
    )
    return st.builds(
        lambda known, more: {
            **{k: v for k, v in more.items() if k and k not in parts},
            **{k: v for k, v in known.items() if v is not MISSING},
        },
        st.fixed_dictionaries(parts),
        junk,
    )


# -- raw request bodies -----------------------------------------------------------------------

BOUNDARY = "fuzzBoundary7MA4YWxk"
BODY_CONTENT_TYPES = [
    f"multipart/form-data; boundary={BOUNDARY}",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=" + "b" * 300,
    f"multipart/form-data; boundary={BOUNDARY}; charset=rot13",
    f"multipart/form-data; boundary={BOUNDARY}; charset=utf-16",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/json",
    "text/plain",
    "",
]
PART_BITS = [
    b'Content-Disposition: form-data; name="title"\r\n\r\nvalue\r\n',
    b'Content-Disposition: form-data; name="title"\r\n\r\n\xed\xa0\x80 lone surrogate\r\n',
    b'Content-Disposition: form-data; name="text"\r\n\r\n\xc0\xaf overlong \xff\xfe\r\n',
    b'Content-Disposition: form-data; name="a\x00b"\r\n\r\nnul in the name\r\n',
    b'Content-Disposition: form-data; name="photo"; filename="x.jpg"\r\n'
    b"Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff garbage\r\n",
    b'Content-Disposition: form-data; name="file"; filename="../../x.json"\r\n\r\n{"a":\r\n',
    b"Content-Disposition: form-data; name=\"photo\"; filename*=UTF-8''%ED%A0%80.jpg\r\n\r\nx\r\n",
    b"Content-Disposition: form-data\r\n\r\nno name\r\n",
    b"Content-Disposition: attachment; name=\r\n\r\n\r\n",
    b"Content-Type: text/plain\r\n\r\nno disposition\r\n",
    b'Content-Disposition: form-data; name="what"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    b"!!!not base64!!!\r\n",
    b'Content-Disposition: form-data; name="' + b"n" * 5000 + b'"\r\n\r\nlong name\r\n',
    b"X" * 2000 + b"\r\n\r\n",
    b"",
]


@st.composite
def raw_bodies(draw) -> tuple[bytes, str]:
    content_type = draw(st.sampled_from(BODY_CONTENT_TYPES))
    kind = draw(st.sampled_from(["multipart", "urlencoded", "binary"]))
    if kind == "multipart":
        parts = draw(st.lists(st.sampled_from(PART_BITS), max_size=5))
        sep = draw(st.sampled_from([f"--{BOUNDARY}".encode(), b"--other", b""]))
        body = b"".join(sep + b"\r\n" + part for part in parts)
        if draw(st.booleans()):
            body += sep + b"--\r\n"
        body = body[: draw(st.integers(0, len(body)))] if draw(st.booleans()) else body
    elif kind == "urlencoded":
        pairs = draw(
            st.lists(
                st.sampled_from(
                    [
                        b"title=%00",
                        b"a=%ED%A0%80",
                        b"b=%FF%FE",
                        b"=",
                        b"&&&",
                        b"c",
                        b"d=%",
                        b"e=%zz",
                        b"title=" + b"x" * 5000,
                        b"text=%E2%80%AE",
                        b"levels=F&levels=Q",
                    ]
                ),
                max_size=6,
            )
        )
        body = b"&".join(pairs)
    else:
        body = draw(st.binary(max_size=2000))
    return body, content_type
