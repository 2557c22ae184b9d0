"""Photos for the tests, made with Pillow: a phone photo carries a GPS position in its EXIF."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from campaign.lib.uploads import CleanImage, clean_image

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 400
SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def jpeg_with_gps(size=(640, 480), colour=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, colour)
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 16.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (120.0, 10.0, 5.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(name="IMG_0001.JPG", data=None, content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_with_gps() if data is None else data, content_type=content_type)


def photo(colour=(200, 30, 30)) -> CleanImage:
    return clean_image(upload(data=jpeg_with_gps(colour=colour)))


# ---------------------------------------------------------------- forged and real documents

PLAIN_PAGE = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
]


def pdf(objects: list[bytes] = PLAIN_PAGE) -> bytes:
    """A PDF with a cross-reference table, object n being objects[n - 1]; the catalog is object 1."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_with_catalog(extra: bytes) -> bytes:
    """A one-page PDF whose catalog also holds `extra` (e.g. an /OpenAction)."""
    return pdf([b"<< /Type /Catalog /Pages 2 0 R %s >>" % extra, *PLAIN_PAGE[1:]])


def pdf_in_object_stream(extra: bytes) -> bytes:
    """A PDF 1.5 whose catalog (holding `extra`), pages and page are packed, compressed, in an object
    stream (object 1) found through a cross-reference stream (object 5): none of it shows in the bytes."""
    packed = [
        b"<< /Type /Catalog /Pages 3 0 R %s >>" % extra,
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 200 200] >>",
    ]
    header, body = b"", b""
    for number, obj in zip((2, 3, 4), packed, strict=True):
        header += b"%d %d " % (number, len(body))
        body += obj + b"\n"
    stream = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.7\n")
    objstm = len(out)
    out += b"1 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        len(header),
        len(stream),
    )
    out += stream + b"\nendstream\nendobj\n"
    xref = len(out)
    rows = [(0, 0, 65535), (1, objstm, 0), (2, 1, 0), (2, 1, 1), (2, 1, 2), (1, xref, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out += b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 2 0 R /Length %d >>\nstream\n" % len(table)
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width × height pixels and holds almost none: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )
